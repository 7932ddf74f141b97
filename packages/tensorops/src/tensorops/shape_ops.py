"""Shapes asserted or changed without touching values: ``specify_shape`` checks sizes at run
time and makes them static, ``reshape`` regroups the elements (a view when NumPy can)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, describe_shape, tensor_output
from tensorops.sizes import MakeVector, shape_vector, vector_entries

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = ["Reshape", "SpecifyShape", "reshape", "specify_shape"]


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
