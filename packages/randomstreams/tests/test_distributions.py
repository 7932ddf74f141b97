"""Every distribution's draws against SciPy at a fixed seed: Kolmogorov-Smirnov for
continuous ones, chi-square over the support for discrete ones."""

import numpy as np
import pytest
from scipy import stats

import randomstreams as rs
import tensorops as pt
from randomstreams import DISTRIBUTIONS

N = 4000
P_VALUE = 1e-3

CONTINUOUS = {
    "uniform": ((1.0, 3.0), stats.uniform(1, 2)),
    "normal": ((1.0, 2.0), stats.norm(1, 2)),
    "halfnormal": ((0.0, 2.0), stats.halfnorm(0, 2)),
    "lognormal": ((0.5, 0.7), stats.lognorm(s=0.7, scale=np.exp(0.5))),
    "exponential": ((2.0,), stats.expon(scale=2)),
    "gamma": ((2.0, 1.5), stats.gamma(2, scale=1.5)),
    "invgamma": ((3.0, 2.0), stats.invgamma(3, scale=2)),
    "beta": ((2.0, 5.0), stats.beta(2, 5)),
    "cauchy": ((0.5, 1.5), stats.cauchy(0.5, 1.5)),
    "halfcauchy": ((0.0, 2.0), stats.halfcauchy(0, 2)),
    "studentt": ((4.0, 1.0, 2.0), stats.t(4, 1, 2)),
    "laplace": ((1.0, 2.0), stats.laplace(1, 2)),
    "logistic": ((1.0, 2.0), stats.logistic(1, 2)),
    "gumbel": ((1.0, 2.0), stats.gumbel_r(1, 2)),
    "weibull": ((1.5,), stats.weibull_min(1.5)),
    "pareto": ((3.0, 2.0), stats.pareto(3, scale=2)),
    "vonmises": ((0.5, 2.0), stats.vonmises(2, loc=0.5)),
    "wald": ((1.0, 2.0), stats.invgauss(0.5, scale=2)),
    "triangular": ((0.0, 1.0, 3.0), stats.triang(1 / 3, loc=0, scale=3)),
    "chisquare": ((3.0,), stats.chi2(3)),
}

DISCRETE = {
    "bernoulli": ((0.3,), stats.bernoulli(0.3)),
    "binomial": ((10, 0.3), stats.binom(10, 0.3)),
    "betabinomial": ((10, 2.0, 3.0), stats.betabinom(10, 2, 3)),
    "poisson": ((3.0,), stats.poisson(3)),
    "negative_binomial": ((5, 0.4), stats.nbinom(5, 0.4)),
    "geometric": ((0.3,), stats.geom(0.3)),
    "hypergeometric": ((7, 5, 4), stats.hypergeom(12, 7, 4)),
    "integers": ((0, 5), stats.randint(0, 5)),
    "discrete_uniform": ((1, 4), stats.randint(1, 5)),
    "categorical": (([0.2, 0.5, 0.3],), stats.rv_discrete(values=([0, 1, 2], [0.2, 0.5, 0.3]))),
}

MULTIVARIATE = {"multivariate_normal", "dirichlet", "multinomial"}


def test_every_distribution_is_checked_here():
    assert set(DISTRIBUTIONS) == set(CONTINUOUS) | set(DISCRETE) | MULTIVARIATE


def draws(name, params, size=N, seed=7):
    stream = rs.RandomStream(seed=seed)
    return pt.function([], getattr(stream, name)(*params, size=size))()


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_against_scipy(name):
    params, reference = CONTINUOUS[name]
    sample = draws(name, params)
    assert sample.dtype == np.float64 and sample.shape == (N,)
    assert stats.kstest(sample, reference.cdf).pvalue > P_VALUE


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_against_scipy(name):
    params, reference = DISCRETE[name]
    sample = draws(name, params)
    assert sample.dtype == np.int64
    values, counts = np.unique(sample, return_counts=True)
    assert reference.pmf(values).min() > 0, "a draw outside the support"
    expected = N * reference.pmf(values)
    keep = expected >= 5  # chi-square needs enough expected counts per cell
    observed, expected = counts[keep], expected[keep]
    # Rare values (and unseen mass) go into the last cell, so both totals are N.
    observed[-1] += N - observed.sum()
    expected[-1] += N - expected.sum()
    assert stats.chisquare(observed, expected).pvalue > P_VALUE


def test_multivariate_normal_moments():
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    sample = draws("multivariate_normal", ([1.0, -1.0], cov))
    assert sample.shape == (N, 2)
    np.testing.assert_allclose(sample.mean(0), [1.0, -1.0], atol=4 * np.sqrt(2.0 / N))
    np.testing.assert_allclose(np.cov(sample.T), cov, atol=0.15)


def test_dirichlet_and_multinomial_moments():
    alpha = np.array([1.0, 2.0, 3.0])
    sample = draws("dirichlet", (alpha,))
    np.testing.assert_allclose(sample.sum(1), 1.0)
    np.testing.assert_allclose(sample.mean(0), alpha / alpha.sum(), atol=0.02)
    counts = draws("multinomial", (10, [0.2, 0.3, 0.5]))
    assert (counts.sum(1) == 10).all()
    np.testing.assert_allclose(counts.mean(0), [2, 3, 5], atol=0.15)
