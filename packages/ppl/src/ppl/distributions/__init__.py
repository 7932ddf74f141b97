"""Distributions: each a class declared as one row (see ``base``)."""

from ppl.distributions.base import (
    Continuous,
    Discrete,
    Distribution,
    distribution_of,
    logcdf_rules,
    logp_rules,
)
from ppl.distributions.continuous import (
    Exponential,
    HalfCauchy,
    HalfNormal,
    Normal,
    Uniform,
)
from ppl.distributions.discrete import DiscreteUniform, Poisson
from ppl.distributions.lkj import LKJCholeskyCov
from ppl.distributions.mixture import Mixture, NormalMixture, ZeroInflatedPoisson
from ppl.distributions.multivariate import Dirichlet, Multinomial, MvNormal
from ppl.distributions.timeseries import AR, GaussianRandomWalk

__all__ = [
    "AR",
    "Continuous",
    "Dirichlet",
    "Discrete",
    "DiscreteUniform",
    "Distribution",
    "Exponential",
    "GaussianRandomWalk",
    "HalfCauchy",
    "HalfNormal",
    "LKJCholeskyCov",
    "Mixture",
    "Multinomial",
    "MvNormal",
    "Normal",
    "NormalMixture",
    "Poisson",
    "Uniform",
    "ZeroInflatedPoisson",
    "distribution_of",
    "logcdf_rules",
    "logp_rules",
]
