"""Nodes a rule splits into others, each planned by its own rule: ``logsumexp`` as a max
(the shift), a sum fused with the ``exp`` feeding it, and one elementwise kernel, on the
CPU harness against the Python backend (scipy's logsumexp): rows of -inf, +inf and NaN,
empty axes, integers, float32, kept axes, strided views, blocks of one thread and of two
warps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import ONE_THREAD, WARPS, CpuGrid, build, in_place

import tensorops as pt
from cudagen.executor import Executor
from cudagen.plan import build_plan
from graphcore import Mode, function
from tensorops import nlinalg

REWRITTEN = Mode(linker="py")
CASES = {
    "rows": ("float64", (1,), False),
    "columns, kept": ("float64", (0,), True),
    "all axes": ("float64", (0, 1), False),
    "float32": ("float32", (1,), False),
    "integers": ("int64", (1,), False),
}


def _compiled(dtype: str, axes: tuple[int, ...], keepdims: bool) -> tuple[Any, Any]:
    x = pt.matrix("x", dtype=dtype)
    f = function([x], [pt.logsumexp(x, axis=axes, keepdims=keepdims)], mode=REWRITTEN)
    return f, build_plan(f.maker.fgraph)


COMPILED = {label: _compiled(*case) for label, case in CASES.items()}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for _, plan in COMPILED.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("split")))


def _values(dtype: str) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    if dtype == "int64":
        return [rng.integers(-30, 30, size=(6, 70)), np.zeros((3, 0), dtype)]
    values = rng.normal(scale=30, size=(6, 70))
    values[1] = -np.inf  # every element -inf: the shift is 0, the result -inf
    values[2, 5] = np.inf
    values[3, 7] = np.nan
    values[4] += 800  # exp would overflow without the shift
    return [values.astype(dtype), np.zeros((3, 0), dtype), np.zeros((0, 4), dtype)]


@pytest.mark.parametrize("label", CASES)
def test_logsumexp_runs_as_kernels(library: Any, label: str) -> None:
    f, plan = COMPILED[label]
    assert plan.count("host") == 0 and plan.count("split") == 1, plan.describe()
    dtype = CASES[label][0]
    casts = 1 if dtype == "int64" else 0  # integers are cast to float64 first
    assert plan.count("kernel") == 3 + casts and plan.count("fused") == 1, plan.describe()
    for config in (ONE_THREAD, WARPS):
        executor = Executor(plan, CpuGrid(library, config))
        for values in _values(dtype):
            for given, host in ((values, values), (in_place(values[::-1]), values[::-1])):
                with np.errstate(all="ignore"):
                    (expected,) = f(host)
                    (got,) = executor.run([given])
                assert got.dtype == expected.dtype and got.shape == expected.shape
                rtol = 1e-5 if dtype == "float32" else 1e-12
                np.testing.assert_allclose(got, expected, rtol=rtol, equal_nan=True)


NORMS: dict[str, tuple[str, tuple[int, ...], Any, Any, bool]] = {
    "2-norm of a vector": ("float64", (500,), None, None, False),
    "1-norm of rows": ("float64", (30, 40), 1, 1, False),
    "inf-norm of columns, kept": ("float32", (30, 40), np.inf, 0, True),
    "-inf-norm of rows": ("float64", (30, 40), -np.inf, 1, False),
    "0-norm of integers": ("int64", (30, 40), 0, 1, False),
    "3-norm of rows": ("float64", (30, 40), 3, 1, False),
    "fro of batched matrices": ("float64", (3, 20, 30), "fro", (1, 2), False),
    "matrix 1-norm": ("float64", (30, 40), 1, None, False),
    "matrix -1-norm, kept": ("float64", (30, 40), -1, None, True),
    "matrix inf-norm over swapped axes": ("float64", (4, 30, 40), np.inf, (2, 1), False),
    "matrix -inf-norm": ("float32", (30, 40), -np.inf, None, False),
    "2-norm of all elements": ("float64", (3, 4, 5), None, None, True),
}


def _norm(dtype: str, shape: tuple[int, ...], order: Any, axis: Any, keepdims: bool) -> Any:
    x = pt.tensor("x", dtype=dtype, shape=(None,) * len(shape))
    f = function([x], [nlinalg.norm(x, order, axis, keepdims)], mode=REWRITTEN)
    return f, build_plan(f.maker.fgraph)


NORM_COMPILED = {label: _norm(*case) for label, case in NORMS.items()}


@pytest.fixture(scope="module")
def norm_library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for _, plan in NORM_COMPILED.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("norms")))


@pytest.mark.parametrize("label", NORMS)
def test_norms_run_as_reductions(norm_library: Any, label: str) -> None:
    f, plan = NORM_COMPILED[label]
    assert plan.count("host") == 0 and plan.count("split") == 1, plan.describe()
    dtype, shape = NORMS[label][:2]
    rng = np.random.default_rng(8)
    values = (rng.normal(size=shape) * (3 if dtype == "int64" else 1)).astype(dtype)
    for config in (ONE_THREAD, WARPS):
        executor = Executor(plan, CpuGrid(norm_library, config))
        for given, host in ((values, values), (in_place(values[::-1]), values[::-1])):
            (expected,), (got,) = f(host), executor.run([given])
            assert got.dtype == expected.dtype and got.shape == expected.shape, label
            rtol = 1e-5 if dtype == "float32" else 1e-12
            np.testing.assert_allclose(got, expected, rtol=rtol, err_msg=label)


NORMALIZED: dict[str, tuple[str, str, tuple[int, ...], Any]] = {
    "softmax of rows": ("softmax", "float64", (6, 70), 1),
    "softmax of columns, float32": ("softmax", "float32", (6, 70), 0),
    "softmax of everything": ("softmax", "float64", (6, 70), None),
    "log_softmax of rows": ("log_softmax", "float64", (6, 70), 1),
    "log_softmax over two axes": ("log_softmax", "float64", (3, 6, 70), (1, 2)),
    "log_softmax of columns, float32": ("log_softmax", "float32", (6, 70), 0),
}


def _normalized(kind: str, dtype: str, shape: tuple[int, ...], axis: Any) -> Any:
    x = pt.tensor("x", dtype=dtype, shape=(None,) * len(shape))
    f = function([x], [getattr(pt, kind)(x, axis=axis)], mode=REWRITTEN)
    return f, build_plan(f.maker.fgraph)


NORMALIZED_COMPILED = {label: _normalized(*case) for label, case in NORMALIZED.items()}


@pytest.fixture(scope="module")
def normalized_library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for _, plan in NORMALIZED_COMPILED.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("normalized")))


@pytest.mark.parametrize("label", NORMALIZED)
def test_softmax_runs_as_kernels(normalized_library: Any, label: str) -> None:
    """Rows of -inf, +inf and NaN, and values whose exp overflows unshifted."""
    f, plan = NORMALIZED_COMPILED[label]
    assert plan.count("host") == 0 and plan.count("kernel") == 3, plan.describe()
    dtype, shape = NORMALIZED[label][1:3]
    values = _values(dtype)[0][: shape[-2]]
    values = np.broadcast_to(values, shape).astype(dtype)
    for config in (ONE_THREAD, WARPS):
        executor = Executor(plan, CpuGrid(normalized_library, config))
        for given, host in ((values, values), (in_place(values[::-1]), values[::-1])):
            with np.errstate(all="ignore"):
                (expected,), (got,) = f(host), executor.run([given])
            assert got.dtype == expected.dtype and got.shape == expected.shape, label
            rtol = 1e-5 if dtype == "float32" else 1e-12  # log_softmax's x - m - log(s) cancels:
            atol = 1e-4 if dtype == "float32" else 1e-13  # absolute errors near 0 remain
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
