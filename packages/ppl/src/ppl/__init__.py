"""Bayesian models, distributions, transforms and log densities: ``import ppl as pm``.

``with pm.Model():`` collects random variables declared as ``pm.Normal("mu", 0, 1)``;
``model.logp()`` is their joint log density at the value variables (transformed to
the reals), ``model.compile_logp()`` a function of a point, and
``model.logp_dlogp_function()`` the flat log density and gradient samplers consume.
"""

from ppl import glm, math, stats, transforms
from ppl.checks import ParameterValueError
from ppl.context import NoModelError
from ppl.data import ConstantData, Data, MutableData, set_data
from ppl.deterministic import Deterministic, Potential
from ppl.distributions import *  # noqa: F403 - every distribution under its PyMC name
from ppl.distributions import __all__ as _distributions
from ppl.distributions.logprob import logcdf, logp
from ppl.draw import draw
from ppl.math import (
    dot,
    exp,
    invlogit,
    log,
    logsumexp,
    sigmoid,
    sum,
    switch,
)
from ppl.model.core import Model, ModelError
from ppl.model.observed import ImputationWarning
from ppl.optimize import find_MAP
from ppl.predictive import sample_posterior_predictive, sample_prior_predictive
from ppl.sampling import (
    NUTS,
    BinaryGibbsMetropolis,
    CategoricalGibbsMetropolis,
    CompoundStep,
    HamiltonianMC,
    Metropolis,
    SamplingError,
    SamplingWarning,
    Slice,
    sample,
    sample_many,
)
from ppl.stats import (
    effective_n,
    ess,
    gelman_rubin,
    hdi,
    hpd,
    mcse,
    plot_posterior,
    rhat,
    summary,
    traceplot,
)

__version__ = "0.1.0"

modelcontext = Model.get_context

__all__ = [  # noqa: PLE0604 - the distributions' names are strings too
    *_distributions,
    "NUTS",
    "BinaryGibbsMetropolis",
    "CategoricalGibbsMetropolis",
    "CompoundStep",
    "HamiltonianMC",
    "Metropolis",
    "SamplingError",
    "SamplingWarning",
    "Slice",
    "sample",
    "sample_many",
    "ConstantData",
    "Data",
    "Deterministic",
    "ImputationWarning",
    "Model",
    "ModelError",
    "MutableData",
    "NoModelError",
    "ParameterValueError",
    "Potential",
    "__version__",
    "dot",
    "draw",
    "effective_n",
    "ess",
    "exp",
    "find_MAP",
    "gelman_rubin",
    "glm",
    "hdi",
    "hpd",
    "invlogit",
    "log",
    "logcdf",
    "logp",
    "logsumexp",
    "math",
    "mcse",
    "modelcontext",
    "plot_posterior",
    "rhat",
    "sample_posterior_predictive",
    "sample_prior_predictive",
    "set_data",
    "sigmoid",
    "stats",
    "sum",
    "summary",
    "switch",
    "traceplot",
    "transforms",
]
