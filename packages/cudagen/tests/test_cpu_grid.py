"""The generated kernels against the Python backend, run on the CPU harness.

Every row of tensorops' op table is compiled with the Python linker after the FAST_RUN
rewrites, planned for CUDA, and run by the executor on ``CpuGrid``: the kernels g++
compiled from the generated CUDA, a block's threads as CPU threads (three blocks of one
thread, so every grid-stride loop goes round; then blocks of several threads, two whole
warps for reductions and 4 x 4 tiles for products), views as stride arithmetic, host
ops in Python. The
results must equal the Python backend's (shapes, dtypes; integers exactly, floats
within the harness's tolerances); where Python raises, the executor must raise the same
exception. The rows' arguments are also passed as strided, reversed, Fortran-ordered
and zero-stride views read in place, so the strided kernels meet real strides.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import ELEMENTWISE, ONE_THREAD, WARPS, CpuGrid, build, in_place

from cudagen.executor import Executor
from cudagen.indexed import GatherKernel, ScatterKernel
from cudagen.joined import GuardKernel, JoinKernel
from cudagen.kernels import ElementwiseKernel
from cudagen.plan import Plan, build_plan
from cudagen.scalar_cuda import CUDA_TYPES
from graphcore import Mode, function
from tensorops.testing import ALL_CASES, OpCase
from tensorops.testing.harness import TOLERANCES, symbolic_inputs

KERNEL_ROWS_FLOOR = 984
"""Rows whose plan launches at least one kernel: 984 of 1219 measured; raise it as rules grow."""

REWRITTEN = Mode(linker="py")


class Row:
    def __init__(self, case: OpCase):
        self.case = case
        values = case.values()
        arguments, variables = symbolic_inputs(case, values)
        built = case.build(*arguments)
        outputs = list(built) if isinstance(built, (list, tuple)) else [built]
        self.python = function(variables, outputs, mode=REWRITTEN, on_unused_input="ignore")
        self.values = [np.asarray(v) for i, v in enumerate(values) if i not in case.constant_inputs]
        self.plan: Plan = build_plan(self.python.maker.fgraph)


ROWS = {case.name: Row(case) for case in ALL_CASES}
WITH_KERNELS = [name for name, row in ROWS.items() if row.plan.count("kernel")]
ON_DEVICE = [
    name for name, row in ROWS.items() if row.plan.count("kernel") + row.plan.count("view")
]
"""The tests: rows with some node on the device (kernels, views)."""
ELEMENTWISE_ONLY = [
    name
    for name in WITH_KERNELS
    if all(
        isinstance(
            s.kernel.kernel,
            (ElementwiseKernel, GatherKernel, ScatterKernel, JoinKernel, GuardKernel),
        )
        for s in ROWS[name].plan.steps
        if s.kernel
    )
]
"""Rows whose kernels need no cooperation within a block (elementwise, gathers,
scatters, joins, guards): also run with 4-thread blocks."""
COOPERATING = [name for name in WITH_KERNELS if name not in ELEMENTWISE_ONLY]
"""Rows with a reduction or a tiled product: also run with blocks of two warps."""


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for name in ON_DEVICE for kernel in ROWS[name].plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("cpu_grid")))


def test_rows_with_kernels(capsys: pytest.CaptureFixture[str]) -> None:
    host_ops: dict[str, int] = {}
    for row in ROWS.values():
        for step in row.plan.steps:
            if step.role == "host":
                label = re.sub(r"\{.*", "", str(step.node.op))
                host_ops[label] = host_ops.get(label, 0) + 1
    common = sorted(host_ops.items(), key=lambda item: -item[1])[:12]
    with capsys.disabled():
        print(f"\nop table: {len(WITH_KERNELS)} of {len(ROWS)} rows launch kernels; host ops in "
              f"most rows: {common}")  # fmt: skip
    assert len(WITH_KERNELS) >= KERNEL_ROWS_FLOOR


def _python(row: Row, values: list[np.ndarray]) -> list[np.ndarray] | Exception:
    try:
        with np.errstate(all="ignore"):
            outputs = row.python(*[np.array(v, order="C") for v in values])
    except Exception as error:
        return error
    return [np.array(v, copy=True) for v in outputs]


def _check(row: Row, got: list[Any], expected: list[np.ndarray], label: str) -> None:
    where = f"{row.case.name}{label}"
    assert len(got) == len(expected)
    for k, (got_k, e) in enumerate(zip(got, expected, strict=True)):
        g, at = np.asarray(got_k), f"{where}, output {k}"
        assert g.shape == e.shape, f"{at}: shape {g.shape}, Python gives {e.shape}"
        assert g.dtype == e.dtype, f"{at}: dtype {g.dtype}, Python gives {e.dtype}"
        if e.dtype.kind not in "fc":
            assert np.array_equal(g, e), f"{at}: values differ\n CUDA   {g!r}\n Python {e!r}"
            continue
        rtol, atol = TOLERANCES[e.dtype.name]
        rtol = row.case.rtol if row.case.rtol is not None else rtol
        atol = row.case.atol if row.case.atol is not None else atol
        assert np.allclose(g, e, rtol=rtol, atol=atol, equal_nan=True), (
            f"{at}: values differ beyond rtol={rtol}, atol={atol}\n CUDA   {g!r}\n Python {e!r}"
        )


def _run(executor: Executor, arguments: list[Any]) -> list[Any]:
    with np.errstate(all="ignore"):
        return executor.run(arguments)


VIEWS: dict[str, Callable[[np.ndarray], np.ndarray | None]] = {
    "strided": lambda v: np.repeat(v, 2, axis=-1)[..., ::2] if v.ndim else None,
    "reversed": lambda v: v[::-1] if v.ndim else None,
    "Fortran-ordered": lambda v: np.asfortranarray(v) if v.ndim >= 2 else None,
    "zero-stride": lambda v: (
        np.broadcast_to(v[..., :1], v.shape) if v.ndim and v.shape[-1] > 1 else None
    ),
}


@pytest.mark.parametrize("name", ON_DEVICE)
def test_kernels_equal_python(library: Any, name: str) -> None:
    row = ROWS[name]
    device = CpuGrid(library, ONE_THREAD)
    executor = Executor(row.plan, device)
    expected = _python(row, row.values)
    assert not isinstance(expected, Exception), f"{name}: Python raised {expected!r}"
    _check(row, _run(executor, list(row.values)), expected, "")
    if row.plan.count("kernel") and all(np.size(v) for v in row.values):
        assert device.launched, f"{name}: the plan has kernels, but none was launched"
    _check(row, _run(executor, list(row.values)), expected, " (second call)")
    for label, view in VIEWS.items():
        views = [view(v) for v in row.values]
        if all(changed is None for changed in views):
            continue
        values = [v if c is None else c for v, c in zip(row.values, views, strict=True)]
        expected = _python(row, values)
        arguments = [in_place(v) if v.ndim and v.dtype.name in CUDA_TYPES else v for v in values]
        if isinstance(expected, Exception):
            with pytest.raises(type(expected)):
                _run(executor, arguments)
            continue
        _check(row, _run(executor, arguments), expected, f" ({label} arguments, in place)")


@pytest.mark.parametrize("name", ELEMENTWISE_ONLY)
def test_elementwise_with_several_threads_per_block(library: Any, name: str) -> None:
    row = ROWS[name]
    executor = Executor(row.plan, CpuGrid(library, ELEMENTWISE))
    expected = _python(row, row.values)
    assert not isinstance(expected, Exception)
    _check(row, _run(executor, list(row.values)), expected, " (4 threads per block)")
    values = [np.repeat(v, 2, axis=-1)[..., ::2] if v.ndim else v for v in row.values]
    arguments = [in_place(v) if v.ndim and v.dtype.name in CUDA_TYPES else v for v in values]
    expected = _python(row, values)
    if not isinstance(expected, Exception):
        _check(row, _run(executor, arguments), expected, " (4 threads per block, strided)")


@pytest.mark.parametrize("name", COOPERATING)
def test_reductions_and_products_with_warps(library: Any, name: str) -> None:
    row = ROWS[name]
    executor = Executor(row.plan, CpuGrid(library, WARPS))
    expected = _python(row, row.values)
    assert not isinstance(expected, Exception)
    _check(row, _run(executor, list(row.values)), expected, " (blocks of two warps)")
    values = [v[::-1] if v.ndim else v for v in row.values]
    arguments = [in_place(v) if v.ndim and v.dtype.name in CUDA_TYPES else v for v in values]
    expected = _python(row, values)
    if not isinstance(expected, Exception):
        _check(row, _run(executor, arguments), expected, " (blocks of two warps, reversed)")
