"""C rules of indexing updates, joins, creation, arg-reductions, softmax, cumulative ops and
matmul against the Python backend.

Every case is a small graph built around one op, compiled with the Python linker and no
rewrites (so the op stays as built) and translated to one C segment; all segments go
into one translation unit, built once per module. Each case runs on several sets of
values, and each set on C-contiguous arrays and on views holding the same values
(reversed on every axis, Fortran-ordered, every other element of a repeated array),
twice each so the second call reuses the buffers, and once on arrays repeated along
their first axis by a zero stride. C must give what Python gives: same dtype and shape,
integers and booleans exactly, floats to a relative 1e-12 in float64 and 2e-6 in float32
(of the largest finite value; NaN and infinities where Python has them); where Python
raises, C raises the same exception class.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from c_harness import Case, Compiled, check_case, compile_cases, i64, scalar, tensor, values_of

import tensorops as pt
from ccodegen import have_c_compiler
from ccodegen.program import SegmentCaller
from ccodegen.translate import translate_segment
from graphcore import Variable
from tensorops.creation_ops import AllocEmpty, ARange, Eye, Tri
from tensorops.cumulative import CumOp
from tensorops.indexing.advanced import AdvancedIncSubtensor1, AdvancedSubtensor1
from tensorops.indexing.basic import IncSubtensor
from tensorops.indexing.key import INT, NEWAXIS
from tensorops.join_ops import Join, Split
from tensorops.products import MatMul
from tensorops.reduction import ArgReduce, LogSoftmax, LogSumExp, Reduce, Softmax

pytestmark = [
    pytest.mark.skipif(not have_c_compiler(), reason="no C compiler"),
    # Python's side overflows in exp on purpose (wrapped unsigned differences).
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
]

FULL = ("slice", False, False, False)
FROM = ("slice", True, False, False)
STEP = ("slice", False, False, True)
ALL_PARTS = ("slice", True, True, True)


CASES: list[Case] = []


def case(
    name: str,
    inputs: Sequence[Variable],
    outputs: Any,
    values: Sequence[Sequence[Any]],
    op: type,
    **options: Any,
) -> None:
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    CASES.append(Case(name, list(inputs), outs, [list(v) for v in values], op, **options))


# --- IncSubtensor ---------------------------------------------------------------------

for dtype, set_ in itertools.product(("float64", "float32", "int64", "bool"), (True, False)):
    kind = "set" if set_ else "inc"
    x, y = tensor("x", dtype, 3), tensor("y", dtype, 2)
    i, start, step = scalar("i"), scalar("s"), scalar("t")
    x_values = values_of(dtype, (4, 5, 3))
    case(
        f"inc_subtensor_{kind}_{dtype}",
        [x, y, i, start, step],
        IncSubtensor((INT, ("slice", True, False, True)), set_)(x, y, i, start, step),
        [
            [x_values, values_of(dtype, (3, 3), 1), i64(1), i64(2), i64(1)],
            [x_values, values_of(dtype, (1, 3), 2), i64(-1), i64(-1), i64(-2)],
            [x_values, values_of(dtype, (4, 1), 3), i64(-4), i64(3), i64(-1)],
            [x_values, values_of(dtype, (0, 3), 3), i64(0), i64(7), i64(1)],  # empty region
            [x_values, values_of(dtype, (3, 3), 1), i64(4), i64(1), i64(1)],  # IndexError
            [x_values, values_of(dtype, (3, 3), 1), i64(-5), i64(1), i64(1)],  # IndexError
            [x_values, values_of(dtype, (2, 3), 1), i64(0), i64(1), i64(1)],  # ValueError
            [x_values, values_of(dtype, (3, 3), 1), i64(0), i64(1), i64(0)],  # step 0
        ],
        IncSubtensor,
    )

x, y = tensor("x", "float64", 2), tensor("y", "float64", 3)
a, b, c = scalar("a"), scalar("b"), scalar("c")
case(
    "inc_subtensor_newaxis",
    [x, y, a, b, c],
    IncSubtensor((NEWAXIS, ALL_PARTS, NEWAXIS), False)(x, y, a, b, c),
    [
        [values_of("float64", (5, 2)), values_of("float64", (2, 1, 2), 1), i64(4), i64(0), i64(-2)],
        [values_of("float64", (5, 2)), values_of("float64", (5, 1, 1), 1), i64(-9), i64(9), i64(1)],
        [values_of("float64", (0, 2)), values_of("float64", (1, 1, 2), 1), i64(0), i64(9), i64(1)],
        [values_of("float64", (5, 2)), values_of("float64", (3, 1, 2), 1), i64(4), i64(0), i64(-2)],
    ],
    IncSubtensor,
)
x, y, i = tensor("x", "float32", 2), pt.tensor("y", dtype="float32", shape=(1, 1)), scalar("i")
case(
    "inc_subtensor_static_value",
    [x, y, i],
    IncSubtensor((FROM,), False)(x, y, i),
    [[values_of("float32", (4, 3)), values_of("float32", (1, 1), 1), i64(-3)]],
    IncSubtensor,
)
x, y, step = tensor("x", "int64", 2), tensor("y", "int64", 1), scalar("t")
case(
    "inc_subtensor_step",
    [x, y, step],
    IncSubtensor((FULL, STEP), False)(x, y, step),
    [
        [values_of("int64", (2, 5)), values_of("int64", (3,), 1), i64(2)],
        [values_of("int64", (2, 5)), values_of("int64", (1,), 1), i64(-3)],
        [values_of("int64", (2, 5)), values_of("int64", (3,), 1), i64(3)],  # ValueError
    ],
    IncSubtensor,
)
x0, y0 = tensor("x", "float64", 0), tensor("y", "float64", 0)
case(
    "set_subtensor_0d",
    [x0, y0],
    IncSubtensor((), True)(x0, y0),
    [[np.array(1.5), np.array(-2.0)]],
    IncSubtensor,
)
x, y, i = tensor("x", "int64", 2), tensor("y", "int64", 0), scalar("i")
case(
    "inc_subtensor_in_place",
    [x, y, i],
    IncSubtensor((FULL, INT), False, inplace=True)(x, y, i),
    [
        [values_of("int64", (3, 4)), i64(7), i64(-1)],
        [values_of("int64", (3, 4)), i64(7), i64(4)],
    ],
    IncSubtensor,
    in_place=True,
)
# --- AdvancedSubtensor1, AdvancedIncSubtensor1 ------------------------------------------

INDEX_SETS = [
    np.array([0, 2, -1, 2, -3], dtype="int64"),
    np.array([], dtype="int64"),
    np.array([1], dtype="int64"),
    np.array([0, 3], dtype="int64"),  # IndexError
    np.array([-4, 0], dtype="int64"),  # IndexError
]
for dtype, ndim in (("float64", 2), ("float32", 1), ("int64", 3), ("bool", 2)):
    x, idx = tensor("x", dtype, ndim), tensor("i", "int64", 1)
    x_values = values_of(dtype, (3, 4, 2)[:ndim])
    case(
        f"advanced_subtensor1_{dtype}_{ndim}d",
        [x, idx],
        AdvancedSubtensor1()(x, idx),
        [[x_values, index] for index in INDEX_SETS],
        AdvancedSubtensor1,
    )
for index_dtype in ("int32", "uint8", "int8"):
    x, idx = tensor("x", "float64", 2), tensor("i", index_dtype, 1)
    case(
        f"advanced_subtensor1_index_{index_dtype}",
        [x, idx],
        AdvancedSubtensor1()(x, idx),
        [
            [values_of("float64", (3, 2)), np.array([2, 0, 2], dtype=index_dtype)],
            [values_of("float64", (3, 2)), np.array([3], dtype=index_dtype)],
        ],
        AdvancedSubtensor1,
    )
x, idx = tensor("x", "float64", 2), tensor("i", "int64", 1)
case(
    "advanced_subtensor1_empty_x",
    [x, idx],
    AdvancedSubtensor1()(x, idx),
    [[np.zeros((0, 3)), np.array([], dtype="int64")], [np.zeros((0, 3)), np.array([0])]],
    AdvancedSubtensor1,
)

for dtype, set_ in itertools.product(("float64", "float32", "int64", "bool"), (True, False)):
    kind = "set" if set_ else "inc"
    x, y, idx = tensor("x", dtype, 2), tensor("y", dtype, 2), tensor("i", "int64", 1)
    x_values = values_of(dtype, (4, 3))
    case(
        f"advanced_inc_subtensor1_{kind}_{dtype}",
        [x, y, idx],
        AdvancedIncSubtensor1(set_)(x, y, idx),
        [
            [x_values, values_of(dtype, (5, 3), 1), np.array([0, 2, -1, 2, 2])],
            [x_values, values_of(dtype, (1, 3), 2), np.array([1, 1, -4])],
            [x_values, values_of(dtype, (3, 1), 3), np.array([3, 0, 3])],
            [x_values, values_of(dtype, (0, 3), 3), np.array([], dtype="int64")],
            [x_values, values_of(dtype, (1, 3), 2), np.array([1, 4])],  # IndexError
            [x_values, values_of(dtype, (2, 3), 2), np.array([1, 2, 3])],  # ValueError
        ],
        AdvancedIncSubtensor1,
    )
for dtype in ("float64", "float32"):
    # A float vector sums runs of equal indices in a register (a sorted group index).
    x, y, idx = tensor("x", dtype, 1), tensor("y", dtype, 1), tensor("i", "int64", 1)
    case(
        f"advanced_inc_subtensor1_vector_runs_{dtype}",
        [x, y, idx],
        AdvancedIncSubtensor1()(x, y, idx),
        [
            [values_of(dtype, (4,)), values_of(dtype, (7,), 1), np.array([0, 0, 0, 2, -4, 3, 0])],
            [values_of(dtype, (4,)), values_of(dtype, (1,), 2), np.array([1, 1, -1, -1])],
            [values_of(dtype, (4,)), values_of(dtype, (3,), 3), np.array([2, 2, 4])],  # IndexError
        ],
        AdvancedIncSubtensor1,
    )
x, y, idx = tensor("x", "float64", 1), tensor("y", "float64", 0), tensor("i", "uint8", 1)
case(
    "advanced_inc_subtensor1_scalar_value",
    [x, y, idx],
    AdvancedIncSubtensor1()(x, y, idx),
    [
        [values_of("float64", (4,)), np.array(0.5), np.array([3, 3, 0], dtype="uint8")],
        [values_of("float64", (4,)), np.array(0.5), np.array([4], dtype="uint8")],
    ],
    AdvancedIncSubtensor1,
)
x, y, idx = tensor("x", "float64", 2), tensor("y", "float64", 1), tensor("i", "int64", 1)
case(
    "advanced_inc_subtensor1_in_place",
    [x, y, idx],
    AdvancedIncSubtensor1(inplace=True)(x, y, idx),
    [[values_of("float64", (3, 2)), np.array([1.0, -1.0]), np.array([2, 2, -3])]],
    AdvancedIncSubtensor1,
    in_place=True,
)

# --- Join, Split ------------------------------------------------------------------------

for dtype, axis in (("float64", 0), ("float32", 1), ("int64", 2), ("bool", 1)):
    p, q, r = (tensor(name, dtype, 3) for name in "pqr")
    shapes = [(2, 3, 2), (2, 3, 2), (2, 3, 2)]
    grown = [list(s) for s in shapes]
    for k, extra in enumerate((1, 0, 3)):
        grown[k][axis] = extra
    wrong = [list(s) for s in shapes]
    wrong[2][(axis + 1) % 3] = 4
    case(
        f"join_{dtype}_axis{axis}",
        [p, q, r],
        Join(axis)(p, q, r),
        [
            [values_of(dtype, s, k) for k, s in enumerate(shapes)],
            [values_of(dtype, tuple(s), k) for k, s in enumerate(grown)],
            [values_of(dtype, tuple(s), k) for k, s in enumerate(wrong)],  # ValueError
        ],
        Join,
    )
p, q = pt.tensor("p", dtype="float64", shape=(1, 1)), tensor("q", "float64", 2)
case(
    "join_static_ones",
    [p, q],
    Join(1)(p, q),
    [[np.ones((1, 1)), values_of("float64", (1, 3))], [np.ones((1, 1)), np.zeros((2, 2))]],
    Join,
)
p = tensor("p", "int64", 1)
case("join_one_input", [p], Join(0)(p), [[np.arange(4)], [np.arange(0)]], Join)

x, sizes = tensor("x", "float64", 2), tensor("s", "int64", 1)
case(
    "split_axis0",
    [x, sizes],
    Split(3, 0)(x, sizes),
    [
        [values_of("float64", (6, 2)), np.array([1, 3, 2])],
        [values_of("float64", (6, 2)), np.array([0, 6, 0])],
        [values_of("float64", (6, 2)), np.array([1, 3, 1])],  # ValueError: sum
        [values_of("float64", (6, 2)), np.array([-1, 5, 2])],  # ValueError: negative
        [values_of("float64", (6, 2)), np.array([3, 3])],  # ValueError: count
    ],
    Split,
)
x, sizes = tensor("x", "int64", 3), tensor("s", "int32", 1)
case(
    "split_axis2",
    [x, sizes],
    [2 * piece for piece in Split(2, 2)(x, sizes)],
    [[values_of("int64", (2, 3, 5)), np.array([4, 1], dtype="int32")]],
    Split,
)

# --- ARange, Eye, Tri, AllocEmpty ---------------------------------------------------------

start, stop, step = scalar("a"), scalar("b"), scalar("c")
case(
    "arange_int64",
    [start, stop, step],
    ARange("int64")(start, stop, step),
    [
        [i64(0), i64(7), i64(1)],
        [i64(-3), i64(11), i64(4)],
        [i64(5), i64(-6), i64(-3)],
        [i64(5), i64(5), i64(1)],
        [i64(5), i64(1), i64(1)],
        [i64(0), i64(3), i64(0)],  # ZeroDivisionError
    ],
    ARange,
)
for dtype in ("float64", "float32"):
    start, stop, step = scalar("a", "float64"), scalar("b", "float64"), scalar("c", "float64")
    f64 = np.float64
    case(
        f"arange_{dtype}",
        [start, stop, step],
        ARange(dtype)(start, stop, step),
        [
            [np.array(f64(0.1)), np.array(f64(2.3)), np.array(f64(0.1))],
            [np.array(f64(1e3)), np.array(f64(-7.5)), np.array(f64(-3.7))],
            [np.array(f64(0)), np.array(f64(1)), np.array(f64(0))],  # ZeroDivisionError
            [np.array(f64(0)), np.array(f64(np.nan)), np.array(f64(1))],  # ValueError
            [np.array(f64(0)), np.array(f64(np.inf)), np.array(f64(1))],  # ValueError
        ],
        ARange,
    )
start, stop, step = scalar("a", "int64"), scalar("b", "float32"), scalar("c", "int64")
case(
    "arange_mixed_bounds",
    [start, stop, step],
    ARange("int64")(start, stop, step),
    [
        [i64(2), np.array(np.float32(9.5)), i64(2)],
        [i64(2), np.array(np.float32(-9.5)), i64(-3)],
    ],
    ARange,
)
start, stop, step = scalar("a", "float64"), scalar("b", "float64"), scalar("c", "int64")
case(
    "arange_float_bounds_int_dtype",
    [start, stop, step],
    ARange("int64")(start, stop, step),
    [
        [np.array(0.5), np.array(5.0), i64(1)],
        [np.array(-0.5), np.array(-5.1), i64(-2)],
        [np.array(1e19), np.array(1.0000001e19), i64(1000000000000)],  # OverflowError
    ],
    ARange,
)

for dtype in ("float64", "int64", "bool"):
    n, m, k = scalar("n"), scalar("m"), scalar("k")
    sizes = [
        [i64(3), i64(4), i64(0)],
        [i64(4), i64(2), i64(-1)],
        [i64(3), i64(3), i64(5)],
        [i64(0), i64(3), i64(1)],
        [i64(3), i64(3), i64(-3)],
    ]
    case(
        f"eye_{dtype}",
        [n, m, k],
        Eye(dtype)(n, m, k),
        [*sizes, [i64(-1), i64(3), i64(0)]],
        Eye,
    )
    case(
        f"tri_{dtype}",
        [n, m, k],
        Tri(dtype)(n, m, k),
        [*sizes, [i64(-1), i64(3), i64(0)], [i64(2), i64(-2), i64(0)]],
        Tri,
    )
n, m = scalar("n"), scalar("m")
case(
    "alloc_empty",
    [n, m],
    AllocEmpty("float32")(n, m),
    [[i64(2), i64(3)], [i64(0), i64(5)], [i64(-1), i64(5)]],
    AllocEmpty,
    compare_values=False,
)

# --- ArgReduce --------------------------------------------------------------------------

SPECIAL = np.array([[1.0, np.nan, 3.0, np.nan], [-np.inf, -np.inf, 2.0, 2.0], [0.0, -0.0, 5, 5]])
for reduction, dtype, axis, keepdims in itertools.chain(
    itertools.product(("argmax", "argmin"), ("float64",), (None, 0, 1), (False, True)),
    itertools.product(("argmax", "argmin"), ("float32", "int64", "bool"), (None, 1), (False,)),
):
    x = tensor("x", dtype, 2)
    name = f"{reduction}_{dtype}_axis{axis}" + ("_keepdims" if keepdims else "")
    value_sets = [
        [values_of(dtype, (3, 4))],
        [values_of(dtype, (1, 4), 1)],
        [np.zeros((0, 4), dtype)],  # ValueError unless the reduced axis is not empty
        [np.zeros((4, 0), dtype)],
    ]
    if dtype.startswith("float"):
        value_sets.append([SPECIAL.astype(dtype)])
    case(name, [x], ArgReduce(reduction, axis, keepdims)(x), value_sets, ArgReduce)
for ndim in (0, 1, 3):
    x = tensor("x", "float64", ndim)
    case(
        f"argmax_{ndim}d",
        [x],
        ArgReduce("argmax", None, True)(x),
        [[values_of("float64", (2, 3, 4)[:ndim])]],
        ArgReduce,
    )
x = tensor("x", "int64", 3)
case(
    "argmin_3d_axis2",
    [x],
    ArgReduce("argmin", 2)(x),
    [[values_of("int64", (2, 3, 4))], [values_of("int64", (2, 0, 4))]],
    ArgReduce,
)

# --- LogSumExp, Softmax, LogSoftmax -------------------------------------------------------

EXTREMES = np.array(
    [
        [1000.0, 1000.0, -1000.0, 0.0],
        [np.inf, 1.0, 2.0, 3.0],
        [-np.inf, -np.inf, -np.inf, -np.inf],
        [np.nan, 1.0, 2.0, 3.0],
        [np.inf, -np.inf, 0.0, 0.0],
    ]
)
for dtype, axes, keepdims in (
    ("float64", (0, 1), False),
    ("float64", (1,), False),
    ("float64", (0,), True),
    ("float32", (1,), False),
    ("int64", (0, 1), True),
    ("bool", (1,), False),
    ("float64", (), False),
):
    x = tensor("x", dtype, 2)
    value_sets = [[values_of(dtype, (3, 4))], [np.zeros((0, 4), dtype)], [np.zeros((3, 0), dtype)]]
    if dtype.startswith("float"):
        value_sets.append([EXTREMES.astype(dtype)])
    name = f"logsumexp_{dtype}_axes{''.join(map(str, axes))}" + ("_keepdims" if keepdims else "")
    case(name, [x], LogSumExp(axes, keepdims)(x), value_sets, LogSumExp)
x = tensor("x", "float64", 3)
case("logsumexp_3d", [x], LogSumExp((0, 2))(x), [[values_of("float64", (2, 3, 4))]], LogSumExp)
x = tensor("x", "float32", 0)
case("logsumexp_0d", [x], LogSumExp(())(x), [[np.array(np.float32(2.5))]], LogSumExp)

for op_class in (Softmax, LogSoftmax):
    for dtype, axes in (
        ("float64", (1,)),
        ("float64", None),
        ("float64", (0,)),
        ("float32", (1,)),
        ("int64", (1,)),
        ("int16", (0, 1)),
        ("uint32", (1,)),
    ):
        x = tensor("x", dtype, 2)
        value_sets = [[values_of(dtype, (3, 4))], [np.zeros((0, 4), dtype)]]
        value_sets.append([np.zeros((3, 0), dtype)])  # ValueError: max of nothing
        if dtype.startswith("float"):
            value_sets.append([EXTREMES.astype(dtype)])
        name = f"{op_class.__name__.lower()}_{dtype}_axes{'all' if axes is None else axes[0]}"
        float32_work = dtype == "int16"
        case(name, [x], op_class(axes)(x), value_sets, op_class, float32_work=float32_work)
    x = tensor("x", "float64", 3)
    case(
        f"{op_class.__name__.lower()}_3d_axes02",
        [x],
        op_class((0, 2))(x),
        [[values_of("float64", (2, 3, 4))]],
        op_class,
    )
    x = tensor("x", "float64", 0)
    case(f"{op_class.__name__.lower()}_0d", [x], op_class(None)(x), [[np.array(3.0)]], op_class)

# --- CumOp ------------------------------------------------------------------------------

for mode, dtype, axis in itertools.chain(
    itertools.product(("cumsum", "cumprod"), ("float64", "int64"), (None, 0, 1)),
    itertools.product(("cumsum", "cumprod"), ("float32", "bool", "int8"), (1,)),
):
    x = tensor("x", dtype, 2)
    case(
        f"{mode}_{dtype}_axis{axis}",
        [x],
        CumOp(mode, axis)(x),
        [[values_of(dtype, (3, 4))], [np.zeros((0, 4), dtype)], [values_of(dtype, (3, 1), 2)]],
        CumOp,
    )
x = tensor("x", "float64", 0)
case("cumsum_0d", [x], CumOp("cumsum", None)(x), [[np.array(2.5)]], CumOp)
x = tensor("x", "int64", 3)
case("cumprod_3d_axis1", [x], CumOp("cumprod", 1)(x), [[values_of("int64", (2, 3, 2))]], CumOp)

# --- MatMul -----------------------------------------------------------------------------

MATMUL_SHAPES = [
    # (a shape, b shape) per value set; the ranks are the case's.
    ((4,), (4,)),
    ((3, 4), (4,)),
    ((4,), (4, 2)),
    ((3, 4), (4, 2)),
    ((2, 3, 4), (4, 5)),
    ((2, 3, 4), (4,)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((3, 4), (2, 4, 5)),
]
for dtype in ("float64", "float32"):
    for shape_a, shape_b in MATMUL_SHAPES:
        a, b = tensor("a", dtype, len(shape_a)), tensor("b", dtype, len(shape_b))
        ka = shape_a[-1]
        no_inner = (*shape_b[:-2], 0, shape_b[-1]) if len(shape_b) >= 2 else (0,)
        value_sets = [
            [values_of(dtype, shape_a, 1), values_of(dtype, shape_b, 2)],
            [values_of(dtype, (*shape_a[:-1], 0)), values_of(dtype, no_inner, 2)],  # zeros
            [values_of(dtype, (*shape_a[:-1], ka + 1)), values_of(dtype, shape_b, 2)],  # ValueError
        ]
        if len(shape_a) >= 2:
            value_sets.append([values_of(dtype, (*shape_a[:-2], 0, ka)), values_of(dtype, shape_b)])
        name = f"matmul_{dtype}_{len(shape_a)}d_{len(shape_b)}d"
        if len(shape_a) == 4:
            value_sets.append(
                [values_of(dtype, (2, 3, 3, 4)), values_of(dtype, (5, 4, 2))]  # ValueError
            )
        case(name, [a, b], MatMul()(a, b), value_sets, MatMul)


# --- reductions over some axes of an elementwise program (fused: one pass) --------------

for reduction, axis, keepdims in (
    ("sum", 1, False),
    ("sum", (0, 2), True),
    ("mean", 0, False),
    ("prod", (1,), False),
    ("max", 2, True),
    ("min", (0, 1), False),
):
    x, y = tensor("x", "float64", 3), tensor("y", "float64", 1)
    program = pt.exp(x) * y - y / 3.0
    case(
        f"fused_{reduction}_axes_{'_'.join(map(str, np.atleast_1d(axis)))}_{int(keepdims)}",
        [x, y],
        getattr(pt, reduction)(program, axis=axis, keepdims=keepdims),
        [
            [values_of("float64", (2, 3, 4)), values_of("float64", (4,), 1)],
            [values_of("float64", (3, 1, 2)), values_of("float64", (1,), 2)],
            [values_of("float64", (0, 2, 3)), values_of("float64", (3,), 3)],
        ],
        Reduce,
    )
# --- running the cases --------------------------------------------------------------------


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return compile_cases(CASES)


@pytest.mark.parametrize("name", [each.name for each in CASES])
def test_c_matches_python(name: str, compiled: dict[str, Compiled]) -> None:
    check_case(next(c for c in CASES if c.name == name), compiled[name])


def test_in_place_update_leaves_its_input(compiled: dict[str, Compiled]) -> None:
    """An op that may overwrite x computes a copy in C: the entry point runs its nodes
    again when output lengths change (a first call does), which must not add twice."""
    program = compiled["inc_subtensor_in_place"]
    node = program.caller.segment.nodes[0]
    assert isinstance(node.op, IncSubtensor) and node.op.destroy_map == {0: [0]}
    fresh = SegmentCaller(program.caller.segment, program.module)  # no lengths known yet
    for shape in ((3, 4), (3, 4), (2, 5)):
        values = np.arange(np.prod(shape), dtype="int64").reshape(shape)
        x_value = values.copy()
        (result,) = fresh.call([x_value, i64(5), i64(1)])
        expected = values.copy()
        expected[:, 1] += 5
        np.testing.assert_array_equal(result, expected)
        np.testing.assert_array_equal(x_value, values)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Softmax((1,))(tensor("x", "int8", 2)),
        lambda: LogSoftmax((1,))(tensor("x", "bool", 2)),
        lambda: MatMul()(tensor("a", "int64", 2), tensor("b", "int64", 2)),
        lambda: MatMul()(tensor("a", "float32", 2), tensor("b", "float64", 2)),
        lambda: ARange("int32")(scalar("a"), scalar("b"), scalar("c")),
        lambda: ARange("float64")(scalar("a", "uint64"), scalar("b"), scalar("c")),
        lambda: CumOp("cumsum", 0)(tensor("x", "complex128", 1)),
        lambda: Join(0)(tensor("p", "complex64", 1), tensor("q", "complex64", 1)),
    ],
)
def test_left_to_python(build: Callable[[], Any]) -> None:
    """Dtypes a rule does not handle: no C, the node runs in Python."""
    out = build()
    node = out.owner
    assert translate_segment("probe", [node], node.inputs, [out]) is None
