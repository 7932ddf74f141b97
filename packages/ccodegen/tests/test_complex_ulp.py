"""Accuracy of the complex C rows: every row of ``ccodegen.complex_c.COMPLEX_C`` against NumPy.

In complex128 and complex64: a grid of parts (zeros of both signs, tiny, subnormal,
ordinary, huge, infinite and NaN values; every pair, so the branch cuts on the axes and
the edges of overflow are in), and random points. Each part of each result must be within
``ULP`` floats of NumPy's, NaN where NumPy has NaN; booleans exactly.
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ulps import ulp_distance, worst

import tensorops as pt
from ccodegen import CompiledModule, have_c_compiler, load_module
from ccodegen import ops as _ops  # noqa: F401 - registers the C rules
from ccodegen.complex_c import COMPLEX_C
from ccodegen.program import SegmentCaller
from ccodegen.translate import Segment, translate_segment, translation_unit
from graphcore import Mode, function
from tensorops.scalar_ops import SCALAR_OPS

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")

ULP = 4
DTYPES = ("complex128", "complex64")
OPS = [name for name in COMPLEX_C if "c" in SCALAR_OPS[name].kinds]
PYTHON = Mode(linker="py", optimizer=None)


def _parts(dtype: str) -> np.ndarray:
    """Values of a real or imaginary part that exercise the edges."""
    info = np.finfo(np.dtype(dtype).char.lower())
    magnitudes = [0.0, info.smallest_subnormal, info.tiny, info.eps, 1e-3, 0.5, 1.0, 1.5, 2.0,
                  np.pi, 10.0, 88.0, 710.0, 1e30, info.max, np.inf]  # fmt: skip
    values = np.array(magnitudes + [-m for m in magnitudes] + [np.nan])
    return values.astype(info.dtype)


def points(name: str, dtype: str) -> list[np.ndarray]:
    """The row's arguments: a grid of edge parts, then random points of varied magnitude."""
    rng = np.random.default_rng(zlib.crc32(f"{name}/{dtype}".encode()))
    parts = _parts(dtype)
    real, imag = (axis.reshape(-1) for axis in np.meshgrid(parts, parts, indexing="ij"))
    grid = np.empty(real.size, dtype)  # not real + 1j * imag: inf * 1j has a NaN real part
    grid.real, grid.imag = real, imag
    scattered = (rng.standard_normal(2000) * 10.0 ** rng.uniform(-3, 3, 2000)
                 + 1j * rng.standard_normal(2000) * 10.0 ** rng.uniform(-3, 3, 2000))  # fmt: skip
    values = np.concatenate([grid, scattered.astype(dtype)])
    op = SCALAR_OPS[name]
    if name == "switch":
        return [rng.uniform(size=values.size) < 0.5, values, values[::-1].copy()]
    if op.nin == 1:
        return [values]
    shuffled = values[rng.permutation(values.size)]
    first, second = [values, grid], [shuffled, grid[::-1]]
    if name == "pow":  # NumPy's integral exponents: by squaring below 100, else cpow
        exponents = np.array([*range(-5, 8), 13, -13, 99, -99, 100, 2.5], dtype=dtype)
        bases, powers = np.meshgrid(values[::7], exponents)
        first.append(bases.reshape(-1))
        second.append(powers.reshape(-1))
    return [np.concatenate(first), np.concatenate(second)]


@pytest.fixture(scope="module")
def table(session_cache: Path) -> dict[tuple[str, str], tuple[list[np.ndarray], Any, Segment]]:
    """Every row and dtype: arguments, Python function, C segment."""
    rows = {}
    for name in OPS:
        for dtype in DTYPES:
            arguments = points(name, dtype)
            variables = [
                pt.TensorType(x.dtype, (None,)).make_variable(f"x{k}")
                for k, x in enumerate(arguments)
            ]
            python = function(variables, [pt.Elemwise(SCALAR_OPS[name])(*variables)], mode=PYTHON)
            fgraph = python.maker.fgraph
            segment = translate_segment(
                f"{name}_{dtype}", fgraph.toposort(), fgraph.inputs, fgraph.outputs
            )
            assert segment is not None, f"{name} has a complex row but no C for {dtype}"
            rows[name, dtype] = (arguments, python, segment)
    unit = translation_unit([segment for _, _, segment in rows.values()])
    module: CompiledModule = load_module(unit.source, unit.cdef, name_hint="complex_ulp")
    return {key: (*row[:2], SegmentCaller(row[2], module)) for key, row in rows.items()}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", OPS)
def test_complex_within_4_ulp_of_numpy(table: dict[Any, Any], name: str, dtype: str) -> None:
    arguments, python, caller = table[name, dtype]
    with np.errstate(all="ignore"):
        (expected,) = python(*arguments)
    (got,) = caller.call(arguments)
    assert got.dtype == expected.dtype, f"{name}: C gives {got.dtype}, NumPy {expected.dtype}"
    if expected.dtype.kind not in "fc":
        wrong = got != expected
        assert not wrong.any(), f"{name} on {dtype}: {int(wrong.sum())} values differ\n" + worst(
            got, expected, arguments
        )
        return
    far = ulp_distance(got, expected) > ULP
    assert not far.any(), (
        f"{name} on {dtype}: {int(far.sum())} of {far.size} points further than {ULP} ulp "
        "from NumPy\n" + worst(got, expected, arguments)
    )
