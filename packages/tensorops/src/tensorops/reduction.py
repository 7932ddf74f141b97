"""Reductions over axes: one ``Reduce`` op over a table of NumPy reductions, arg-reductions,
and the numerically stable ``logsumexp``, ``softmax`` and ``log_softmax``.

``var`` and ``std``, built from these, are in ``tensorops.math``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.special

from graphcore import Apply
from graphcore.graph.op import OutputStorage
from tensorops.dtypes import accumulating_dtype, floating_dtype
from tensorops.opsupport import (
    AxisArg,
    ValueOp,
    as_tensor_input,
    normalize_axes,
    normalize_axis,
    reduced_shape,
    store,
    tensor_output,
    tensor_type,
)
from tensorops.type import normalize_dtype

if TYPE_CHECKING:
    from graphcore.fgraph import FunctionGraph
    from tensorops.variable import TensorVariable

__all__ = [
    "ARG_REDUCTIONS",
    "REDUCTIONS",
    "ArgReduce",
    "LogSoftmax",
    "LogSumExp",
    "Reduce",
    "Reduction",
    "Softmax",
    "all",
    "any",
    "argmax",
    "argmin",
    "log_softmax",
    "logsumexp",
    "max",
    "max_and_argmax",
    "mean",
    "min",
    "prod",
    "softmax",
    "sum",
]


# --- dtype rules (NumPy's) -------------------------------------------------------------


def same_dtype(dtype: str) -> str:
    """max and min keep the input's dtype."""
    return dtype


def boolean_dtype(dtype: str) -> str:
    """all and any answer with booleans."""
    return "bool"


@dataclass(frozen=True)
class Reduction:
    """One row of the reduction table: its NumPy function and its output dtype rule."""

    name: str
    numpy_function: Callable[..., Any]
    output_dtype: Callable[[str], str]
    accepts_dtype: bool
    """Whether ``dtype=`` picks the accumulator, as for ``np.sum(x, dtype=...)``."""


REDUCTIONS: dict[str, Reduction] = {
    row.name: row
    for row in (
        Reduction("sum", np.sum, accumulating_dtype, accepts_dtype=True),
        Reduction("prod", np.prod, accumulating_dtype, accepts_dtype=True),
        Reduction("max", np.max, same_dtype, accepts_dtype=False),
        Reduction("min", np.min, same_dtype, accepts_dtype=False),
        Reduction("all", np.all, boolean_dtype, accepts_dtype=False),
        Reduction("any", np.any, boolean_dtype, accepts_dtype=False),
        Reduction("mean", np.mean, floating_dtype, accepts_dtype=True),
    )
}


# --- Reduce ----------------------------------------------------------------------------


