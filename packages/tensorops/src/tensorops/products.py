"""Tensor products with NumPy's semantics: ``dot``, ``matmul``, ``tensordot`` and ``inner``;
sizes known at build time are checked at build time. ``outer`` and ``batched_dot``, built
from these and shape ops, are in ``tensorops.math``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply
from graphcore.graph.op import OutputStorage
from tensorops.dtypes import upcast
from tensorops.opsupport import (
    ValueOp,
    as_tensor_input,
    describe_shape,
    normalize_axis,
    store,
    tensor_output,
    tensor_type,
)
from tensorops.shape_entries import broadcast_shapes, static_broadcast

if TYPE_CHECKING:
    from graphcore.fgraph import FunctionGraph
    from tensorops.variable import TensorVariable

__all__ = [
    "Dot",
    "MatMul",
    "TensorDot",
    "dot",
    "inner",
    "matmul",
    "tensordot",
]


def check_aligned(
    op_name: str,
    shapes: tuple[Sequence[int | None], Sequence[int | None]],
    axes: tuple[Sequence[int], Sequence[int]],
) -> None:
    """Refuse, at build time, contracted axes whose static sizes are known to differ."""
    for axis_a, axis_b in zip(axes[0], axes[1], strict=True):
        size_a, size_b = shapes[0][axis_a], shapes[1][axis_b]
        if size_a is not None and size_b is not None and size_a != size_b:
            raise ValueError(
                f"{op_name}: shapes {describe_shape(shapes[0])} and {describe_shape(shapes[1])} "
                f"are not aligned: axis {axis_a} of the first has length {size_a} but axis "
                f"{axis_b} of the second has length {size_b}"
            )


# --- Dot: NumPy's dot for inputs of rank 0, 1 or 2 ---------------------------------------


def dot_shape(shape_a: Sequence[Any], shape_b: Sequence[Any]) -> tuple[Any, ...]:
    """Output shape of ``np.dot`` for ranks <= 2: a scalar scales, else the last axis of
    ``a`` meets the first (vector) or second-to-last (matrix) axis of ``b``."""
    if len(shape_a) == 0:
        return tuple(shape_b)
    if len(shape_b) == 0:
        return tuple(shape_a)
    return (*shape_a[:-1], *shape_b[1:])


class Dot(ValueOp):
    """``np.dot`` of two tensors of rank at most 2 (0-d inputs scale the other)."""

    def make_node(self, a: Any, b: Any) -> Apply:
        a, b = as_tensor_input(a, "dot"), as_tensor_input(b, "dot")
        if a.type.ndim > 2 or b.type.ndim > 2:
            raise TypeError(
                f"Dot takes inputs of rank <= 2, got ranks {a.type.ndim} and {b.type.ndim}; "
                "use dot() or tensordot() for higher ranks"
            )
        if a.type.ndim and b.type.ndim:
            check_aligned("dot", (a.type.shape, b.type.shape), ((a.type.ndim - 1,), (0,)))
        shape = dot_shape(a.type.shape, b.type.shape)
        return Apply(self, [a, b], [tensor_output(upcast(a.type.dtype, b.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        store(output_storage, 0, np.dot(inputs[0], inputs[1]), tensor_type(node.outputs[0]).dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [dot_shape(input_shapes[0], input_shapes[1])]


_dot = Dot()


# --- TensorDot ---------------------------------------------------------------------------


class TensorDot(ValueOp):
    """``np.tensordot(a, b, axes)`` with ``axes`` a pair of tuples of non-negative axes:
    the output has ``a``'s free axes, then ``b``'s, each in order."""

    __props__ = ("axes",)

    def __init__(self, axes: tuple[tuple[int, ...], tuple[int, ...]]):
        axes_a, axes_b = (tuple(int(axis) for axis in side) for side in axes)
        if len(axes_a) != len(axes_b):
            raise ValueError(f"tensordot: {axes_a} and {axes_b} must name as many axes each")
        self.axes = (axes_a, axes_b)

    def _free_shape(self, shape_a: Sequence[Any], shape_b: Sequence[Any]) -> tuple[Any, ...]:
        free_a = [entry for axis, entry in enumerate(shape_a) if axis not in self.axes[0]]
        free_b = [entry for axis, entry in enumerate(shape_b) if axis not in self.axes[1]]
        return (*free_a, *free_b)

    def make_node(self, a: Any, b: Any) -> Apply:
        a, b = as_tensor_input(a, "tensordot"), as_tensor_input(b, "tensordot")
        for axes, tensor in zip(self.axes, (a, b), strict=True):
            for axis in axes:
                normalize_axis(axis, tensor.type.ndim, "tensordot")
            if len(set(axes)) != len(axes):
                raise ValueError(f"tensordot: repeated axis in {axes}")
        check_aligned("tensordot", (a.type.shape, b.type.shape), self.axes)
        shape = self._free_shape(a.type.shape, b.type.shape)
        return Apply(self, [a, b], [tensor_output(upcast(a.type.dtype, b.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        value = np.tensordot(inputs[0], inputs[1], axes=self.axes)
        store(output_storage, 0, value, tensor_type(node.outputs[0]).dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [self._free_shape(input_shapes[0], input_shapes[1])]


def tensordot(a: Any, b: Any, axes: int | Sequence[int | Sequence[int]] = 2) -> TensorVariable:
    """Sum products over ``axes``: an int ``n`` pairs the last ``n`` axes of ``a`` with the
    first ``n`` of ``b``; a pair ``(axes_a, axes_b)`` names them (ints or sequences)."""
    a, b = as_tensor_input(a, "tensordot"), as_tensor_input(b, "tensordot")
    if isinstance(axes, (int, np.integer)):
        count = int(axes)
        if not 0 <= count <= min(a.type.ndim, b.type.ndim):
            raise ValueError(
                f"tensordot: axes={count} needs inputs of rank >= {count}, got ranks "
                f"{a.type.ndim} and {b.type.ndim}"
            )
        pair = (tuple(range(a.type.ndim - count, a.type.ndim)), tuple(range(count)))
    else:
        if len(axes) != 2:
            raise ValueError(
                f"tensordot: axes must be an int or a pair of axis lists, got {axes!r}"
            )
        sides = [(side,) if isinstance(side, (int, np.integer)) else tuple(side) for side in axes]
        pair = (
            tuple(normalize_axis(axis, a.type.ndim, "tensordot") for axis in sides[0]),
            tuple(normalize_axis(axis, b.type.ndim, "tensordot") for axis in sides[1]),
        )
    result: TensorVariable = TensorDot(pair)(a, b)
    return result


def dot(a: Any, b: Any) -> TensorVariable:
    """``np.dot``: scalars scale, vectors and matrices multiply, and for higher ranks the
    last axis of ``a`` is summed against the second-to-last of ``b``."""
    a, b = as_tensor_input(a, "dot"), as_tensor_input(b, "dot")
    if a.type.ndim <= 2 and b.type.ndim <= 2:
        result: TensorVariable = _dot(a, b)
        return result
    if a.type.ndim == 0 or b.type.ndim == 0:
        return tensordot(a, b, axes=0)
    return tensordot(a, b, axes=([a.type.ndim - 1], [max(0, b.type.ndim - 2)]))


# --- MatMul ------------------------------------------------------------------------------


def matmul_core(ndim_a: int, ndim_b: int) -> tuple[int, int]:
    """Ranks of the leading batch parts: a 1-d operand has none (it is promoted to a
    row or column that is dropped again from the output)."""
    return max(ndim_a - 2, 0), max(ndim_b - 2, 0)


class MatMul(ValueOp):
    """``np.matmul``: matrix products over the last two axes, broadcasting the others;
    a 1-d first (second) operand is a row (column) whose axis is removed afterwards."""

    @staticmethod
    def _shape(
        shape_a: Sequence[Any], shape_b: Sequence[Any], batch: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        rows = (shape_a[-2],) if len(shape_a) >= 2 else ()
        columns = (shape_b[-1],) if len(shape_b) >= 2 else ()
        return (*batch, *rows, *columns)

    def make_node(self, a: Any, b: Any) -> Apply:
        a, b = as_tensor_input(a, "matmul"), as_tensor_input(b, "matmul")
        shape_a, shape_b = a.type.shape, b.type.shape
        if not shape_a or not shape_b:
            raise ValueError(
                f"matmul: inputs must have rank >= 1 (use mul for scalars), got shapes "
                f"{describe_shape(shape_a)} and {describe_shape(shape_b)}"
            )
        row_axis = max(len(shape_b) - 2, 0)
        check_aligned("matmul", (shape_a, shape_b), ((len(shape_a) - 1,), (row_axis,)))
        batch_a, batch_b = matmul_core(len(shape_a), len(shape_b))
        try:
            batch = static_broadcast(shape_a[:batch_a], shape_b[:batch_b])
        except ValueError:
            raise ValueError(
                f"matmul: the batch axes of shapes {describe_shape(shape_a)} and "
                f"{describe_shape(shape_b)} cannot be broadcast together"
            ) from None
        shape = self._shape(shape_a, shape_b, batch)
        return Apply(self, [a, b], [tensor_output(upcast(a.type.dtype, b.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        value = np.matmul(inputs[0], inputs[1])
        store(output_storage, 0, value, tensor_type(node.outputs[0]).dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        shape_a, shape_b = input_shapes
        batch_a, batch_b = matmul_core(len(shape_a), len(shape_b))
        batch = broadcast_shapes(tuple(shape_a[:batch_a]), tuple(shape_b[:batch_b]))
        return [self._shape(shape_a, shape_b, batch)]


_matmul = MatMul()


def matmul(a: Any, b: Any) -> TensorVariable:
    """``a @ b`` as ``np.matmul``: batched over leading axes, which broadcast."""
    result: TensorVariable = _matmul(a, b)
    return result


# --- inner --------------------------------------------------------------------------


def inner(a: Any, b: Any) -> TensorVariable:
    """``np.inner``: sums over the last axes of both (a 0-d input scales the other)."""
    a, b = as_tensor_input(a, "inner"), as_tensor_input(b, "inner")
    if a.type.ndim == 0 or b.type.ndim == 0:
        return dot(a, b)
    return tensordot(a, b, axes=([a.type.ndim - 1], [b.type.ndim - 1]))
