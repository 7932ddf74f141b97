"""Joining and splitting tensors along an axis: ``Join`` (``concatenate``) and ``Split``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.dtypes import upcast
from tensorops.opsupport import as_tensor_input, normalize_axis, tensor_output
from tensorops.sizes import MakeVector, shape_vector, vector_entries

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = ["Join", "Split", "concatenate", "join", "split"]


class Join(Op):
    """``np.concatenate(tensors, axis)`` for tensors of one dtype and rank."""

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = axis

    def make_node(self, *tensors: Any) -> Apply:
        inputs = [as_tensor_input(tensor, "Join") for tensor in tensors]
        if not inputs:
            raise ValueError("Join needs at least one tensor")
        first = inputs[0].type
        for position, tensor in enumerate(inputs):
            if tensor.type.ndim != first.ndim or tensor.type.dtype != first.dtype:
                raise TypeError(
                    f"Join: every input must be like the first ({first}); input {position} is "
                    f"{tensor.type} (cast or reshape it first)"
                )
        if not 0 <= self.axis < first.ndim:
            raise ValueError(
                f"Join: axis {self.axis} is out of range for inputs of ndim {first.ndim}"
            )
        shapes = [tensor.type.shape for tensor in inputs]
        out_shape: list[int | None] = []
        for axis in range(first.ndim):
            column = [shape[axis] for shape in shapes]
            if axis == self.axis:
                out_shape.append(None if None in column else sum(column))  # type: ignore[arg-type]
                continue
            known = {size for size in column if size is not None}
            if len(known) > 1:
                raise ValueError(
                    f"Join: inputs of shapes {shapes} differ along axis {axis}, which is not "
                    f"the joined axis {self.axis}"
                )
            out_shape.append(known.pop() if known else None)
        return Apply(self, inputs, [tensor_output(first.dtype, out_shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.concatenate(inputs, axis=self.axis)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        out_shape = []
        for axis in range(len(input_shapes[0])):
            column = [shape[axis] for shape in input_shapes]
            if axis == self.axis:
                out_shape.append(entries.total(column))
            else:
                known = [size for size in column if entries.constant_int(size) is not None]
                out_shape.append(known[0] if known else column[0])
        return [tuple(out_shape)]


def with_common_dtype(tensors: Sequence[TensorVariable]) -> list[TensorVariable]:
    dtype = upcast(*(tensor.type.dtype for tensor in tensors))
    return [
        tensor if tensor.type.dtype == dtype else entries.cast(tensor, dtype) for tensor in tensors
    ]


def concatenate(tensors: Sequence[Any], axis: int = 0) -> TensorVariable:
    """``np.concatenate``: tensors of one rank joined along ``axis`` (dtypes upcast)."""
    inputs = with_common_dtype([as_tensor_input(tensor, "concatenate") for tensor in tensors])
    if not inputs:
        raise ValueError("concatenate needs at least one tensor")
    if inputs[0].type.ndim == 0:
        raise ValueError("concatenate: zero-dimensional tensors cannot be concatenated; use stack")
    axis = normalize_axis(axis, inputs[0].type.ndim, "concatenate")
    return Join(axis)(*inputs)


def join(axis: Any, *tensors: Any) -> TensorVariable:
    """Theano's ``join(axis, *tensors)``: ``concatenate(tensors, axis)``."""
    known = entries.constant_int(axis)
    if known is None:
        raise TypeError(f"join: the axis must be known when the graph is built, got {axis}")
    return concatenate(tensors, known)


class Split(Op):
    """``x`` cut along ``axis`` into ``n_splits`` pieces of the sizes in ``splits`` (views)."""

    __props__ = ("n_splits", "axis")

    def __init__(self, n_splits: int, axis: int):
        self.n_splits = n_splits
        self.axis = axis
        # Every piece is a view of x; the map depends on how many pieces there are.
        self.view_map = {index: [0] for index in range(n_splits)}

    def make_node(self, x: Any, splits: Any) -> Apply:
        x = as_tensor_input(x, "Split")
        splits = shape_vector(splits, "Split: the split sizes")
        if not 0 <= self.axis < x.type.ndim:
            raise ValueError(f"Split: axis {self.axis} is out of range for {x.type}")
        if splits.type.shape[0] not in (None, self.n_splits):
            raise ValueError(
                f"Split: {self.n_splits} pieces asked, but {splits.type.shape[0]} sizes given"
            )
        sizes = _known_sizes(splits, self.n_splits)
        outputs = []
        for size in sizes:
            shape = list(x.type.shape)
            shape[self.axis] = size
            outputs.append(tensor_output(x.type.dtype, shape))
        return Apply(self, [x, splits], outputs)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, splits = inputs
        length = x.shape[self.axis]
        if len(splits) != self.n_splits or np.any(splits < 0) or splits.sum() != length:
            raise ValueError(
                f"Split: sizes {splits.tolist()} do not cut an axis of length {length} "
                f"(shape {x.shape}, axis {self.axis}) into {self.n_splits} pieces"
            )
        pieces = np.split(x, np.cumsum(splits[:-1]), axis=self.axis)
        for cell, piece in zip(output_storage, pieces, strict=True):
            cell[0] = piece

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        x_shape = list(input_shapes[0])
        shapes = []
        for size in vector_entries(node.inputs[1], self.n_splits):
            shape = list(x_shape)
            shape[self.axis] = size
            shapes.append(tuple(shape))
        return shapes


def _known_sizes(splits: Variable, count: int) -> list[int | None]:
    if isinstance(splits, Constant):
        return [int(size) for size in splits.data]
    if splits.owner is not None and isinstance(splits.owner.op, MakeVector):
        return [entries.constant_int(size) for size in splits.owner.inputs]
    return [None] * count


def split(
    x: Any, splits_size: Any, n_splits: int | None = None, axis: int = 0
) -> list[TensorVariable]:
    """Theano's ``split``: ``x`` cut along ``axis`` into pieces of the given sizes."""
    x = as_tensor_input(x, "split")
    splits = shape_vector(splits_size, "split: the split sizes")
    if n_splits is None:
        n_splits = splits.type.shape[0]
        if n_splits is None:
            raise ValueError("split: give n_splits when the sizes are a symbolic vector")
    axis = normalize_axis(axis, x.type.ndim, "split")
    pieces = Split(n_splits, axis)(x, splits)
    return list(pieces) if isinstance(pieces, list) else [pieces]
