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
from ppl.distributions.multivariate import Dirichlet, Multinomial, MvNormal

__all__ = [
    "Continuous",
    "Dirichlet",
    "Discrete",
    "DiscreteUniform",
    "Distribution",
    "Exponential",
    "HalfCauchy",
    "HalfNormal",
    "Multinomial",
    "MvNormal",
    "Normal",
    "Poisson",
    "Uniform",
    "distribution_of",
    "logcdf_rules",
    "logp_rules",
]
