"""Making tensors: filled (alloc, zeros, ones, full, *_like, empty), ranges (arange),
matrices (eye, tri, tril, triu, diag), and repetition (tile, repeat)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable, config
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.diagonal import AllocDiag, ExtractDiag, FillDiagonal, diag, diagonal, fill_diagonal
from tensorops.join import vector_entries
from tensorops.opsupport import as_tensor_input, normalize_axis, tensor_output
from tensorops.shape import reshape, shape_tuple
from tensorops.type import INTEGER_DTYPES, TensorType, normalize_dtype

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "ARange",
    "Alloc",
    "AllocDiag",
    "AllocEmpty",
    "ExtractDiag",
    "Eye",
    "FillDiagonal",
    "Repeat",
    "Tri",
    "alloc",
    "arange",
    "diag",
    "diagonal",
    "empty",
    "eye",
    "fill_diagonal",
    "full",
    "full_like",
    "identity_like",
    "ones",
    "ones_like",
    "repeat",
    "tile",
    "tri",
    "tril",
    "triu",
    "zeros",
    "zeros_like",
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


def _shape_entries(shape: Any) -> list[Any]:
    """A shape given as an int, a sequence, or a symbolic vector, entry by entry."""
    if isinstance(shape, Variable) and shape.type.ndim == 1:  # type: ignore[attr-defined]
        return vector_entries(shape)
    if entries.is_int(shape) or isinstance(shape, Variable):
        return [shape]
    return list(shape)


def alloc(value: Any, *shape: Any) -> TensorVariable:
    """A tensor of ``shape`` filled with ``value`` (broadcast as NumPy does)."""
    if len(shape) == 1 and not entries.is_int(shape[0]) and not _is_scalar_var(shape[0]):
        shape = tuple(_shape_entries(shape[0]))
    return _alloc(value, *shape)


def _is_scalar_var(value: Any) -> bool:
    return isinstance(value, Variable) and value.type.ndim == 0  # type: ignore[attr-defined]


def _fill_value(fill_value: Any, dtype: Any) -> TensorVariable:
    """The fill value as a scalar tensor of ``dtype`` (Python floats default to floatX)."""
    if isinstance(fill_value, Variable):
        value = as_tensor_input(fill_value, "full")
        if dtype is not None and value.type.dtype != normalize_dtype(dtype):
            return entries.cast(value, normalize_dtype(dtype))
        return value
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        dtype = config.floatX if kind == "f" else ("int64" if kind in "iu" else None)
    array = np.asarray(fill_value, dtype=None if dtype is None else normalize_dtype(dtype))
    return entries.tensor_constant(array)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """``np.full``: a tensor of ``shape`` filled with ``fill_value``."""
    return alloc(_fill_value(fill_value, dtype), *_shape_entries(shape))


def zeros(shape: Any, dtype: Any = None) -> TensorVariable:
    """``np.zeros``; the dtype defaults to floatX."""
    return full(shape, 0, normalize_dtype(dtype))


def ones(shape: Any, dtype: Any = None) -> TensorVariable:
    """``np.ones``; the dtype defaults to floatX."""
    return full(shape, 1, normalize_dtype(dtype))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """A tensor shaped like ``x`` filled with ``fill_value`` (of ``x``'s dtype by default)."""
    x = as_tensor_input(x, "full_like")
    return alloc(_fill_value(fill_value, dtype or x.type.dtype), *shape_tuple(x))


def zeros_like(x: Any, dtype: Any = None) -> TensorVariable:
    """Zeros shaped like ``x``."""
    return full_like(x, 0, dtype)


def ones_like(x: Any, dtype: Any = None) -> TensorVariable:
    """Ones shaped like ``x``."""
    return full_like(x, 1, dtype)


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
    return AllocEmpty(dtype)(*_shape_entries(shape))


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


def identity_like(x: Any, dtype: Any = None) -> TensorVariable:
    """The identity pattern of a matrix shaped like ``x`` (of ``x``'s dtype by default)."""
    x = as_tensor_input(x, "identity_like")
    if x.type.ndim != 2:
        raise ValueError(f"identity_like: expected a matrix, got {x.type}")
    rows, columns = shape_tuple(x)
    return Eye(dtype or x.type.dtype)(rows, columns, 0)


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


def _triangle_mask(x: Variable, k: Any) -> TensorVariable:
    rows, columns = shape_tuple(x)[-2:] if x.type.ndim >= 2 else shape_tuple(x) * 2  # type: ignore[attr-defined]
    return tri(rows, columns, k, dtype="bool")


def tril(m: Any, k: Any = 0) -> TensorVariable:
    """``np.tril``: ``m`` with the values above the ``k``-th diagonal set to 0."""
    x = as_tensor_input(m, "tril")
    return entries.switch(_triangle_mask(x, k), x, np.zeros((), dtype=x.type.dtype))


def triu(m: Any, k: Any = 0) -> TensorVariable:
    """``np.triu``: ``m`` with the values below the ``k``-th diagonal set to 0."""
    x = as_tensor_input(m, "triu")
    below = _triangle_mask(x, entries.add(entries.as_entry(k, "triu: k"), -1))
    return entries.switch(below, np.zeros((), dtype=x.type.dtype), x)


def tile(x: Any, reps: Any) -> TensorVariable:
    """``np.tile``: ``x`` repeated ``reps[i]`` times along each axis.

    Built from ops that already exist: each axis gets a new axis in front of it,
    ``alloc`` repeats along those, and a reshape merges each pair.
    """
    from tensorops.shape import shape_padleft

    x = as_tensor_input(x, "tile")
    rep_list = _shape_entries(reps)
    ndim = max(x.type.ndim, len(rep_list))
    rep_list = [1] * (ndim - len(rep_list)) + rep_list
    rep_entries = [entries.as_entry(rep, "tile: reps") for rep in rep_list]
    if x.type.ndim < ndim:
        x = shape_padleft(x, ndim - x.type.ndim)
    sizes = shape_tuple(x)
    if all(rep == 1 for rep in rep_entries):
        return x
    pattern: list[Any] = []
    spread_shape: list[Any] = []
    for axis, (rep, size) in enumerate(zip(rep_entries, sizes, strict=True)):
        if rep != 1:
            pattern.append("x")
            spread_shape.append(rep)
        pattern.append(axis)
        spread_shape.append(size)
    spread = alloc(x.dimshuffle(*pattern), *spread_shape)
    return reshape(
        spread, [entries.multiply(rep, size) for rep, size in zip(rep_entries, sizes, strict=True)]
    )


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
        from tensorops.reduction import sum as sum_

        total = entries.cast(sum_(counts), "int64")
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


def repeat(x: Any, repeats: Any, axis: int | None = None) -> TensorVariable:
    """``np.repeat``: with ``axis=None`` the flattened ``x`` is repeated."""
    from tensorops.shape import flatten

    x = as_tensor_input(x, "repeat")
    if axis is None:
        x = flatten(x)
        axis = 0
    if not isinstance(repeats, Variable):
        repeats = np.asarray(repeats)
        if repeats.dtype.kind not in "iu":
            raise TypeError(f"repeat: repeats must be integers, got {repeats!r}")
        repeats = TensorType("int64", repeats.shape).make_constant(repeats.astype("int64"))
    return Repeat(normalize_axis(axis, x.type.ndim, "repeat"))(x, repeats)
