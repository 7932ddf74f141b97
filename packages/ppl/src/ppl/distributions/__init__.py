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
    Cauchy,
    Exponential,
    Flat,
    HalfCauchy,
    HalfNormal,
    Laplace,
    Logistic,
    Normal,
    StudentT,
    Uniform,
    VonMises,
)
from ppl.distributions.discrete import (
    Bernoulli,
    Binomial,
    Categorical,
    DiscreteUniform,
    Geometric,
    Poisson,
)
from ppl.distributions.gamma_beta import Beta, ChiSquared, Gamma, InverseGamma
from ppl.distributions.overdispersed import BetaBinomial, NegativeBinomial
from ppl.distributions.positive import HalfFlat, HalfStudentT, LogNormal, Pareto, Wald, Weibull

__all__ = [
    "Bernoulli",
    "Beta",
    "BetaBinomial",
    "Binomial",
    "Categorical",
    "Cauchy",
    "ChiSquared",
    "Continuous",
    "Discrete",
    "DiscreteUniform",
    "Distribution",
    "Exponential",
    "Flat",
    "Gamma",
    "Geometric",
    "HalfCauchy",
    "HalfFlat",
    "HalfNormal",
    "HalfStudentT",
    "InverseGamma",
    "Laplace",
    "LogNormal",
    "Logistic",
    "NegativeBinomial",
    "Normal",
    "Pareto",
    "Poisson",
    "StudentT",
    "Uniform",
    "VonMises",
    "Wald",
    "Weibull",
    "distribution_of",
    "logcdf_rules",
    "logp_rules",
]
