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
from tensorops.composite import Composite
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
        return Apply(self, aligned, outputs)

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
        """Stateless: kernels from the table's cache, a fresh array for each temporary.
        (The Python backend runs ``tensorops.elemwise_thunk`` instead.)"""
        shape = inputs[0].shape
        for x in inputs:
            if x.shape != shape:
                shape = self.runtime_shape(node, inputs)
                break
        outs = [
            self.reusable_output(inputs, shape, tensor_type(var).numpy_dtype, index, cell[0])
            for index, (var, cell) in enumerate(zip(node.outputs, output_storage, strict=True))
        ]
        if isinstance(self.scalar_op, Composite):
            results = run_composite(self.scalar_op, inputs, outs, shape)
        else:
            dtypes = [tensor_type(v).dtype for v in node.inputs]
            results = [self.scalar_op.kernel(dtypes)(inputs, outs[0])]
        for cell, result in zip(output_storage, results, strict=True):
            cell[0] = result

    def reusable_output(
        self,
        inputs: Sequence[Any],
        shape: tuple[int, ...],
        dtype: np.dtype[Any],
        output: int,
        previous: Any,
    ) -> np.ndarray | None:
        """The buffer output ``output`` (of ``dtype``) may be written into: the input it
        overwrites (``inplace_pattern``), else ``previous`` (last call's result); None
        when that does not fit or is a view of something else."""
        out = previous
        for overwritten, position in self.inplace_pattern:
            if overwritten == output:
                out = inputs[position]  # never last call's: that was another node's buffer
                break
        if (
            isinstance(out, np.ndarray)
            and out.shape == shape
            and out.base is None
            and out.flags.writeable
            and out.dtype == dtype
        ):
            return out
        return None

    def runtime_shape(self, node: Apply, inputs: Sequence[Any]) -> tuple[int, ...]:
        """The inputs' broadcast shape, refusing broadcasting along axes whose type does
        not declare length 1 (a ValueError naming the op, the input and the axis)."""
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


def run_composite(
    composite: Composite,
    inputs: Sequence[np.ndarray],
    outs: Sequence[np.ndarray | None],
    shape: tuple[int, ...],
) -> list[np.ndarray]:
    """``composite`` on whole arrays, step by step with the table's kernels. Each output
    has ``shape``, goes into its buffer in ``outs`` when one is given, and owns its data."""
    dtypes = composite.slot_dtypes
    writers = {composite.writer_of(output): output for output in range(composite.nout)}
    values: list[np.ndarray] = [*inputs, *composite.constants]
    for index, step in enumerate(composite.steps):
        arguments = [values[slot] for slot in step.arguments]
        kernel = step.op.kernel([dtypes[slot] for slot in step.arguments])
        output = writers.get(index)
        out = None if output is None else outs[output]
        if out is not None and np.broadcast_shapes(*(a.shape for a in arguments)) != shape:
            out = None  # a result smaller than the output's shape is copied at the end
        values.append(kernel(arguments, out))
    results: list[np.ndarray] = []
    for output, slot in enumerate(composite.output_slots):
        value, out = values[slot], outs[output]
        fresh = (
            composite.step_of(slot) is not None
            and value.shape == shape
            and all(value is not other for other in results)
        )
        if value is out or (fresh and out is None):
            results.append(value)
        elif out is not None:
            np.copyto(out, value)
            results.append(out)
        else:
            # Inputs, constants, repeated or broadcast results get their own array.
            results.append(np.array(np.broadcast_to(value, shape), composite.output_types[output]))
    return results


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
