"""C for ops whose output is a view of their input: no buffer, only lengths and strides."""

from __future__ import annotations

from ccodegen.cnode import NodeC, NodeContext, c_ops, complex_ops
from tensorops import DimShuffle

complex_ops.add(DimShuffle)  # moves bytes only


@c_ops.register(DimShuffle)
def dimshuffle_c(ctx: NodeContext) -> NodeC:
    op = ctx.node.op
    assert isinstance(op, DimShuffle)
    (x,), (out,) = ctx.inputs, ctx.outputs
    shape, strides = [], []
    for axis, entry in enumerate(op.new_order):
        if entry == "x":
            shape.append(f"{out.dim(axis)} = 1;")
            strides.append(f"{out.stride(axis)} = 0;")
        else:
            shape.append(f"{out.dim(axis)} = {x.dim(int(entry))};")
            strides.append(f"{out.stride(axis)} = {x.stride(int(entry))};")
    compute = "\n".join([f"{out.name}.data = {x.name}.data;", *strides])
    return NodeC("\n".join(shape), compute, views=frozenset({0}))
