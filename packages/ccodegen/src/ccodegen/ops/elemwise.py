"""C for ``Elemwise``: one loop over the broadcast shape, the scalar op's C inside."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops, complex_ops
from ccodegen.literals import literal
from ccodegen.loops import ElementBody, elementwise_loop, outlined
from ccodegen.scalar_c import C_TYPES, Operands, scalar_c
from tensorops import Composite, Elemwise
from tensorops.dtypes import is_complex, real_of, upcast
from tensorops.scalar_ops import ScalarOp


def operand_dtypes(scalar_op: object, in_dtypes: Sequence[str], out_dtype: str) -> tuple[str, ...]:
    """The dtype each input is cast to before the op: the result's dtype for the inputs
    that decide it (a comparison, or a real part of complex numbers: their common dtype),
    others as they come (a switch's condition)."""
    promoted = set(scalar_op.promoted_inputs())  # type: ignore[attr-defined]
    inputs_common = upcast(*(in_dtypes[i] for i in sorted(promoted))) if promoted else out_dtype
    if out_dtype == "bool" and getattr(scalar_op, "output", "") == "bool":
        common = inputs_common
    elif is_complex(inputs_common) and not is_complex(out_dtype):
        # A real part of complex operands (abs, real, angle): they stay complex.
        common = inputs_common if out_dtype == real_of(inputs_common) else out_dtype
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


def cast_expression(arg: str, in_dtype: str, out_dtype: str) -> str | None:
    """C for NumPy's ``astype`` of one value: to bool means nonzero."""
    if in_dtype not in C_TYPES or out_dtype not in C_TYPES:
        return None
    if out_dtype == "bool":
        return f"(npy_bool)({arg} != 0)"
    return f"(({C_TYPES[out_dtype]}){arg})"


def step_expression(
    scalar_op: ScalarOp, args: Sequence[str], in_dtypes: Sequence[str], out_dtype: str
) -> str | None:
    """C for a table row or a cast applied to argument texts."""
    if scalar_op.name.startswith("cast_"):
        return cast_expression(args[0], in_dtypes[0], out_dtype)
    return scalar_expression(scalar_op, args, in_dtypes, out_dtype)


def composite_body(
    composite: Composite, values: Sequence[str]
) -> tuple[list[str], list[str]] | None:
    """Statements computing each step into a local ``t<k>``, and the outputs' values; None
    when a step has no C."""
    slots: list[str] = list(values)
    for constant in composite.constants:
        dtype = str(constant.dtype)
        if dtype not in C_TYPES:
            return None
        slots.append(f"(({C_TYPES[dtype]}){literal(constant.item(), dtype)})")
    statements = []
    for index, step in enumerate(composite.steps):
        slot = composite.step_slot(index)
        out_dtype = composite.slot_dtypes[slot]
        in_dtypes = [composite.slot_dtypes[a] for a in step.arguments]
        expression = step_expression(
            step.op, [slots[a] for a in step.arguments], in_dtypes, out_dtype
        )
        if expression is None:
            return None
        statements.append(f"const {C_TYPES[out_dtype]} t{index} = {expression};")
        slots.append(f"t{index}")
    return statements, [slots[slot] for slot in composite.output_slots]


def element_body(ctx: NodeContext) -> ElementBody | None:
    """The node's scalar program on element values: statements and one value per output;
    None when some step has no C."""
    op = ctx.node.op
    assert isinstance(op, Elemwise)
    in_dtypes = [var.dtype for var in ctx.inputs]
    out_dtypes = [var.dtype for var in ctx.outputs]
    scalar_op = op.scalar_op

    def body(values: Sequence[str]) -> tuple[list[str], list[str]] | None:
        if isinstance(scalar_op, Composite):
            return composite_body(scalar_op, values)
        if len(out_dtypes) != 1:
            return None
        expression = step_expression(scalar_op, values, in_dtypes, out_dtypes[0])
        return None if expression is None else ([], [expression])

    if body([f"x{k}" for k in range(len(in_dtypes))]) is None:
        return None

    def checked_body(values: Sequence[str]) -> tuple[list[str], list[str]]:
        made = body(values)
        assert made is not None
        return made

    return checked_body


complex_ops.add(Elemwise)


@c_ops.register(Elemwise)
def elemwise_c(ctx: NodeContext) -> NodeC | None:
    checked_body = element_body(ctx)
    if checked_body is None:
        return None
    # The loop as a function of its operands: nodes with the same scalar program, dtypes
    # and broadcast pattern share one definition (compile time follows distinct nodes).
    operands = [CVar(f"(*a{k})", var.dtype, var.broadcastable) for k, var in enumerate(ctx.inputs)]
    results = [CVar(f"(*r{j})", var.dtype, var.broadcastable) for j, var in enumerate(ctx.outputs)]
    definition, loop_body = outlined(operands, results, checked_body)
    loop = elementwise_loop(results, operands, loop_body)
    parameters = [f"const cg_arr *a{k}" for k in range(len(operands))]
    parameters += [f"cg_arr *r{j}" for j in range(len(results))]
    text = f"static CG_NOINLINE void NAME({', '.join(parameters)}) {{\n{loop}\n}}"
    name = "cg_loop_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    support = ([] if definition is None else [definition]) + [text.replace("NAME", name, 1)]
    arguments = [f"&{var.name}" for var in [*ctx.inputs, *ctx.outputs]]
    return NodeC(broadcast_shape(ctx), f"{name}({', '.join(arguments)});", support=tuple(support))
