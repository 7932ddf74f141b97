"""Gradients of ops that move values without changing them: axis shuffles, reshapes,
shape checks, broadcasting (alloc), joining and splitting, repetition; and of the ops
that only compute shapes or index ranges, which pass no gradient."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient
from autodiff.rules.elemwise import sum_to_shape
from graphcore import Apply, Variable
from tensorops.creation import AllocEmpty, ARange, Eye, Tri
from tensorops.dimshuffle import DimShuffle
from tensorops.join import Join, MakeVector, Split
from tensorops.shape import Reshape, Shape, Shape_i, SpecifyShape


@register_gradient(Shape)
@register_gradient(Shape_i)
@register_gradient(AllocEmpty)
@register_gradient(Eye)
@register_gradient(Tri)
def shape_only_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """The outputs depend on the inputs' shapes (or sizes), never on their values."""
    return [None] * len(node.inputs)


@register_gradient(DimShuffle)
def dimshuffle_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Undo the shuffle: drop the new axes, put the kept ones back, re-add dropped ones."""
    op: Any = node.op
    g: Any = output_grads[0]
    new_axes = tuple(k for k, entry in enumerate(op.new_order) if entry == "x")
    if any(g.type.shape[k] != 1 for k in new_axes):
        g = pt.sum(g, axis=new_axes)  # each has length 1: summing only drops it
    else:
        g = g.dimshuffle(*(k for k, entry in enumerate(op.new_order) if entry != "x"))
    kept = [entry for entry in op.new_order if entry != "x"]
    order = [kept.index(axis) if axis in kept else "x" for axis in range(op.input_ndim)]
    return [g.dimshuffle(*order)]


@register_gradient(Reshape)
def reshape_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """The gradient reshaped back to the input's shape; the new shape gets none."""
    x = node.inputs[0]
    return [pt.reshape(output_grads[0], pt.shape_tuple(x)), None]


@register_gradient(SpecifyShape)
def specify_shape_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """The identity on values: the gradient passes unchanged; the sizes get none."""
    return [output_grads[0]] + [None] * (len(node.inputs) - 1)


@register_gradient(pt.Alloc)
def alloc_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """The value was broadcast to the shape: sum the gradient back over those axes."""
    value = node.inputs[0]
    return [sum_to_shape(output_grads[0], value)] + [None] * (len(node.inputs) - 1)


@register_gradient(Join)
def join_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Cut the gradient into pieces as long as the inputs along the joined axis."""
    op: Any = node.op
    sizes = [pt.shape_tuple(inp)[op.axis] for inp in node.inputs]
    pieces = pt.split(output_grads[0], sizes, len(sizes), axis=op.axis)
    return list(pieces)


@register_gradient(Split)
def split_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Join the pieces' gradients back along the split axis."""
    op: Any = node.op
    return [pt.concatenate(list(output_grads), axis=op.axis), None]


@register_gradient(MakeVector)
def make_vector_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Entry i of the gradient goes to scalar i."""
    g: Any = output_grads[0]
    return [g[position] for position in range(len(node.inputs))]


@register_gradient(pt.Repeat)
def repeat_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Each entry gets the sum of the gradients of its copies (a scatter-add by origin)."""
    op: Any = node.op
    x, counts = node.inputs
    length = pt.shape_tuple(x)[op.axis]
    origin = pt.repeat(pt.arange(length), counts)  # the input position of every output entry
    key = (slice(None),) * op.axis + (origin,)
    return [pt.inc_subtensor(pt.zeros_like(x)[key], output_grads[0]), None]


@register_gradient(ARange)
def arange_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Entry i is start + i step: d/dstart = Σ g, d/dstep = Σ i g; stop only sets the length."""
    g = output_grads[0]
    positions = pt.arange(pt.shape_tuple(g)[0])
    return [pt.sum(g), None, pt.sum(g * positions)]
