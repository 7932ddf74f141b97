"""C for Dot of complex numbers and beyond BLAS (0-d operands, integers and booleans,
mixed dtypes) and for complex values (casts, constants, complex64, a Composite) against
the Python backend, through the structural-op harness: every layout, exact where NumPy
is exact (its complex64 products round differently by layout: to a relative 2e-6 there)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from c_harness import Case, Compiled, check_case, compile_cases, tensor, values_of

import tensorops as pt
from ccodegen import have_c_compiler
from ccodegen.translate import translate_segment
from graphcore import Variable
from tensorops import Elemwise
from tensorops.products import Dot

pytestmark = [
    pytest.mark.skipif(not have_c_compiler(), reason="no C compiler"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning"),
]

CASES: list[Case] = []


def case(name: str, inputs: Sequence[Variable], output: Any,
         values: Sequence[Sequence[Any]], op: type) -> None:  # fmt: skip
    CASES.append(Case(name, list(inputs), [output], [list(v) for v in values], op))


def wide_ints(dtype: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Integers over the dtype's whole range: sums of products wrap around."""
    info = np.iinfo(dtype)
    rng = np.random.default_rng(seed)
    return rng.integers(info.min, info.max, shape, dtype=dtype, endpoint=True)


def complex_values(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    part = "float32" if dtype == "complex64" else "float64"
    return (values_of(part, shape, seed) + 1j * values_of(part, shape, seed + 1)).astype(dtype)


# --- Dot -----------------------------------------------------------------------------------

SHAPES = {1: (4,), 2: (3, 4)}
RIGHT = {1: (4,), 2: (4, 5)}
for dtype in ("int8", "int32", "int64", "uint8", "uint64", "bool"):
    for ra, rb in ((1, 1), (2, 1), (1, 2), (2, 2)):
        a, b = tensor("a", dtype, ra), tensor("b", dtype, rb)
        if dtype == "bool":
            sets = [[values_of(dtype, SHAPES[ra], s), values_of(dtype, RIGHT[rb], s + 1)]
                    for s in range(3)]  # fmt: skip
        else:
            sets = [[wide_ints(dtype, SHAPES[ra], s), wide_ints(dtype, RIGHT[rb], s + 1)]
                    for s in range(3)]  # fmt: skip
        sets.append(
            [values_of(dtype, (0,) * (ra - 1) + (0,)), values_of(dtype, (0, *RIGHT[rb][1:]))]
        )
        sets.append(
            [values_of(dtype, SHAPES[ra]), values_of(dtype, (5, *RIGHT[rb][1:]))]
        )  # ValueError
        case(f"dot_{dtype}_{ra}d_{rb}d", [a, b], Dot()(a, b), sets, Dot)

for left, right in (("int16", "int64"), ("bool", "int32"), ("uint8", "int8")):
    a, b = tensor("a", left, 2), tensor("b", right, 1)
    sets = [[wide_ints(left, (3, 4), 0) if left != "bool" else values_of(left, (3, 4)),
             wide_ints(right, (4,), 1)]]  # fmt: skip
    case(f"dot_{left}_{right}", [a, b], Dot()(a, b), sets, Dot)

for left, right in (("float32", "float64"), ("int8", "float32"), ("int64", "float64")):
    for ra, rb in ((1, 1), (2, 1), (1, 2), (2, 2)):
        a, b = tensor("a", left, ra), tensor("b", right, rb)
        sets = [[values_of(left, SHAPES[ra]), values_of(right, RIGHT[rb], 1)]]
        case(f"dot_{left}_{right}_{ra}d_{rb}d", [a, b], Dot()(a, b), sets, Dot)

for left, right in (
    ("complex128", "complex128"),
    ("complex64", "complex64"),
    ("float64", "complex128"),
    ("complex64", "float32"),
):
    for ra, rb in ((1, 1), (2, 1), (1, 2), (2, 2)):  # fmt: skip
        a, b = tensor("a", left, ra), tensor("b", right, rb)
        make = complex_values if left.startswith("complex") else values_of
        other = complex_values if right.startswith("complex") else values_of
        sets = [[make(left, SHAPES[ra]), other(right, RIGHT[rb], 1)],
                [make(left, (0,) * ra), other(right, (0, *RIGHT[rb][1:]))],
                [make(left, SHAPES[ra]), other(right, (5, *RIGHT[rb][1:]))]]  # fmt: skip
        case(f"dot_{left}_{right}_{ra}d_{rb}d", [a, b], Dot()(a, b), sets, Dot)

for left, right in (
    ("float64", "float64"),
    ("int8", "int8"),
    ("bool", "bool"),
    ("float32", "int64"),
    ("float32", "float64"),
):
    for rank in (0, 1, 2):  # fmt: skip
        a, b = tensor("a", left, 0), tensor("b", right, rank)
        make = complex_values if left.startswith("complex") else values_of
        other = complex_values if right.startswith("complex") else values_of
        sets = [[values_of(left, ()), values_of(right, (3, 4)[:rank], 1)]]
        if left.startswith("float") and right.startswith("float"):
            # NumPy's BLAS path: a zero factor gives zeros beside inf and NaN, -0.0 gives +0.0
            specials = np.array([[np.inf, -np.inf, np.nan, -1.0], [0.0, -0.0, 2.0, 3.0]])
            for factor, shape in itertools.product((0.0, -0.0, np.inf), ((), (1,), (4,), (2, 4))):
                other = specials[: shape[0], : shape[1]] if len(shape) == 2 else specials[0]
                other = other[: shape[0]] if len(shape) == 1 else other
                if len(shape) == rank:
                    value = other if rank else other[0]
                    sets.append([np.array(factor, left), np.asarray(value, right)])
        case(f"dot_scalar_{left}_{right}_{rank}d", [a, b], Dot()(a, b), sets, Dot)
        case(
            f"dot_{right}_{rank}d_scalar_{left}", [b, a], Dot()(b, a), [s[::-1] for s in sets], Dot
        )

# --- complex values --------------------------------------------------------------------------

for source, target in (
    ("complex64", "complex128"),
    ("complex128", "complex64"),
    ("float32", "complex64"),
    ("int16", "complex128"),
    ("bool", "complex64"),
):
    x = tensor("x", source, 2)  # fmt: skip
    make = complex_values if source.startswith("complex") else values_of
    values = make(source, (3, 4))
    if source.startswith("complex"):
        values.reshape(-1)[:3] = [0, 1j, 2.0]  # zeros of one part: false only for 0
    case(f"cast_{source}_{target}", [x], pt.cast(x, target), [[values]], Elemwise)

for dtype in ("complex64", "complex128"):
    x, y = tensor("x", dtype, 2), tensor("y", dtype, 1)
    constant = np.asarray(1.5 - 2.25j, dtype=dtype)
    sets = [[complex_values(dtype, (3, 4)), complex_values(dtype, (4,), 2)]]
    case(f"complex_constant_{dtype}", [x, y], x * constant + y, sets, Elemwise)
    case(f"complex_parts_{dtype}", [x, y], pt.real(x) - pt.imag(y) * abs(x), sets, Elemwise)
    p, q = (pt.tensor(name, dtype=dtype, shape=()) for name in "pq")
    fused = pt.Elemwise(pt.Composite([p, q], [pt.exp(p) * constant - q / 3.0]))
    case(f"complex_composite_{dtype}", [x, y], fused(x, y), sets, Elemwise)
    case(f"complex_eq_{dtype}", [x, y], pt.eq(x, y), [[sets[0][0], sets[0][0][0]]], Elemwise)


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return compile_cases(CASES)


@pytest.mark.parametrize("name", [each.name for each in CASES])
def test_c_matches_python(name: str, compiled: dict[str, Compiled]) -> None:
    check_case(next(c for c in CASES if c.name == name), compiled[name])


@pytest.mark.parametrize(
    "build",
    [
        lambda: Dot()(tensor("a", "complex64", 0), tensor("b", "complex64", 1)),
        lambda: pt.sum(tensor("x", "complex128", 1)),
    ],
)
def test_complex_left_to_python(build: Callable[[], Any]) -> None:
    """Complex values a rule does not handle: no C, the node runs in Python."""
    out = build()
    node = out.owner
    inputs = [var for var in node.inputs if var.owner is None]
    assert translate_segment("probe", [node], inputs, [out]) is None
