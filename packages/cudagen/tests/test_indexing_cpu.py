"""Gathers and scatters by an integer vector (indexed.py) on the CPU harness: the
bounds check the device reports through its status word and the IndexError the
executor raises from it (NumPy's message, the first bad index, any grid), y's
broadcasting, repeated indices, and a hierarchical model's ``theta[groups]`` with the
scatter-add of its gradient, against NumPy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import ELEMENTWISE, ONE_THREAD, WARPS, CpuGrid, build, in_place

import tensorops as pt
from cudagen.executor import Executor
from cudagen.indexed import GatherKernel, ScatterKernel
from cudagen.joined import RegionKernel
from cudagen.launch import LaunchConfig
from cudagen.plan import Plan, build_plan
from graphcore import Mode, Variable, function
from tensorops.indexing import inc_subtensor, set_subtensor

REWRITTEN = Mode(linker="py")
MANY_BLOCKS = LaunchConfig(threads=2, max_blocks=5, tile=1)


def _graph(kind: str, dtype: str, index_dtype: str) -> tuple[list[Variable], Variable]:
    x = pt.matrix("x", dtype=dtype)
    y = pt.matrix("y", dtype=dtype)
    i = pt.vector("i", dtype=index_dtype)
    if kind == "gather":
        return [x, i], x[i]
    if kind == "inc":
        return [x, y, i], inc_subtensor(x[i], y)
    return [x, y, i], set_subtensor(x[i], y)


GRAPHS = [
    (kind, dtype, index_dtype)
    for kind in ("gather", "inc", "set")
    for dtype in ("float32", "float64")
    for index_dtype in ("int64", "int32")
]
GRAPHS += [("gather", "int16", "uint8"), ("inc", "int64", "int16"), ("set", "bool", "int8")]


class Compiled:
    def __init__(self, kind: str, dtype: str, index_dtype: str):
        inputs, output = _graph(kind, dtype, index_dtype)
        self.kind, self.dtype, self.index_dtype = kind, dtype, index_dtype
        self.python = function(inputs, output, mode=REWRITTEN)
        self.plan: Plan = build_plan(self.python.maker.fgraph)


COMPILED = {graph: Compiled(*graph) for graph in GRAPHS}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for compiled in COMPILED.values() for kernel in compiled.plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("indexing")))


def _arguments(compiled: Compiled, indices: list[int], rows: int = 5) -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    x = (rng.normal(size=(rows, 3)) * 4).astype(compiled.dtype)
    if compiled.index_dtype.startswith("uint"):
        indices = [k % rows if k < 0 else k for k in indices]
    index = np.asarray(indices, compiled.index_dtype)
    if compiled.kind == "gather":
        return [x, index]
    y = (rng.normal(size=(len(indices), 3)) * 4).astype(compiled.dtype)
    return [x, y, index]


def _python(compiled: Compiled, arguments: list[np.ndarray]) -> np.ndarray | Exception:
    try:
        result = compiled.python(*arguments)
    except Exception as error:
        return error
    return np.asarray(result)


MANY_REPEATS = [int(k) for k in np.random.default_rng(0).integers(-5, 5, 300)]
"""300 indices into 5 rows: many threads increment (or set) one row at once."""


def check_equal_to_python(
    compiled: Compiled, executor: Executor, on_device: Callable[[np.ndarray], Any]
) -> None:
    """Repeated, negative, empty and many repeated indices, the arguments as given and
    as reversed views (``on_device`` passes a view to the executor in place)."""
    for indices in ([1, 1, 0, 4, -1, 1, -5, 2], [], [3], MANY_REPEATS):
        arguments = _arguments(compiled, indices)
        expected = _python(compiled, arguments)
        assert not isinstance(expected, Exception)
        views = [arguments, [on_device(a[::-1]) if a.ndim else a for a in arguments]]
        for k, given in enumerate(views):
            if k:
                expected = _python(compiled, [a[::-1] for a in arguments])
                assert not isinstance(expected, Exception)
            (got,) = executor.run(given)
            assert got.dtype == expected.dtype and got.shape == expected.shape
            rtol = 1e-5 if compiled.dtype == "float32" else 1e-12  # sums in any order
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, err_msg=f"{indices}")
    assert executor.counters.status_reads > 0


def check_out_of_bounds(compiled: Compiled, executor: Executor) -> None:
    """NumPy's IndexError for the first bad index; the next good call is checked afresh."""
    signed = not compiled.index_dtype.startswith("uint")
    cases = [[0, 5, 7, 1], [2, 9, 2]] + ([[-6, 0], [1, 2, -7, 40]] if signed else [])
    for indices in cases:
        arguments = _arguments(compiled, indices)
        expected = _python(compiled, arguments)
        assert isinstance(expected, IndexError), indices
        with pytest.raises(IndexError) as raised:
            executor.run(arguments)
        assert str(raised.value) == str(expected), f"{compiled.kind} {indices}"
        good = _arguments(compiled, [0, 4, -1] if signed else [0, 4])
        (got,) = executor.run(good)
        np.testing.assert_allclose(got, _python(compiled, good), rtol=1e-6)


