"""Accuracy of the scalar C table: every row on floats within 4 ulp of NumPy/SciPy.

For each row of ``ccodegen.scalar_c.SCALAR_C`` that takes floats, in float64 and
float32, a few thousand points: dense over the op's domain (the op table's domains),
then a wide sweep from the smallest subnormal to the largest float of both signs,
with zeros, infinities, NaN and the integers where gamma-like functions have poles.
C computes them (one segment per op and dtype, all in one unit) and the Python
backend (NumPy/SciPy) is the reference: NaN exactly where it has NaN, the same
infinities, and every finite value within ``ULP`` floats of it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ulps import ulp_distance, worst

import tensorops as pt
from ccodegen import CompiledModule, have_c_compiler
from ccodegen import ops as _ops  # noqa: F401 - registers the C rules
from ccodegen.linker import compile_segments
from ccodegen.program import SegmentCaller
from ccodegen.scalar_c import SCALAR_C
from ccodegen.translate import Segment, translate_segment
from graphcore import Mode, function
from tensorops.scalar_ops import SCALAR_OPS
from tensorops.testing.cases_elemwise import DOMAINS, FLOAT_RANGES

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")

ULP = 4
DTYPES = ("float64", "float32")
OPS = [name for name in SCALAR_C if "f" in SCALAR_OPS[name].kinds]
DENSE = 3000
PYTHON = Mode(linker="py", optimizer=None)  # the row itself, not a rewritten form of it


def _rng(*labels: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("/".join(labels).encode()))


def _dense(domain: str, dtype: str, rng: np.random.Generator) -> np.ndarray:
    """Evenly spaced and uniformly drawn points of a domain of the op table."""
    if domain == "condition":
        return rng.uniform(size=DENSE) < 0.5
    if domain == "order":  # polygamma's n: small integers, as int64
        return rng.integers(0, 8, size=DENSE)
    if domain == "nonzero":
        signs = rng.choice(np.array([-1, 1], dtype=dtype), size=DENSE)
        return _dense("positive", dtype, rng) * signs
    low, high = FLOAT_RANGES[domain]
    half = DENSE // 2
    points = np.concatenate([np.linspace(low, high, half), rng.uniform(low, high, DENSE - half)])
    return points.astype(dtype)


def _magnitudes(dtype: str, count: int) -> np.ndarray:
    """Log-spaced from the smallest subnormal to the largest finite float."""
    info = np.finfo(dtype)
    exponents = np.linspace(np.log10(info.smallest_subnormal), np.log10(info.max), count)
    with np.errstate(over="ignore"):
        return np.clip(10.0**exponents, info.smallest_subnormal, info.max).astype(dtype)


def _specials(dtype: str) -> np.ndarray:
    info = np.finfo(dtype)
    values = [0.0, -0.0, np.inf, -np.inf, np.nan, 0.5, -0.5, 1.5, -1.5, 1e-3, -1e-3,
              info.eps, info.tiny, info.smallest_subnormal, info.max, -info.max]  # fmt: skip
    values += [float(k) for k in range(-4, 5)]  # poles of gamma and digamma, roots of lgamma
    return np.array(values, dtype=dtype)


def _wide(dtype: str, count: int) -> np.ndarray:
    magnitudes = _magnitudes(dtype, count)
    return np.concatenate([magnitudes, -magnitudes, _specials(dtype)])


def _exponent_range(dtype: str, count: int) -> np.ndarray:
    """Evenly over the arguments where exp overflows or underflows to a subnormal."""
    edge = -1.05 * np.log(np.finfo(dtype).smallest_subnormal)
    return np.linspace(-edge, edge, count).astype(dtype)


def points(name: str, dtype: str) -> list[np.ndarray]:
    """The arguments of one op: dense over its domain, then wide over all floats."""
    op = SCALAR_OPS[name]
    domains = DOMAINS.get(name, ("real",) * op.nin)
    rng = _rng(name, dtype)
    dense = [_dense(domain, dtype, rng) for domain in domains]
    if op.nin == 1:
        wide = [np.concatenate([_wide(dtype, 1200), _exponent_range(dtype, 1601)])]
    elif domains[0] == "order":
        # Every order with a coarser grid of x, then random orders and magnitudes.
        orders = np.array([-3, -1, 0, 1, 2, 3, 4, 7, 12, 20, 33, 50, 100, 169, 170, 171, 500])
        grid = _wide(dtype, 200)
        first, second = (axis.reshape(-1) for axis in np.meshgrid(orders, grid, indexing="ij"))
        scattered = (_magnitudes(dtype, 4000)[rng.integers(0, 4000, 2000)]
                     * rng.choice(np.array([-1, 1], dtype=dtype), 2000))  # fmt: skip
        n = np.concatenate([first, rng.integers(0, 40, 2000)])
        x = np.concatenate([second, scattered])
        # SciPy's zeta(n + 1, x) at a negative non-integer x adds one term per unit up to
        # x = 9: near -2**52 that is a hang, not a value to compare with.
        kept = ~((x < -(2.0**20)) & (x != np.floor(x)))
        wide = [n[kept], x[kept]]
    elif op.nin == 2:
        # Every pair of a coarser grid, then pairs of random magnitudes and signs.
        grid = _wide(dtype, 40)
        first, second = (axis.reshape(-1) for axis in np.meshgrid(grid, grid, indexing="ij"))
        scattered = [
            (_magnitudes(dtype, 4000)[rng.integers(0, 4000, 2000)]
             * rng.choice(np.array([-1, 1], dtype=dtype), 2000))
            for _ in range(2)
        ]  # fmt: skip
        wide = [np.concatenate([first, scattered[0]]), np.concatenate([second, scattered[1]])]
    else:
        # Three inputs (clip, switch): each input in turn takes the special values.
        specials = _specials(dtype)
        wide = []
        for position, domain in enumerate(domains):
            column = []
            for varied in range(op.nin):
                if varied == position and domain != "condition":
                    column.append(specials)
                else:
                    column.append(_dense(domain, dtype, rng)[: len(specials)])
            wide.append(np.concatenate(column))
    arguments = [np.concatenate([d, w]) for d, w in zip(dense, wide, strict=True)]
    for domain, argument in zip(domains, arguments, strict=True):
        expected = {"condition": "bool", "order": "int64"}.get(domain, dtype)
        assert argument.dtype == expected, (name, domain)
    return arguments


@dataclass
class Row:
    name: str
    dtype: str
    arguments: list[np.ndarray]
    python: Any
    segment: Segment | None


@dataclass
class Table:
    rows: dict[tuple[str, str], Row]
    module: CompiledModule


@pytest.fixture(scope="module")
def table(session_cache: Path) -> Table:
    """Every row and dtype compiled once, into one translation unit of the session's cache."""
    rows = {}
    for name in OPS:
        for dtype in DTYPES:
            arguments = points(name, dtype)
            variables = [
                pt.TensorType(x.dtype, (None,)).make_variable(f"x{k}")
                for k, x in enumerate(arguments)
            ]
            out = pt.Elemwise(SCALAR_OPS[name])(*variables)
            python = function(variables, [out], mode=PYTHON)
            fgraph = python.maker.fgraph
            segment = translate_segment(
                f"{name}_{dtype}", fgraph.toposort(), fgraph.inputs, fgraph.outputs
            )
            rows[name, dtype] = Row(name, dtype, arguments, python, segment)
    segments = [row.segment for row in rows.values() if row.segment is not None]
    # compile_segments, not load_module alone: it hands SciPy's special functions over.
    return Table(rows, compile_segments(segments, name_hint="ulp_table"))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", OPS)
def test_within_4_ulp_of_numpy(table: Table, name: str, dtype: str) -> None:
    row = table.rows[name, dtype]
    assert row.segment is not None, f"{name} has a C row but no C for {dtype} inputs"
    with np.errstate(all="ignore"):
        (expected,) = row.python(*row.arguments)
    (got,) = SegmentCaller(row.segment, table.module).call(row.arguments)
    assert got.dtype == expected.dtype, f"{name}: C gives {got.dtype}, NumPy {expected.dtype}"
    assert expected.dtype.kind != "f" or expected.dtype == dtype, f"{name}: not a {dtype} test"
    if expected.dtype.kind != "f":
        wrong = got != expected
        assert not wrong.any(), f"{name} on {dtype}: {int(wrong.sum())} values differ\n" + worst(
            got, expected, row.arguments
        )
        return
    distance = ulp_distance(got, expected)
    far = distance > ULP
    assert not far.any(), (
        f"{name} on {dtype}: {int(far.sum())} of {distance.size} points further than {ULP} ulp "
        f"from NumPy/SciPy\n" + worst(got, expected, row.arguments)
    )
