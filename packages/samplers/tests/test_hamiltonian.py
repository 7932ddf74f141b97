"""HMC and NUTS: moments within MCSE of exact values, adaptation, the integrator, edge cases."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from samplers.hmc import HamiltonianMC
from samplers.integrator import Leapfrog
from samplers.mass_matrix import GradientDiagonal, MetricUpdate, StanWindows, regularize
from samplers.nuts import NUTS
from samplers.step_size import DualAveraging

# -- targets with exact moments ---------------------------------------------------------


class Gaussian:
    """A zero-mean Gaussian with covariance ``cov``: logp and gradient, exact marginals."""

    def __init__(self, cov: NDArray):
        cov = np.atleast_2d(cov)
        self.precision = np.linalg.inv(cov)
        self.mean = np.zeros(cov.shape[0])
        self.variance = np.diag(cov).copy()

    def __call__(self, x: NDArray) -> tuple[float, NDArray]:
        grad = -(self.precision @ x)
        return 0.5 * float(x.dot(grad)), grad


class IndependentNormal:
    """Independent normals with standard deviations ``scales`` (the diagonal needs no matmul)."""

    def __init__(self, scales: Any):
        self.scales = np.asarray(scales, dtype=np.float64)
        self.inv_var = 1.0 / self.scales**2
        self.mean = np.zeros(self.scales.size)
        self.variance = self.scales**2

    def __call__(self, x: NDArray) -> tuple[float, NDArray]:
        grad = -x * self.inv_var
        return 0.5 * float(x.dot(grad)), grad


def correlated_gaussian() -> Gaussian:
    """WORKLOADS.md M6: d = 100, condition number 100, a random rotation."""
    rng = np.random.default_rng(1234)
    q, r = np.linalg.qr(rng.normal(size=(100, 100)))
    q = q * np.sign(np.diag(r))
    cov = q @ np.diag(np.logspace(0, 2, 100)) @ q.T
    return Gaussian(0.5 * (cov + cov.T))


def funnel() -> IndependentNormal:
    """WORKLOADS.md M7 in its non-centered coordinates: v ~ N(0, 3), z ~ N(0, 1)^9."""
    return IndependentNormal([3.0] + [1.0] * 9)


def mixed_gaussian() -> Gaussian:
    """10-d: scales from 0.1 to 10 and two correlated pairs, for every mass-matrix option."""
    scales = np.logspace(-1, 1, 10)
    corr = np.eye(10)
    corr[0, 1] = corr[1, 0] = 0.8
    corr[4, 7] = corr[7, 4] = -0.6
    return Gaussian(corr * np.outer(scales, scales))


# inverse mass matrices and a 3-d target for the integrator and the tree
METRICS = {
    "diagonal": np.array([0.5, 2.0, 1.0]),
    "dense": np.array([[1.0, 0.3, 0.0], [0.3, 2.0, -0.4], [0.0, -0.4, 0.7]]),
}
TARGET_3D = Gaussian(np.array([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.5]]))


# -- running chains and judging them ----------------------------------------------------


def run_chains(
    make_step: Callable[[], Any], chains: int, tune: int, draws: int, seed: int
) -> tuple[NDArray, dict[str, NDArray]]:
    """Draws (chains, draws, d) and stats (chains, draws) from a minimal runner loop."""
    samples, stats = [], []
    for chain in range(chains):
        step = copy.deepcopy(make_step())
        step.set_rng(np.random.default_rng([seed, chain]))
        step.set_tune_draws(tune)
        point = step.start(step.initial_point)
        chain_samples, chain_stats = [], []
        for i in range(tune + draws):
            point, stat = step.step(point)
            if i == tune - 1:
                step.stop_tuning()
            if i >= tune:
                chain_samples.append(point["x"].ravel())
                chain_stats.append(stat)
        samples.append(chain_samples)
        stats.append(chain_stats)
    names = stats[0][0].keys()
    return np.array(samples), {
        name: np.array([[s[name] for s in c] for c in stats]) for name in names
    }


def effective_sample_size(draws: NDArray) -> float:
    """ESS of a (chains, n) array: multi-chain autocorrelation, Geyer's initial monotone rule."""
    chains, n = draws.shape
    centered = draws - draws.mean(axis=1, keepdims=True)
    size = 2 ** math.ceil(math.log2(2 * n))
    spectrum = np.fft.rfft(centered, size, axis=1)
    autocov = np.fft.irfft(spectrum * np.conj(spectrum), size, axis=1)[:, :n] / n
    within = autocov[:, 0].mean() * n / (n - 1)
    between = draws.mean(axis=1).var(ddof=1) if chains > 1 else 0.0
    var_plus = within * (n - 1) / n + between
    rho = 1.0 - (within - autocov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    pairs = rho[: n - n % 2 : 2] + rho[1 : n - n % 2 : 2]
    positive = np.cumprod(pairs > 0).astype(bool)
    monotone = np.minimum.accumulate(pairs[positive])
    tau = max(-1.0 + 2.0 * monotone.sum(), 1.0 / math.log10(chains * n))
    return chains * n / tau


def moment_z_scores(samples: NDArray, mean: NDArray, variance: NDArray) -> tuple[NDArray, NDArray]:
    """|error| / MCSE of each coordinate's mean and variance against exact values."""
    z_mean, z_var = [], []
    for i in range(samples.shape[2]):
        draws = samples[:, :, i]
        deviation = draws - mean[i]
        squares = deviation**2
        mcse_mean = draws.std() / math.sqrt(effective_sample_size(draws))
        mcse_var = squares.std() / math.sqrt(effective_sample_size(squares))
        z_mean.append(abs(deviation.mean()) / mcse_mean)
        z_var.append(abs(squares.mean() - variance[i]) / mcse_var)
    return np.array(z_mean), np.array(z_var)


def standard_normal(x: NDArray) -> tuple[float, NDArray]:
    return -0.5 * float(x.dot(x)), -x


# -- moments against exact values -------------------------------------------------------

MOMENT_CASES = [
    # (id, step class, options, target, tune, draws)
    ("nuts-normal-1", NUTS, {}, IndependentNormal([1.0]), 500, 1000),
    ("nuts-normal-10", NUTS, {}, IndependentNormal(np.ones(10)), 500, 1000),
    ("nuts-normal-100", NUTS, {}, IndependentNormal(np.ones(100)), 500, 1000),
    ("hmc-normal-1", HamiltonianMC, {}, IndependentNormal([1.0]), 500, 1000),
    ("hmc-normal-10", HamiltonianMC, {}, IndependentNormal(np.ones(10)), 500, 1000),
    ("hmc-normal-100", HamiltonianMC, {}, IndependentNormal(np.ones(100)), 500, 1000),
    ("nuts-correlated-100", NUTS, {}, correlated_gaussian(), 1000, 1000),
    ("nuts-funnel-noncentered", NUTS, {}, funnel(), 500, 1500),
    ("nuts-mass-grad", NUTS, {"mass_matrix": "grad"}, mixed_gaussian(), 1000, 1000),
    ("nuts-mass-diag", NUTS, {"mass_matrix": "diag"}, mixed_gaussian(), 1000, 1000),
    ("nuts-mass-dense", NUTS, {"mass_matrix": "dense"}, mixed_gaussian(), 1000, 1000),
    (
        "nuts-mass-identity",
        NUTS,
        {"mass_matrix": "identity"},
        IndependentNormal([0.5, 2.0]),
        500,
        1000,
    ),
    ("hmc-mass-diag", HamiltonianMC, {"mass_matrix": "diag"}, mixed_gaussian(), 1000, 1000),
    ("hmc-mass-dense", HamiltonianMC, {"mass_matrix": "dense"}, mixed_gaussian(), 1000, 1000),
]


@pytest.mark.parametrize(
    ("step_class", "options", "target", "tune", "draws"),
    [case[1:] for case in MOMENT_CASES],
    ids=[case[0] for case in MOMENT_CASES],
)
def test_moments_match_exact_values_within_mcse(
    step_class: type, options: dict[str, Any], target: Any, tune: int, draws: int
) -> None:
    size = target.mean.size
    samples, stats = run_chains(
        lambda: step_class(target, initial_point=np.zeros(size), **options), 2, tune, draws, seed=7
    )
    z_mean, z_var = moment_z_scores(samples, target.mean, target.variance)
    assert z_mean.max() < 4.5, f"worst mean error {z_mean.max():.2f} MCSE at {z_mean.argmax()}"
    assert z_var.max() < 4.5, f"worst variance error {z_var.max():.2f} MCSE at {z_var.argmax()}"
    assert stats["diverging"].sum() == 0


def test_funnel_v_has_mean_zero_and_sd_three() -> None:
    samples, _ = run_chains(
        lambda: NUTS(funnel(), initial_point=np.zeros(10)), 2, 500, 1500, seed=3
    )
    v = samples[:, :, 0]
    mcse = v.std() / math.sqrt(effective_sample_size(v))
    assert abs(v.mean()) < 4 * mcse
    assert abs(v.std() - 3.0) < 0.15


# -- adaptation -------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_step_size_scales_with_the_target_under_a_fixed_metric(scale: float) -> None:
    # a 1-d normal of sd s under the identity metric: NUTS at target 0.8 settles near 1.3 s
    _, stats = run_chains(
        lambda: NUTS(IndependentNormal([scale]), initial_point=[0.0], mass_matrix="identity"),
        1,
        500,
        200,
        seed=11,
    )
    step = stats["step_size"][0, -1]
    assert 0.8 * scale < step < 2.0 * scale


@pytest.mark.parametrize("scale", [0.01, 100.0])
def test_gradient_mass_matrix_absorbs_the_scale(scale: float) -> None:
    _, stats = run_chains(
        lambda: NUTS(IndependentNormal([scale] * 3), initial_point=np.zeros(3)), 1, 500, 200, seed=5
    )
    assert 0.5 < stats["step_size"][0, -1] < 2.0


def test_dual_averaging_reaches_the_target_acceptance() -> None:
    _, stats = run_chains(
        lambda: NUTS(standard_normal, initial_point=np.zeros(10)), 2, 1000, 1000, seed=2
    )
    assert 0.72 < stats["accept"].mean() < 0.9
    # after tuning: dual averaging's ε̄, jittered by at most 10% per draw
    nominal = stats["step_size_bar"]
    assert np.all(nominal == nominal[:, :1])
    assert np.all(np.abs(stats["step_size"] / nominal - 1.0) <= 0.1)
    assert np.std(stats["step_size"] / nominal) > 0.03


def test_dual_averaging_solves_a_known_acceptance_curve() -> None:
    # accept(ε) = exp(−ε²/2) equals 0.8 at ε* = sqrt(−2 log 0.8)
    adaptation = DualAveraging(initial_step_size=0.01, target_accept=0.8)
    step = adaptation.current
    for _ in range(3000):
        step = adaptation.update(math.exp(-0.5 * step**2))
    assert adaptation.averaged == pytest.approx(math.sqrt(-2 * math.log(0.8)), rel=0.02)


def test_stan_windows_for_a_thousand_tuning_draws() -> None:
    windows = StanWindows(1000)
    ends = [draw for draw in range(1000) if windows.advance()[1]]
    assert ends == [99, 149, 249, 449, 949]
    short = StanWindows(100)  # shrinks to 15% / 75% / 10%
    assert [draw for draw in range(100) if short.advance()[1]] == [89]


def test_regularized_variance_is_stans() -> None:
    variance = np.array([2.0, 0.5])
    expected = (20 / 25) * variance + 1e-3 * (5 / 25)
    np.testing.assert_allclose(regularize(variance, 20), expected)


def test_gradient_diagonal_recovers_gaussian_variances() -> None:
    # draws and gradients of independent normals: sqrt(var(x)/var(grad)) = sigma²
    rng = np.random.default_rng(0)
    sigma = np.array([0.1, 1.0, 30.0])
    adaptation = GradientDiagonal()
    x = rng.normal(size=3) * sigma
    adaptation.start(x, -x / sigma**2, n_tune=1000)
    np.testing.assert_allclose(adaptation.inv_mass, sigma**2 / np.abs(x))
    for _ in range(800):
        x = rng.normal(size=3) * sigma
        adaptation.update(x, -x / sigma**2, usable=True)
    np.testing.assert_allclose(adaptation.inv_mass, sigma**2, rtol=1e-10)


def test_gradient_diagonal_schedule_forgets_early_draws() -> None:
    # 1000 tuning draws: switch windows of 10 until draw 300, of 80 until 850, then frozen
    rng = np.random.default_rng(1)
    adaptation = GradientDiagonal()
    x = rng.normal(size=2)
    adaptation.start(x, -x, n_tune=1000)
    changes = []
    for draw in range(1000):
        sigma = 10.0 if draw < 500 else 1.0  # the chain "moves" to a narrower region
        x = rng.normal(size=2) * sigma
        changes.append(adaptation.update(x, -x / sigma**2, usable=True))
        if draw == 849:
            frozen = adaptation.inv_mass.copy()
    assert changes[:2] == [MetricUpdate.UNCHANGED, MetricUpdate.RESTART]
    assert set(changes[2:850]) == {MetricUpdate.CHANGED}
    assert set(changes[850:]) == {MetricUpdate.UNCHANGED}
    np.testing.assert_allclose(adaptation.inv_mass, frozen)
    np.testing.assert_allclose(frozen, 1.0, rtol=1e-10)  # nothing left of sigma = 10


def test_u_turn_criterion_ends_trees_early() -> None:
    _, stats = run_chains(
        lambda: NUTS(standard_normal, initial_point=np.zeros(10)), 1, 500, 500, seed=4
    )
    assert stats["tree_depth"].max() <= 4
    assert 2.0 <= stats["tree_depth"].mean() <= 3.5
    # a tree of depth j has 2^j − 1 leapfrogs, plus at most 2^j in a rejected last subtree
    assert np.all(stats["n_grad_evals"] <= 2 ** (stats["tree_depth"] + 1) - 1)


# -- the tree against Stan's recursion written plainly ----------------------------------


def reference_transition(
    integrator: Leapfrog,
    x: NDArray,
    logp: float,
    grad: NDArray,
    p: NDArray,
    uniforms: list[float],
    max_depth: int = 10,
    max_energy_error: float = 1000.0,
) -> tuple[NDArray, int, int, bool, float]:
    """Stan's base_nuts transition, recursive, with explicit momentum sums for every check.

    Momenta are whitened (p♯·rho = p·rho). Returns the sample, the tree depth, the
    number of leapfrogs, whether it diverged and the mean acceptance statistic.
    """
    draw = iter(uniforms)
    energy0 = 0.5 * p.dot(p) - logp
    tally: dict[str, Any] = {"n": 0, "accept": 0.0, "diverging": False}

    def turns(first: NDArray, last: NDArray, rho: NDArray) -> bool:
        return not (first.dot(rho) > 0 and last.dot(rho) > 0)

    def build(depth: int, state: tuple[NDArray, NDArray, NDArray], forward: bool) -> tuple:
        # returns (valid, end state, proposal, rho, p_first, p_last, log weight)
        if depth == 0:
            x1, p1, kick1, logp1, _, norm1 = integrator.step(*state, forward=forward)
            energy = 0.5 * norm1 - logp1
            energy = math.inf if math.isnan(energy) else energy
            tally["n"] += 1
            tally["accept"] += min(1.0, math.exp(energy0 - energy))
            if energy - energy0 > max_energy_error:
                tally["diverging"] = True
                return False, (x1, p1, kick1), None, p1, p1, p1, energy0 - energy
            return True, (x1, p1, kick1), x1, p1, p1, p1, energy0 - energy
        valid, state, proposal, rho_i, p_first, p_init_last, weight_i = build(
            depth - 1, state, forward
        )
        if not valid:
            return False, state, None, None, None, None, None
        valid, state, final, rho_f, p_final_first, p_last, weight_f = build(
            depth - 1, state, forward
        )
        if not valid:
            return False, state, None, None, None, None, None
        weight = np.logaddexp(weight_i, weight_f)
        if next(draw) < math.exp(weight_f - weight):
            proposal = final
        rho = rho_i + rho_f
        turned = (
            turns(p_first, p_last, rho)
            or turns(p_first, p_final_first, rho_i + p_final_first)
            or turns(p_init_last, p_last, rho_f + p_init_last)
        )
        return not turned, state, proposal, rho, p_first, p_last, weight

    kick = integrator.kick(grad)
    ends = {True: (x, p, kick), False: (x, p, kick)}
    earliest = latest = rho = p
    sample, weight, depth = x, 0.0, 0
    while depth < max_depth:
        forward = next(draw) > 0.5
        valid, ends[forward], proposal, rho_new, p_first, p_last, weight_new = build(
            depth, ends[forward], forward
        )
        if not valid:
            break
        depth += 1
        if weight_new > weight or next(draw) < math.exp(weight_new - weight):
            sample = proposal
        weight = np.logaddexp(weight, weight_new)
        if forward:  # in time order: (backward part) then (forward part)
            rho_bck, rho_fwd, bck_bck, bck_fwd, fwd_bck, fwd_fwd = (
                rho,
                rho_new,
                earliest,
                latest,
                p_first,
                p_last,
            )
        else:
            rho_bck, rho_fwd, bck_bck, bck_fwd, fwd_bck, fwd_fwd = (
                rho_new,
                rho,
                p_last,
                p_first,
                earliest,
                latest,
            )
        rho = rho_bck + rho_fwd
        earliest, latest = bck_bck, fwd_fwd
        if (
            turns(bck_bck, fwd_fwd, rho)
            or turns(bck_bck, fwd_bck, rho_bck + fwd_bck)
            or turns(bck_fwd, fwd_fwd, rho_fwd + bck_fwd)
        ):
            break
    return sample, depth, tally["n"], tally["diverging"], tally["accept"] / tally["n"]


def centered_funnel(x: NDArray) -> tuple[float, NDArray]:
    """Neal's funnel, centered: v ~ N(0, 3), z_i ~ N(0, exp(v/2)); hard enough to diverge."""
    v, z = x[0], x[1:]
    scale2 = math.exp(v)
    logp = -v * v / 18 - 0.5 * z.dot(z) / scale2 - 0.5 * z.size * v
    grad = np.concatenate(([-v / 9 + 0.5 * z.dot(z) / scale2 - 0.5 * z.size], -z / scale2))
    return logp, grad


TREE_CASES = [
    # (id, density, inverse mass matrix, step size, what the 60 transitions must include)
    ("normal-identity", standard_normal, np.ones(5), 0.9, lambda seen: len(seen) >= 4),
    (
        "normal-diagonal",
        standard_normal,
        np.array([0.5, 1, 2, 1.5, 0.8]),
        0.6,
        lambda s: len(s) >= 4,
    ),
    ("gaussian-dense", TARGET_3D, METRICS["dense"], 0.5, lambda seen: len(seen) >= 4),
    ("funnel-divergent", centered_funnel, np.ones(5), 1.4, lambda seen: (0, True) in seen),
    ("normal-max-depth", standard_normal, np.ones(5), 0.02, lambda seen: seen == {(6, False)}),
]


@pytest.mark.parametrize(
    ("density", "inv_mass", "step_size", "coverage"),
    [case[1:] for case in TREE_CASES],
    ids=[case[0] for case in TREE_CASES],
)
def test_tree_matches_stans_recursion(
    density: Any, inv_mass: NDArray, step_size: float, coverage: Callable[[set], bool]
) -> None:
    size = inv_mass.shape[0]
    step = NUTS(density, initial_point=np.zeros(size), mass_matrix=inv_mass, max_treedepth=6)
    step.integrator.set_inv_mass(inv_mass)
    rng = np.random.default_rng(5)
    seen = set()
    for _ in range(60):
        step.integrator.set_step_size(step_size * rng.uniform(0.2, 1.5))
        x = rng.normal(size=(size,))
        logp, grad = density(x)
        p = rng.normal(size=(size,))
        uniforms = rng.random(300).tolist()
        step._momenta = [p]
        step._uniforms = uniforms[::-1]  # the step pops from the end
        new_x, _, _, stats = step.transition(x, logp, grad)
        sample, depth, n_leapfrog, diverging, accept = reference_transition(
            step.integrator, x, logp, grad, p, uniforms, max_depth=6
        )
        np.testing.assert_array_equal(new_x, sample)
        assert stats["tree_depth"] == depth
        assert stats["n_grad_evals"] == n_leapfrog
        assert stats["diverging"] == diverging
        assert stats["accept"] == pytest.approx(accept, rel=1e-12)
        seen.add((depth, diverging))
    assert coverage(seen), seen


# -- the integrator ---------------------------------------------------------------------


def trajectory_energy_errors(integrator: Leapfrog, n_steps: int) -> NDArray:
    x = np.array([1.0, -0.5, 0.3])
    p = np.array([0.4, 1.1, -0.8])
    logp, grad = TARGET_3D(x)
    energy0 = 0.5 * p.dot(p) - logp
    kick = integrator.kick(grad)
    errors = []
    for _ in range(n_steps):
        x, p, kick, logp, grad, norm = integrator.step(x, p, kick, True)
        errors.append(0.5 * norm - logp - energy0)
    return np.abs(errors)


@pytest.mark.parametrize("metric", list(METRICS.values()), ids=list(METRICS))
def test_leapfrog_energy_error_is_second_order(metric: NDArray) -> None:
    coarse = trajectory_energy_errors(Leapfrog(TARGET_3D, metric, 0.1), 20).max()
    fine = trajectory_energy_errors(Leapfrog(TARGET_3D, metric, 0.05), 40).max()
    assert 3.5 < coarse / fine < 4.5


@pytest.mark.parametrize("metric", list(METRICS.values()), ids=list(METRICS))
def test_leapfrog_is_time_reversible(metric: NDArray) -> None:
    integrator = Leapfrog(TARGET_3D, metric, 0.3)
    x0 = np.array([1.0, -0.5, 0.3])
    p0 = np.array([0.4, 1.1, -0.8])
    x, p, kick = x0, p0, integrator.kick(TARGET_3D(x0)[1])
    for _ in range(25):
        x, p, kick, *_ = integrator.step(x, p, kick, True)
    for _ in range(25):
        x, p, kick, *_ = integrator.step(x, p, kick, False)
    np.testing.assert_allclose(x, x0, atol=1e-12)
    np.testing.assert_allclose(p, p0, atol=1e-12)


def test_whitened_momentum_matches_the_mass_matrix() -> None:
    # kinetic energy ½ pᵀ M⁻¹ p equals ½ |p̃|², and p̃ maps back to p
    inv_mass = METRICS["dense"]
    integrator = Leapfrog(TARGET_3D, inv_mass, 0.1)
    momentum = np.array([0.3, -1.2, 0.8])
    whitened = integrator.whiten(momentum)
    assert 0.5 * whitened.dot(whitened) == pytest.approx(0.5 * momentum @ inv_mass @ momentum)
    np.testing.assert_allclose(integrator.unwhiten(whitened), momentum)
    np.testing.assert_allclose(integrator.velocity(whitened), inv_mass @ momentum)


# -- statistics, errors, edge cases -----------------------------------------------------

EXPECTED_STATS = {
    "diverging": np.bool_,
    "tree_depth": np.int64,
    "step_size": np.float64,
    "step_size_bar": np.float64,
    "energy": np.float64,
    "energy_error": np.float64,
    "max_energy_error": np.float64,
    "accept": np.float64,
    "accept_sym": np.float64,
    "n_grad_evals": np.int64,
    "logp": np.float64,
    "tune": np.bool_,
}


@pytest.mark.parametrize("step_class", [NUTS, HamiltonianMC])
def test_declared_and_reported_statistics(step_class: type) -> None:
    expected = dict(EXPECTED_STATS)
    if step_class is HamiltonianMC:
        del expected["tree_depth"], expected["accept_sym"]
    step = step_class(standard_normal, initial_point=np.zeros(4))
    assert {name: dtype.type for name, dtype in step.stat_dtypes.items()} == expected
    step.set_rng(np.random.default_rng(0))
    point = step.start(step.initial_point)
    point, stats = step.step(point)
    assert set(stats) == set(expected)
    assert stats["tune"] is True
    assert stats["logp"] == pytest.approx(standard_normal(point["x"])[0])
    assert stats["n_grad_evals"] >= 1


def bounded_normal(x: NDArray) -> tuple[float, NDArray]:
    """A standard normal cut to |x| < 1.5: NaN outside on one side, a raise on the other."""
    if x[0] > 1.5:
        return math.nan, np.full_like(x, math.nan)
    if x[0] < -1.5:
        raise FloatingPointError("outside the support")
    return -0.5 * float(x.dot(x)), -x


@pytest.mark.parametrize("step_class", [NUTS, HamiltonianMC])
def test_non_finite_density_in_a_trajectory_is_a_divergence(step_class: type) -> None:
    samples, stats = run_chains(
        lambda: step_class(bounded_normal, initial_point=[0.0], jitter=False), 1, 300, 500, seed=9
    )
    assert stats["diverging"].sum() > 0
    assert np.all(np.abs(samples) <= 1.5)
    assert np.all(np.isfinite(stats["logp"]))


def test_non_finite_start_names_the_point() -> None:
    step = NUTS(bounded_normal, initial_point={"x": [2.5]}, jitter=False)
    step.set_rng(np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"starting point \{'x': \[2\.5\]\}"):
        step.start(step.initial_point)


def test_jitter_moves_the_start_within_one() -> None:
    step = NUTS(standard_normal, initial_point=np.full(5, 0.25))
    step.set_rng(np.random.default_rng(1))
    start = step.start(step.initial_point)["x"]
    assert np.all(np.abs(start - 0.25) <= 1.0)
    assert np.all(start != 0.25)


def test_same_seed_same_draws() -> None:
    first, _ = run_chains(lambda: NUTS(standard_normal, initial_point=np.zeros(3)), 1, 50, 50, 8)
    second, _ = run_chains(lambda: NUTS(standard_normal, initial_point=np.zeros(3)), 1, 50, 50, 8)
    np.testing.assert_array_equal(first, second)


class ConditionedNormal:
    """N(mu, 1) in x, where mu is another block of the point (a compound sampler's view)."""

    def __init__(self) -> None:
        self.mu = 0.0
        self.conditioned = 0

    def condition(self, point: dict[str, NDArray]) -> None:
        self.mu = float(point["mu"])
        self.conditioned += 1

    def logp_dlogp(self, x: NDArray) -> tuple[float, NDArray]:
        return -0.5 * float((x - self.mu).dot(x - self.mu)), self.mu - x


def test_conditional_density_sees_the_other_blocks() -> None:
    density = ConditionedNormal()
    step = NUTS(density, initial_point={"x": np.zeros(2), "mu": np.array(5.0)}, vars=["x"])
    step.set_rng(np.random.default_rng(0))
    point = step.start(step.initial_point)
    draws = []
    for _ in range(400):
        point, _ = step.step(point)
        draws.append(point["x"])
    assert step.vars == ("x",)
    assert density.conditioned >= 400
    assert abs(np.mean(draws[200:]) - 5.0) < 0.3
    assert float(point["mu"]) == 5.0


class BufferReusingNormal:
    """A standard normal whose gradient is always the same array, overwritten at each call."""

    def __init__(self, size: int):
        self.grad = np.zeros(size)

    def __call__(self, x: NDArray) -> tuple[float, NDArray]:
        np.negative(x, out=self.grad)
        return -0.5 * float(x.dot(x)), self.grad


@pytest.mark.parametrize("step_class", [NUTS, HamiltonianMC])
@pytest.mark.parametrize("mass_matrix", ["grad", "dense"])
def test_a_density_may_reuse_its_gradient_buffer(step_class: type, mass_matrix: str) -> None:
    def sampled(density: Any) -> NDArray:
        make = lambda: step_class(density, initial_point=np.zeros(4), mass_matrix=mass_matrix)  # noqa: E731
        return run_chains(make, 1, 150, 100, seed=12)[0]

    np.testing.assert_allclose(sampled(BufferReusingNormal(4)), sampled(standard_normal), atol=1e-9)


def test_efficiency_on_a_standard_normal() -> None:
    # nutpie-level efficiency: well over 0.1 effective draws per gradient evaluation
    samples, stats = run_chains(
        lambda: NUTS(standard_normal, initial_point=np.zeros(10)), 2, 1000, 1000, seed=6
    )
    ess = min(effective_sample_size(samples[:, :, i]) for i in range(10))
    assert ess / stats["n_grad_evals"].sum() > 0.15