class Reduce(ValueOp):
    """``REDUCTIONS[reduction]`` over ``axis`` (a sorted tuple of non-negative axes)."""

    __props__ = ("reduction", "axis", "keepdims", "dtype")

    def __init__(
        self,
        reduction: str,
        axis: tuple[int, ...],
        keepdims: bool = False,
        dtype: str | None = None,
    ):
        if reduction not in REDUCTIONS:
            raise ValueError(f"unknown reduction {reduction!r}; known: {sorted(REDUCTIONS)}")
        self.reduction = reduction
        self.axis = tuple(int(a) for a in axis)
        self.keepdims = bool(keepdims)
        self.dtype = None if dtype is None else normalize_dtype(dtype)

    def output_dtype(self, input_dtype: str) -> str:
        if self.dtype is not None:
            return self.dtype
        return REDUCTIONS[self.reduction].output_dtype(input_dtype)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, self.reduction)
        for axis in self.axis:
            normalize_axis(axis, x.type.ndim, self.reduction)
        shape = reduced_shape(x.type.shape, self.axis, self.keepdims)
        return Apply(self, [x], [tensor_output(self.output_dtype(x.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        (x,) = inputs
        row = REDUCTIONS[self.reduction]
        dtype = tensor_type(node.outputs[0]).dtype
        extra = {"dtype": dtype} if row.accepts_dtype else {}
        value = row.numpy_function(x, axis=self.axis, keepdims=self.keepdims, **extra)
        store(output_storage, 0, value, dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [reduced_shape(input_shapes[0], self.axis, self.keepdims)]

    def __str__(self) -> str:
        axis = "" if len(self.axis) == 0 else f"axis={self.axis}"
        return f"{self.reduction.capitalize()}{{{axis}}}" if axis else self.reduction.capitalize()


def _reduce(
    reduction: str, x: Any, axis: AxisArg, keepdims: bool, dtype: Any = None
) -> TensorVariable:
    tensor = as_tensor_input(x, reduction)
    axes = normalize_axes(axis, tensor.type.ndim, reduction)
    if dtype is not None and not REDUCTIONS[reduction].accepts_dtype:
        raise TypeError(f"{reduction} does not take a dtype")
    op = Reduce(reduction, axes, keepdims, dtype)
    result: TensorVariable = op(tensor)
    return result


def sum(x: Any, axis: AxisArg = None, dtype: Any = None, keepdims: bool = False) -> TensorVariable:
    """Sum over ``axis`` (None: all axes); int8 and bool sums are int64, as in NumPy."""
    return _reduce("sum", x, axis, keepdims, dtype)


def prod(x: Any, axis: AxisArg = None, dtype: Any = None, keepdims: bool = False) -> TensorVariable:
    """Product over ``axis``; the dtype rule is sum's."""
    return _reduce("prod", x, axis, keepdims, dtype)


def max(x: Any, axis: AxisArg = None, keepdims: bool = False) -> TensorVariable:
    """Maximum over ``axis``."""
    return _reduce("max", x, axis, keepdims)


def min(x: Any, axis: AxisArg = None, keepdims: bool = False) -> TensorVariable:
    """Minimum over ``axis``."""
    return _reduce("min", x, axis, keepdims)


def all(x: Any, axis: AxisArg = None, keepdims: bool = False) -> TensorVariable:
    """Whether every element over ``axis`` is true."""
    return _reduce("all", x, axis, keepdims)


def any(x: Any, axis: AxisArg = None, keepdims: bool = False) -> TensorVariable:
    """Whether some element over ``axis`` is true."""
    return _reduce("any", x, axis, keepdims)


def mean(x: Any, axis: AxisArg = None, dtype: Any = None, keepdims: bool = False) -> TensorVariable:
    """Mean over ``axis``; integer inputs give float64, float32 stays float32."""
    return _reduce("mean", x, axis, keepdims, dtype)


# --- argmax / argmin -------------------------------------------------------------------

ARG_REDUCTIONS: dict[str, Callable[..., Any]] = {"argmax": np.argmax, "argmin": np.argmin}


class ArgReduce(ValueOp):
    """The index of the max or min along one axis, or of the flattened array (axis None)."""

    __props__ = ("reduction", "axis", "keepdims")

    def __init__(self, reduction: str, axis: int | None, keepdims: bool = False):
        if reduction not in ARG_REDUCTIONS:
            raise ValueError(
                f"unknown arg-reduction {reduction!r}; known: {sorted(ARG_REDUCTIONS)}"
            )
        self.reduction = reduction
        self.axis = None if axis is None else int(axis)
        self.keepdims = bool(keepdims)

    def _axes(self, ndim: int) -> tuple[int, ...]:
        return tuple(range(ndim)) if self.axis is None else (self.axis,)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, self.reduction)
        if self.axis is not None:
            normalize_axis(self.axis, x.type.ndim, self.reduction)
        shape = reduced_shape(x.type.shape, self._axes(x.type.ndim), self.keepdims)
        return Apply(self, [x], [tensor_output("int64", shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        function = ARG_REDUCTIONS[self.reduction]
        store(
            output_storage, 0, function(inputs[0], axis=self.axis, keepdims=self.keepdims), "int64"
        )

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        axes = self._axes(len(input_shapes[0]))
        return [reduced_shape(input_shapes[0], axes, self.keepdims)]


def _arg_reduce(reduction: str, x: Any, axis: int | None, keepdims: bool) -> TensorVariable:
    tensor = as_tensor_input(x, reduction)
    if axis is not None and not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{reduction}: axis must be one int or None, got {axis!r}")
    normalized = None if axis is None else normalize_axis(axis, tensor.type.ndim, reduction)
    result: TensorVariable = ArgReduce(reduction, normalized, keepdims)(tensor)
    return result


def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> TensorVariable:
    """Index of the maximum along ``axis`` (None: of the flattened array), int64."""
    return _arg_reduce("argmax", x, axis, keepdims)


def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> TensorVariable:
    """Index of the minimum along ``axis`` (None: of the flattened array), int64."""
    return _arg_reduce("argmin", x, axis, keepdims)


def max_and_argmax(
    x: Any, axis: int | None = None, keepdims: bool = False
) -> tuple[TensorVariable, TensorVariable]:
    """The maximum and its index along one axis (None: over the flattened array)."""
    tensor = as_tensor_input(x, "max_and_argmax")
    return max(tensor, axis, keepdims), argmax(tensor, axis, keepdims)


# --- logsumexp, softmax, log_softmax ---------------------------------------------------


class LogSumExp(ValueOp):
    """``log(sum(exp(x)))`` over ``axis``, computed as ``m + log(sum(exp(x - m)))`` with
    ``m = max(x)`` so that large inputs do not overflow (scipy.special.logsumexp)."""

    __props__ = ("axis", "keepdims")

    def __init__(self, axis: tuple[int, ...], keepdims: bool = False):
        self.axis = tuple(int(a) for a in axis)
        self.keepdims = bool(keepdims)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "logsumexp")
        for axis in self.axis:
            normalize_axis(axis, x.type.ndim, "logsumexp")
        shape = reduced_shape(x.type.shape, self.axis, self.keepdims)
        return Apply(self, [x], [tensor_output(floating_dtype(x.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        (x,) = inputs
        dtype = tensor_type(node.outputs[0]).dtype
        if not self.axis:
            # Over no axis, log(exp(x)) is x itself; scipy would still shift and round.
            store(output_storage, 0, np.array(x, dtype=dtype), dtype)
            return
        if np.size(x) == 0:
            # log of an empty sum, -inf (SciPy 1.17 fails on several empty axes).
            empty = np.sum(np.exp(x), axis=self.axis, keepdims=self.keepdims)
            with np.errstate(divide="ignore"):
                store(output_storage, 0, np.log(empty), dtype)
            return
        with np.errstate(invalid="ignore"):
            value = scipy.special.logsumexp(x, axis=self.axis, keepdims=self.keepdims)
        store(output_storage, 0, value, dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [reduced_shape(input_shapes[0], self.axis, self.keepdims)]


def logsumexp(x: Any, axis: AxisArg = None, keepdims: bool = False) -> TensorVariable:
    """``log(sum(exp(x), axis))`` without overflow: [1000, 1000] gives 1000 + log 2."""
    tensor = as_tensor_input(x, "logsumexp")
    axes = normalize_axes(axis, tensor.type.ndim, "logsumexp")
    result: TensorVariable = LogSumExp(axes, keepdims)(tensor)
    return result


# softmax(x) = exp(x - m) / sum(exp(x - m)) and log_softmax(x) = x - logsumexp(x):
# both shift by the max first, so no exp overflows (scipy.special does exactly that).
NORMALIZERS: dict[str, Callable[..., Any]] = {
    "softmax": scipy.special.softmax,
    "log_softmax": scipy.special.log_softmax,
}


class _Normalize(ValueOp):
    """Shared body of Softmax and LogSoftmax: an elementwise-shaped op along ``axis``."""

    __props__ = ("axis",)
    normalizer: str = ""

    def __init__(self, axis: tuple[int, ...] | None):
        self.axis = None if axis is None else tuple(int(a) for a in axis)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, self.normalizer)
        for axis in self.axis or ():
            normalize_axis(axis, x.type.ndim, self.normalizer)
        return Apply(self, [x], [tensor_output(floating_dtype(x.type.dtype), x.type.shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        dtype = tensor_type(node.outputs[0]).dtype
        with np.errstate(invalid="ignore"):
            value = NORMALIZERS[self.normalizer](inputs[0], axis=self.axis)
        store(output_storage, 0, value, dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [tuple(input_shapes[0])]


class Softmax(_Normalize):
    """``exp(x) / sum(exp(x))`` along ``axis``, max-shifted."""

    normalizer = "softmax"


class LogSoftmax(_Normalize):
    """``x - logsumexp(x)`` along ``axis``, max-shifted."""

    normalizer = "log_softmax"


def softmax(x: Any, axis: AxisArg = -1) -> TensorVariable:
    """Softmax along ``axis`` (default the last; None: over all elements)."""
    tensor = as_tensor_input(x, "softmax")
    axes = None if axis is None else normalize_axes(axis, tensor.type.ndim, "softmax")
    result: TensorVariable = Softmax(axes)(tensor)
    return result


def log_softmax(x: Any, axis: AxisArg = -1) -> TensorVariable:
    """Log of the softmax along ``axis``, stable for large inputs."""
    tensor = as_tensor_input(x, "log_softmax")
    axes = None if axis is None else normalize_axes(axis, tensor.type.ndim, "log_softmax")
    result: TensorVariable = LogSoftmax(axes)(tensor)
    return result
