"""Op-table rows for dot, matmul, tensordot, outer, inner and batched_dot, checked
against NumPy over every rank combination and several dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorops import math as tensor_math
from tensorops import products
from tensorops.testing.case import OpCase, ValueMaker
from tensorops.testing.harness import CHECK_DTYPE
from tensorops.testing.value_makers import integers, uniform

TAGS = frozenset({"products", CHECK_DTYPE})

# Shapes by rank whose contracted lengths agree for dot (last axis of a: 4; the axis of b
# that dot contracts, its first for rank <= 2 and its second-to-last otherwise: 4).
DOT_LEFT = {0: (), 1: (4,), 2: (3, 4), 3: (2, 3, 4)}
DOT_RIGHT = {0: (), 1: (4,), 2: (4, 5), 3: (2, 4, 5)}


def _pair_case(
    name: str,
    build: Any,
    reference: Any,
    left: ValueMaker,
    right: ValueMaker,
    grad: bool = True,
    static_shapes: bool = False,
) -> OpCase:
    return OpCase(
        name, build, reference, [left, right], grad=grad, static_shapes=static_shapes, tags=TAGS
    )


def _dot_cases() -> list[OpCase]:
    cases = [
        _pair_case(
            f"dot_rank{ra}_rank{rb}",
            products.dot,
            np.dot,
            uniform(DOT_LEFT[ra]),
            uniform(DOT_RIGHT[rb]),
        )
        for ra in DOT_LEFT
        for rb in DOT_RIGHT
    ]
    dtypes = (
        ("f32", "float32", "float32"),
        ("f32_f64", "float32", "float64"),
        ("int32", "int32", "int32"),
        ("int8_f32", "int8", "float32"),
    )
    for label, left, right in dtypes:
        grad = "int" not in label
        for ra, rb in ((1, 1), (2, 1), (2, 2)):
            left_maker = (
                uniform(DOT_LEFT[ra], left)
                if left.startswith("f")
                else integers(DOT_LEFT[ra], left)
            )
            right_maker = (
                uniform(DOT_RIGHT[rb], right)
                if right.startswith("f")
                else integers(DOT_RIGHT[rb], right)
            )
            cases.append(
                _pair_case(
                    f"dot_{label}_rank{ra}_rank{rb}",
                    products.dot,
                    np.dot,
                    left_maker,
                    right_maker,
                    grad,
                )
            )
    cases.append(
        _pair_case(
            "dot_static", products.dot, np.dot, uniform((3, 4)), uniform((4, 5)), static_shapes=True
        )
    )
    cases.append(_pair_case("dot_empty", products.dot, np.dot, uniform((3, 0)), uniform((0, 5))))
    return cases


def _matmul_cases() -> list[OpCase]:
    shapes = {
        "1_1": ((4,), (4,)),
        "1_2": ((4,), (4, 5)),
        "2_1": ((3, 4), (4,)),
        "2_2": ((3, 4), (4, 5)),
        "3_2": ((2, 3, 4), (4, 5)),
        "2_3": ((3, 4), (2, 4, 5)),
        "1_3": ((4,), (2, 4, 5)),
        "3_1": ((2, 3, 4), (4,)),
        "3_3": ((2, 3, 4), (2, 4, 5)),
        "broadcast_batch": ((2, 1, 3, 4), (5, 4, 2)),
        "broadcast_one": ((1, 3, 4), (6, 4, 2)),
        "4_4": ((2, 3, 3, 4), (2, 3, 4, 2)),
    }
    cases = [
        _pair_case(f"matmul_{label}", products.matmul, np.matmul, uniform(a), uniform(b))
        for label, (a, b) in shapes.items()
    ]
    cases += [
        _pair_case(
            "matmul_f32",
            products.matmul,
            np.matmul,
            uniform((2, 3, 4), "float32"),
            uniform((4, 5), "float32"),
        ),
        _pair_case(
            "matmul_int64_f32",
            products.matmul,
            np.matmul,
            integers((3, 4)),
            uniform((4, 2), "float32"),
            grad=False,
        ),
        _pair_case(
            "matmul_int16",
            products.matmul,
            np.matmul,
            integers((2, 3, 4), "int16"),
            integers((4, 2), "int16"),
            grad=False,
        ),
        _pair_case(
            "matmul_static_broadcast",
            products.matmul,
            np.matmul,
            uniform((2, 1, 3, 4)),
            uniform((5, 4, 2)),
            static_shapes=True,
        ),
        _pair_case(
            "matmul_operator", lambda a, b: a @ b, np.matmul, uniform((2, 3, 4)), uniform((2, 4, 5))
        ),
    ]
    return cases


def _tensordot_cases() -> list[OpCase]:
    axes_choices: dict[str, tuple[tuple[int, ...], tuple[int, ...], Any]] = {
        "axes0": ((2, 3), (4,), 0),
        "axes1": ((2, 3), (3, 4), 1),
        "axes2": ((2, 3, 4), (3, 4, 5), 2),
        "pairs": ((2, 3, 4), (4, 3, 5), ([1, 2], [1, 0])),
        "negative": ((2, 3, 4), (4, 5), ([-1], [0])),
        "ints": ((3, 4), (5, 3), (0, 1)),
        "all": ((3, 4), (3, 4), ([0, 1], [0, 1])),
    }
    cases = []
    for label, (shape_a, shape_b, axes) in axes_choices.items():
        cases.append(
            _pair_case(
                f"tensordot_{label}",
                lambda a, b, axes=axes: products.tensordot(a, b, axes=axes),
                lambda a, b, axes=axes: np.tensordot(a, b, axes=axes),
                uniform(shape_a),
                uniform(shape_b),
            )
        )
    cases.append(
        _pair_case(
            "tensordot_default_f32",
            products.tensordot,
            np.tensordot,
            uniform((2, 3, 4), "float32"),
            uniform((3, 4, 2), "float32"),
        )
    )
    return cases


def _batched_dot_reference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.dot(a[i], b[i])`` stacked over ``i``."""
    return np.stack([np.dot(x, y) for x, y in zip(a, b, strict=True)])


