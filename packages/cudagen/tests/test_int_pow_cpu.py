"""Integer powers on the CPU harness: NumPy's wrapping results (overflow included) and
its ValueError for a negative exponent, which the kernel flags in its status word; a
reduction does not fuse a program that may flag, so its kernel reports it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import ELEMENTWISE, ONE_THREAD, WARPS, CpuGrid, build, in_place

import tensorops as pt
from cudagen.executor import Executor
from cudagen.kernels import ElementwiseKernel
from cudagen.plan import Plan, build_plan
from graphcore import Mode, function

REWRITTEN = Mode(linker="py")
DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"]


def power_graph(dtype: str, reduce: bool = False) -> tuple[Any, Plan]:
    """``x**y`` (and more) compiled by the Python backend, and its CUDA plan."""
    x, y = pt.vector("x", dtype=dtype), pt.vector("y", dtype=dtype)
    power = x**y
    out = [(power + x).sum()] if reduce else [power, power * 3]
    f = function([x, y], out, mode=REWRITTEN)
    return f, build_plan(f.maker.fgraph)


def _compiled(dtype: str, folder: Path, reduce: bool = False) -> tuple[Any, dict[str, Executor]]:
    """The Python backend's function and the plan's executors on three kinds of block (a
    reduction's blocks take whole warps, or one thread)."""
    f, plan = power_graph(dtype, reduce)
    checked = [s for s in plan.steps if s.kernel and isinstance(s.kernel.kernel, ElementwiseKernel)
               and s.kernel.kernel.checks]  # fmt: skip
    assert len(checked) == 1, plan.describe()
    library = build(plan.kernels, folder)
    configs = {"one thread": ONE_THREAD, "two warps": WARPS, "four threads": ELEMENTWISE}
    if reduce:
        del configs["four threads"]
    return f, {label: Executor(plan, CpuGrid(library, c)) for label, c in configs.items()}


@pytest.mark.parametrize("dtype", DTYPES)
def test_integer_powers_equal_numpy(dtype: str, tmp_path: Path) -> None:
    f, executors = _compiled(dtype, tmp_path)
    info = np.iinfo(dtype)
    rng = np.random.default_rng(3)
    bases = rng.integers(max(info.min, -300), min(info.max, 300), size=40).astype(dtype)
    exponents = rng.integers(0, 70, size=40).astype(dtype)  # overflows wrap, as NumPy's
    expected = f(bases, exponents)
    for executor in executors.values():
        for arguments in ([bases, exponents], [in_place(bases[::-2]), in_place(exponents[::2])]):
            wanted = expected if arguments[0] is bases else f(bases[::-2], exponents[::2])
            got = executor.run(arguments)
            for g, e in zip(got, wanted, strict=True):
                assert g.dtype == e.dtype and np.array_equal(g, e), f"{dtype}: {g} != {e}"


@pytest.mark.parametrize("reduce", [False, True], ids=["elementwise", "reduced"])
def test_a_negative_exponent_raises_numpys_error(reduce: bool, tmp_path: Path) -> None:
    f, executors = _compiled("int64", tmp_path, reduce)
    bases, exponents = np.arange(1, 9), np.array([0, 1, 2, -1, 3, 0, -2, 1])
    with pytest.raises(ValueError) as expected:
        f(bases, exponents)
    for executor in executors.values():
        with pytest.raises(ValueError) as raised:
            executor.run([bases, exponents])
        assert str(raised.value) == str(expected.value)
        # The next call is checked afresh.
        good = np.abs(exponents)
        for g, e in zip(executor.run([bases, good]), f(bases, good), strict=True):
            assert np.array_equal(g, e)
