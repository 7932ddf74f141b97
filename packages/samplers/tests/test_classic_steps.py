"""Metropolis, Slice, DEMetropolisZ, the Gibbs steps and CompoundStep against exact answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from scipy import stats

from samplers.compound import CompoundStep
from samplers.demetropolis import DEMetropolisZ
from samplers.gibbs import BinaryGibbsMetropolis, CategoricalGibbsMetropolis
from samplers.metropolis import (
    CauchyProposal,
    LaplaceProposal,
    Metropolis,
    MultivariateNormalProposal,
    NormalProposal,
    PoissonProposal,
    tune_scaling,
)
from samplers.runner import sample
from samplers.slice import Slice

# --- helpers: Monte Carlo standard errors by batch means, and a chi-square check ---------


def batch_means_se(draws: np.ndarray) -> float:
    """MCSE of the mean of (chains, draws) correlated draws, by non-overlapping batch means.

    Each chain is cut into batches of about sqrt(draws) draws; batch means are nearly
    independent when batches are much longer than the autocorrelation time.
    """
    chains, n = draws.shape
    size = max(int(np.sqrt(n)), 1)
    batches = n // size
    means = draws[:, : batches * size].reshape(chains, batches, size).mean(axis=2).ravel()
    return float(means.std(ddof=1) / np.sqrt(means.size))


def assert_mean_close(draws: np.ndarray, expected: float, z: float = 4.5, max_se: float = 0.2):
    """|mean - expected| within z MCSEs, and the MCSE small enough to mean something."""
    se = batch_means_se(draws)
    assert se < max_se, f"MCSE {se:.3g} too large: the chain barely moves"
    assert abs(draws.mean() - expected) <= z * se + 1e-12, (draws.mean(), expected, se)


def assert_frequencies_match(values: np.ndarray, pmf: np.ndarray, min_p_value: float = 1e-3):
    """Chi-square goodness of fit of integer draws 0..len(pmf)-1 against ``pmf``.

    Draws are thinned by 5 so that the test's independence assumption roughly holds.
    """
    thinned = values.ravel()[::5]
    counts = np.bincount(thinned, minlength=len(pmf))
    assert counts.size == len(pmf), f"draws outside 0..{len(pmf) - 1}"
    expected = pmf / pmf.sum() * thinned.size
    keep = expected >= 5  # merge the sparse cells into one
    observed = np.append(counts[keep], counts[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    if expected[-1] == 0:
        observed, expected = observed[:-1], expected[:-1]
    p_value = stats.chisquare(observed, expected).pvalue
    assert p_value > min_p_value, (counts, expected, p_value)


def standard_normal(x: np.ndarray) -> float:
    return -0.5 * float(x @ x)


class Conditioned:
    """One block's density: the joint log density with the other blocks held at the point's."""

    def __init__(self, joint: Callable[[Mapping[str, Any]], float], name: str):
        self.joint = joint
        self.name = name
        self.point: Mapping[str, Any] = {}
        self.conditioned = 0

    def condition(self, point: Mapping[str, Any]) -> None:
        self.point = point
        self.conditioned += 1

    def __call__(self, x: np.ndarray) -> float:
        return self.joint({**self.point, self.name: x.reshape(np.shape(self.point[self.name]))})


# --- continuous targets: 1-d and 10-d standard normal -----------------------------------

CONTINUOUS_CASES = [
    # (step class, options, dimension, tune, draws)
    (Metropolis, {}, 1, 500, 3000),
    (Metropolis, {}, 10, 1000, 5000),
    (Slice, {}, 1, 200, 1500),
    (Slice, {}, 10, 200, 600),
    (DEMetropolisZ, {}, 1, 1000, 3000),
    (DEMetropolisZ, {}, 10, 2000, 5000),
    (DEMetropolisZ, {"tune": "lambda"}, 10, 2000, 5000),
]


@pytest.mark.parametrize(("step_class", "options", "dim", "tune", "draws"), CONTINUOUS_CASES)
def test_standard_normal_moments(step_class, options, dim, tune, draws):
    step = step_class(standard_normal, initial_point=np.full(dim, 0.5), **options)
    trace = sample(
        step, draws=draws, tune=tune, chains=2, cores=1, random_seed=11, progressbar=False
    )
    x = trace.posterior["x"]
    assert x.shape == (2, draws, dim)
    for i in range(dim):
        assert_mean_close(x[..., i], 0.0)
        assert_mean_close(x[..., i] ** 2, 1.0, max_se=0.3)


PROPOSAL_CASES = [
    (NormalProposal, None),
    (CauchyProposal, None),
    (LaplaceProposal, None),
    (MultivariateNormalProposal, np.array([[1.0, 0.9], [0.9, 1.0]])),
]


@pytest.mark.parametrize(("proposal", "S"), PROPOSAL_CASES)
def test_metropolis_proposals_on_correlated_normal(proposal, S):
    covariance = np.array([[1.0, 0.9], [0.9, 1.0]])
    precision = np.linalg.inv(covariance)

    def logp(x):
        return -0.5 * float(x @ precision @ x)

    step = Metropolis(logp, initial_point=np.zeros(2), proposal_dist=proposal, S=S)
    trace = sample(step, draws=4000, tune=1000, chains=2, cores=1, random_seed=3, progressbar=False)
    x = trace.posterior["x"]
    assert_mean_close(x[..., 0], 0.0)
    assert_mean_close(x[..., 0] * x[..., 1], 0.9, max_se=0.3)


def test_metropolis_discrete_block_gets_integer_jumps():
    # k ~ Poisson(3) on an int64 block, with Poisson and (rounded) normal jumps
    log_pmf = stats.poisson.logpmf(np.arange(100), 3.0)  # a table: scipy per call is slow

    def logp(k):
        return float(log_pmf[k[0]]) if 0 <= k[0] < 100 else -np.inf

    for proposal in (PoissonProposal, NormalProposal):
        step = Metropolis(
            logp,
            initial_point={"k": np.array([2])},
            proposal_dist=proposal,
        )
        trace = sample(
            step, draws=4000, tune=500, chains=2, cores=1, random_seed=5, progressbar=False
        )
        k = trace.posterior["k"][..., 0]
        assert k.dtype == np.int64
        assert_mean_close(k.astype(float), 3.0, max_se=0.3)


@pytest.mark.parametrize(
    ("acceptance", "factor"),
    [(0.0, 0.1), (0.01, 0.5), (0.1, 0.9), (0.3, 1.0), (0.6, 1.1), (0.8, 2.0), (0.99, 10.0)],
)
def test_tune_scaling_follows_pymc_schedule(acceptance, factor):
    assert tune_scaling(2.0, acceptance) == pytest.approx(2.0 * factor)


def test_metropolis_tuning_adapts_scaling_and_stops():
    # a wide target (sd 50): tuning must grow the scaling from 1, then freeze it
    step = Metropolis(lambda x: -0.5 * float(x @ x) / 2500.0, initial_point=np.zeros(1))
    trace = sample(step, draws=500, tune=2000, chains=1, cores=1, random_seed=2, progressbar=False)
    scaling = trace.stats["scaling"]
    assert scaling[0, 0] > 10.0
    assert np.all(scaling == scaling[0, 0])
    accept = trace.stats["accept"]
    assert np.all((accept >= 0) & (accept <= 1))
    assert 0.05 < trace.stats["accepted"].mean() < 0.8


def test_slice_adapts_w_to_the_target_scale():
    step = Slice(lambda x: -0.5 * float(x @ x) / 100.0, initial_point=np.zeros(1))
    trace = sample(step, draws=200, tune=300, chains=1, cores=1, random_seed=4, progressbar=False)
    assert trace.stats["nstep_in"].dtype == np.int64
    # stepping out from w = 1 on a target of sd 10 takes many steps at first, few after tuning
    assert trace.stats["nstep_out"].mean() < 4
    sd = trace["x"].std()
    assert 5 < sd < 20


def test_demetropolisz_drops_early_history_and_defaults_lambda():
    step = DEMetropolisZ(standard_normal, initial_point=np.zeros(8))
    assert step.lamb == pytest.approx(2.38 / np.sqrt(16))
    step.set_rng(np.random.default_rng(0))
    point = step.start({"x": np.zeros(8)})
    for _ in range(300):
        point, _ = step.step(point)
    assert len(step.history) == 300
    step.stop_tuning()
    assert len(step.history) == 30
    point, stats_ = step.step(point)
    assert len(step.history) == 31
    assert set(stats_) == {"accept", "accepted", "scaling", "lambda"}


# --- discrete targets -------------------------------------------------------------------


@pytest.mark.parametrize("proposal", ["proportional", "uniform"])
def test_categorical_gibbs_beta_binomial(proposal):
    n, a, b = 10, 2.0, 3.0
    support = np.arange(n + 1)
    log_pmf = stats.betabinom.logpmf(support, n, a, b)
    step = CategoricalGibbsMetropolis(
        lambda k: float(log_pmf[k[0]]),
        initial_point={"k": np.array([0])},
        n_categories=n + 1,
        proposal=proposal,
    )
    trace = sample(step, draws=5000, tune=200, chains=2, cores=1, random_seed=7, progressbar=False)
    assert_frequencies_match(trace["k"][:, 0], stats.betabinom.pmf(support, n, a, b))


def test_categorical_gibbs_categories_per_block():
    probabilities = {"a": np.array([0.2, 0.5, 0.3]), "b": np.array([0.1, 0.2, 0.3, 0.4])}

    log_a, log_b = np.log(probabilities["a"]), np.log(probabilities["b"])

    def logp(x):  # a, b independent; the flat vector is [a, b]
        return float(log_a[x[0]] + log_b[x[1]])

    step = CategoricalGibbsMetropolis(
        logp, initial_point={"a": 0, "b": 3}, n_categories={"a": 3, "b": 4}
    )
    trace = sample(step, draws=3000, tune=100, chains=2, cores=1, random_seed=8, progressbar=False)
    for name, pmf in probabilities.items():
        assert_frequencies_match(trace[name], pmf)
    assert trace.stats["n_changed"].max() <= 2


def test_binary_gibbs_independent_bernoullis():
    p = np.array([0.1, 0.5, 0.8, 0.95])

    log_p, log_q = np.log(p), np.log1p(-p)

    def logp(x):
        return float(log_p @ x + log_q @ (1 - x))

    step = BinaryGibbsMetropolis(logp, initial_point={"z": np.zeros(4, dtype=int)})
    trace = sample(step, draws=2500, tune=100, chains=2, cores=1, random_seed=9, progressbar=False)
    z = trace.posterior["z"]
    assert set(np.unique(z)) <= {0, 1}
    for i, p_i in enumerate(p):
        assert_mean_close(z[..., i].astype(float), p_i, max_se=0.05)
    accept = trace.stats["accept"]
    assert np.all((accept >= 0) & (accept <= 1))


# --- CompoundStep: a continuous mu and a discrete k ---------------------------------------

WEIGHTS = np.array([0.2, 0.5, 0.3])
CENTRES = np.array([-2.0, 0.0, 3.0])


LOG_WEIGHTS = np.log(WEIGHTS)


def mixture_joint(point: Mapping[str, Any]) -> float:
    """log p(mu, k) = log w_k + log N(mu | m_k, 1): k ~ Categorical(w), mu | k ~ N(m_k, 1)."""
    k = int(point["k"])
    mu = float(point["mu"])
    return float(LOG_WEIGHTS[k] - 0.5 * (mu - CENTRES[k]) ** 2)


def test_compound_slice_and_categorical_gibbs_on_a_mixture():
    start = {"mu": np.array(0.0), "k": np.array(1)}
    mu_density = Conditioned(mixture_joint, "mu")
    k_density = Conditioned(mixture_joint, "k")
    steps = [
        Slice(mu_density, initial_point=start, vars=["mu"]),
        CategoricalGibbsMetropolis(k_density, initial_point=start, vars=["k"], n_categories=3),
    ]
    trace = sample(
        steps, draws=3000, tune=300, chains=2, cores=1, random_seed=10, progressbar=False
    )
    assert mu_density.conditioned > 0 and k_density.conditioned > 0
    assert trace.posterior["mu"].shape == (2, 3000)
    # exact marginals: P(k) = w, E[mu] = sum_k w_k m_k, P(mu > 1) = sum_k w_k (1 - Phi(1 - m_k))
    assert_frequencies_match(trace["k"], WEIGHTS)
    mu = trace.posterior["mu"]
    assert_mean_close(mu, float(WEIGHTS @ CENTRES), max_se=0.3)
    above = float(WEIGHTS @ stats.norm.sf(1.0 - CENTRES))
    assert_mean_close((mu > 1.0).astype(float), above, max_se=0.05)
    assert set(trace.stat_names) == {"nstep_out", "nstep_in", "n_changed"}


def test_compound_renames_clashing_stats_with_the_later_index():
    start = {"a": np.array(0.0), "b": np.array(0.0)}
    steps = [
        Metropolis(lambda x: -0.5 * float(x @ x), initial_point=start, vars=["a"]),
        Metropolis(lambda x: -0.5 * float(x @ x), initial_point=start, vars=["b"]),
    ]
    compound = CompoundStep(steps)
    assert list(compound.stat_dtypes) == [
        "accept",
        "accepted",
        "scaling",
        "accept_1",
        "accepted_1",
        "scaling_1",
    ]
    assert compound.stat_sources["accept_1"] == (1, "accept")
    trace = sample(
        compound, draws=300, tune=100, chains=1, cores=1, random_seed=1, progressbar=False
    )
    assert trace.stats["scaling_1"].shape == (1, 300)
    assert compound.vars == ("a", "b")


# --- conditioning, caching and argument errors -------------------------------------------


def test_steps_evaluate_the_density_once_per_metropolis_step():
    calls = []

    def logp(x):
        calls.append(1)
        return -0.5 * float(x @ x)

    step = Metropolis(logp, initial_point=np.zeros(2))
    step.set_rng(np.random.default_rng(0))
    point = step.start({"x": np.zeros(2)})
    for _ in range(100):
        point, _ = step.step(point)
    assert len(calls) == 101  # the start once, then one proposal per step


def test_logp_dlogp_objects_work_for_gradient_free_steps():
    class Density:
        dim = 1

        def logp_dlogp(self, x):
            return -0.5 * float(x @ x), -x

    step = Slice(Density(), initial_point=np.zeros(1))
    trace = sample(step, draws=300, tune=100, chains=1, cores=1, random_seed=0, progressbar=False)
    assert abs(trace["x"].mean()) < 0.5


@pytest.mark.parametrize(
    ("build", "error", "words"),
    [
        (lambda: Slice(standard_normal, initial_point=np.array([1])), TypeError, "float blocks"),
        (
            lambda: BinaryGibbsMetropolis(standard_normal, initial_point=np.array([2])),
            ValueError,
            "0 or 1",
        ),
        (
            lambda: CategoricalGibbsMetropolis(standard_normal, initial_point=np.array([0])),
            TypeError,
            "n_categories",
        ),
        (
            lambda: CategoricalGibbsMetropolis(
                standard_normal, initial_point=np.array([5]), n_categories=3
            ),
            ValueError,
            "outside",
        ),
        (
            lambda: Metropolis(standard_normal, initial_point=np.zeros(2), S=np.ones(3)),
            ValueError,
            "S",
        ),
        (
            lambda: DEMetropolisZ(standard_normal, initial_point=np.zeros(2), tune="x"),
            ValueError,
            "tune",
        ),
        (lambda: Metropolis(42, initial_point=np.zeros(2)), TypeError, "callable"),
    ],
)
def test_bad_step_arguments_raise_clear_errors(build, error, words):
    with pytest.raises(error, match=words):
        build()


def test_slice_refuses_to_start_outside_the_support():
    step = Slice(lambda x: -np.inf, initial_point=np.zeros(1))
    step.set_rng(np.random.default_rng(0))
    with pytest.raises(ValueError, match="-inf"):
        step.step({"x": np.zeros(1)})
