"""Nodes that do nothing: casts to the dtype already there, switches on a constant
condition or between equal branches, and reductions over no axis (a sum of a scalar)."""

from __future__ import annotations

from graphcore import Apply, FunctionGraph, Variable
from rewriter.db import register_canonicalize
from rewriter.engine.node_rewriter import node_rewriter
from rewriter.tensor.patterns import constant_value, keep_type, op_of, switch, tensor_type
from tensorops.elemwise import Elemwise
from tensorops.math import cast
from tensorops.reduction import Reduce

Result = list[Variable] | None


@register_canonicalize("tensor")
@node_rewriter([Elemwise], depth=1)
def cast_useless(fgraph: FunctionGraph, node: Apply) -> Result:
    """cast(x, x.dtype) -> x"""
    op = op_of(node, Elemwise)
    if not getattr(op.scalar_op, "name", "").startswith("cast_") or op.inplace_pattern:
        return None
    (x,) = node.inputs
    return [x] if tensor_type(x).dtype == tensor_type(node.outputs[0]).dtype else None


@register_canonicalize("tensor")
@node_rewriter([switch], depth=1)
def switch_decided(fgraph: FunctionGraph, node: Apply) -> Result:
    """switch(1, a, b) -> a, switch(0, a, b) -> b, switch(c, a, a) -> a (broadcast to the
    shape the condition gave)."""
    condition, if_true, if_false = node.inputs
    if if_true is if_false:
        return [keep_type(if_true, node)]
    decided = constant_value(condition)
    if decided is None:
        return None
    return [keep_type(if_true if decided else if_false, node)]


@register_canonicalize("tensor")
@node_rewriter([Reduce], depth=1)
def reduce_over_nothing(fgraph: FunctionGraph, node: Apply) -> Result:
    """A reduction over no axis (any reduction of a scalar) is its input, in its dtype."""
    if op_of(node, Reduce).axis:
        return None
    x, out = node.inputs[0], node.outputs[0]
    if tensor_type(x).dtype.startswith("complex") and not tensor_type(out).dtype.startswith("c"):
        return None  # all/any of complex numbers: a cast would refuse to drop the imaginary part
    return [cast(x, tensor_type(out).dtype)]