@pytest.mark.parametrize("graph", GRAPHS, ids=["-".join(g) for g in GRAPHS])
def test_on_the_device_and_equal_to_python(library: Any, graph: tuple[str, str, str]) -> None:
    compiled = COMPILED[graph]
    (step,) = compiled.plan.steps
    assert step.role == "kernel"
    assert isinstance(step.kernel and step.kernel.kernel, (GatherKernel, ScatterKernel))
    for config in (ONE_THREAD, ELEMENTWISE, WARPS, MANY_BLOCKS):
        check_equal_to_python(compiled, Executor(compiled.plan, CpuGrid(library, config)), in_place)


@pytest.mark.parametrize("graph", GRAPHS, ids=["-".join(g) for g in GRAPHS])
def test_an_index_out_of_bounds_raises_numpys_error(library: Any, graph: tuple[str, ...]) -> None:
    compiled = COMPILED[graph]
    for config in (ONE_THREAD, WARPS, MANY_BLOCKS):
        check_out_of_bounds(compiled, Executor(compiled.plan, CpuGrid(library, config)))


def test_the_first_bad_node_is_the_one_reported(library: Any, tmp_path: Path) -> None:
    x, i, j = pt.vector("x"), pt.lvector("i"), pt.lvector("j")
    f = function([x, i, j], [x[i] * 2, pt.exp(x[j])], mode=REWRITTEN)
    plan = build_plan(f.maker.fgraph)
    assert sum(1 for s in plan.steps if s.kernel and isinstance(s.kernel.kernel, GatherKernel)) == 2
    executor = Executor(plan, CpuGrid(build(plan.kernels, tmp_path), ELEMENTWISE))
    xs = np.arange(4.0)
    for i_values, j_values in (([0, 9], [1, 2]), ([0, 1], [-8, 2]), ([0, 6], [-9, 2])):
        arguments = [xs, np.array(i_values), np.array(j_values)]
        with pytest.raises(IndexError) as expected:
            f(*arguments)
        with pytest.raises(IndexError) as raised:
            executor.run(arguments)
        assert str(raised.value) == str(expected.value)


def test_a_value_that_does_not_broadcast_is_refused(library: Any) -> None:
    compiled = COMPILED[("inc", "float64", "int64")]
    executor = Executor(compiled.plan, CpuGrid(library, ONE_THREAD))
    x, y, i = _arguments(compiled, [0, 1, 2])
    assert isinstance(_python(compiled, [x, y[:2], i]), ValueError)
    with pytest.raises(ValueError, match=r"shape mismatch: value array of shape \(2, 3\)"):
        executor.run([x, y[:2], i])


def test_hierarchical_model_gather_and_its_gradient(tmp_path: Path) -> None:
    """``theta[groups]`` (many observations per group) and the gradient of a sum over
    observations with respect to theta: a scatter-add of many repeated indices."""
    theta, obs, groups = pt.vector("theta"), pt.vector("obs"), pt.lvector("groups")
    mu = theta[groups]
    density = -0.5 * ((obs - mu) ** 2).sum()
    residual = obs - mu
    gradient = inc_subtensor(pt.zeros_like(theta)[groups], residual)
    f = function([theta, obs, groups], [density, gradient], mode=REWRITTEN)
    plan = build_plan(f.maker.fgraph)
    kinds = {type(s.kernel.kernel) for s in plan.steps if s.kernel is not None}
    assert {GatherKernel, ScatterKernel} <= kinds, plan.describe()
    rng = np.random.default_rng(2)
    group_of = rng.integers(0, 8, size=500)
    thetas, observed = rng.normal(size=8), rng.normal(size=500)
    executor = Executor(plan, CpuGrid(build(plan.kernels, tmp_path), ONE_THREAD))
    got_density, got_gradient = executor.run([thetas, observed, group_of])
    np.testing.assert_allclose(got_density, -0.5 * ((observed - thetas[group_of]) ** 2).sum())
    expected = np.zeros(8)
    np.add.at(expected, group_of, observed - thetas[group_of])
    np.testing.assert_allclose(got_gradient, expected, rtol=1e-12)
    assert executor.counters.transfers == 0, plan.describe()


