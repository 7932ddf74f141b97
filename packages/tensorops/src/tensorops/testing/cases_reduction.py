"""Op-table rows for reductions, arg-reductions, logsumexp/softmax, cumulative ops and
sorting, checked against NumPy and SciPy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special

from tensorops import cumulative, reduction
from tensorops import math as tensor_math
from tensorops.sort import argsort, sort
from tensorops.testing.case import OpCase, ValueMaker
from tensorops.testing.harness import CHECK_DTYPE
from tensorops.testing.value_makers import (
    booleans,
    fixed,
    integers,
    positive,
    shifted,
    uniform,
)

TAGS = frozenset({"reduction", CHECK_DTYPE})
AXES: tuple[Any, ...] = (None, 0, 1, -1, (0, 1), ())


def _axis_label(axis: Any) -> str:
    """An axis choice as a test-id fragment: ``all``, ``0``, ``m1`` (-1), ``0_1``, ``none`` (())."""
    if axis is None:
        return "all"
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if not axes:
        return "none"
    return "_".join(f"m{-a}" if a < 0 else str(a) for a in axes)


def _reduction_case(
    name: str,
    ours: Callable[..., Any],
    numpy_function: Callable[..., Any],
    maker: ValueMaker,
    label: str,
    axis: Any,
    keepdims: bool,
    grad: bool = True,
) -> OpCase:
    return OpCase(
        name=f"{name}_{label}_axis{_axis_label(axis)}{'_keepdims' if keepdims else ''}",
        build=lambda x: ours(x, axis=axis, keepdims=keepdims),
        reference=lambda x: numpy_function(x, axis=axis, keepdims=keepdims),
        inputs=[maker],
        grad=grad,
        tags=TAGS,
    )


REDUCTION_FUNCTIONS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "sum": (reduction.sum, np.sum),
    "prod": (reduction.prod, np.prod),
    "max": (reduction.max, np.max),
    "min": (reduction.min, np.min),
    "mean": (reduction.mean, np.mean),
    "all": (reduction.all, np.all),
    "any": (reduction.any, np.any),
}
NOT_DIFFERENTIABLE = {"all", "any"}


def _reduction_grid() -> list[OpCase]:
    """Every reduction over every axis choice, with and without keepdims, on a float64
    matrix; then the dtype rules on a smaller grid."""
    cases = []
    for name, (ours, numpy_function) in REDUCTION_FUNCTIONS.items():
        maker = positive((3, 4)) if name == "prod" else uniform((3, 4))
        for axis in AXES:
            for keepdims in (False, True):
                grad = name not in NOT_DIFFERENTIABLE
                cases.append(
                    _reduction_case(name, ours, numpy_function, maker, "f64", axis, keepdims, grad)
                )
    other_inputs: dict[str, ValueMaker] = {
        "f32": uniform((3, 4), "float32"),
        "int8": integers((3, 4), "int8"),
        "uint8": integers((3, 4), "uint8", 0, 5),
        "bool": booleans((3, 4)),
        "tensor3": uniform((2, 3, 4)),
    }
    for label, maker in other_inputs.items():
        grad = label in ("f32", "tensor3")
        for name, (ours, numpy_function) in REDUCTION_FUNCTIONS.items():
            # Products of many uniform(-1, 1) values vanish; keep them away from zero.
            values = positive((2, 3, 4)) if (name, label) == ("prod", "tensor3") else maker
            for axis in (None, 1, (0, -1)):
                differentiable = grad and name not in NOT_DIFFERENTIABLE
                cases.append(
                    _reduction_case(
                        name, ours, numpy_function, values, label, axis, False, differentiable
                    )
                )
    return cases


def _edge_cases() -> list[OpCase]:
    """Empty inputs where NumPy defines a result, 0-d inputs, and an explicit dtype."""
    empty = fixed(np.zeros((0, 3)))
    return [
        OpCase("sum_empty_all", reduction.sum, np.sum, [empty], tags=TAGS),
        OpCase(
            "sum_empty_axis0",
            lambda x: reduction.sum(x, axis=0),
            lambda x: np.sum(x, axis=0),
            [empty],
            tags=TAGS,
        ),
        OpCase(
            "prod_empty_axis0",
            lambda x: reduction.prod(x, axis=0),
            lambda x: np.prod(x, axis=0),
            [empty],
            tags=TAGS,
        ),
        OpCase("all_empty", reduction.all, np.all, [empty], grad=False, tags=TAGS),
        OpCase(
            "any_empty_axis1",
            lambda x: reduction.any(x, axis=1),
            lambda x: np.any(x, axis=1),
            [empty],
            grad=False,
            tags=TAGS,
        ),
        OpCase(
            "max_empty_axis1",
            lambda x: reduction.max(x, axis=1),
            lambda x: np.max(x, axis=1),
            [empty],
            tags=TAGS,
        ),
        OpCase("sum_scalar", reduction.sum, np.sum, [uniform(())], tags=TAGS),
        OpCase("max_scalar", reduction.max, np.max, [uniform(())], tags=TAGS),
        OpCase(
            "sum_int8_dtype_int16",
            lambda x: reduction.sum(x, axis=0, dtype="int16"),
            lambda x: np.sum(x, axis=0, dtype="int16"),
            [integers((3, 4), "int8")],
            grad=False,
            tags=TAGS,
        ),
        OpCase(
            "sum_f32_dtype_f64",
            lambda x: reduction.sum(x, dtype="float64"),
            lambda x: np.sum(x, dtype="float64"),
            [uniform((3, 4), "float32")],
            tags=TAGS,
        ),
        OpCase(
            "sum_static_shape",
            lambda x: reduction.sum(x, axis=1, keepdims=True),
            lambda x: np.sum(x, axis=1, keepdims=True),
            [uniform((3, 4))],
            static_shapes=True,
            tags=TAGS,
        ),
    ]


def _statistics() -> list[OpCase]:
    """mean/var/std over axes and ddof."""
    cases = []
    for label, maker in (("f64", uniform((3, 4))), ("f32", uniform((3, 4), "float32"))):
        for axis in (None, 0, -1, (0, 1)):
            for ddof in (0, 1):
                for name, ours, numpy_function in (
                    ("var", tensor_math.var, np.var),
                    ("std", tensor_math.std, np.std),
                ):
                    cases.append(
                        OpCase(
                            f"{name}_{label}_axis{_axis_label(axis)}_ddof{ddof}",
                            lambda x, ours=ours, axis=axis, ddof=ddof: ours(
                                x, axis=axis, ddof=ddof
                            ),
                            lambda x, f=numpy_function, axis=axis, ddof=ddof: f(
                                x, axis=axis, ddof=ddof
                            ),
                            [maker],
                            tags=TAGS,
                        )
                    )
    cases.append(
        OpCase(
            "var_int_keepdims",
            lambda x: tensor_math.var(x, axis=1, keepdims=True),
            lambda x: np.var(x, axis=1, keepdims=True),
            [integers((3, 4), "int32")],
            grad=False,
            tags=TAGS,
        )
    )
    return cases


def _arg_reductions() -> list[OpCase]:
    cases = []
    for name, ours, numpy_function in (
        ("argmax", reduction.argmax, np.argmax),
        ("argmin", reduction.argmin, np.argmin),
    ):
        for label, maker in (
            ("f64", uniform((3, 4))),
            ("int16", integers((3, 4), "int16", -100, 100)),
        ):
            for axis in (None, 0, -1):
                for keepdims in (False, True):
                    suffix = "_keepdims" if keepdims else ""
                    cases.append(
                        OpCase(
                            f"{name}_{label}_axis{_axis_label(axis)}{suffix}",
                            lambda x, ours=ours, axis=axis, keepdims=keepdims: ours(
                                x, axis=axis, keepdims=keepdims
                            ),
                            lambda x, f=numpy_function, axis=axis, keepdims=keepdims: f(
                                x, axis=axis, keepdims=keepdims
                            ),
                            [maker],
                            grad=False,
                            tags=TAGS,
                        )
                    )
    return cases


def _logsumexp_and_softmax() -> list[OpCase]:
    big = shifted(uniform((3, 4)), 1000.0)
    cases = []
    for axis in (None, 0, -1, (0, 1)):
        for keepdims in (False, True):
            cases.append(
                OpCase(
                    f"logsumexp_axis{_axis_label(axis)}{'_keepdims' if keepdims else ''}",
                    lambda x, axis=axis, keepdims=keepdims: reduction.logsumexp(x, axis, keepdims),
                    lambda x, axis=axis, keepdims=keepdims: scipy.special.logsumexp(
                        x, axis, keepdims=keepdims
                    ),
                    [uniform((3, 4))],
                    tags=TAGS,
                )
            )
    cases += [
        OpCase(
            "logsumexp_large",
            lambda x: reduction.logsumexp(x, 1),
            lambda x: scipy.special.logsumexp(x, 1),
            [big],
            tags=TAGS,
        ),
        OpCase(
            "logsumexp_equal_large",
            reduction.logsumexp,
            lambda x: 1000 + np.log(2),
            [fixed([1000.0, 1000.0])],
            grad=False,
            tags=TAGS,
        ),
        OpCase(
            "logsumexp_all_neg_inf",
            reduction.logsumexp,
            lambda x: -np.inf,
            [fixed([-np.inf, -np.inf])],
            grad=False,
            tags=TAGS,
        ),
        OpCase(
            "logsumexp_f32",
            lambda x: reduction.logsumexp(x, -1),
            lambda x: scipy.special.logsumexp(x, -1),
            [uniform((3, 4), "float32")],
            tags=TAGS,
        ),
        OpCase(
            "logsumexp_empty_axis0",
            lambda x: reduction.logsumexp(x, 0),
            lambda x: np.full(3, -np.inf),
            [fixed(np.zeros((0, 3)))],
            grad=False,
            tags=TAGS,
        ),
        OpCase(
            "logsumexp_empty_all_axes",
            lambda x: reduction.logsumexp(x, (0, 1)),
            lambda x: np.array(-np.inf),
            [fixed(np.zeros((3, 0)))],
            grad=False,
            tags=TAGS,
        ),
    ]
    for name, ours, reference in (
        ("softmax", reduction.softmax, scipy.special.softmax),
        ("log_softmax", reduction.log_softmax, scipy.special.log_softmax),
    ):
        for axis in (-1, 0, None):
            cases.append(
                OpCase(
                    f"{name}_axis{_axis_label(axis)}",
                    lambda x, ours=ours, axis=axis: ours(x, axis=axis),
                    lambda x, f=reference, axis=axis: f(x, axis=axis),
                    [uniform((3, 4))],
                    tags=TAGS,
                )
            )
        cases.append(
            OpCase(
                f"{name}_large",
                lambda x, ours=ours: ours(x),
                lambda x, f=reference: f(x, axis=-1),
                [shifted(uniform((3, 4), low=-500, high=500), 1000.0)],
                tags=TAGS,
            )
        )
        cases.append(
            OpCase(
                f"{name}_f32",
                lambda x, ours=ours: ours(x),
                lambda x, f=reference: f(x, axis=-1),
                [uniform((2, 5), "float32")],
                tags=TAGS,
            )
        )
    return cases


def _cumulative_and_sort() -> list[OpCase]:
    cases = []
    for name, ours, numpy_function in (
        ("cumsum", cumulative.cumsum, np.cumsum),
        ("cumprod", cumulative.cumprod, np.cumprod),
    ):
        for label, maker, grad in (
            ("f64", positive((3, 4)), True),
            ("f32", positive((3, 4), "float32"), True),
            ("int8", integers((3, 4), "int8", -3, 4), False),
            ("bool", booleans((3, 4)), False),
        ):
            for axis in (None, 0, -1):
                cases.append(
                    OpCase(
                        f"{name}_{label}_axis{_axis_label(axis)}",
                        lambda x, ours=ours, axis=axis: ours(x, axis=axis),
                        lambda x, f=numpy_function, axis=axis: f(x, axis=axis),
                        [maker],
                        grad=grad,
                        tags=TAGS,
                    )
                )
    for n, axis in ((1, -1), (2, 0), (1, 0)):
        cases.append(
            OpCase(
                f"diff_n{n}_axis{axis}",
                lambda x, n=n, axis=axis: tensor_math.diff(x, n=n, axis=axis),
                lambda x, n=n, axis=axis: np.diff(x, n=n, axis=axis),
                [uniform((4, 5))],
                tags=TAGS,
            )
        )
    for label, maker, grad in (
        ("f64", uniform((3, 5)), True),
        ("int32", integers((3, 5), "int32", -100, 100), False),
    ):
        for axis in (-1, 0, None):
            cases.append(
                OpCase(
                    f"sort_{label}_axis{_axis_label(axis)}",
                    lambda x, axis=axis: sort(x, axis=axis),
                    lambda x, axis=axis: np.sort(x, axis=axis),
                    [maker],
                    grad=grad,
                    tags=TAGS,
                )
            )
            cases.append(
                OpCase(
                    f"argsort_{label}_axis{_axis_label(axis)}",
                    lambda x, axis=axis: argsort(x, axis=axis, kind="stable"),
                    lambda x, axis=axis: np.argsort(x, axis=axis, kind="stable"),
                    [maker],
                    grad=False,
                    tags=TAGS,
                )
            )
    return cases


CASES: list[OpCase] = [
    *_reduction_grid(),
    *_edge_cases(),
    *_statistics(),
    *_arg_reductions(),
    *_logsumexp_and_softmax(),
    *_cumulative_and_sort(),
]
