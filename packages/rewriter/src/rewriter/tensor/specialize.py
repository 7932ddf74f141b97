"""Specialization: general ops replaced by faster special cases (``x**2 -> sqr(x)``,
``sum(x * y) -> dot(x, y)``) and shape vectors spelled out from static shapes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from graphcore import Apply, FunctionGraph, Variable
from rewriter.db import register_specialize
from rewriter.engine.node_rewriter import node_rewriter
from rewriter.tensor.canonical_shapes import shape_i_static_or_lifted
from rewriter.tensor.patterns import (
    all_float,
    constant_value,
    keep_type,
    mul,
    op_of,
    owner_with,
    pow,
    reciprocal,
    sqr,
    sqrt,
    tensor_type,
)
from tensorops.join import MakeVector
from tensorops.math import cast
from tensorops.products import Dot
from tensorops.reduction import Reduce
from tensorops.shape import Shape, Shape_i

Result = list[Variable] | None

# x ** n as cheaper ops: a square is one multiply, a square root one instruction,
# where pow goes through exp and log. Negative powers need a float result.
POWERS: dict[float, tuple[Callable[[Variable], Variable], bool]] = {
    2: (sqr, False),
    3: (lambda b: mul(sqr(b), b), False),
    4: (lambda b: sqr(sqr(b)), False),
    0.5: (sqrt, True),
    -0.5: (lambda b: reciprocal(sqrt(b)), True),
    -1: (reciprocal, True),
    -2: (lambda b: reciprocal(sqr(b)), True),
}


@register_specialize("tensor")
@node_rewriter([pow], depth=1)
def pow_specialized(fgraph: FunctionGraph, node: Apply) -> Result:
    """x**2 -> sqr(x), x**3 -> sqr(x)*x, x**4 -> sqr(sqr(x)), x**0.5 -> sqrt(x),
    x**-0.5 -> 1/sqrt(x), x**-1 -> reciprocal(x), x**-2 -> reciprocal(sqr(x))."""
    base, exponent = node.inputs
    value = constant_value(exponent)
    if value is None or isinstance(value, complex) or value not in POWERS:
        return None
    build, needs_float = POWERS[value]
    out_dtype = tensor_type(node.outputs[0]).dtype
    if np.dtype(out_dtype).kind not in ("f" if needs_float else "iuf"):
        return None
    # Compute in the output's dtype: an int8 base with a float exponent squares in float.
    return [keep_type(build(cast(base, out_dtype)), node)]


@register_specialize("tensor")
@node_rewriter([Reduce], depth=2)
def dot_of_sum_of_product(fgraph: FunctionGraph, node: Apply) -> Result:
    """sum(x * y) -> dot(x, y) for two float vectors of the same dtype: one BLAS call,
    no temporary for the product."""
    op = op_of(node, Reduce)
    if op.reduction != "sum" or op.axis != (0,) or op.keepdims:
        return None
    product = owner_with(node.inputs[0], mul)
    if product is None or len(fgraph.clients[product.outputs[0]]) != 1:
        return None
    x, y = product.inputs
    out = node.outputs[0]
    if tensor_type(x).ndim != 1 or not all_float(x, y, out):
        return None
    if {tensor_type(x).dtype, tensor_type(y).dtype} != {tensor_type(out).dtype}:
        return None
    if 1 in (tensor_type(x).shape[0], tensor_type(y).shape[0]):
        return None  # a broadcast length-1 vector: dot would refuse it
    return [Dot()(x, y)]


@register_specialize("tensor")
@node_rewriter([Shape], depth=1)
def shape_spelled_out(fgraph: FunctionGraph, node: Apply) -> Result:
    """x.shape -> [3, x.shape[1]]: static lengths become constants (folded with the rest of
    the shape arithmetic), the others single reads that can move up the graph."""
    x = node.inputs[0]
    static = tensor_type(x).shape
    if not static or all(size is None for size in static):
        return None
    return [MakeVector("int64")(*(Shape_i(axis)(x) for axis in range(len(static))))]


register_specialize(shape_i_static_or_lifted, "tensor")
