"""MCMC for any log density over named blocks of a flat float64 vector: NUTS, HMC,
Metropolis, Slice, Gibbs and DEMetropolisZ steps, a multi-process runner (or chains
and many models on a Dask cluster or any Executor), traces, and diagnostics equal to
ArviZ's. Depends on NumPy and SciPy only."""

from samplers.blocks import Block, BlockLayout, Point, as_point
from samplers.compound import CompoundStep
from samplers.demetropolis import DEMetropolisZ
from samplers.diagnostics import Summary, bfmi, effective_n, ess, hdi, mcse, rhat, summary
from samplers.gibbs import BinaryGibbsMetropolis, CategoricalGibbsMetropolis
from samplers.hmc import HamiltonianMC
from samplers.many import map_sample
from samplers.mass_matrix import (
    FixedMassMatrix,
    GradientDiagonal,
    MassMatrixAdaptation,
    WindowedDense,
    WindowedDiagonal,
)
from samplers.metropolis import (
    CauchyProposal,
    LaplaceProposal,
    Metropolis,
    MultivariateNormalProposal,
    NormalProposal,
    PoissonProposal,
    Proposal,
)
from samplers.nuts import NUTS
from samplers.plots import plot_posterior, traceplot
from samplers.protocols import Conditional, LogDensity, StepMethod
from samplers.runner import SamplingError, sample
from samplers.slice import Slice
from samplers.trace import Trace

__version__ = "0.1.0"

__all__ = [
    "NUTS",
    "BinaryGibbsMetropolis",
    "Block",
    "BlockLayout",
    "CategoricalGibbsMetropolis",
    "CauchyProposal",
    "CompoundStep",
    "Conditional",
    "DEMetropolisZ",
    "FixedMassMatrix",
    "GradientDiagonal",
    "HamiltonianMC",
    "LaplaceProposal",
    "LogDensity",
    "MassMatrixAdaptation",
    "Metropolis",
    "MultivariateNormalProposal",
    "NormalProposal",
    "Point",
    "PoissonProposal",
    "Proposal",
    "SamplingError",
    "Slice",
    "StepMethod",
    "Summary",
    "Trace",
    "WindowedDense",
    "WindowedDiagonal",
    "__version__",
    "as_point",
    "bfmi",
    "effective_n",
    "ess",
    "hdi",
    "map_sample",
    "mcse",
    "plot_posterior",
    "rhat",
    "sample",
    "summary",
    "traceplot",
]
