"""Joining and splitting tensors: scalars into a vector, concatenate, stack, split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.dtypes import upcast
from tensorops.opsupport import as_tensor_input, normalize_axis, tensor_output
from tensorops.type import INTEGER_DTYPES, TensorType, normalize_dtype

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "Join",
    "MakeVector",
    "Split",
    "concatenate",
    "hstack",
    "join",
    "make_vector",
    "split",
    "stack",
    "vstack",
]


class MakeVector(Op):
    """Scalars into a vector ``[a, b, c]`` of one dtype (also how symbolic shapes are built)."""

    __props__ = ("dtype",)

    def __init__(self, dtype: Any = "int64"):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, *scalars: Any) -> Apply:
        inputs = [as_tensor_input(scalar, "MakeVector") for scalar in scalars]
        for position, scalar in enumerate(inputs):
            if scalar.type.ndim != 0:
                raise TypeError(f"MakeVector: input {position} must be a scalar, got {scalar.type}")
            if not np.can_cast(scalar.type.dtype, self.dtype):
                raise TypeError(
                    f"MakeVector: input {position} of dtype {scalar.type.dtype} cannot be "
                    f"safely stored as {self.dtype}"
                )
        return Apply(self, inputs, [tensor_output(self.dtype, (len(inputs),))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.array(inputs, dtype=self.dtype).reshape(len(inputs))

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(len(node.inputs),)]


def vector_entries(vector: Variable, length: int | None = None) -> list[Any]:
    """The entries of a vector of known (static or given) length: ints where known, else
    symbolic scalars.

    Reads through constants and ``MakeVector``, so ``reshape(x, (n, 3))`` keeps its 3.
    """
    length = vector.type.shape[0] if length is None else length  # type: ignore[attr-defined]
    if isinstance(vector, Constant):
        return [int(value) for value in vector.data]
    if vector.owner is not None and isinstance(vector.owner.op, MakeVector):
        return [entries.as_entry(scalar, "a vector entry") for scalar in vector.owner.inputs]
    if length is None:
        raise ValueError(f"the length of the vector {vector} must be known when the graph is built")
    from tensorops.indexing import getitem

    return [getitem(vector, position) for position in range(length)]


def shape_vector(shape: Any, what: str) -> TensorVariable:
    """A shape given as ints, symbolic scalars or a symbolic vector, as an int64 vector."""
    if isinstance(shape, Variable):
        if not isinstance(shape.type, TensorType) or shape.type.dtype not in INTEGER_DTYPES:
            raise TypeError(f"{what} must be integers, got {shape} of type {shape.type}")
        if shape.type.ndim == 0:
            return make_vector([shape])
        if shape.type.ndim != 1:
            raise TypeError(f"{what} must be a vector of sizes, got {shape.type}")
        if shape.type.dtype != "int64":
            return entries.cast(shape, "int64")
        return shape  # type: ignore[return-value]
    if entries.is_int(shape):
        shape = (shape,)
    sizes = [entries.as_int64_scalar(size, what) for size in shape]
    if all(isinstance(size, Constant) for size in sizes):
        values = np.array([int(size.data) for size in sizes], dtype="int64")  # type: ignore[attr-defined]
        return entries.tensor_constant(values)
    return make_vector(sizes)


def make_vector(scalars: Sequence[Any], dtype: Any = "int64") -> TensorVariable:
    """A vector from scalars (ints or symbolic int scalars by default)."""
    return MakeVector(dtype)(*scalars)


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


def _common_dtype(tensors: Sequence[TensorVariable]) -> list[TensorVariable]:
    dtype = upcast(*(tensor.type.dtype for tensor in tensors))
    return [
        tensor if tensor.type.dtype == dtype else entries.cast(tensor, dtype) for tensor in tensors
    ]


def concatenate(tensors: Sequence[Any], axis: int = 0) -> TensorVariable:
    """``np.concatenate``: tensors of one rank joined along ``axis`` (dtypes upcast)."""
    inputs = _common_dtype([as_tensor_input(tensor, "concatenate") for tensor in tensors])
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


def stack(tensors: Sequence[Any], axis: int = 0) -> TensorVariable:
    """``np.stack``: tensors of one shape joined along a new axis."""
    from tensorops.shape import expand_dims

    inputs = _common_dtype([as_tensor_input(tensor, "stack") for tensor in tensors])
    if not inputs:
        raise ValueError("stack needs at least one tensor")
    ndim = inputs[0].type.ndim
    axis = normalize_axis(axis, ndim + 1, "stack")
    if ndim == 0:
        return make_vector(inputs, inputs[0].type.dtype)
    return Join(axis)(*(expand_dims(tensor, axis) for tensor in inputs))


def _at_least(tensor: TensorVariable, ndim: int) -> TensorVariable:
    """``np.atleast_1d`` / ``np.atleast_2d``: new axes on the left."""
    from tensorops.shape import shape_padleft

    rank = tensor.type.ndim
    return tensor if rank >= ndim else shape_padleft(tensor, ndim - rank)


def vstack(tensors: Sequence[Any]) -> TensorVariable:
    """``np.vstack``: tensors made at least 2-d, joined along axis 0."""
    inputs = [_at_least(as_tensor_input(tensor, "vstack"), 2) for tensor in tensors]
    return concatenate(inputs, 0)


def hstack(tensors: Sequence[Any]) -> TensorVariable:
    """``np.hstack``: vectors joined end to end, other tensors along axis 1."""
    inputs = [_at_least(as_tensor_input(tensor, "hstack"), 1) for tensor in tensors]
    return concatenate(inputs, 0 if inputs and inputs[0].type.ndim == 1 else 1)


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
