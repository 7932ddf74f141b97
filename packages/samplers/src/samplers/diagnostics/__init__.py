"""MCMC convergence diagnostics computed as ArviZ computes them, with NumPy and SciPy alone."""

from samplers.diagnostics.bfmi import bfmi
from samplers.diagnostics.ess import ESS_METHODS, effective_n, ess
from samplers.diagnostics.hdi import hdi
from samplers.diagnostics.mcse import MCSE_METHODS, mcse
from samplers.diagnostics.rhat import RHAT_METHODS, rhat
from samplers.diagnostics.summary import summary
from samplers.diagnostics.table import Summary, SummaryColumn

__all__ = [
    "ESS_METHODS",
    "MCSE_METHODS",
    "RHAT_METHODS",
    "Summary",
    "SummaryColumn",
    "bfmi",
    "effective_n",
    "ess",
    "hdi",
    "mcse",
    "rhat",
    "summary",
]
