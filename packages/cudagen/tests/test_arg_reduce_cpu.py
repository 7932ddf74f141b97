"""argmax and argmin (scanned.py) on the CPU harness, against the Python backend: long
lines cut into chunks whose bests are folded in order, ties (the first index wins), NaN
(the first NaN wins), booleans and integers, every axis, axis None over a matrix
(flattened first) with and without kept axes, reversed views; blocks of one thread, of
two warps and a GPU's launch sizes; an empty axis raises NumPy's ValueError."""

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
    "argmax of a long vector": ("argmax", "float64", (5000,), 0, False),
    "argmin down long columns": ("argmin", "float64", (900, 5), 0, False),
    "argmax along rows, kept": ("argmax", "float32", (40, 70), 1, True),
    "argmax with ties": ("argmax", "int64", (6, 3000), -1, False),
    "argmin with NaN": ("argmin", "float64", (4, 2500), 1, False),
    "argmax of booleans": ("argmax", "bool", (3, 2000), 1, False),
    "argmax of the flattened tensor": ("argmax", "float64", (5, 30, 40), None, False),
    "argmin of the flattened matrix, kept": ("argmin", "int32", (60, 50), None, True),
}


def _values(label: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(13)
    if dtype == "bool":
        values = np.zeros(shape, bool)
        values[:, 1500] = values[:, 1700] = True  # the first True, far into the line
        return values
    if "ties" in label:
        return rng.integers(0, 5, shape).astype(dtype)  # the max repeats along every line
    values = rng.normal(size=shape) if dtype.startswith("float") else rng.integers(-99, 99, shape)
    if "NaN" in label:
        values[1, 2000] = values[1, 2100] = np.nan  # late in the line: after other chunks
        values[2, 10] = np.nan
    return values.astype(dtype)


def _compiled(reduction: str, dtype: str, shape: tuple[int, ...], axis: Any, keep: bool) -> Any:
    x = pt.tensor("x", dtype=dtype, shape=(None,) * len(shape))
    return function([x], [getattr(pt, reduction)(x, axis=axis, keepdims=keep)], mode=REWRITTEN)


COMPILED = {label: _compiled(*case) for label, case in CASES.items()}
PLANS = {label: build_plan(f.maker.fgraph) for label, f in COMPILED.items()}


def check_arg_reduce(
    label: str, executor: Executor, on_device: Callable[[np.ndarray], Any]
) -> None:
    _, dtype, shape, _, _ = CASES[label]
    assert PLANS[label].count("host") == 0, PLANS[label].describe()
    values = _values(label, dtype, shape)
    for given, host in ((values, values), (on_device(values[::-1]), values[::-1])):
        (expected,), (got,) = COMPILED[label](host), executor.run([given])
        assert got.dtype == expected.dtype and got.shape == expected.shape, label
        assert np.array_equal(got, expected), f"{label}: {got} != {expected}"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for plan in PLANS.values() for kernel in plan.kernels]
    return build(kernels, Path(tmp_path_factory.mktemp("arg_reduce")))


CONFIGS = {"one thread": ONE_THREAD, "two warps": WARPS, "a GPU's sizes": LaunchConfig()}


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("label", CASES)
def test_arg_reductions_equal_python(library: Any, label: str, config: str) -> None:
    check_arg_reduce(label, Executor(PLANS[label], CpuGrid(library, CONFIGS[config])), in_place)


def test_an_empty_axis_raises_numpys_error(library: Any) -> None:
    label = "argmin down long columns"
    empty = np.zeros((0, 5))
    with pytest.raises(ValueError) as expected:
        COMPILED[label](empty)
    with pytest.raises(ValueError) as raised:
        Executor(PLANS[label], CpuGrid(library, WARPS)).run([empty])
    assert str(raised.value) == str(expected.value)
