"""The C kernel against the Python samplers (NUTS, HamiltonianMC): the same draws for the
same seed."""

from __future__ import annotations

import copy
import math
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import samplers
from samplers.chain import ChainArrays, prepare_chain, run_chain
from samplers.cmodule import compiler_problem, load_module
from samplers.hmc import HamiltonianMC
from samplers.mass_matrix import GradientDiagonal
from samplers.nuts import NUTS
from samplers.testing import CStandardNormal, standard_normal

needs_compiler = pytest.mark.skipif(compiler_problem() is not None, reason="no C compiler")


def numpy_rounds_as_scipy_blas() -> bool:
    """Whether NumPy's dot and matmul round as SciPy's BLAS ddot and dgemv, which the
    kernel calls (true where both use the same OpenBLAS kernels)."""
    from scipy.linalg import blas

    rng = np.random.default_rng(0)
    pairs = [(rng.normal(size=(n, n)), rng.normal(size=n)) for n in (3, 8, 40)]
    return all(
        np.array_equal(a @ v, blas.dgemv(1.0, a.T, v, trans=1))
        and a[0].dot(v) == blas.ddot(a[0], v)
        for a, v in pairs
    )


like_numpy = pytest.mark.skipif(
    not numpy_rounds_as_scipy_blas(), reason="NumPy's BLAS rounds unlike SciPy's here"
)


class Gaussian:
    """Zero-mean Gaussian with covariance ``cov``."""

    def __init__(self, cov: NDArray):
        self.precision = np.linalg.inv(cov)

    def __call__(self, x: NDArray) -> tuple[float, NDArray]:
        grad = -(self.precision @ x)
        return 0.5 * float(x.dot(grad)), grad


def normal_as_lists(x: NDArray) -> list[Any]:
    """A standard normal answering a list, a 0-d array and a list gradient."""
    return [np.array(-0.5 * float(x.dot(x))), (-x).tolist()]


def normal_in_float32(x: NDArray) -> tuple[str, NDArray]:
    """A standard normal whose gradient is float32 and whose logp is a string."""
    return repr(-0.5 * float(x.dot(x))), (-x).astype(np.float32)


class OwnStrategy(GradientDiagonal):
    """A strategy the kernel does not know: it adapts in Python, one draw per call."""


def correlated_gaussian() -> Gaussian:
    """8-d, scales from 0.1 to 10, a random rotation."""
    rng = np.random.default_rng(7)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    return Gaussian(q @ np.diag(np.logspace(-2, 2, 8)) @ q.T)


def centered_funnel(x: NDArray) -> tuple[float, NDArray]:
    """Neal's funnel, centered: v ~ N(0, 3), z_i ~ N(0, exp(v/2)); it diverges."""
    v, z = x[0], x[1:]
    scale2 = math.exp(v)
    logp = -v * v / 18 - 0.5 * z.dot(z) / scale2 - 0.5 * z.size * v
    grad = np.concatenate(([-v / 9 + 0.5 * z.dot(z) / scale2 - 0.5 * z.size], -z / scale2))
    return logp, grad


SAMPLERS = [NUTS, HamiltonianMC]
ONLY_FOR = {"max_treedepth": NUTS, "path_length": HamiltonianMC, "max_steps": HamiltonianMC}


def run(
    density: Any, dim: int, backend: str, seed: int, sampler: type = NUTS, **options: Any
) -> samplers.Trace:
    tune = options.pop("tune_draws_override", 150)
    step = sampler(density, initial_point=np.zeros(dim), backend=backend, **options)
    assert step.backend == backend
    return samplers.sample(
        step, draws=150, tune=tune, chains=1, cores=1, random_seed=seed, progressbar=False,
        discard_tuned_samples=False,
    )  # fmt: skip


EXACT_STATS = ("diverging", "tree_depth", "n_grad_evals", "tune")


def assert_same_traces(c: samplers.Trace, python: samplers.Trace, atol: float = 1e-12) -> None:
    for got, expected in ((c, python), (c.warmup, python.warmup)):
        assert got is not None and expected is not None
        np.testing.assert_allclose(got.posterior["x"], expected.posterior["x"], rtol=0, atol=atol)
        for name in expected.stat_names:
            if name in EXACT_STATS:
                np.testing.assert_array_equal(got.stats[name], expected.stats[name], err_msg=name)
            else:
                np.testing.assert_allclose(
                    got.stats[name], expected.stats[name], rtol=atol, atol=atol, err_msg=name
                )


