"""Random variables in graphs, and streams that draw anew on every call.

``RandomStream(seed=234)`` (PyTensor's argument order) and ``RandomStreams`` (Theano's)
install each variable's generator update; stand-alone variables
(``randomstreams.normal(0, 1)``, also ``pt.random.normal``) draw with their own
generator and repeat their draw until one is installed.
Random variables are not differentiable: ``grad`` through one raises, naming the op.
"""

from randomstreams.basic import FUNCTIONS, choice, default_rng_variable, permutation
from randomstreams.op import RandomVariable
from randomstreams.rng_type import (
    RandomGeneratorSharedVariable,
    RandomGeneratorType,
    random_generator_type,
)
from randomstreams.signature import Signature
from randomstreams.stream import RandomStream, RandomStreams
from randomstreams.table import DISTRIBUTIONS, Distribution

globals().update(FUNCTIONS)

__version__ = "0.1.0"

__all__ = [
    "DISTRIBUTIONS",
    "Distribution",
    "RandomGeneratorSharedVariable",
    "RandomGeneratorType",
    "RandomStream",
    "RandomStreams",
    "RandomVariable",
    "Signature",
    "__version__",
    # The distributions: one function per row of the table.
    "bernoulli",
    "beta",
    "betabinomial",
    "binomial",
    "categorical",
    "cauchy",
    "chisquare",
    "choice",
    "default_rng_variable",
    "dirichlet",
    "discrete_uniform",
    "exponential",
    "gamma",
    "geometric",
    "gumbel",
    "halfcauchy",
    "halfnormal",
    "hypergeometric",
    "integers",
    "invgamma",
    "laplace",
    "logistic",
    "lognormal",
    "multinomial",
    "multivariate_normal",
    "negative_binomial",
    "normal",
    "pareto",
    "permutation",
    "poisson",
    "random_generator_type",
    "studentt",
    "triangular",
    "uniform",
    "vonmises",
    "wald",
    "weibull",
]  # fmt: skip
assert set(FUNCTIONS) <= set(__all__), "every distribution of the table is exported"
