"""Nodes a rule splits into others (splits.py), each part planned by its own rule, on the
CPU harness against the Python backend (SciPy's, NumPy's): ``logsumexp`` (rows of -inf,
+inf and NaN, values whose exp overflows unshifted, empty axes, integers, float32, kept
axes), softmax and log_softmax, and norms of every order the device takes; arguments as
given and reversed in place, blocks of one thread and of two warps."""

from __future__ import annotations

from collections.abc import Callable
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


def _compiled(dtype: str, ndim: int, make: Callable[[Any], Any]) -> tuple[Any, Any]:
    """``make(x)`` of an ``ndim`` tensor compiled by the Python backend, and its plan."""
    x = pt.tensor("x", dtype=dtype, shape=(None,) * ndim)
    f = function([x], [make(x)], mode=REWRITTEN)
    return f, build_plan(f.maker.fgraph)


def _check(f: Any, plan: Any, library: Any, values: np.ndarray, rtol: float, atol: float) -> None:
    """The plan on blocks of one thread and of two warps, the values as given and
    reversed in place, against the Python backend."""
    for config in (ONE_THREAD, WARPS):
        executor = Executor(plan, CpuGrid(library, config))
        for given, host in ((values, values), (in_place(values[::-1]), values[::-1])):
            with np.errstate(all="ignore"):
                (expected,), (got,) = f(host), executor.run([given])
            assert got.dtype == expected.dtype and got.shape == expected.shape
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


COMPILED = {
    label: _compiled(dtype, 2, lambda x, a=axes, k=keep: pt.logsumexp(x, axis=a, keepdims=k))
    for label, (dtype, axes, keep) in CASES.items()
}


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
    for values in _values(dtype):
        _check(f, plan, library, values, 1e-5 if dtype == "float32" else 1e-12, 0)


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


NORM_COMPILED = {
    label: _compiled(dtype, len(shape), lambda x, o=order, a=axis, k=keep: nlinalg.norm(x, o, a, k))
    for label, (dtype, shape, order, axis, keep) in NORMS.items()
}


@pytest.mark.parametrize("label", NORMS)
def test_norms_run_as_reductions(library: Any, label: str) -> None:
    f, plan = NORM_COMPILED[label]
    assert plan.count("host") == 0 and plan.count("split") == 1, plan.describe()
    dtype, shape = NORMS[label][:2]
    rng = np.random.default_rng(8)
    values = (rng.normal(size=shape) * (3 if dtype == "int64" else 1)).astype(dtype)
    _check(f, plan, library, values, 1e-5 if dtype == "float32" else 1e-12, 0)


NORMALIZED: dict[str, tuple[str, str, tuple[int, ...], Any]] = {
    "softmax of rows": ("softmax", "float64", (6, 70), 1),
    "softmax of columns, float32": ("softmax", "float32", (6, 70), 0),
    "softmax of everything": ("softmax", "float64", (6, 70), None),
    "log_softmax of rows": ("log_softmax", "float64", (6, 70), 1),
    "log_softmax over two axes": ("log_softmax", "float64", (3, 6, 70), (1, 2)),
    "log_softmax of columns, float32": ("log_softmax", "float32", (6, 70), 0),
}


NORMALIZED_COMPILED = {
    label: _compiled(dtype, len(shape), lambda x, k=kind, a=axis: getattr(pt, k)(x, axis=a))
    for label, (kind, dtype, shape, axis) in NORMALIZED.items()
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Every table's kernels, one module."""
    tables = (COMPILED, NORM_COMPILED, NORMALIZED_COMPILED)
    kernels = [kernel for table in tables for _, plan in table.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("split")))


@pytest.mark.parametrize("label", NORMALIZED)
def test_softmax_runs_as_kernels(library: Any, label: str) -> None:
    """Rows of -inf, +inf and NaN, and values whose exp overflows unshifted."""
    f, plan = NORMALIZED_COMPILED[label]
    assert plan.count("host") == 0 and plan.count("kernel") == 3, plan.describe()
    dtype, shape = NORMALIZED[label][1:3]
    values = _values(dtype)[0][: shape[-2]]
    values = np.broadcast_to(values, shape).astype(dtype)
    # log_softmax's x - m - log(s) cancels: absolute errors near 0 remain
    float32 = dtype == "float32"
    _check(f, plan, library, values, 1e-5 if float32 else 1e-12, 1e-4 if float32 else 1e-13)