CASES = [
    ("normal-10", standard_normal, 10, {}),
    ("correlated-grad", correlated_gaussian(), 8, {}),
    ("correlated-diag-no-jitter", correlated_gaussian(), 8,
     {"mass_matrix": "diag", "step_size_jitter": 0.0}),
    ("funnel", centered_funnel, 5, {"target_accept": 0.6}),
    ("correlated-diag", correlated_gaussian(), 8, {"mass_matrix": "diag"}),
    # Stan's windows: 75-99, 100-149, 150-349, then 50 step-size-only draws
    ("diag-windows", standard_normal, 4, {"mass_matrix": "diag", "tune_draws_override": 400}),
    ("identity-depth-3", correlated_gaussian(), 8, {"mass_matrix": "identity", "max_treedepth": 3}),
    ("fixed-step", standard_normal, 4, {"adapt_step_size": False, "step_size": 0.7}),
    # short tuning: the symmetric acceptance statistic from the first draw on
    ("short-tuning", standard_normal, 4, {"tune_draws_override": 40}),
    # what the C call of a Python density hands to Python to convert
    ("lists", normal_as_lists, 3, {}),
    ("float32-and-string", normal_in_float32, 3, {}),
    ("short-paths", correlated_gaussian(), 8, {"path_length": 0.5, "max_steps": 3}),
    # long vectors: OpenBLAS sums them in blocks, the kernel too through SciPy's BLAS
    ("scales-40", Gaussian(np.diag(np.logspace(-1, 1, 40))), 40, {}),
    # Stan's dense windows 75-99, 100-149, 150-349: adapted in C, factored in Python
    ("correlated-dense", correlated_gaussian(), 8,
     {"mass_matrix": "dense", "tune_draws_override": 400}),
    ("fixed-dense", correlated_gaussian(), 8, {"mass_matrix": np.diag(np.logspace(-1, 1, 8))}),
    # a strategy the kernel does not know adapts in Python between single draws
    ("own-strategy", correlated_gaussian(), 8, {"mass_matrix": OwnStrategy()}),
]  # fmt: skip
SAMPLER_CASES = [
    pytest.param(
        sampler, *case[1:], id=f"{sampler.__name__}-{case[0]}",
        marks=[like_numpy] if "dense" in case[0] or case[2] >= 16 else [],
    )
    for sampler in SAMPLERS
    for case in CASES
    if all(ONLY_FOR.get(option, sampler) is sampler for option in case[3])
]  # fmt: skip


