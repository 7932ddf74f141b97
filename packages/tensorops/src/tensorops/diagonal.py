"""Diagonals: reading them (``diagonal``), building a matrix from one (``diag`` of a
vector) and writing one (``fill_diagonal``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Op
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, normalize_axis, tensor_output

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "AllocDiag",
    "ExtractDiag",
    "FillDiagonal",
    "diag",
    "diagonal",
    "fill_diagonal",
]


def _diagonal_length(rows: Any, columns: Any, offset: int) -> Any:
    """How many entries the ``offset``-th diagonal of a rows x columns matrix has."""
    if offset >= 0:
        length = entries.minimum(rows, entries.add(columns, -offset))
    else:
        length = entries.minimum(entries.add(rows, offset), columns)
    return entries.maximum(length, 0)


class ExtractDiag(Op):
    """``np.diagonal(x, offset, axis1, axis2)``: a read-only view with the diagonal last."""

    __props__ = ("offset", "axis1", "axis2")
    view_map = {0: [0]}  # noqa: RUF012

    def __init__(self, offset: int = 0, axis1: int = 0, axis2: int = 1):
        self.offset = int(offset)
        self.axis1 = int(axis1)
        self.axis2 = int(axis2)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "diagonal")
        if x.type.ndim < 2:
            raise ValueError(f"diagonal: needs at least 2 axes, got {x.type}")
        if self.axis1 == self.axis2 or not {self.axis1, self.axis2} <= set(range(x.type.ndim)):
            raise ValueError(f"diagonal: axes {self.axis1} and {self.axis2} do not fit {x.type}")
        return Apply(self, [x], [tensor_output(x.type.dtype, self._out_shape(x.type.shape))])

    def _out_shape(self, shape: Sequence[Any]) -> list[Any]:
        kept = [size for axis, size in enumerate(shape) if axis not in (self.axis1, self.axis2)]
        rows, columns = shape[self.axis1], shape[self.axis2]
        if rows is None or columns is None:
            return [*kept, None]
        return [*kept, _diagonal_length(rows, columns, self.offset)]

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.diagonal(inputs[0], self.offset, self.axis1, self.axis2)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        shape = input_shapes[0]
        kept = [size for axis, size in enumerate(shape) if axis not in (self.axis1, self.axis2)]
        length = _diagonal_length(shape[self.axis1], shape[self.axis2], self.offset)
        return [(*kept, length)]


def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """``np.diagonal``: the ``offset``-th diagonal of the ``axis1``/``axis2`` planes."""
    x = as_tensor_input(x, "diagonal")
    ndim = x.type.ndim
    axis1 = normalize_axis(axis1, ndim, "diagonal")
    axis2 = normalize_axis(axis2, ndim, "diagonal")
    return ExtractDiag(offset, axis1, axis2)(x)


class AllocDiag(Op):
    """``np.diag(v, offset)`` for a vector ``v``: a square matrix with ``v`` on a diagonal."""

    __props__ = ("offset",)

    def __init__(self, offset: int = 0):
        self.offset = int(offset)

    def make_node(self, v: Any) -> Apply:
        v = as_tensor_input(v, "diag")
        if v.type.ndim != 1:
            raise ValueError(f"AllocDiag: expected a vector, got {v.type}")
        length = v.type.shape[0]
        side = None if length is None else length + abs(self.offset)
        return Apply(self, [v], [tensor_output(v.type.dtype, (side, side))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.diag(inputs[0], self.offset)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        side = entries.add(input_shapes[0][0], abs(self.offset))
        return [(side, side)]


def diag(v: Any, k: int = 0) -> TensorVariable:
    """``np.diag``: the matrix with vector ``v`` on diagonal ``k``, or the ``k``-th diagonal of
    matrix ``v``."""
    v = as_tensor_input(v, "diag")
    if v.type.ndim == 1:
        return AllocDiag(k)(v)
    if v.type.ndim == 2:
        return diagonal(v, k)
    raise ValueError(f"diag: expected a vector or a matrix, got {v.type}")


class FillDiagonal(Op):
    """``np.fill_diagonal`` on a copy: ``a`` with its main diagonal set to ``value``."""

    def __eq__(self, other: object) -> bool:
        return type(other) is FillDiagonal

    def __hash__(self) -> int:
        return hash(FillDiagonal)

    def make_node(self, a: Any, value: Any) -> Apply:
        a = as_tensor_input(a, "fill_diagonal")
        value = as_tensor_input(value, "fill_diagonal")
        if a.type.ndim < 2:
            raise ValueError(f"fill_diagonal: needs at least 2 axes, got {a.type}")
        if value.type.ndim != 0:
            raise ValueError(f"fill_diagonal: the value must be a scalar, got {value.type}")
        if value.type.dtype != a.type.dtype:
            value = entries.cast(value, a.type.dtype)
        return Apply(self, [a, value], [tensor_output(a.type.dtype, a.type.shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        a, value = inputs
        out = a.copy()
        if a.ndim > 2 and len(set(a.shape)) != 1:
            raise ValueError(f"fill_diagonal: all axes must have one length, got shape {a.shape}")
        np.fill_diagonal(out, value)
        output_storage[0][0] = out

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [input_shapes[0]]


_fill_diagonal = FillDiagonal()


def fill_diagonal(a: Any, val: Any) -> TensorVariable:
    """``a`` with its main diagonal set to ``val`` (``a`` itself is unchanged)."""
    return _fill_diagonal(a, val)
