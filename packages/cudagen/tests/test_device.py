"""On a GPU: the whole op table against the Python backend, and mode='CUDA' end to end.

Skipped, with the reason, where there is no device (no pycuda, no driver, no GPU).
The op table's kernels are one module, compiled once for the device (nvcc's cubin);
each row then runs through the executor on ``PycudaDevice`` as test_cpu_grid runs it
on the CPU: the row's values, a second call, and strided views read in place. The
harness's other checks run here too, with a GPU's launch sizes: reductions large enough
for every lane of every warp (test_block_cooperation_cpu), products through cuBLAS and
through the tiled kernel, cumulative sums and products and arg-reductions cut into
chunks (test_cumulative_cpu, test_arg_reduce_cpu), and gathers and scatters whose
atomics really race (test_indexing_cpu).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_arg_reduce_cpu import CASES as ARG_CASES
from test_arg_reduce_cpu import PLANS as ARG_PLANS
from test_arg_reduce_cpu import check_arg_reduce
from test_block_cooperation_cpu import (
    CASES,
    PRODUCT_DTYPES,
    PRODUCT_PLANS,
    REDUCED_PLANS,
    check_products,
    check_reduction,
)
from test_cpu_grid import ON_DEVICE, ROWS, VIEWS, _check, _python, _run
from test_cumulative_cpu import CASES as CUMULATIVE_CASES
from test_cumulative_cpu import PLANS as CUMULATIVE_PLANS
from test_cumulative_cpu import check_cumulative
from test_indexing_cpu import (
    COMPILED,
    GRAPHS,
    REGIONS,
    check_equal_to_python,
    check_out_of_bounds,
    check_region_updates,
)

import tensorops as pt
from cudagen.device import no_device_reason, require_driver
from cudagen.executor import DeviceArray, Executor
from cudagen.plan import build_plan
from cudagen.scalar_cuda import CUDA_TYPES
from cudagen.source import module_source
from cudagen.views import Layout
from graphcore import Out, function, shared

REASON = no_device_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no CUDA device: {REASON}")


@pytest.fixture(scope="module")
def gpu() -> Any:
    from cudagen.runtime import PycudaDevice

    kernels = [kernel for name in ON_DEVICE for kernel in ROWS[name].plan.kernels]
    return PycudaDevice(require_driver(), module_source(kernels))


@pytest.fixture(scope="module")
def gpu_checks() -> Any:
    """The kernels of the harness's other checks, as one module."""
    from cudagen.runtime import PycudaDevice

    plans = [*REDUCED_PLANS.values(), *PRODUCT_PLANS.values(), *CUMULATIVE_PLANS.values()]
    plans += ARG_PLANS.values()
    plans += [compiled.plan for compiled in COMPILED.values()]
    plans += [build_plan(f.maker.fgraph) for f in REGIONS.values()]
    return PycudaDevice(require_driver(), module_source([k for p in plans for k in p.kernels]))


def _device_view(device: Any, view: np.ndarray) -> DeviceArray:
    """A strided NumPy view as the same view of a device copy of the memory it views."""
    owner = view
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    memory = owner.T if owner.flags.f_contiguous else owner  # its bytes in memory order
    assert memory.flags.c_contiguous
    buffer = device.upload(memory.reshape(-1).view(np.uint8))
    return DeviceArray(buffer, view.dtype, Layout.of(view, owner.__array_interface__["data"][0]))


@pytest.mark.parametrize("name", ON_DEVICE)
def test_op_table_on_the_gpu(gpu: Any, name: str) -> None:
    row = ROWS[name]
    executor = Executor(row.plan, gpu)
    expected = _python(row, row.values)
    assert not isinstance(expected, Exception), f"{name}: Python raised {expected!r}"
    _check(row, _run(executor, list(row.values)), expected, "")
    _check(row, _run(executor, list(row.values)), expected, " (second call)")
    for label, view in VIEWS.items():
        views = [view(v) for v in row.values]
        if all(changed is None for changed in views):
            continue
        values = [v if c is None else c for v, c in zip(row.values, views, strict=True)]
        expected = _python(row, values)
        arguments = [
            _device_view(gpu, v) if v.ndim and v.dtype.name in CUDA_TYPES else v for v in values
        ]
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                _run(executor, arguments)
            continue
        _check(row, _run(executor, arguments), expected, f" ({label} arguments on the device)")


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
def test_reductions_on_the_gpu(gpu_checks: Any, case: Any) -> None:
    executor = Executor(REDUCED_PLANS[case], gpu_checks)
    check_reduction(case, executor, lambda view: _device_view(gpu_checks, view))