@pytest.mark.parametrize("graph", GRAPHS, ids=["-".join(g) for g in GRAPHS])
def test_rows_of_no_elements_still_check_their_indices(
    library: Any, graph: tuple[str, ...]
) -> None:
    compiled = COMPILED[graph]
    executor = Executor(compiled.plan, CpuGrid(library, ELEMENTWISE))
    for indices in ([4, 0, 4], [1, 5]):
        arguments = [a[:, :0] if a.ndim == 2 else a for a in _arguments(compiled, indices)]
        expected = _python(compiled, arguments)
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)) as raised:
                executor.run(arguments)
            assert str(raised.value) == str(expected)
        else:
            (got,) = executor.run(arguments)
            assert got.shape == expected.shape and got.dtype == expected.dtype


def _region_graphs() -> dict[str, Any]:
    """set_subtensor/inc_subtensor of basic keys, and the gradient of a sliced sum (what
    autodiff makes of ``x[1:-1]``), each compiled by the Python backend."""
    x, y, k = pt.matrix("x"), pt.matrix("y"), pt.lscalar("k")
    v = pt.vector("v")
    graphs = {
        "set rows 1 to 3": ([x, y], set_subtensor(x[1:3], y)),
        "inc every other column, reversed": ([x, y], inc_subtensor(x[:, ::-2], y)),
        "inc row k (a run-time index)": ([x, v, k], inc_subtensor(x[k], v)),
        # the gradient of ((v[1:-1] * 2) ** 2).sum(), as autodiff writes it
        "gradient of a slice": ([v], inc_subtensor(pt.zeros_like(v)[1:-1], v[1:-1] * 8)),
    }
    return {
        label: function(inputs, [out], mode=REWRITTEN) for label, (inputs, out) in graphs.items()
    }


REGIONS = _region_graphs()


def check_region_updates(executor_of: Callable[[Plan], Executor]) -> None:
    rng = np.random.default_rng(4)
    x, v = rng.normal(size=(5, 6)), rng.normal(size=7)
    arguments = {
        "set rows 1 to 3": [x, rng.normal(size=(2, 6))],
        "inc every other column, reversed": [x, rng.normal(size=(5, 3))],
        "inc row k (a run-time index)": [x, rng.normal(size=6), np.array(-2)],
        "gradient of a slice": [v],
    }
    for label, f in REGIONS.items():
        plan = build_plan(f.maker.fgraph)
        regions = [s for s in plan.steps if s.kernel and isinstance(s.kernel.kernel, RegionKernel)]
        assert regions and not plan.transfers, plan.describe()  # lengths may be on the host
        executor = executor_of(plan)
        (got,), (expected,) = executor.run(arguments[label]), f(*arguments[label])
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=label)
        if label == "inc row k (a run-time index)":  # NumPy's errors, from the host's key
            for bad in ([x, arguments[label][1], np.array(5)], [x, np.ones(4), np.array(0)]):
                with pytest.raises((IndexError, ValueError)) as expected_error:
                    f(*bad)
                with pytest.raises(type(expected_error.value)) as raised:
                    executor.run(bad)
                assert str(raised.value) == str(expected_error.value)


def test_basic_keys_set_and_increment_on_the_device(tmp_path: Path) -> None:
    kernels = [k for f in REGIONS.values() for k in build_plan(f.maker.fgraph).kernels]
    library = build(kernels, tmp_path)
    for config in (ONE_THREAD, ELEMENTWISE, WARPS):
        check_region_updates(lambda plan, c=config: Executor(plan, CpuGrid(library, c)))
