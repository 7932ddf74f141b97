"""Joins and guards on the CPU harness, against the Python backend: pieces of any
strides (reversed, strided, empty) joined along any axis. A ppl model's density with
its checks and its gradient's join on the device: tests/integration/test_cuda_harness_models.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import ELEMENTWISE, CpuGrid, build, in_place

import tensorops as pt
from cudagen.executor import Executor
from cudagen.joined import JoinKernel
from cudagen.plan import Plan, build_plan
from graphcore import Mode, function

REWRITTEN = Mode(linker="py")
DTYPES = ("float32", "float64", "int32", "int64")
AXES = (0, 1, 2)


def _pieces(dtype: str, axis: int) -> list[np.ndarray]:
    """Three pieces of shape (2, 3, 4) but along ``axis``: reversed, strided (every
    other element), and of no elements."""
    base = np.arange(2 * 3 * 4 * 4).astype(dtype)

    def shaped(length: int) -> tuple[int, ...]:
        shape = [2, 3, 4]
        shape[axis] = length
        return tuple(shape)

    reversed_piece = base[: 2 * 3 * 4].reshape(2, 3, 4)[::-1, :, ::-1]
    reversed_piece = np.moveaxis(reversed_piece, 0, axis) if axis else reversed_piece
    reversed_piece = reversed_piece[tuple(slice(0, n) for n in shaped(2))]
    strided = (base[::2][: int(np.prod(shaped(3)))] * 3).reshape(shaped(3))
    strided = np.swapaxes(np.swapaxes(strided, 0, 2).copy(), 0, 2)
    empty = np.zeros(shaped(0), dtype)
    return [reversed_piece, strided, empty]


def _join_plan(dtype: str, axis: int) -> tuple[Any, Plan]:
    pieces = [pt.tensor(dtype=dtype, shape=(None, None, None), name=f"p{k}") for k in range(3)]
    f = function(pieces, pt.concatenate(pieces, axis=axis), mode=REWRITTEN)
    return f, build_plan(f.maker.fgraph)


JOINS = {(dtype, axis): _join_plan(dtype, axis) for dtype in DTYPES for axis in AXES}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for _, plan in JOINS.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("join")))


@pytest.mark.parametrize(("dtype", "axis"), list(JOINS))
def test_strided_reversed_and_empty_pieces(library: Any, dtype: str, axis: int) -> None:
    f, plan = JOINS[(dtype, axis)]
    assert plan.count("host") == 0 and any(
        s.kernel is not None and isinstance(s.kernel.kernel, JoinKernel) for s in plan.steps
    ), plan.describe()
    pieces = _pieces(dtype, axis)
    assert not pieces[0].flags.c_contiguous and not pieces[1].flags.c_contiguous
    expected = f(*pieces)
    executor = Executor(plan, CpuGrid(library, ELEMENTWISE))
    (got,) = executor.run([in_place(piece) for piece in pieces])
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    # Pieces of no elements launch nothing: one copy for each of the other two.
    assert executor.counters.launches == 2


def test_pieces_that_differ_off_the_axis_raise_numpys_error(library: Any) -> None:
    f, plan = JOINS[("float64", 1)]
    pieces = [np.zeros((2, 1, 4)), np.zeros((2, 2, 3)), np.zeros((2, 0, 4))]
    with pytest.raises(ValueError) as expected:
        f(*pieces)
    with pytest.raises(ValueError) as raised:
        Executor(plan, CpuGrid(library, ELEMENTWISE)).run(pieces)
    assert str(raised.value) == str(expected.value)
