"""Elemwise: a scalar op (a row of the table, or a Composite) applied over whole arrays.

Broadcasting follows NumPy, with one rule from PyTensor: an axis broadcasts only
when its length is known to be 1 in the type (``pt.row``, ``shape=(1, None)``), so
gradients know at build time which axes to sum. Incompatible known lengths are
refused when the graph is built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Op
from tensorops.basic import as_tensor, constant
from tensorops.dtypes import weak_scalar_dtype
from tensorops.opsupport import tensor_type
from tensorops.type import StaticShape, TensorType
from tensorops.variable import TensorConstant, TensorVariable

if TYPE_CHECKING:
    from graphcore import FunctionGraph
    from graphcore.graph.op import OutputStorage

TensorOrConstant = TensorVariable | TensorConstant


class Elemwise(Op):
    """``Elemwise(scalar_op)(*inputs)``: the scalar op on every element, NumPy-broadcast.

    ``inplace_pattern`` ``{output: input}`` lets an output overwrite an input of the
    same shape and dtype (the rewriter's inplace pass sets it; it is a destroy_map).
    """

    __props__ = ("scalar_op", "inplace_pattern")

    def __init__(self, scalar_op: Any, inplace_pattern: Mapping[int, int] | None = None):
        self.scalar_op = scalar_op
        self.inplace_pattern: tuple[tuple[int, int], ...] = tuple(
            sorted((inplace_pattern or {}).items())
        )
        self.destroy_map = {out: [inp] for out, inp in self.inplace_pattern}
        self.nin: int = scalar_op.nin
        self.nout: int = scalar_op.nout

    def __str__(self) -> str:
        if self.inplace_pattern:
            return f"{self.scalar_op}{{inplace}}"
        return str(self.scalar_op)

    def make_node(self, *inputs: Any) -> Apply:
        if len(inputs) != self.nin:
            raise TypeError(f"{self}: expected {self.nin} inputs, got {len(inputs)}")
        tensors = self._resolve_weak([as_tensor(x) for x in inputs])
        dtypes = [x.dtype for x in tensors]
        self.scalar_op.check_inputs(dtypes)
        out_dtypes = self.scalar_op.output_dtypes(dtypes)
        shape = broadcast_static_shapes([x.type for x in tensors], str(self))
        aligned = [_left_pad(x, len(shape)) for x in tensors]
        outputs = [TensorType(dtype, shape).make_variable() for dtype in out_dtypes]
        for out, inp in self.inplace_pattern:
            source = aligned[inp].type
            if source.dtype != out_dtypes[out] or (1 in source.shape and source.shape != shape):
                raise TypeError(
                    f"{self}: output {out} ({outputs[out].type}) cannot overwrite input {inp} "
                    f"({source}): dtypes or broadcast lengths differ"
                )
        node = Apply(self, aligned, outputs)
        node.tag.kernel = self.scalar_op.kernel(dtypes)
        return node

    def _resolve_weak(self, tensors: Sequence[TensorOrConstant]) -> Sequence[TensorOrConstant]:
        """Give Python-number constants the dtype NumPy 2 gives them next to these arrays."""
        weak = [isinstance(x, TensorConstant) and x.weak for x in tensors]
        if not any(weak):
            return tensors
        fixed = self.scalar_op.input_dtypes
        promoted = set(self.scalar_op.promoted_inputs())
        strong = [x.dtype for i, x in enumerate(tensors) if i in promoted and not weak[i]]
        resolved: list[TensorOrConstant] = []
        for position, x in enumerate(tensors):
            target = x.dtype
            if isinstance(x, TensorConstant) and x.weak:
                value = x.data.item()
                if fixed is not None:
                    target = fixed[position]
                elif position in promoted:
                    target = weak_scalar_dtype(strong, value, x.dtype)
            if target == x.dtype:
                resolved.append(x)
                continue
            converted = constant(_weak_value(value, target, checked=fixed is not None))
            converted.weak = True
            resolved.append(converted)
        return resolved

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        shape: list[Any] = []
        for axis, static in enumerate(tensor_type(node.outputs[0]).shape):
            if static is not None:
                shape.append(static)
                continue
            # Without runtime broadcasting, any input not of static length 1 has the length.
            for var, input_shape in zip(node.inputs, input_shapes, strict=True):
                if tensor_type(var).shape[axis] != 1:
                    shape.append(input_shape[axis])
                    break
        return [tuple(shape)] * self.nout

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        try:
            kernel = node.tag.kernel
        except AttributeError:
            dtypes = [tensor_type(v).dtype for v in node.inputs]
            kernel = node.tag.kernel = self.scalar_op.kernel(dtypes)
        shape = inputs[0].shape
        for x in inputs:
            if x.shape != shape:
                shape = self._runtime_shape(node, inputs)
                break
        if self.nout == 1:
            cell = output_storage[0]
            out = self._inplace_target(inputs, shape, 0) if self.inplace_pattern else cell[0]
            # Reuse last call's buffer only when it fits and is not a view of something else.
            if out is not None and (out.shape != shape or out.base is not None
                                    or out.dtype != kernel.out_dtype):  # fmt: skip
                out = None
            cell[0] = kernel(inputs, out)
            return
        outs = []
        for index, cell in enumerate(output_storage):
            out = self._inplace_target(inputs, shape, index) if self.inplace_pattern else cell[0]
            if out is not None and (out.shape != shape or out.base is not None):
                out = None
            outs.append(out)
        for cell, result in zip(output_storage, kernel.many(inputs, outs), strict=True):
            cell[0] = result

    def _inplace_target(self, inputs: Sequence[Any], shape: tuple[int, ...], output: int) -> Any:
        for out, inp in self.inplace_pattern:
            if out == output:
                target = inputs[inp]
                return target if target.shape == shape and target.flags.writeable else None
        return None

    def _runtime_shape(self, node: Apply, inputs: Sequence[Any]) -> tuple[int, ...]:
        shape = np.broadcast_shapes(*(x.shape for x in inputs))
        for position, (var, x) in enumerate(zip(node.inputs, inputs, strict=True)):
            for axis, (length, full) in enumerate(zip(x.shape, shape, strict=True)):
                if length != full and tensor_type(var).shape[axis] != 1:
                    raise ValueError(
                        f"{self}: input {position} has shape {x.shape} but the result has "
                        f"shape {shape}; axis {axis} of type {var.type} may not broadcast at run "
                        "time (declare it with length 1, e.g. shape=(1, None) or pt.row)"
                    )
        return shape


def broadcast_static_shapes(types: Sequence[TensorType], who: str) -> StaticShape:
    """The static shape of broadcasting these types, or a ValueError naming both shapes."""
    ndim = max((t.ndim for t in types), default=0)
    padded = [(1,) * (ndim - t.ndim) + t.shape for t in types]
    shape: list[int | None] = []
    for axis, lengths in enumerate(zip(*padded, strict=True)):
        known = {n for n in lengths if n is not None and n != 1}
        if len(known) > 1:
            described = " and ".join(str(t) for t in types)
            raise ValueError(
                f"{who}: shapes cannot be broadcast: {described} "
                f"(axis {axis} has lengths {sorted(known)})"
            )
        if known:
            shape.append(known.pop())
        else:
            shape.append(1 if all(n == 1 for n in lengths) else None)
    return tuple(shape)


def _left_pad(x: TensorOrConstant, ndim: int) -> TensorOrConstant:
    """``x`` with leading length-1 axes up to ``ndim`` (constants are reshaped directly)."""
    missing = ndim - x.ndim
    if missing == 0:
        return x
    if isinstance(x, TensorConstant):
        padded = constant(x.data.reshape((1,) * missing + x.data.shape))
        padded.weak = x.weak
        return padded
    return x.dimshuffle(*(["x"] * missing), *range(x.ndim))


def _weak_value(value: Any, dtype: str, checked: bool) -> np.ndarray:
    """A Python number as a 0-d array of ``dtype``; overflow to inf as in NumPy, unless
    ``checked`` (a fixed input dtype), where any change of value is refused."""
    if checked:
        return TensorType(dtype, ()).filter(value)
    with np.errstate(over="ignore"):
        return np.asarray(value, dtype=dtype)
