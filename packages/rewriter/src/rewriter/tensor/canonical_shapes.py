"""Canonical shapes: DimShuffles merged or dropped, Reshape, SpecifyShape and Alloc
removed where the static shapes already say what they would do, and shape reads
(``Shape_i``, ``Shape``) answered from static shapes or moved up to the inputs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Apply, Constant, FunctionGraph, Variable
from rewriter.db import register_canonicalize
from rewriter.engine.node_rewriter import node_rewriter
from rewriter.tensor.patterns import (
    constant_like,
    constant_value,
    keep_type,
    op_of,
    owner_with,
    tensor_type,
)
from tensorops.creation import Alloc
from tensorops.dimshuffle import DimShuffle
from tensorops.elemwise import Elemwise
from tensorops.join import MakeVector
from tensorops.math import cast
from tensorops.shape import Reshape, Shape, Shape_i, SpecifyShape, shape_tuple
from tensorops.shape_entries import constant_int
from tensorops.sizes import make_vector

Result = list[Variable] | None


def is_size_of(size: Variable, var: Variable, axis: int) -> bool:
    """Whether ``size`` is known to equal the length of ``var`` along ``axis``."""
    static = tensor_type(var).shape[axis]
    if static is not None and constant_int(size) == static:
        return True
    node = owner_with(size, Shape_i)
    return node is not None and node.inputs[0] is var and op_of(node, Shape_i).i == axis


@register_canonicalize("tensor")
@node_rewriter([DimShuffle], depth=2)
def dimshuffle_merged(fgraph: FunctionGraph, node: Apply) -> Result:
    """Identity DimShuffles vanish; a DimShuffle of a DimShuffle becomes one."""
    x = node.inputs[0]
    order = op_of(node, DimShuffle).new_order
    inner = owner_with(x, DimShuffle)
    if inner is not None:
        # Entry k of the outer order names axis k of the inner result, which is
        # the inner order's entry k: an axis of the original input, or 'x'.
        inner_order = op_of(inner, DimShuffle).new_order
        order = tuple("x" if entry == "x" else inner_order[int(entry)] for entry in order)
        x = inner.inputs[0]
    if order == tuple(range(tensor_type(x).ndim)):
        return [x]
    if inner is None:
        return None
    return [DimShuffle(tensor_type(x).ndim, order)(x)]


@register_canonicalize("tensor")
@node_rewriter([Reshape], depth=2)
def reshape_useless(fgraph: FunctionGraph, node: Apply) -> Result:
    """reshape(x, shape) -> x when the new shape is x's own (statically or by Shape_i)."""
    x, shape = node.inputs
    if op_of(node, Reshape).ndim != tensor_type(x).ndim:
        return None
    if owner_with(shape, Shape) is not None and shape.owner.inputs[0] is x:  # type: ignore[union-attr]
        return [x]
    sizes: Sequence[Any]
    if isinstance(shape, Constant):
        sizes = [int(size) for size in np.asarray(shape.data)]
    elif owner_with(shape, MakeVector) is not None:
        sizes = shape.owner.inputs  # type: ignore[union-attr]
    else:
        return None
    static = tensor_type(x).shape
    unproved = [
        axis
        for axis, size in enumerate(sizes)
        if not (isinstance(size, Variable) and is_size_of(size, x, axis))
        and (static[axis] is None or constant_int(size) != static[axis])
    ]
    # One -1 is fine when every other size is x's: it then stands for x's own length.
    if not unproved or (len(unproved) == 1 and constant_int(sizes[unproved[0]]) == -1):
        return [x]
    return None


@register_canonicalize("tensor")
@node_rewriter([SpecifyShape], depth=2)
def specify_shape_useless(fgraph: FunctionGraph, node: Apply) -> Result:
    """specify_shape(x, sizes) -> x when x's static shape (or Shape_i of x) already says so."""
    x, *sizes = node.inputs
    axes = [axis for axis, flag in enumerate(op_of(node, SpecifyShape).specified) if flag]
    if all(is_size_of(size, x, axis) for axis, size in zip(axes, sizes, strict=True)):
        return [x]
    return None


@register_canonicalize("tensor")
@node_rewriter([Alloc], depth=2)
def alloc_useless(fgraph: FunctionGraph, node: Apply) -> Result:
    """alloc(v, *shape) -> v when v already has that shape."""
    value, *sizes = node.inputs
    if tensor_type(value).ndim != len(sizes):
        return None
    if all(is_size_of(size, value, axis) for axis, size in enumerate(sizes)):
        return [value]
    return None


def _length_proved(node: Apply, skip: int, axis: int, size: Variable) -> bool:
    """Whether an input of ``node`` other than input ``skip`` has length ``size`` on ``axis``."""
    return any(
        position != skip and is_size_of(size, var, axis) for position, var in enumerate(node.inputs)
    )


@register_canonicalize("tensor")
@node_rewriter([Elemwise], depth=2)
def alloc_under_elemwise(fgraph: FunctionGraph, node: Apply) -> Result:
    """add(alloc(v, n, m), x) -> add(v, x) when x has shape (n, m): broadcasting fills it."""
    for position, var in enumerate(node.inputs):
        alloc = owner_with(var, Alloc)
        if alloc is None:
            continue
        value, *sizes = alloc.inputs
        value_shape = tensor_type(value).shape
        padded = (1,) * (len(sizes) - len(value_shape)) + value_shape
        offset = len(sizes) - len(value_shape)
        for axis, size in enumerate(sizes):
            if padded[axis] == 1:
                proved = tensor_type(var).shape[axis] == 1 or _length_proved(
                    node, position, axis, size
                )
            else:  # the value must have the length itself: alloc may broadcast a 1 at run time
                proved = is_size_of(size, value, axis - offset)
            if not proved:
                break
        else:
            inputs = list(node.inputs)
            inputs[position] = value
            return [keep_type(out, node, index) for index, out in enumerate(_apply(node, inputs))]
    return None


