"""Cumulative sums and products (scanned.py) on the CPU harness, against the Python
backend: lines long enough to be cut into chunks (partials, their prefixes, the chunks
run again), many short lines, every axis, axis None over a strided matrix (flattened
first), integers and booleans accumulated in int64, float32; arguments as given and
reversed in place; blocks of one thread, of two warps and a GPU's launch sizes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import ONE_THREAD, WARPS, CpuGrid, build, in_place

import tensorops as pt
from cudagen.executor import Executor
from cudagen.launch import LaunchConfig
from cudagen.plan import build_plan
from graphcore import Mode, function

REWRITTEN = Mode(linker="py")
CASES = {
    "cumsum of a long vector": ("cumsum", "float64", (5000,), 0),
    "cumsum down long columns": ("cumsum", "float64", (700, 6), 0),
    "cumsum along many short rows": ("cumsum", "float64", (300, 9), 1),
    "cumsum of a float32 tensor": ("cumsum", "float32", (4, 300, 3), 1),
    "cumsum of integers": ("cumsum", "int32", (3, 900), 1),
    "cumsum of booleans": ("cumsum", "bool", (2000,), 0),
    "cumsum of the flattened matrix": ("cumsum", "float64", (40, 50), None),
    "cumprod of a long vector": ("cumprod", "float64", (3000,), 0),
    "cumprod of integers": ("cumprod", "int64", (5, 200), 1),
}


def _values(mode: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(11)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if mode == "cumprod":  # products that neither overflow nor vanish
        if dtype.startswith("int"):
            return rng.choice(np.array([-1, 1, 1, 1, 2, 1, 1, 1], dtype), size=shape)
        return rng.uniform(0.999, 1.001, shape).astype(dtype)
    if dtype.startswith("int"):
        return rng.integers(-1000, 1000, shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def _compiled(mode: str, dtype: str, shape: tuple[int, ...], axis: int | None) -> Any:
    x = pt.tensor("x", dtype=dtype, shape=(None,) * len(shape))
    return function([x], [getattr(pt, mode)(x, axis=axis)], mode=REWRITTEN)


COMPILED = {label: _compiled(*case) for label, case in CASES.items()}
PLANS = {label: build_plan(f.maker.fgraph) for label, f in COMPILED.items()}


def check_cumulative(
    label: str, executor: Executor, on_device: Callable[[np.ndarray], Any]
) -> None:
    mode, dtype, shape, _ = CASES[label]
    assert PLANS[label].count("host") == 0, PLANS[label].describe()
    values = _values(mode, dtype, shape)
    for given, host in ((values, values), (on_device(values[::-1]), values[::-1])):
        (expected,), (got,) = COMPILED[label](host), executor.run([given])
        assert got.dtype == expected.dtype and got.shape == expected.shape, label
        if expected.dtype.kind in "iub":
            assert np.array_equal(got, expected), label
        else:  # chunks add in another order than NumPy's running sum
            rtol = 1e-4 if dtype == "float32" else 1e-10
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, err_msg=label)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for plan in PLANS.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("cumulative")))


LONG_LINES = {"cumsum of a long vector", "cumsum down long columns", "cumprod of a long vector"}
CONFIGS = {"one thread": ONE_THREAD, "two warps": WARPS, "a GPU's sizes": LaunchConfig()}


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("label", CASES)
def test_cumulative_ops_equal_python(library: Any, label: str, config: str) -> None:
    executor = Executor(PLANS[label], CpuGrid(library, CONFIGS[config]))
    check_cumulative(label, executor, in_place)
    if label in LONG_LINES and config != "one thread":  # chunks: partials, prefixes, again
        launched = executor.device.launched  # type: ignore[attr-defined]
        assert any(name.endswith("_p") for name in launched), launched