def _composition_cases() -> list[OpCase]:
    return [
        _pair_case("outer_vectors", tensor_math.outer, np.outer, uniform((3,)), uniform((4,))),
        _pair_case("outer_matrices", tensor_math.outer, np.outer, uniform((2, 3)), uniform((2, 2))),
        _pair_case(
            "outer_int_f32",
            tensor_math.outer,
            np.outer,
            integers((3,), "int32"),
            uniform((2,), "float32"),
            grad=False,
        ),
        _pair_case("inner_vectors", products.inner, np.inner, uniform((4,)), uniform((4,))),
        _pair_case("inner_matrices", products.inner, np.inner, uniform((2, 4)), uniform((3, 4))),
        _pair_case("inner_scalar", products.inner, np.inner, uniform(()), uniform((3,))),
        _pair_case(
            "batched_dot_3_3",
            tensor_math.batched_dot,
            _batched_dot_reference,
            uniform((5, 2, 3)),
            uniform((5, 3, 4)),
        ),
        _pair_case(
            "batched_dot_2_2",
            tensor_math.batched_dot,
            _batched_dot_reference,
            uniform((5, 3)),
            uniform((5, 3)),
        ),
        _pair_case(
            "batched_dot_3_2",
            tensor_math.batched_dot,
            _batched_dot_reference,
            uniform((5, 2, 3)),
            uniform((5, 3)),
        ),
        _pair_case(
            "batched_dot_2_3",
            tensor_math.batched_dot,
            _batched_dot_reference,
            uniform((5, 3)),
            uniform((5, 3, 4)),
        ),
    ]


CASES: list[OpCase] = [*_dot_cases(), *_matmul_cases(), *_tensordot_cases(), *_composition_cases()]