def _apply(node: Apply, inputs: list[Variable]) -> list[Variable]:
    built = node.op(*inputs)
    return list(built) if isinstance(built, (list, tuple)) else [built]


@register_canonicalize("tensor")
@node_rewriter([Shape], depth=1)
def shape_static(fgraph: FunctionGraph, node: Apply) -> Result:
    """x.shape -> a constant when every length of x is static."""
    static = tensor_type(node.inputs[0]).shape
    if any(size is None for size in static):
        return None
    data = np.asarray(static, dtype="int64").reshape(len(static))
    return [tensor_type(node.outputs[0]).make_constant(data)]


def _only_reads(fgraph: FunctionGraph, size: Variable, producer: Apply) -> bool:
    """Whether ``size`` is computed from the graph's variables and constants alone, none
    of them an output of ``producer`` (reading it would need ``producer`` to run)."""
    own = set(producer.outputs)
    seen: set[Variable] = set()
    stack = [size]
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        if var in own:
            return False
        if var in fgraph.variables or isinstance(var, Constant):
            continue
        if var.owner is None:
            return False  # a free variable the graph does not have
        stack.extend(var.owner.inputs)
    return True


def lifted_size(fgraph: FunctionGraph, x: Variable, axis: int, like: Variable) -> Variable | None:
    """The length of ``x`` along ``axis`` without computing ``x``: a constant when static,
    else what the producer's ``infer_shape`` says, when that reads only what the graph
    has (``exp(y).shape[0]`` -> ``y.shape[0]``; a loop's length -> its ``n_steps``).
    ``like`` gives the type the length must have (an int64 scalar)."""
    static = tensor_type(x).shape[axis]
    if static is not None:
        return tensor_type(like).make_constant(np.asarray(static, dtype="int64"))
    producer = x.owner
    infer_shape = getattr(producer.op, "infer_shape", None) if producer is not None else None
    if producer is None or infer_shape is None:
        return None
    input_shapes = [
        shape_tuple(var) if getattr(var.type, "ndim", None) is not None else None
        for var in producer.inputs
    ]
    try:
        inferred = infer_shape(fgraph, producer, input_shapes)
    except NotImplementedError:
        return None
    size = inferred[x.index or 0][axis]
    if isinstance(size, (int, np.integer)):
        return tensor_type(like).make_constant(np.asarray(size, dtype="int64"))
    if not isinstance(size, Variable) or not _only_reads(fgraph, size, producer):
        return None
    kind = getattr(size.type, "dtype", "")
    if (
        size.type != like.type
        and getattr(size.type, "ndim", None) == 0
        and kind[:3] in ("int", "uin")
    ):
        size = cast(size, "int64")  # an int32 n_steps
    return size if size.type == like.type else None


@register_canonicalize("tensor")
@node_rewriter([Shape_i], depth=2)
def shape_i_static_or_lifted(fgraph: FunctionGraph, node: Apply) -> Result:
    """x.shape[i] -> a constant when static, else the length read from what x's op reads
    (``lifted_size``), so the reads merge and x need not be computed first."""
    size = lifted_size(fgraph, node.inputs[0], op_of(node, Shape_i).i, node.outputs[0])
    return None if size is None or size is node.outputs[0] else [size]


@register_canonicalize("tensor")
@node_rewriter([Shape], depth=2)
def shape_lifted(fgraph: FunctionGraph, node: Apply) -> Result:
    """x.shape -> a vector of its lengths, each read without computing x, when all can
    be (``lifted_size``); a compiled ``scan(...).shape`` then runs no loop."""
    x = node.inputs[0]
    if x.owner is None:
        return None
    like = Shape_i(0)(x)
    sizes = [lifted_size(fgraph, x, axis, like) for axis in range(tensor_type(x).ndim)]
    if any(size is None for size in sizes):
        return None
    vector = make_vector(sizes)
    return [vector] if vector.type == node.outputs[0].type else None


@register_canonicalize("tensor")
@node_rewriter([Elemwise], depth=1)
def uniform_constant_broadcast(fgraph: FunctionGraph, node: Apply) -> Result:
    """An elementwise input that is a constant array of one repeated number (a folded
    ``ones_like``, a gradient's seed) becomes that number broadcast, when the other
    inputs give the output its shape: the loop reads no array, and the arithmetic
    rewrites see a scalar (``-0.5 * ones`` times ``2``)."""
    inputs = list(node.inputs)
    changed = False
    for position, var in enumerate(inputs):
        if not isinstance(var, Constant) or np.size(var.data) <= 1:
            continue
        value = constant_value(var)
        if value is None:
            continue
        inputs[position] = constant_like(value, var)
        changed = True
    if not changed:
        return None
    outputs = node.op.make_node(*inputs).outputs
    if any(new.type != old.type for new, old in zip(outputs, node.outputs, strict=True)):
        return None  # the constant gave the output its shape: keep it
    return list(outputs)