@pytest.mark.parametrize("through", ["cuBLAS", "the tiled kernel"])
@pytest.mark.parametrize("dtype", PRODUCT_DTYPES)
def test_products_on_the_gpu(
    gpu_checks: Any, dtype: str, through: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if through == "the tiled kernel":
        monkeypatch.setattr(gpu_checks, "matmul", lambda kernel, ins, out: False)
    check_products(dtype, lambda plan: Executor(plan, gpu_checks))


@pytest.mark.parametrize("label", CUMULATIVE_CASES)
def test_cumulative_ops_on_the_gpu(gpu_checks: Any, label: str) -> None:
    executor = Executor(CUMULATIVE_PLANS[label], gpu_checks)
    check_cumulative(label, executor, lambda view: _device_view(gpu_checks, view))


@pytest.mark.parametrize("label", ARG_CASES)
def test_arg_reductions_on_the_gpu(gpu_checks: Any, label: str) -> None:
    executor = Executor(ARG_PLANS[label], gpu_checks)
    check_arg_reduce(label, executor, lambda view: _device_view(gpu_checks, view))


def test_basic_keys_set_and_increment_on_the_gpu(gpu_checks: Any) -> None:
    check_region_updates(lambda plan: Executor(plan, gpu_checks))


@pytest.mark.parametrize("graph", GRAPHS, ids=["-".join(g) for g in GRAPHS])
def test_gathers_and_scatters_on_the_gpu(gpu_checks: Any, graph: Any) -> None:
    executor = Executor(COMPILED[graph].plan, gpu_checks)
    check_equal_to_python(COMPILED[graph], executor, lambda view: _device_view(gpu_checks, view))
    check_out_of_bounds(COMPILED[graph], executor)


def test_mode_cuda_end_to_end() -> None:
    a, x, y = pt.scalar("a"), pt.vector("x"), pt.vector("y")
    f = function([a, x, y], pt.exp(a * x**3 + y**2).sum(), mode="CUDA")
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(-1, 1, 100_000), rng.uniform(-1, 1, 100_000)
    np.testing.assert_allclose(f(0.5, xs, ys), np.exp(0.5 * xs**3 + ys**2).sum(), rtol=1e-10)
    counters = f.program.counters  # type: ignore[attr-defined]
    assert f.program.plan.count("fused") == 1
    assert (counters.launches, counters.inputs_copied, counters.transfers) == (2, 3, 0)


def test_matmul_cublas_and_tiled_kernel() -> None:
    a, b = pt.matrix("a"), pt.matrix("b")
    f = function([a, b], [pt.dot(a, b), pt.dot(a.T, b[:, ::2])], mode="CUDA")
    rng = np.random.default_rng(1)
    av, bv = rng.normal(size=(70, 70)), rng.normal(size=(70, 90))
    first, second = f(av, bv)
    np.testing.assert_allclose(first, av @ bv, rtol=1e-10)
    np.testing.assert_allclose(second, av.T @ bv[:, ::2], rtol=1e-10)


def test_shared_values_resident_and_borrowed_outputs() -> None:
    x = pt.vector("x", dtype="float32")
    w = shared(np.ones(1000, dtype="float32"), name="w")
    f = function([x], Out(pt.tanh(w * x), borrow=True), updates=[(w, w + x)], mode="CUDA")
    xs = np.linspace(0, 1, 1000, dtype="float32")
    expected_w = np.ones(1000, dtype="float32")
    for _ in range(3):
        out = f(xs)
        np.testing.assert_allclose(np.asarray(out), np.tanh(expected_w * xs), rtol=1e-5)
        expected_w = expected_w + xs
    np.testing.assert_allclose(w.get_value(), expected_w, rtol=1e-6)
    counters = f.program.counters  # type: ignore[attr-defined]
    assert counters.inputs_copied == 4  # x three times, w once
