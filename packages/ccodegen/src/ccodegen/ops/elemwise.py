"""C for ``Elemwise``: one loop over the broadcast shape, the scalar op's C inside."""

from __future__ import annotations

from collections.abc import Sequence

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.loops import elementwise_loop
from ccodegen.scalar_c import C_TYPES, Operands, scalar_c
from tensorops import Elemwise
from tensorops.dtypes import upcast


def operand_dtypes(scalar_op: object, in_dtypes: Sequence[str], out_dtype: str) -> tuple[str, ...]:
    """The dtype each input is cast to before the op: the result's dtype for the inputs
    that decide it (a comparison: their common dtype), others as they come (a
    switch's condition)."""
    promoted = set(scalar_op.promoted_inputs())  # type: ignore[attr-defined]
    if out_dtype == "bool" and getattr(scalar_op, "output", "") == "bool":
        common = upcast(*(in_dtypes[i] for i in sorted(promoted))) if promoted else out_dtype
    else:
        common = out_dtype
    return tuple(common if i in promoted else d for i, d in enumerate(in_dtypes))


def scalar_expression(
    scalar_op: object, args: Sequence[str], in_dtypes: Sequence[str], out_dtype: str
) -> str | None:
    """C for one application of a table row to argument texts of ``in_dtypes``."""
    operands = operand_dtypes(scalar_op, in_dtypes, out_dtype)
    if any(d not in C_TYPES for d in (*operands, out_dtype)):
        return None
    cast = [
        arg if dtype == target else f"(({C_TYPES[target]}){arg})"
        for arg, dtype, target in zip(args, in_dtypes, operands, strict=True)
    ]
    promoted = set(scalar_op.promoted_inputs())  # type: ignore[attr-defined]
    kind_dtypes = tuple(operands[i] for i in sorted(promoted)) or operands
    return scalar_c(scalar_op.name, cast, Operands(kind_dtypes, out_dtype))  # type: ignore[attr-defined]


def broadcast_shape(ctx: NodeContext) -> str:
    """C setting every output's lengths to the inputs' broadcast lengths, refusing lengths
    that differ on an axis not declared of length 1."""
    out = ctx.outputs[0]
    op_text = str(ctx.node.op).replace("%", "%%")  # a printf format: Composite{(i0 % i1)}
    lines = []
    for axis in range(out.ndim):
        free = [var for var in ctx.inputs if not var.broadcastable[axis]]
        if not free:
            lines.append(f"{out.dim(axis)} = 1;")
            continue
        first = free[0]
        lines.append(f"{out.dim(axis)} = {first.dim(axis)};")
        for other in free[1:]:
            lines.append(
                f"if ({other.dim(axis)} != {first.dim(axis)}) "
                + ctx.fail(
                    "value",
                    f"{op_text}: inputs have lengths %ld and %ld on axis {axis}, which may "
                    "not broadcast at run time (declare the axis of length 1 to broadcast)",
                    f"(long){first.dim(axis)}",
                    f"(long){other.dim(axis)}",
                )
            )
    for extra in ctx.outputs[1:]:
        lines += [f"{extra.dim(axis)} = {out.dim(axis)};" for axis in range(out.ndim)]
    return "\n".join(lines)


@c_ops.register(Elemwise)
def elemwise_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, Elemwise)
    if len(ctx.outputs) != 1:
        return None
    in_dtypes = [var.dtype for var in ctx.inputs]
    out: CVar = ctx.outputs[0]
    probe = scalar_expression(
        op.scalar_op, [f"x{k}" for k in range(len(in_dtypes))], in_dtypes, out.dtype
    )
    if probe is None:
        return None

    def body(values: Sequence[str]) -> tuple[list[str], list[str]]:
        expression = scalar_expression(op.scalar_op, values, in_dtypes, out.dtype)
        assert expression is not None
        return [], [expression]

    return NodeC(broadcast_shape(ctx), elementwise_loop(ctx.outputs, ctx.inputs, body))
