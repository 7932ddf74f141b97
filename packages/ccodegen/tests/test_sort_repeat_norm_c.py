"""C rules of ``SortOp``, ``Repeat`` and ``Norm`` against the Python backend (NumPy).

The harness of test_more_ops_c.py: one graph per op, compiled with no rewrites, all
segments in one unit, each value set run on several layouts; C must give what Python
gives or raise the same exception class. Sorts see ties, NaNs and infinities, and runs
longer than the merge sort's insertion runs. NumPy leaves the order of ties to
``quicksort`` and ``heapsort``; C's is the stable order, checked against
``kind="stable"``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from c_harness import Case, Compiled, check_case, compile_cases, tensor, values_of

from ccodegen import have_c_compiler
from ccodegen.translate import translate_segment
from graphcore import Variable
from tensorops.creation_ops import Repeat
from tensorops.nlinalg import Norm
from tensorops.sort import SORT_KINDS, SortOp

pytestmark = [
    pytest.mark.skipif(not have_c_compiler(), reason="no C compiler"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # 0 ** -1 in Python's norms
]

CASES: list[Case] = []


def case(
    name: str, inputs: Sequence[Variable], output: Any, values: Sequence[Sequence[Any]], op: type
) -> None:
    label = re.sub(r"\W", "_", name.replace("-", "minus_"))
    CASES.append(Case(label, list(inputs), [output], [list(v) for v in values], op))


def tied(dtype: str, shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Few distinct values (many ties); floats with NaN, infinities and signed zeros."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    low = 0 if dtype.startswith("uint") else -3
    values = rng.integers(low, 4, shape).astype(dtype)
    if dtype.startswith("float"):
        specials = np.array([np.nan, np.inf, -np.inf, -0.0], dtype=dtype)
        mask = rng.random(shape) < 0.2
        values[mask] = rng.choice(specials, int(mask.sum()))
    return values


# --- SortOp ---------------------------------------------------------------------------

SORT_DTYPES = ("float64", "float32", "int64", "int8", "uint16", "bool")
for dtype in SORT_DTYPES:
    for mode, axis, kind in (
        ("sort", -1, "quicksort"),
        ("sort", 0, "heapsort"),
        ("sort", None, "stable"),
        ("argsort", 1, "stable"),
        ("argsort", None, "mergesort"),
        ("argsort", 0, "stable"),
    ):
        x = tensor("x", dtype, 3)
        case(
            f"{mode}_{dtype}_axis{axis}_{kind}",
            [x],
            SortOp(mode, None if axis is None else axis % 3, kind)(x),
            [
                [tied(dtype, (3, 40, 2))],
                [values_of(dtype, (2, 3, 37), 1)],
                [tied(dtype, (1, 1, 1), 2)],
                [np.zeros((2, 0, 3), dtype=dtype)],
            ],
            SortOp,
        )
for kind in SORT_KINDS:
    x = tensor("x", "float64", 2)
    case(f"argsort_order_{kind}", [x], SortOp("argsort", 1, kind)(x), [], SortOp)


@pytest.mark.parametrize("kind", SORT_KINDS)
@pytest.mark.parametrize("dtype", SORT_DTYPES)
def test_argsort_ties_are_stable(compiled: dict[str, Compiled], kind: str, dtype: str) -> None:
    """Every kind gives NumPy's stable order (NaNs last), and sorts like NumPy's kind."""
    program = compiled[f"argsort_order_{kind}"]
    for seed, length in enumerate((1, 5, 16, 17, 33, 100, 1000)):
        values = tied(dtype, (3, length), seed)
        (order,) = program.caller.call([values.astype("float64")])
        floats = values.astype("float64")
        np.testing.assert_array_equal(order, np.argsort(floats, axis=1, kind="stable"))
        np.testing.assert_array_equal(
            np.take_along_axis(floats, order, 1), np.sort(floats, axis=1, kind=kind)
        )


# --- Repeat ---------------------------------------------------------------------------

for dtype, axis in (("float64", 0), ("int16", 1), ("bool", 2), ("float32", 1)):
    x, counts = tensor("x", dtype, 3), tensor("r", "int64", 0)
    x_values = values_of(dtype, (2, 3, 4))
    case(
        f"repeat_scalar_{dtype}_axis{axis}",
        [x, counts],
        Repeat(axis)(x, counts),
        [
            [x_values, np.array(3)],
            [x_values, np.array(0)],
            [np.zeros((2, 0, 1), dtype=dtype), np.array(2)],
            [x_values, np.array(-1)],  # ValueError
        ],
        Repeat,
    )
    for count_dtype in ("int64", "int32", "uint8"):
        counts = tensor("r", count_dtype, 1)
        n = x_values.shape[axis]
        signed = count_dtype != "uint8"
        case(
            f"repeat_counts_{dtype}_axis{axis}_{count_dtype}",
            [x, counts],
            Repeat(axis)(x, counts),
            [
                [x_values, np.arange(n, dtype=count_dtype) % 3],
                [x_values, np.array([2], dtype=count_dtype)],
                [x_values, np.zeros(n, dtype=count_dtype)],
                [x_values, np.ones(n + 1, dtype=count_dtype)],  # ValueError
                [x_values, np.array([], dtype=count_dtype)],  # ValueError
                [x_values, np.full(n, -1 if signed else 1, dtype=count_dtype)],
            ],
            Repeat,
        )
x, counts = tensor("x", "float64", 1), tensor("r", "int64", 1)
case(
    "repeat_empty",
    [x, counts],
    Repeat(0)(x, counts),
    [[np.zeros(0), np.array([], dtype="int64")], [np.zeros(0), np.array([4])]],
    Repeat,
)


# --- Norm -----------------------------------------------------------------------------

VECTOR_ORDERS: tuple[Any, ...] = (None, 2, 1, 0, math.inf, -math.inf, 3, -1, 0.5)
MATRIX_ORDERS: tuple[Any, ...] = (None, "fro", 1, -1, math.inf, -math.inf)


def _with_nan(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    values = values_of(dtype, shape, 4)
    values.flat[1] = np.nan
    return values


for dtype in ("float64", "float32", "int32", "bool"):
    floating = dtype.startswith("float")
    for order in VECTOR_ORDERS:
        for axis, keepdims in (((1,), False), ((0,), True)):
            x = tensor("x", dtype, 2)
            values = [[values_of(dtype, (3, 5))], [np.zeros((2, 0), dtype=dtype)]]
            values += [[np.zeros((0, 3), dtype=dtype)]]
            if floating:
                values.append([_with_nan(dtype, (3, 4))])
            case(
                f"norm_vector_{dtype}_{order}_axis{axis[0]}_{keepdims}",
                [x],
                Norm(order, axis, keepdims)(x),
                values,
                Norm,
            )
        x = tensor("x", dtype, 1)
        case(
            f"norm_vector_{dtype}_{order}_whole",
            [x],
            Norm(order, None)(x),
            [[values_of(dtype, (7,))], [np.zeros(0, dtype=dtype)]],
            Norm,
        )
    for order in MATRIX_ORDERS:
        for axes, keepdims in (((1, 2), False), ((2, 0), True)):
            x = tensor("x", dtype, 3)
            values = [[values_of(dtype, (2, 3, 4))], [np.zeros((2, 0, 3), dtype=dtype)]]
            values += [[np.zeros((2, 3, 0), dtype=dtype)]]
            if floating:
                values.append([_with_nan(dtype, (2, 3, 4))])
            case(
                f"norm_matrix_{dtype}_{order}_axes{axes[0]}{axes[1]}_{keepdims}",
                [x],
                Norm(order, axes, keepdims)(x),
                values,
                Norm,
            )
for ndim in (0, 3):
    x = tensor("x", "float64", ndim)
    case(
        f"norm_all_{ndim}d",
        [x],
        Norm(None, None, True)(x),
        [[values_of("float64", (2, 3, 4)[:ndim])]],
        Norm,
    )


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return compile_cases(CASES)


@pytest.mark.parametrize("name", [each.name for each in CASES if each.values])
def test_c_matches_python(name: str, compiled: dict[str, Compiled]) -> None:
    check_case(next(c for c in CASES if c.name == name), compiled[name])


@pytest.mark.parametrize(
    "build",
    [
        lambda: Norm(2, (0, 1))(tensor("x", "float64", 2)),
        lambda: Norm("nuc", None)(tensor("x", "float64", 2)),
        lambda: Norm(-2, (1, 0))(tensor("x", "float32", 3)),
        lambda: Norm("fro", (0,))(tensor("x", "float64", 2)),
        lambda: Norm(None, None)(tensor("x", "complex128", 1)),
        lambda: Repeat(0)(tensor("x", "float64", 1), tensor("r", "uint64", 1)),
        lambda: SortOp("sort", 0)(tensor("x", "complex64", 1)),
    ],
)
def test_left_to_python(build: Any) -> None:
    """Norms that need an SVD or that NumPy refuses, counts NumPy will not cast, complex
    values: no C, the node runs in Python."""
    out = build()
    node = out.owner
    assert translate_segment("probe", [node], node.inputs, [out]) is None
