"""Ops that make tensors: filled (``Alloc``, ``AllocEmpty``), ranges (``ARange``), matrices
(``Eye``, ``Tri``) and repetition (``Repeat``), each with its NumPy function."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable, config
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, tensor_output
from tensorops.sizes import vector_entries
from tensorops.type import INTEGER_DTYPES, normalize_dtype

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "ARange",
    "Alloc",
    "AllocEmpty",
    "Eye",
    "Repeat",
    "Tri",
    "alloc",
    "arange",
    "empty",
    "eye",
    "tri",
]


def _size_inputs(shape: Sequence[Any], what: str) -> list[TensorVariable]:
    return [entries.as_int64_scalar(size, what) for size in shape]


class Alloc(Op):
    """A tensor of the given shape filled with ``value`` broadcast to it."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Alloc

    def __hash__(self) -> int:
        return hash(Alloc)

    def make_node(self, value: Any, *shape: Any) -> Apply:
        value = as_tensor_input(value, "Alloc")
        sizes = _size_inputs(shape, "alloc: a size")
        if value.type.ndim > len(sizes):
            raise ValueError(
                f"alloc: the value ({value.type}) has more axes than the shape ({len(sizes)})"
            )
        out_shape = list(entries.static_entries(sizes))
        value_shape = (None,) * (len(sizes) - value.type.ndim) + value.type.shape
        for axis, (size, value_size) in enumerate(zip(out_shape, value_shape, strict=True)):
            if value_size is None or value_size == 1:
                continue
            if size is None:
                out_shape[axis] = value_size
            elif size != value_size:
                raise ValueError(
                    f"alloc: a value of shape {value.type.shape} cannot fill axis {axis} of "
                    f"size {size}"
                )
        return Apply(self, [value, *sizes], [tensor_output(value.type.dtype, out_shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        value, *sizes = inputs
        shape = tuple(int(size) for size in sizes)
        # A new array each call: last call's buffer may still be read through a view
        # that an update handed to a shared variable.
        out = np.empty(shape, dtype=value.dtype)
        out[...] = value
        output_storage[0][0] = out

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(node.inputs[1:])]


_alloc = Alloc()


def shape_arg_entries(shape: Any) -> list[Any]:
    """A shape given as an int, a sequence, or a symbolic vector, entry by entry."""
    if isinstance(shape, Variable) and shape.type.ndim == 1:  # type: ignore[attr-defined]
        return vector_entries(shape)
    if entries.is_int(shape) or isinstance(shape, Variable):
        return [shape]
    return list(shape)


def alloc(value: Any, *shape: Any) -> TensorVariable:
    """A tensor of ``shape`` filled with ``value`` (broadcast as NumPy does)."""
    if len(shape) == 1 and not entries.is_int(shape[0]) and not _is_scalar_var(shape[0]):
        shape = tuple(shape_arg_entries(shape[0]))
    return _alloc(value, *shape)


def _is_scalar_var(value: Any) -> bool:
    return isinstance(value, Variable) and value.type.ndim == 0  # type: ignore[attr-defined]


class AllocEmpty(Op):
    """``np.empty``: a tensor of the given shape whose values are not set."""

    __props__ = ("dtype",)

    def __init__(self, dtype: Any):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, *shape: Any) -> Apply:
        sizes = _size_inputs(shape, "empty: a size")
        return Apply(self, sizes, [tensor_output(self.dtype, entries.static_entries(sizes))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        shape = tuple(int(size) for size in inputs)
        output_storage[0][0] = np.empty(shape, dtype=self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(node.inputs)]


def empty(shape: Any, dtype: Any = None) -> TensorVariable:
    """``np.empty``; the dtype defaults to floatX."""
    return AllocEmpty(dtype)(*shape_arg_entries(shape))


class ARange(Op):
    """``np.arange(start, stop, step)`` of ``dtype``."""

    __props__ = ("dtype",)

    def __init__(self, dtype: Any):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, start: Any, stop: Any, step: Any) -> Apply:
        bounds = [as_tensor_input(value, "arange") for value in (start, stop, step)]
        for name, bound in zip(("start", "stop", "step"), bounds, strict=True):
            if bound.type.ndim != 0:
                raise TypeError(f"arange: {name} must be a scalar, got {bound.type}")
        length = None
        if all(isinstance(bound, Constant) for bound in bounds):
            values = [bound.data.item() for bound in bounds]  # type: ignore[attr-defined]
            if values[2] == 0:
                raise ValueError("arange: step must not be 0")
            length = len(np.arange(*values))
        return Apply(self, bounds, [tensor_output(self.dtype, (length,))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        start, stop, step = (value.item() for value in inputs)
        output_storage[0][0] = np.arange(start, stop, step, dtype=self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        start, stop, step = node.inputs
        if all(bound.type.dtype in INTEGER_DTYPES for bound in node.inputs):  # type: ignore[attr-defined]
            # ceil((stop - start) / step) in integers: -((start - stop) // step).
            length = -((start - stop) // step)  # type: ignore[operator]
        else:
            length = entries.elementwise("ceil")((stop - start) / step)  # type: ignore[operator]
        return [(entries.maximum(entries.cast(length, "int64"), 0),)]


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> TensorVariable:
    """``np.arange`` with scalar (possibly symbolic) bounds; integers give int64."""
    if stop is None:
        start, stop = 0, start
    bounds = [_bound(value) for value in (start, stop, step)]
    if dtype is None:
        dtypes = [bound.type.dtype for bound in bounds]
        dtype = "int64" if all(d in INTEGER_DTYPES for d in dtypes) else np.result_type(*dtypes)
    return ARange(dtype)(*bounds)


def _bound(value: Any) -> TensorVariable:
    if isinstance(value, Variable):
        return as_tensor_input(value, "arange")
    kind = np.asarray(value).dtype.kind
    if kind in "iu":
        return entries.int64_constant(int(value))
    if kind == "f":
        return entries.tensor_constant(np.asarray(value, dtype=config.floatX))
    raise TypeError(f"arange: bounds must be numbers, got {value!r}")


class Eye(Op):
    """``np.eye(n, m, k)`` of ``dtype``."""

    __props__ = ("dtype",)

    def __init__(self, dtype: Any):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, n: Any, m: Any, k: Any) -> Apply:
        sizes = _size_inputs((n, m, k), "eye: n, m and k")
        return Apply(self, sizes, [tensor_output(self.dtype, entries.static_entries(sizes[:2]))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        n, m, k = (int(value) for value in inputs)
        output_storage[0][0] = np.eye(n, m, k, dtype=self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(node.inputs[:2])]


def eye(n: Any, m: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:
    """``np.eye``: ones on the ``k``-th diagonal of an ``n`` x ``m`` matrix; dtype floatX."""
    return Eye(normalize_dtype(dtype))(n, n if m is None else m, k)


class Tri(Op):
    """``np.tri(n, m, k)`` of ``dtype``: ones at and below the ``k``-th diagonal."""

    __props__ = ("dtype",)

    def __init__(self, dtype: Any):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, n: Any, m: Any, k: Any) -> Apply:
        sizes = _size_inputs((n, m, k), "tri: N, M and k")
        return Apply(self, sizes, [tensor_output(self.dtype, entries.static_entries(sizes[:2]))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        n, m, k = (int(value) for value in inputs)
        output_storage[0][0] = np.tri(n, m, k, dtype=self.dtype)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [tuple(node.inputs[:2])]


def tri(N: Any, M: Any = None, k: Any = 0, dtype: Any = None) -> TensorVariable:
    """``np.tri``; dtype floatX by default."""
    return Tri(normalize_dtype(dtype))(N, N if M is None else M, k)


class Repeat(Op):
    """``np.repeat(x, repeats, axis)``: each entry along ``axis`` repeated (a count per entry,
    or one count for all)."""

    __props__ = ("axis",)

    def __init__(self, axis: int):
        self.axis = int(axis)

    def make_node(self, x: Any, repeats: Any) -> Apply:
        x = as_tensor_input(x, "repeat")
        repeats = as_tensor_input(repeats, "repeat")
        if repeats.type.dtype not in INTEGER_DTYPES or repeats.type.ndim > 1:
            raise TypeError(
                f"repeat: repeats must be an integer scalar or vector, got {repeats.type}"
            )
        if not 0 <= self.axis < x.type.ndim:
            raise ValueError(f"repeat: axis {self.axis} is out of range for {x.type}")
        shape = list(x.type.shape)
        shape[self.axis] = self._static_length(shape[self.axis], repeats)
        return Apply(self, [x, repeats], [tensor_output(x.type.dtype, shape)])

    @staticmethod
    def _static_length(size: int | None, repeats: Variable) -> int | None:
        if not isinstance(repeats, Constant):
            return None
        counts = repeats.data
        if counts.ndim == 1 and counts.shape[0] != 1:
            return int(counts.sum())
        return None if size is None else size * int(counts.reshape(()))

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, repeats = inputs
        output_storage[0][0] = np.repeat(x, repeats, axis=self.axis)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        shape = list(input_shapes[0])
        size, counts = shape[self.axis], node.inputs[1]
        if counts.type.ndim == 0:  # type: ignore[attr-defined]
            shape[self.axis] = entries.multiply(size, entries.as_entry(counts, "repeats"))
            return [tuple(shape)]
        total = entries.cast(as_tensor_input(counts, "repeat").sum(), "int64")
        n_counts = entries.constant_int(input_shapes[1][0])
        if n_counts is not None and n_counts != 1:
            shape[self.axis] = total
        elif n_counts == 1:
            shape[self.axis] = entries.multiply(size, total)
        else:
            # A single count is broadcast to every entry, as NumPy does.
            broadcast = entries.multiply(size, total)
            shape[self.axis] = entries.switch(
                entries.elementwise("eq")(input_shapes[1][0], 1), broadcast, total
            )
        return [tuple(shape)]
