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
from ppl.distributions.lkj import LKJCholeskyCov
from ppl.distributions.mixture import Mixture, NormalMixture, ZeroInflatedPoisson
from ppl.distributions.multivariate import Dirichlet, Multinomial, MvNormal
from ppl.distributions.overdispersed import BetaBinomial, NegativeBinomial
from ppl.distributions.positive import HalfFlat, HalfStudentT, LogNormal, Pareto, Wald, Weibull
from ppl.distributions.timeseries import AR, GaussianRandomWalk

__all__ = [
    "AR",
    "Bernoulli",
    "Beta",
    "BetaBinomial",
    "Binomial",
    "Categorical",
    "Cauchy",
    "ChiSquared",
    "Continuous",
    "Dirichlet",
    "Discrete",
    "DiscreteUniform",
    "Distribution",
    "Exponential",
    "Flat",
    "Gamma",
    "GaussianRandomWalk",
    "Geometric",
    "HalfCauchy",
    "HalfFlat",
    "HalfNormal",
    "HalfStudentT",
    "InverseGamma",
    "LKJCholeskyCov",
    "Laplace",
    "LogNormal",
    "Logistic",
    "Mixture",
    "Multinomial",
    "MvNormal",
    "NegativeBinomial",
    "Normal",
    "NormalMixture",
    "Pareto",
    "Poisson",
    "StudentT",
    "Uniform",
    "VonMises",
    "Wald",
    "Weibull",
    "ZeroInflatedPoisson",
    "distribution_of",
    "logcdf_rules",
    "logp_rules",
]
