"""Shapes: reading them (``x.shape``, ``shape_of``), asserting them (``specify_shape``)
and changing them without touching values (reshape, flatten, new or dropped axes,
broadcasting)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.join import MakeVector, shape_vector, vector_entries
from tensorops.opsupport import as_tensor_input, describe_shape, normalize_axis, tensor_output
from tensorops.type import TensorType

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "Reshape",
    "Shape",
    "Shape_i",
    "SpecifyShape",
    "broadcast_arrays",
    "broadcast_to",
    "expand_dims",
    "flatten",
    "reshape",
    "shape",
    "shape_of",
    "shape_padaxis",
    "shape_padleft",
    "shape_padright",
    "shape_tuple",
    "specify_shape",
    "squeeze",
]


class Shape(Op):
    """``x.shape`` as an int64 vector."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Shape

    def __hash__(self) -> int:
        return hash(Shape)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "Shape")
        return Apply(self, [x], [tensor_output("int64", (x.type.ndim,))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.array(inputs[0].shape, dtype="int64").reshape(-1)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(len(input_shapes[0]),)]


class Shape_i(Op):  # noqa: N801 (the Theano/PyTensor name)
    """``x.shape[i]`` as an int64 scalar."""

    __props__ = ("i",)

    def __init__(self, i: int):
        self.i = int(i)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "Shape_i")
        if not 0 <= self.i < x.type.ndim:
            raise ValueError(f"Shape_i: axis {self.i} is out of range for {x.type}")
        return Apply(self, [x], [tensor_output("int64", ())])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.array(inputs[0].shape[self.i], dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [()]


_shape = Shape()


def shape(x: Any) -> TensorVariable:
    """The shape of ``x`` as a symbolic int64 vector (``x.shape``)."""
    return _shape(as_tensor_input(x, "shape"))


def shape_tuple(x: Any) -> tuple[entries.ShapeEntry, ...]:
    """The shape of ``x`` entry by entry: ints where static, else ``Shape_i`` of ``x``."""
    x = as_tensor_input(x, "shape_tuple")
    return tuple(
        size if size is not None else Shape_i(axis)(x) for axis, size in enumerate(x.type.shape)
    )


def shape_of(var: Variable) -> tuple[Variable, ...]:
    """The shape of ``var`` as int64 scalars computed by the ops' ``infer_shape`` up the graph,
    so it is known without running the op that makes ``var``."""
    return tuple(entries.entry_variable(size) for size in _infer_shapes(var)[var])


def _infer_shapes(target: Variable) -> dict[Variable, tuple[Any, ...]]:
    """Shape entries of ``target`` and its tensor ancestors, dependencies first (no recursion)."""
    known: dict[Variable, tuple[Any, ...]] = {}
    stack: list[Variable] = [target]
    while stack:
        var = stack[-1]
        if var in known:
            stack.pop()
            continue
        node = var.owner
        if node is None or not isinstance(var.type, TensorType):
            stack.pop()
            known[var] = _fallback_shape(var)
            continue
        missing = [
            inp for inp in node.inputs if inp not in known and isinstance(inp.type, TensorType)
        ]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        input_shapes = [known.get(inp) for inp in node.inputs]
        try:
            inferred = node.op.infer_shape(None, node, input_shapes)
        except NotImplementedError:
            inferred = [_fallback_shape(out) for out in node.outputs]
        for out, out_shape in zip(node.outputs, inferred, strict=True):
            if isinstance(out.type, TensorType):
                known[out] = _prefer_static(out, out_shape)
    return known


def _fallback_shape(var: Variable) -> tuple[Any, ...]:
    if not isinstance(var.type, TensorType):
        return ()
    return shape_tuple(var)


def _prefer_static(var: Variable, inferred: Sequence[Any]) -> tuple[Any, ...]:
    static = var.type.shape  # type: ignore[attr-defined]
    if len(inferred) != len(static):
        raise ValueError(
            f"{var.owner.op}: infer_shape gave {len(inferred)} sizes "  # type: ignore[union-attr]
            f"for an output of ndim {len(static)}"
        )
    return tuple(
        known if known is not None else entries.as_entry(size, f"{var.owner.op} infer_shape")  # type: ignore[union-attr]
        for known, size in zip(static, inferred, strict=True)
    )


class SpecifyShape(Op):
    """``x`` unchanged, after checking at run time that the given axes have the given sizes."""

    __props__ = ("specified",)
    view_map = {0: [0]}  # noqa: RUF012

    def __init__(self, specified: Sequence[bool]):
        self.specified = tuple(bool(flag) for flag in specified)

    def make_node(self, x: Any, *sizes: Any) -> Apply:
        x = as_tensor_input(x, "SpecifyShape")
        if x.type.ndim != len(self.specified):
            raise ValueError(
                f"specify_shape: {len(self.specified)} sizes given for {x.type} "
                f"of ndim {x.type.ndim}"
            )
        size_vars = [entries.as_int64_scalar(size, "specify_shape: a size") for size in sizes]
        if len(size_vars) != sum(self.specified):
            raise ValueError(
                f"SpecifyShape: expected {sum(self.specified)} sizes, got {len(sizes)}"
            )
        out_shape = list(x.type.shape)
        axes = [axis for axis, flag in enumerate(self.specified) if flag]
        for axis, size in zip(axes, size_vars, strict=True):
            known = entries.constant_int(size)
            if known is not None and out_shape[axis] not in (None, known):
                raise ValueError(
                    f"specify_shape: axis {axis} of {x.type} has static size {out_shape[axis]}, "
                    f"not {known}"
                )
            if known is not None:
                out_shape[axis] = known
        return Apply(self, [x, *size_vars], [tensor_output(x.type.dtype, out_shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, *sizes = inputs
        expected = iter(sizes)
        for axis, flag in enumerate(self.specified):
            if flag and x.shape[axis] != (size := int(next(expected))):
                # PyTensor raises AssertionError here; code written against it catches that.
                raise AssertionError(
                    f"SpecifyShape: axis {axis} of the input (shape {x.shape}) has length "
                    f"{x.shape[axis]}, expected {size}"
                )
        output_storage[0][0] = x

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        sizes = iter(node.inputs[1:])
        return [
            tuple(
                next(sizes) if flag else size
                for flag, size in zip(self.specified, input_shapes[0], strict=True)
            )
        ]


def specify_shape(x: Any, shape: Any) -> TensorVariable:
    """``x`` with its shape checked at run time and made static where the sizes are known.

    ``shape`` holds one entry per axis: an int, a symbolic int scalar, or None (unchecked);
    it may also be a symbolic vector.
    """
    x = as_tensor_input(x, "specify_shape")
    if isinstance(shape, Variable) and shape.type.ndim == 1:  # type: ignore[attr-defined]
        shape = vector_entries(shape)
    elif entries.is_int(shape) or isinstance(shape, Variable):
        shape = (shape,)
    shape = tuple(shape)
    if len(shape) != x.type.ndim:
        raise ValueError(
            f"specify_shape: {len(shape)} sizes given for {x.type} of ndim {x.type.ndim}"
        )
    specified = [size is not None for size in shape]
    if not any(specified):
        return x
    return SpecifyShape(specified)(x, *(size for size in shape if size is not None))


class Reshape(Op):
    """``np.reshape(x, shape)`` with ``shape`` an int64 vector of length ``ndim`` (one -1 allowed).

    The result is a view of ``x`` whenever NumPy can give one.
    """

    __props__ = ("ndim",)
    view_map = {0: [0]}  # noqa: RUF012

    def __init__(self, ndim: int):
        self.ndim = int(ndim)

    def make_node(self, x: Any, shape: Any) -> Apply:
        x = as_tensor_input(x, "Reshape")
        shape = shape_vector(shape, "reshape: the new shape")
        if shape.type.shape[0] not in (None, self.ndim):
            raise ValueError(f"Reshape: a shape of length {self.ndim} expected, got {shape.type}")
        out_shape = _static_reshape(x.type.shape, _static_vector(shape, self.ndim))
        return Apply(self, [x, shape], [tensor_output(x.type.dtype, out_shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, new_shape = inputs
        try:
            output_storage[0][0] = np.reshape(x, tuple(new_shape.tolist()))
        except ValueError:
            raise ValueError(
                f"Reshape: cannot reshape an array of shape {x.shape} (size {x.size}) into "
                f"shape {tuple(new_shape.tolist())}"
            ) from None

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        new_shape = vector_entries(node.inputs[1], self.ndim)
        size = entries.product(input_shapes[0])
        known = [entries.constant_int(entry) for entry in new_shape]
        if -1 in known:
            others = entries.product([e for e, k in zip(new_shape, known, strict=True) if k != -1])
            missing = entries.floor_divide(size, entries.maximum(others, 1))
            return [tuple(missing if k == -1 else e for e, k in zip(new_shape, known, strict=True))]
        if all(k is not None for k in known):
            return [tuple(new_shape)]
        # A run-time entry may be -1: then the product of all entries is minus the
        # product of the others, and the -1 stands for size // that.
        unknown_size = entries.floor_divide(
            size, entries.maximum(-entries.entry_variable(entries.product(new_shape)), 1)
        )
        return [
            tuple(
                e
                if k is not None
                else entries.switch(entries.elementwise("lt")(e, 0), unknown_size, e)
                for e, k in zip(new_shape, known, strict=True)
            )
        ]


def _static_vector(vector: Variable, length: int) -> list[int | None]:
    if isinstance(vector, Constant):
        return [int(size) for size in vector.data]
    if vector.owner is not None and isinstance(vector.owner.op, MakeVector):
        return [entries.constant_int(size) for size in vector.owner.inputs]
    return [None] * length


def _static_reshape(
    in_shape: Sequence[int | None], new_shape: list[int | None]
) -> list[int | None]:
    """The static result of a reshape; refuses, at build time, sizes that cannot match."""
    if new_shape.count(-1) > 1:
        raise ValueError(f"reshape: only one size may be -1, got {describe_shape(new_shape)}")
    if any(size is not None and size < -1 for size in new_shape):
        raise ValueError(f"reshape: negative size in {describe_shape(new_shape)}")
    in_known = None not in in_shape
    in_size = int(np.prod(in_shape)) if in_known else None  # type: ignore[arg-type]
    others = [size for size in new_shape if size != -1]
    if in_size is None or None in others:
        return [None if size == -1 else size for size in new_shape]
    others_size = int(np.prod(others))  # type: ignore[arg-type]
    if -1 in new_shape:
        if others_size == 0 or in_size % others_size:
            raise ValueError(
                f"reshape: cannot reshape {describe_shape(in_shape)} "
                f"into {describe_shape(new_shape)}"
            )
        return [in_size // others_size if size == -1 else size for size in new_shape]
    if others_size != in_size:
        raise ValueError(
            f"reshape: cannot reshape {describe_shape(in_shape)} (size {in_size}) into "
            f"{describe_shape(new_shape)} (size {others_size})"
        )
    return list(new_shape)


def reshape(x: Any, newshape: Any, ndim: int | None = None) -> TensorVariable:
    """``np.reshape``: sizes as ints, symbolic scalars or a symbolic vector; one may be -1."""
    x = as_tensor_input(x, "reshape")
    shape = shape_vector(newshape, "reshape: the new shape")
    length = shape.type.shape[0]
    if ndim is None:
        if length is None:
            raise ValueError("reshape: pass ndim= when the new shape is a vector of unknown length")
        ndim = length
    return Reshape(ndim)(x, shape)


def flatten(x: Any, ndim: int = 1) -> TensorVariable:
    """``x`` with its trailing axes merged so that ``ndim`` axes remain."""
    x = as_tensor_input(x, "flatten")
    if not 1 <= ndim <= max(x.type.ndim, 1):
        raise ValueError(f"flatten: ndim must be between 1 and {max(x.type.ndim, 1)}, got {ndim}")
    kept = shape_tuple(x)[: ndim - 1]
    return reshape(x, (*kept, -1))


def _dimshuffle(x: TensorVariable, pattern: Sequence[int | str]) -> TensorVariable:
    return x.dimshuffle(*pattern)


def shape_padleft(x: Any, n_ones: int = 1) -> TensorVariable:
    """``x`` with ``n_ones`` new axes of length 1 on the left."""
    x = as_tensor_input(x, "shape_padleft")
    return _dimshuffle(x, ["x"] * n_ones + list(range(x.type.ndim)))


def shape_padright(x: Any, n_ones: int = 1) -> TensorVariable:
    """``x`` with ``n_ones`` new axes of length 1 on the right."""
    x = as_tensor_input(x, "shape_padright")
    return _dimshuffle(x, list(range(x.type.ndim)) + ["x"] * n_ones)


def shape_padaxis(x: Any, axis: int) -> TensorVariable:
    """``x`` with a new axis of length 1 at ``axis`` (``np.expand_dims`` for one axis)."""
    return expand_dims(x, axis)


def expand_dims(x: Any, axis: int | Sequence[int]) -> TensorVariable:
    """``np.expand_dims``: new axes of length 1 at the given positions of the result."""
    x = as_tensor_input(x, "expand_dims")
    axes: list[int] = [int(axis)] if isinstance(axis, (int, np.integer)) else list(axis)
    out_ndim = x.type.ndim + len(axes)
    new_axes = {normalize_axis(a, out_ndim, "expand_dims") for a in axes}
    if len(new_axes) != len(axes):
        raise ValueError(f"expand_dims: repeated axis in {axes}")
    remaining = iter(range(x.type.ndim))
    return _dimshuffle(x, ["x" if a in new_axes else next(remaining) for a in range(out_ndim)])


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> TensorVariable:
    """``np.squeeze``: drop axes of length 1 (all statically known ones when ``axis`` is None).

    An axis whose size is only known at run time is checked then (``specify_shape``).
    """
    x = as_tensor_input(x, "squeeze")
    if axis is None:
        axes = {a for a, size in enumerate(x.type.shape) if size == 1}
    else:
        listed: list[int] = [int(axis)] if isinstance(axis, (int, np.integer)) else list(axis)
        axes = {normalize_axis(a, x.type.ndim, "squeeze") for a in listed}
    for a in axes:
        if x.type.shape[a] not in (None, 1):
            raise ValueError(f"squeeze: axis {a} of {x.type} has length {x.type.shape[a]}, not 1")
    if any(x.type.shape[a] is None for a in axes):
        x = specify_shape(x, [1 if a in axes else None for a in range(x.type.ndim)])
    return _dimshuffle(x, [a for a in range(x.type.ndim) if a not in axes])


def broadcast_to(x: Any, shape: Any) -> TensorVariable:
    """``np.broadcast_to``: ``x`` repeated along new or length-1 axes to ``shape``."""
    from tensorops.creation import alloc

    x = as_tensor_input(x, "broadcast_to")
    if isinstance(shape, Variable) and shape.type.ndim == 1:  # type: ignore[attr-defined]
        shape = vector_entries(shape)
    elif entries.is_int(shape) or isinstance(shape, Variable):
        shape = (shape,)
    return alloc(x, *shape)


def broadcast_arrays(*tensors: Any) -> list[TensorVariable]:
    """``np.broadcast_arrays``: every tensor broadcast to their common shape."""
    inputs = [as_tensor_input(tensor, "broadcast_arrays") for tensor in tensors]
    entries.static_broadcast(*(tensor.type.shape for tensor in inputs))
    common = entries.broadcast_shapes(*(shape_tuple(tensor) for tensor in inputs))
    static_common = entries.static_entries(common)
    return [
        tensor
        if tensor.type.ndim == len(common)
        and tensor.type.shape == static_common
        and None not in static_common
        else broadcast_to(tensor, common)
        for tensor in inputs
    ]
