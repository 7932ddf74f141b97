"""C for ``Join`` (np.concatenate: each input copied into its part of the output) and
``Split`` (np.split at given sizes: each piece a view of the input)."""

from __future__ import annotations

from ccodegen.cnode import NodeC, NodeContext, c_ops
from ccodegen.ops.nests import copy_nest, indent
from tensorops.join_ops import Join, Split


@c_ops.register(Join)
def join_c(ctx: NodeContext) -> NodeC:
    op = ctx.node.op
    assert isinstance(op, Join)
    (out,), first = ctx.outputs, ctx.inputs[0]
    axis = op.axis
    shape = [f"{out.dim(a)} = {first.dim(a)};" for a in range(out.ndim)]
    shape.append(f"{out.dim(axis)} = 0;")
    for position, var in enumerate(ctx.inputs):
        for other in range(out.ndim):
            if other == axis or position == 0:
                continue
            shape.append(
                f"if ({var.dim(other)} != {first.dim(other)}) "
                + ctx.fail(
                    "value",
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {other}, the array at index 0 has size "
                    f"%ld and the array at index {position} has size %ld",
                    f"(long){first.dim(other)}",
                    f"(long){var.dim(other)}",
                )
            )
        shape.append(f"{out.dim(axis)} += {var.dim(axis)};")
    out_strides = [out.stride(a) for a in range(out.ndim)]
    compute = [f"char *at = {out.name}.data;"]
    for var in ctx.inputs:
        lengths = [var.dim(a) for a in range(var.ndim)]
        strides = [var.stride(a) for a in range(var.ndim)]
        compute += [
            *copy_nest(var.ctype, lengths, ("at", out_strides), (f"{var.name}.data", strides)),
            f"at += {var.dim(axis)} * {out.stride(axis)};",
        ]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))


@c_ops.register(Split)
def split_c(ctx: NodeContext) -> NodeC:
    op = ctx.node.op
    assert isinstance(op, Split)
    (x, sizes), outputs = ctx.inputs, ctx.outputs
    axis = op.axis
    size_at = [f"(npy_intp)*(const {sizes.ctype} *)({sizes.name}.data + {k} * {sizes.stride(0)})"
               for k in range(op.n_splits)]  # fmt: skip
    shape = [
        f"if ({sizes.dim(0)} != {op.n_splits}) "
        + ctx.fail(
            "value",
            f"Split: %ld sizes given for {op.n_splits} pieces (axis {axis} of length %ld)",
            f"(long){sizes.dim(0)}",
            f"(long){x.dim(axis)}",
        ),
        "npy_intp total = 0;",
    ]
    for k, out in enumerate(outputs):
        shape += [f"{out.dim(a)} = {x.dim(a)};" for a in range(x.ndim) if a != axis]
        shape += [
            f"{out.dim(axis)} = {size_at[k]};",
            f"if ({out.dim(axis)} < 0) "
            + ctx.fail(
                "value", f"Split: piece {k} has the negative size %ld", f"(long){out.dim(axis)}"
            ),
            f"total += {out.dim(axis)};",
        ]
    shape.append(
        f"if (total != {x.dim(axis)}) "
        + ctx.fail(
            "value",
            f"Split: sizes summing to %ld do not cut axis {axis} of length %ld",
            "(long)total",
            f"(long){x.dim(axis)}",
        )
    )
    compute = [f"char *at = {x.name}.data;"]
    for out in outputs:
        compute.append(f"{out.name}.data = at;")
        compute += [f"{out.stride(a)} = {x.stride(a)};" for a in range(x.ndim)]
        compute.append(f"at += {out.dim(axis)} * {x.stride(axis)};")
    return NodeC("\n".join(shape), "\n".join(compute), views=frozenset(range(len(outputs))))