@needs_compiler
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize(("sampler", "density", "dim", "options"), SAMPLER_CASES)
def test_c_and_python_give_the_same_draws(
    sampler: type, density: Any, dim: int, options: dict[str, Any], seed: int
) -> None:
    python = run(density, dim, "python", seed, sampler, **options)
    c = run(density, dim, "c", seed, sampler, **options)
    assert_same_traces(c, python)


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_a_dense_metric_agrees_to_rounding_without_scipys_blas(
    sampler: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the kernel's own loops round unlike BLAS; a trajectory amplifies those differences,
    # so they grow from 1e-14 along the chain
    from samplers import nuts_c

    monkeypatch.setattr(nuts_c, "linear_algebra_addresses", lambda: None)
    density = correlated_gaussian()
    c = run(density, 8, "c", 1, sampler, mass_matrix="dense")
    python = run(density, 8, "python", 1, sampler, mass_matrix="dense")
    assert c.warmup is not None and python.warmup is not None
    # identical until the first window (100 draws) makes the metric dense
    first = slice(0, 100)
    np.testing.assert_array_equal(
        c.warmup.posterior["x"][:, first], python.warmup.posterior["x"][:, first]
    )
    assert_same_traces(c, python, atol=1e-4)


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_the_funnel_diverges_in_both(sampler: type) -> None:
    c = run(centered_funnel, 5, "c", 1, sampler, target_accept=0.6)
    python = run(centered_funnel, 5, "python", 1, sampler, target_accept=0.6)
    assert c.stats["diverging"].sum() + c.warmup.stats["diverging"].sum() > 0
    assert_same_traces(c, python)


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("as_int", [True, False])
def test_a_c_density_pointer_gives_the_same_draws(sampler: type, as_int: bool) -> None:
    density = CStandardNormal(6, as_int)
    c = run(density, 6, "c", 4, sampler)
    python = run(standard_normal, 6, "python", 4, sampler)
    assert_same_traces(c, python)
    # the start and the step-size searches stay in Python; trajectories never call it
    gradients = int(c.stats["n_grad_evals"].sum() + c.warmup.stats["n_grad_evals"].sum())
    assert density.python_calls < gradients / 20


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_errors_of_the_density_reach_the_caller(sampler: type) -> None:
    calls = [0]

    def failing(x: NDArray) -> tuple[float, NDArray]:
        calls[0] += 1
        if calls[0] > 40:
            raise KeyError("broken density")
        return standard_normal(x)

    with pytest.raises(samplers.SamplingError, match="broken density"):
        run(failing, 3, "c", 1, sampler)


@needs_compiler
def test_a_gradient_of_the_wrong_shape_inside_a_trajectory_is_an_error() -> None:
    calls = [0]

    def column_gradient_later(x: NDArray) -> tuple[float, NDArray]:
        calls[0] += 1
        grad = -x if calls[0] < 40 else -x.reshape(-1, 1)
        return -0.5 * float(x.dot(x)), grad

    with pytest.raises(samplers.SamplingError, match="could not broadcast"):
        run(column_gradient_later, 3, "c", 1)


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_arithmetic_errors_are_divergences(sampler: type) -> None:
    def overflowing(x: NDArray) -> tuple[float, NDArray]:
        if x[0] > 1.5:
            raise FloatingPointError("overflow")
        return standard_normal(x)

    c = run(overflowing, 2, "c", 5, sampler)
    python = run(overflowing, 2, "python", 5, sampler)
    assert c.stats["diverging"].sum() > 0
    assert_same_traces(c, python)


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_chunks_return_after_their_time(sampler: type) -> None:
    step = sampler(standard_normal, initial_point=np.zeros(4), backend="c")
    step.set_rng(np.random.default_rng(0))
    point = step.start(step.initial_point)
    step.stop_tuning()
    assert step.chunked
    point, values, stats = step.step_many(point, 500, 0.0)
    assert len(stats["diverging"]) == 1
    point, values, stats = step.step_many(point, 500, 10.0)
    assert values["x"].shape == (500, 4)
    np.testing.assert_array_equal(values["x"][-1], point["x"])


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize("backend", ["c", "python"])
@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_a_copy_mid_chain_continues_like_the_original(
    sampler: type, backend: str, how: str
) -> None:
    step = sampler(standard_normal, initial_point=np.zeros(3), backend=backend)
    step.set_rng(np.random.default_rng(0))
    point = step.start(step.initial_point)
    for _ in range(20):
        point, _ = step.step(point)
    copied = copy.deepcopy(step) if how == "deepcopy" else pickle.loads(pickle.dumps(step))
    assert copied.backend == backend
    copied_point = point
    for _ in range(300):  # past the end of the momentum batch
        point, _ = step.step(point)
        copied_point, _ = copied.step(copied_point)
        np.testing.assert_allclose(copied_point["x"], point["x"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_auto_falls_back_to_python_with_one_warning(
    sampler: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "no-such-compiler-here")
    with pytest.warns(RuntimeWarning, match="no-such-compiler-here"):
        step = sampler(standard_normal, initial_point=np.zeros(2))
    assert step.backend == "python"
    with pytest.raises(RuntimeError, match=f"{sampler.__name__}: backend='c' needs a C compiler"):
        sampler(standard_normal, initial_point=np.zeros(2), backend="c")


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_an_unknown_backend_is_refused(sampler: type) -> None:
    with pytest.raises(ValueError, match="backend must be one of"):
        sampler(standard_normal, initial_point=np.zeros(2), backend="fortran")


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(
    ("mass_matrix", "chunked"),
    [("grad", True), ("diag", True), ("dense", True), ("identity", True),
     (np.eye(3), True), (OwnStrategy(), False)],
    ids=["grad", "diag", "dense", "identity", "fixed-dense", "own-strategy"],
)  # fmt: skip
def test_tuning_runs_in_chunks_when_the_kernel_adapts(
    sampler: type, mass_matrix: Any, chunked: bool
) -> None:
    step = sampler(standard_normal, initial_point=np.zeros(3), mass_matrix=mass_matrix, backend="c")
    assert step.tuning and step.chunked is chunked
    step.stop_tuning()
    assert step.chunked


@needs_compiler
def test_a_report_stops_a_chunked_chain() -> None:
    step = NUTS(standard_normal, initial_point=np.zeros(3), backend="c")
    chain_step, point = prepare_chain(step, np.random.SeedSequence(1), 200)
    blocks = step.layout.blocks
    warmup = ChainArrays.allocate(blocks, step.stat_dtypes, 200)
    posterior = ChainArrays.allocate(blocks, step.stat_dtypes, 200)
    reports: list[int] = []

    def report(done: int, *_: Any) -> bool:
        reports.append(done)
        return True

    outcome = run_chain(chain_step, point, 200, 200, warmup, posterior, report)
    assert outcome.interrupted and outcome.tuned + outcome.drawn < 400
    assert outcome.tuned + outcome.drawn == reports[-1]


class ConditionedNormal:
    """N(mu, 1) in x, where mu is another block of the point."""

    def __init__(self) -> None:
        self.mu = 0.0

    def condition(self, point: dict[str, NDArray]) -> None:
        self.mu = float(point["mu"])

    def logp_dlogp(self, x: NDArray) -> tuple[float, NDArray]:
        return -0.5 * float((x - self.mu).dot(x - self.mu)), self.mu - x


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_a_conditional_density_gives_the_same_draws(sampler: type) -> None:
    def chain(backend: str) -> NDArray:
        step = sampler(
            ConditionedNormal(), initial_point={"x": np.zeros(2), "mu": np.array(3.0)},
            vars=["x"], backend=backend,
        )  # fmt: skip
        step.set_rng(np.random.default_rng(4))
        step.set_tune_draws(50)
        point = step.start(step.initial_point)
        draws = []
        for index in range(100):
            if index == 50:
                step.stop_tuning()
            point = {**point, "mu": np.array(3.0 + 0.01 * index)}  # another step moved mu
            point, _ = step.step(point)
            draws.append(point["x"])
        return np.array(draws)

    np.testing.assert_allclose(chain("c"), chain("python"), rtol=0, atol=1e-12)


@needs_compiler
def test_modules_are_cached_on_disk(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from samplers import cmodule

    monkeypatch.setenv("SAMPLERS_CACHE_DIR", str(tmp_path))
    source = "int answer(void) { return 42; }"
    cdef = "int answer(void);"
    assert load_module(source, cdef, "answer").lib.answer() == 42
    built = sorted(path.name for path in tmp_path.iterdir())
    assert len(built) == 1 and built[0].startswith("_samplers_answer_")  # no build folder left
    monkeypatch.setattr(cmodule, "_loaded", {})
    monkeypatch.setattr(cmodule, "_build", None)  # a second load must not compile
    assert load_module(source, cdef, "answer").lib.answer() == 42


@needs_compiler
def test_the_cache_keeps_a_few_versions_of_a_module(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from samplers import cmodule

    monkeypatch.setenv("SAMPLERS_CACHE_DIR", str(tmp_path))
    for version in range(cmodule.KEEP + 2):
        source = f"int version(void) {{ return {version}; }}"
        assert load_module(source, "int version(void);", "versions").lib.version() == version
    assert len(list(tmp_path.glob("_samplers_versions_*"))) == cmodule.KEEP


@needs_compiler
def test_a_compile_error_shows_the_compiler_and_keeps_the_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setenv("SAMPLERS_CACHE_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="C compilation failed; source kept at") as caught:
        load_module("int broken(void) { return }", "int broken(void);", "broken")
    assert "error" in str(caught.value)
    assert list((tmp_path / "failed").iterdir())


@needs_compiler
@pytest.mark.parametrize("sampler", SAMPLERS)
def test_chains_in_worker_processes_give_the_same_draws(sampler: type) -> None:
    def traces(backend: str, cores: int) -> NDArray:
        step = sampler(standard_normal, initial_point=np.zeros(3), backend=backend)
        trace = samplers.sample(
            step, draws=50, tune=50, chains=2, cores=cores, random_seed=5, progressbar=False
        )
        return trace.posterior["x"]

    np.testing.assert_allclose(traces("c", 2), traces("python", 1), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"path_length": 0.0}, "path_length must be positive"),
     ({"path_length": math.inf}, "path_length must be positive"),
     ({"max_steps": 0}, "max_steps must be at least 1")],
)  # fmt: skip
def test_hmc_refuses_a_path_it_cannot_run(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        HamiltonianMC(standard_normal, initial_point=np.zeros(2), **options)


def test_deep_trees_stay_in_python() -> None:
    step = NUTS(standard_normal, initial_point=np.zeros(2), max_treedepth=40)
    assert step.backend == "python"
    with pytest.raises(ValueError, match="up to depth 30"):
        NUTS(standard_normal, initial_point=np.zeros(2), max_treedepth=40, backend="c")


def test_the_kernel_writes_the_statistics_python_reads() -> None:
    from samplers import nuts_c

    source = (Path(nuts_c.__file__).parent / "nuts_kernel.c").read_text()
    assert f"#define STAT_COUNT {nuts_c.STAT_COUNT}" in source
