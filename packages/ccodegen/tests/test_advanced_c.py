"""C rules of ``AdvancedSubtensor`` (integer arrays and masks among ints, slices and new
axes) and ``TensorDot`` against the Python backend.

The same harness as test_more_ops_c.py: each case is one graph built around the op,
compiled with the Python linker and no rewrites and translated to one C segment; all
segments go into one translation unit. Each set of values runs on C-contiguous arrays
and on views holding the same values (reversed, Fortran-ordered, strided), twice each,
and once repeated along the first axis by a zero stride, index arrays included. C must
give what Python gives, or raise the same exception class.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from c_harness import Case, Compiled, check_case, compile_cases, tensor, values_of

import tensorops as pt
from ccodegen import have_c_compiler
from ccodegen.translate import translate_segment
from graphcore import Variable
from tensorops.indexing.advanced import AdvancedSubtensor
from tensorops.indexing.key import ARRAY, INT
from tensorops.products import TensorDot

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")

FULL = ("slice", False, False, False)
CASES: list[Case] = []


def case(
    name: str, inputs: Sequence[Variable], output: Any, values: Sequence[Sequence[Any]], op: type
) -> None:
    CASES.append(Case(name, list(inputs), [output], [list(v) for v in values], op))


def ints(values: Any, dtype: str = "int64") -> np.ndarray:
    return np.array(values, dtype=dtype)


# --- AdvancedSubtensor --------------------------------------------------------------------

for dtype in ("float64", "float32", "int64", "bool"):
    x, i, j = tensor("x", dtype, 2), tensor("i", "int64", 1), tensor("j", "int64", 1)
    x_values = values_of(dtype, (4, 5))
    case(
        f"pair_{dtype}",
        [x, i, j],
        x[i, j],
        [
            [x_values, ints([0, 2, -1, 3]), ints([1, -5, 0, 4])],
            [x_values, ints([3, -4, 1]), ints([2])],  # broadcast
            [x_values, ints([]), ints([])],
            [x_values, ints([7]), ints([])],  # broadcast to nothing: no check, as NumPy
            [x_values, ints([4, 0]), ints([0, 0])],  # IndexError
            [x_values, ints([0]), ints([-6])],  # IndexError
            [x_values, ints([0, 1]), ints([0, 1, 2])],  # IndexError: no broadcast
        ],
        AdvancedSubtensor,
    )
    x, i = tensor("x", dtype, 3), tensor("i", "int32", 2)
    case(
        f"slice_then_matrix_{dtype}",
        [x, i],
        x[:, i],
        [
            [values_of(dtype, (2, 4, 3)), ints([[0, -1, 2], [3, 3, 0]], "int32")],
            [values_of(dtype, (2, 4, 3)), ints(np.zeros((0, 2)), "int32")],
            [values_of(dtype, (0, 4, 3)), ints([[1]], "int32")],
            [values_of(dtype, (0, 4, 3)), ints([[4]], "int32")],  # IndexError
        ],
        AdvancedSubtensor,
    )

x, i, j = tensor("x", "float64", 3), tensor("i", "int64", 1), tensor("j", "int16", 2)
case(
    "apart_go_first",
    [x, i, j],
    x[i, :, j],
    [
        [values_of("float64", (3, 4, 5)), ints([0, 2]), ints([[1, -1], [0, 4], [2, 2]], "int16")],
        [values_of("float64", (3, 4, 5)), ints([1]), ints([[1, -1, 3]], "int16")],
        [values_of("float64", (3, 4, 5)), ints([-4]), ints([[1]], "int16")],  # IndexError
    ],
    AdvancedSubtensor,
)
x, i, k = tensor("x", "int64", 3), tensor("i", "uint8", 1), pt.tensor("k", dtype="int64", shape=())
case(
    "int_apart_from_array",
    [x, k, i],
    x[k, :, i],
    [
        [values_of("int64", (3, 4, 5)), ints(-1), ints([4, 0, 4], "uint8")],
        [values_of("int64", (3, 4, 5)), ints(3), ints([0], "uint8")],  # IndexError
        [values_of("int64", (3, 4, 5)), ints(0), ints([5], "uint8")],  # IndexError
        [values_of("int64", (3, 4, 5)), ints(5), ints([], "uint8")],  # IndexError (the int)
    ],
    AdvancedSubtensor,
)
case(
    "int_beside_array",
    [x, k, i],
    x[:, k, i],
    [
        [values_of("int64", (3, 4, 5)), ints(-4), ints([1, 3], "uint8")],
        [values_of("int64", (3, 4, 5)), ints(4), ints([1], "uint8")],  # IndexError
    ],
    AdvancedSubtensor,
)
x, i, j = tensor("x", "float32", 4), tensor("i", "int8", 1), tensor("j", "int64", 1)
case(
    "newaxis_between",
    [x, i, j],
    x[:, i, None, j],
    [
        [values_of("float32", (6, 3, 4, 5)), ints([0, -1], "int8"), ints([3, 1])],
        [values_of("float32", (6, 3, 4, 5)), ints([2], "int8"), ints([-4, 1, 0])],
    ],
    AdvancedSubtensor,
)
x, i = tensor("x", "float64", 2), tensor("i", "uint64", 1)
start, stop, step = (pt.tensor(name, dtype="int64", shape=()) for name in "abc")
case(
    "slice_parts_and_array",
    [x, start, stop, step, i],
    x[start:stop:step, i, None],
    [
        [values_of("float64", (5, 3)), ints(4), ints(0), ints(-2), ints([2, 0, 2], "uint64")],
        [values_of("float64", (5, 3)), ints(-9), ints(9), ints(1), ints([1], "uint64")],
        [values_of("float64", (5, 3)), ints(3), ints(1), ints(1), ints([3], "uint64")],  # Index
        [values_of("float64", (5, 3)), ints(0), ints(9), ints(0), ints([0], "uint64")],  # Value
    ],
    AdvancedSubtensor,
)
x, i = tensor("x", "int64", 1), tensor("i", "int32", 2)
case(
    "vector_by_matrix",
    [x, i],
    x[i],
    [
        [values_of("int64", (6,)), ints([[0, 5], [-6, -1], [3, 3]], "int32")],
        [values_of("int64", (6,)), ints([[6]], "int32")],  # IndexError
    ],
    AdvancedSubtensor,
)
x, i, j = tensor("x", "bool", 3), tensor("i", "int64", 2), tensor("j", "int64", 1)
case(
    "broadcast_2d_1d",
    [x, i, j],
    x[i, j],
    [
        [values_of("bool", (3, 4, 2)), ints([[0], [2], [-1]]), ints([0, 1, 3, -4])],
        [values_of("bool", (3, 4, 2)), ints([[0, 1]]), ints([2])],
        [values_of("bool", (3, 4, 2)), ints([[0, 1]]), ints([2, 1, 0])],  # IndexError
    ],
    AdvancedSubtensor,
)
x, i = tensor("x", "float64", 2), pt.tensor("i", dtype="int64", shape=())
case(
    "zero_d_array",
    [x, i],
    AdvancedSubtensor((FULL, ARRAY))(x, i),
    [[values_of("float64", (3, 4)), ints(-2)], [values_of("float64", (3, 4)), ints(4)]],
    AdvancedSubtensor,
)
x, i = tensor("x", "float32", 3), pt.tensor("i", dtype="int64", shape=())
case(
    "ints_only",
    [x, i],
    AdvancedSubtensor((FULL, INT))(x, i),
    [[values_of("float32", (2, 3, 4)), ints(-1)], [values_of("float32", (2, 3, 4)), ints(3)]],
    AdvancedSubtensor,
)

# Boolean masks reach the op as they are (no nonzero() first).
for dtype in ("float64", "int64"):
    x, m = tensor("x", dtype, 2), tensor("m", "bool", 2)
    case(
        f"mask_2d_{dtype}",
        [x, m],
        x[m],
        [
            [values_of(dtype, (3, 4)), values_of("bool", (3, 4), 1)],
            [values_of(dtype, (3, 4)), np.zeros((3, 4), bool)],
            [values_of(dtype, (3, 4)), np.ones((3, 5), bool)],  # IndexError
        ],
        AdvancedSubtensor,
    )
x, m, i = tensor("x", "float64", 3), tensor("m", "bool", 1), tensor("i", "int64", 1)
case(
    "mask_and_array",
    [x, m, i],
    x[:, m, i],
    [
        [values_of("float64", (2, 4, 3)), ints([1, 0, 1, 1], "bool"), ints([0, 2, -1])],
        [values_of("float64", (2, 4, 3)), ints([0, 0, 1, 0], "bool"), ints([2, 0])],
        [values_of("float64", (2, 4, 3)), ints([1, 0, 1, 1], "bool"), ints([0, 2])],  # Index
    ],
    AdvancedSubtensor,
)
x, b = tensor("x", "float64", 2), pt.tensor("b", dtype="bool", shape=())
case(
    "mask_0d",
    [x, b],
    AdvancedSubtensor((ARRAY,))(x, b),
    [
        [values_of("float64", (2, 3)), np.array(True)],
        [values_of("float64", (2, 3)), np.array(False)],
    ],
    AdvancedSubtensor,
)

# --- TensorDot ----------------------------------------------------------------------------

TENSORDOT = [
    # (a shape, b shape, axes)
    ((3, 4), (4, 5), 1),
    ((2, 3, 4), (3, 4, 5), 2),
    ((3,), (4,), 0),
    ((2, 3), (4,), 0),
    ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
    ((3, 2, 4), (5, 4, 3), ([0, 2], [2, 1])),
    ((2, 3, 4), (3,), ([1], [0])),
    ((4,), (4,), 1),
]
for dtype in ("float64", "float32"):
    for shape_a, shape_b, axes in TENSORDOT:
        a, b = tensor("a", dtype, len(shape_a)), tensor("b", dtype, len(shape_b))
        out = pt.tensordot(a, b, axes=axes)
        contracted = out.owner.op.axes
        value_sets = [[values_of(dtype, shape_a, 1), values_of(dtype, shape_b, 2)]]
        if contracted[0]:
            no_inner_a, no_inner_b = list(shape_a), list(shape_b)
            no_inner_a[contracted[0][0]] = no_inner_b[contracted[1][0]] = 0
            wrong = list(shape_b)
            wrong[contracted[1][-1]] += 1
            value_sets += [
                [values_of(dtype, tuple(no_inner_a)), values_of(dtype, tuple(no_inner_b))],
                [values_of(dtype, shape_a), values_of(dtype, tuple(wrong))],  # ValueError
            ]
        free_a = [axis for axis in range(len(shape_a)) if axis not in contracted[0]]
        if free_a:
            no_rows = list(shape_a)
            no_rows[free_a[0]] = 0
            value_sets.append([values_of(dtype, tuple(no_rows)), values_of(dtype, shape_b)])
        label = "x".join(map(str, shape_a)) + "_" + "x".join(map(str, shape_b))
        case(f"tensordot_{dtype}_{label}_{len(contracted[0])}", [a, b], out, value_sets, TensorDot)


# --- running the cases --------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return compile_cases(CASES)


@pytest.mark.parametrize("name", [each.name for each in CASES])
def test_c_matches_python(name: str, compiled: dict[str, Compiled]) -> None:
    check_case(next(c for c in CASES if c.name == name), compiled[name])


@pytest.mark.parametrize(
    "build",
    [
        lambda: pt.tensordot(tensor("a", "int64", 2), tensor("b", "int64", 2), axes=1),
        lambda: pt.tensordot(tensor("a", "float32", 2), tensor("b", "float64", 2), axes=1),
        lambda: tensor("x", "complex128", 2)[tensor("i", "int64", 1), tensor("j", "int64", 1)],
    ],
)
def test_left_to_python(build: Callable[[], Any]) -> None:
    """What the rules do not handle: no C, the node runs in Python."""
    out = build()
    node = out.owner
    assert translate_segment("probe", [node], node.inputs, [out]) is None
