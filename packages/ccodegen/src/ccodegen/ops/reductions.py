"""C for ``Reduce``: sum, prod, max, min, all, any and mean over any axes.

The output starts at the reduction's identity and every input element is folded
into the output element it reduces to (a loop nest over the input in which the
reduced axes have output stride 0). A whole contiguous input summed at once uses
pairwise summation, as NumPy does, so long sums keep their accuracy. A reduction of an
elementwise program read by nothing else absorbs it: over every axis in blocks (summed
pairwise), over some axes in one loop nest; the program's values are never stored.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.loops import is_single_value, outlined
from ccodegen.ops.elemwise import element_body
from tensorops import Elemwise
from tensorops.reduction import Reduce

# name -> (identity, fold statement on `acc` and `x`) for float and integer values.
FOLDS = {
    "sum": ("0", "acc += x;"),
    "mean": ("0", "acc += x;"),
    "prod": ("1", "acc *= x;"),
    "max": (None, "if (x > acc || x != x) acc = x;"),
    "min": (None, "if (x < acc || x != x) acc = x;"),
    "all": ("1", "acc = acc && x;"),
    "any": ("0", "acc = acc || x;"),
}


@c_ops.register(Reduce)
def reduce_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, Reduce)
    (x,), (out,) = ctx.inputs, ctx.outputs
    if op.reduction not in FOLDS:
        return None
    reduced = set(op.axis)
    # Output axis of each input axis (None when reduced and not kept as length 1).
    out_axis: list[int | None] = []
    position = 0
    for axis in range(x.ndim):
        if axis in reduced and not op.keepdims:
            out_axis.append(None)
            continue
        out_axis.append(position)
        position += 1
    shape = [
        f"{out.dim(o)} = {'1' if axis in reduced else x.dim(axis)};"
        for axis, o in enumerate(out_axis)
        if o is not None
    ]
    count = " * ".join(x.dim(axis) for axis in sorted(reduced)) or "1"
    identity, fold = FOLDS[op.reduction]
    if identity is None:
        shape.append(
            f"if ({count} == 0) "
            + ctx.fail(
                "value",
                f"zero-size array to reduction operation {op.reduction}, which has no identity",
            )
        )
    fused = _fused_with_producer(ctx, len(reduced) == x.ndim, identity, fold, count)
    if fused is not None:
        return NodeC("\n".join(shape), fused[0], support=fused[1], absorbs=True)
    compute = _fold_loops(x, out, out_axis, reduced, identity, fold, op.reduction)
    if op.reduction == "mean":
        compute += _divide_by(out, count)
    support = (_pairwise_sum(x, out),) if op.reduction in ("sum", "mean") else ()
    return NodeC("\n".join(shape), compute, support=support)


def _fold_loops(
    x: CVar,
    out: CVar,
    out_axis: list[int | None],
    reduced: set[int],
    identity: str | None,
    fold: str,
    name: str,
) -> str:
    acc_type = out.ctype
    lines = ["{"]
    # Initialise every output element: the identity, or (max/min) the first element reduced.
    if identity is not None:
        lines.append(f"    const npy_intp m = {out.size()};")
        lines.append(f"    {acc_type} *restrict o = {out.pointer()};")
        lines.append(f"    for (npy_intp i = 0; i < m; i++) o[i] = ({acc_type}){identity};")
        init_from_first = False
    else:
        init_from_first = True
    ndim = x.ndim
    whole_sum = name in ("sum", "mean") and len(reduced) == ndim
    if whole_sum and ndim > 0:
        lines.append(f"    if (cg_contiguous_like(&{x.name}, &{x.name}, {ndim}, {x.itemsize})) {{")
        lines.append(
            f"        *{out.pointer()} = ({acc_type})cg_pairwise_sum_{_suffix(x, out)}"
            f"({x.pointer()}, {x.size()});"
        )
        lines.append("    } else {")
        lines += ["    " + line for line in _nest(x, out, out_axis, reduced, fold, init_from_first)]
        lines.append("    }")
    else:
        lines += _nest(x, out, out_axis, reduced, fold, init_from_first)
    lines.append("}")
    return "\n".join(lines)


def _nest(
    x: CVar,
    out: CVar,
    out_axis: list[int | None],
    reduced: set[int],
    fold: str,
    init_from_first: bool,
) -> list[str]:
    ndim = x.ndim
    lines = []
    for axis in range(ndim):
        o = out_axis[axis]
        stride = "0" if o is None or axis in reduced else out.stride(o)
        lines.append(f"    const npy_intp xs{axis} = {x.stride(axis)}, os{axis} = {stride};")
    x_offset = " + ".join(f"i{a} * xs{a}" for a in range(ndim)) or "0"
    o_offset = " + ".join(f"i{a} * os{a}" for a in range(ndim)) or "0"
    reduced_start = " && ".join(f"i{a} == 0" for a in range(ndim) if a in reduced)
    element = f"*(const {x.ctype} *)({x.name}.data + {x_offset})"
    # To npy_bool (all, any) by truth value: a C cast of 0.5 to unsigned char is 0.
    truth = out.dtype == "bool" and x.dtype != "bool"
    value = f"({element} != 0)" if truth else f"({out.ctype}){element}"
    body = [
        f"const {out.ctype} x = {value};",
        f"{out.ctype} *restrict slot = ({out.ctype} *)({out.name}.data + {o_offset});",
    ]
    folded = [f"{out.ctype} acc = *slot;", fold, "*slot = acc;"]
    if init_from_first:
        # The first element reduced into a slot starts it (no `continue`: a 0-d input
        # has no loop around this body).
        first = reduced_start or "1"
        body += [f"if ({first}) {{", "    *slot = x;", "} else {"]
        body += ["    " + line for line in folded] + ["}"]
    else:
        body += folded
    inner = body
    for axis in reversed(range(ndim)):
        inner = (
            [f"for (npy_intp i{axis} = 0; i{axis} < {x.dim(axis)}; i{axis}++) {{"]
            + ["    " + line for line in inner]
            + ["}"]
        )
    return lines + ["    " + line for line in inner]


def _divide_by(out: CVar, count: str) -> str:
    return (
        "\n{\n"
        f"    const npy_intp m = {out.size()};\n"
        f"    {out.ctype} *restrict o = {out.pointer()};\n"
        f"    const {out.ctype} n = ({out.ctype})({count});\n"
        "    for (npy_intp i = 0; i < m; i++) o[i] /= n;\n"
        "}"
    )


def _suffix(x: CVar, out: CVar) -> str:
    return f"{x.dtype}_{out.dtype}"


def _pairwise_sum(x: CVar, out: CVar) -> str:
    """Pairwise summation of a contiguous run (NumPy's scheme): blocks of 128 summed with
    eight accumulators, halves summed recursively, so the error grows like log n."""
    name = f"cg_pairwise_sum_{_suffix(x, out)}"
    acc, item = out.ctype, x.ctype
    return f"""
static {acc} {name}(const {item} *a, npy_intp n) {{
    if (n < 8) {{
        {acc} s = 0;
        for (npy_intp i = 0; i < n; i++) s += ({acc})a[i];
        return s;
    }}
    if (n <= 128) {{
        {acc} r[8];
        for (int k = 0; k < 8; k++) r[k] = ({acc})a[k];
        npy_intp i;
        for (i = 8; i < n - n % 8; i += 8)
            for (int k = 0; k < 8; k++) r[k] += ({acc})a[i + k];
        {acc} s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) s += ({acc})a[i];
        return s;
    }}
    npy_intp half = n / 2;
    half -= half % 8;
    return {name}(a, half) + {name}(a + half, n - half);
}}"""


BLOCK = 1024
"""Elements computed into a stack block before a fused sum adds them pairwise."""


def _fused_with_producer(
    ctx: NodeContext, whole: bool, identity: str | None, fold: str, count: str
) -> tuple[str, tuple[str, ...]] | None:
    """A reduction of every element of an elementwise program read by nothing else, in
    one pass: the program's values are folded as they are computed, never stored.
    Contiguous inputs run in blocks (a sum adds each block pairwise); others go through
    a loop nest."""
    op = ctx.node.op
    assert isinstance(op, Reduce)
    producer = ctx.producer
    if (
        producer is None
        or not isinstance(producer.node.op, Elemwise)
        or op.reduction not in ("sum", "mean", "prod", "max", "min")
    ):
        return None
    body = element_body(producer)
    if body is None:
        return None
    if not whole:
        return _fused_over_axes(ctx, body, identity, fold, count)
    (x,), (out,) = ctx.inputs, ctx.outputs
    operands = [CVar(f"(*a{k})", v.dtype, v.broadcastable) for k, v in enumerate(producer.inputs)]
    definition, element = outlined(operands, [CVar("(*shape)", x.dtype, x.broadcastable)], body)
    acc, item, ndim = out.ctype, x.ctype, x.ndim
    arrays = [k for k, v in enumerate(operands) if not is_single_value(v)]
    start = "0" if identity is None else identity

    def folding(value: str) -> list[str]:
        first = ["if (first) { total = x; first = 0; continue; }"] if identity is None else []
        return [f"const {acc} x = ({acc})({value});", *first, f"{acc} acc = total;", fold,
                "total = acc;"]  # fmt: skip

    # Contiguous: blocks of values on the stack, each folded (or summed pairwise).
    values = [f"q{k}[j]" if k in arrays else f"s{k}" for k in range(len(operands))]
    statements, (value,) = element(values)
    blocked = [
        f"const npy_intp n = cg_size(shape, {ndim});",
        *[f"const {operands[k].ctype} *restrict p{k} = {operands[k].pointer()};" for k in arrays],
        f"for (npy_intp base = 0; base < n; base += {BLOCK}) {{",
        f"    {item} block[{BLOCK}];",
        f"    const npy_intp m = n - base < {BLOCK} ? n - base : {BLOCK};",
        *[f"    const {operands[k].ctype} *restrict q{k} = p{k} + base;" for k in arrays],
        "    for (npy_intp j = 0; j < m; j++) {",
        *["        " + line for line in statements],
        f"        block[j] = {value};",
        "    }",
    ]
    if op.reduction in ("sum", "mean"):
        blocked += [f"    total += cg_pairwise_sum_{x.dtype}_{out.dtype}(block, m);", "}"]
    else:
        blocked += [
            "    for (npy_intp j = 0; j < m; j++) {",
            *["        " + line for line in folding("block[j]")],
            "    }",
            "}",
        ]
    # Any strides: a loop nest reading each operand through its strides (0 to broadcast).
    nested: list[str] = []
    nested_values = []
    for k, v in enumerate(operands):
        if k not in arrays:
            nested_values.append(f"s{k}")
            continue
        strides = ["0" if v.broadcastable[a] else v.stride(a) for a in range(ndim)]
        nested += [f"const npy_intp a{k}_{a} = {stride};" for a, stride in enumerate(strides)]
        offset = " + ".join(f"i{a} * a{k}_{a}" for a in range(ndim)) or "0"
        nested_values.append(f"*(const {v.ctype} *)({v.name}.data + {offset})")
    n_statements, (n_value,) = element(nested_values)
    inner = [*n_statements, *folding(n_value)]
    for a in reversed(range(ndim)):
        inner = [f"for (npy_intp i{a} = 0; i{a} < shape->dims[{a}]; i{a}++) {{",
                 *["    " + line for line in inner], "}"]  # fmt: skip
    nested += inner
    condition = " && ".join(
        f"cg_contiguous_like({operands[k].name.strip('(*)')}, shape, {ndim}, "
        f"{operands[k].itemsize})"
        for k in arrays
    )
    parameters = [f"const cg_arr *a{k}" for k in range(len(operands))]
    text = "\n".join(
        [
            f"static CG_NOINLINE void NAME({', '.join(parameters)}, const cg_arr *shape, "
            "cg_arr *out) {",
            *[
                f"    const {operands[k].ctype} s{k} = {operands[k].first()};"
                for k in range(len(operands))
                if k not in arrays
            ],
            f"    {acc} total = ({acc}){start};",
            "    int first = 1;",
            "    (void)first;",
            f"    if ({condition or '1'}) {{",
            *["        " + line for line in blocked],
            "    } else {",
            *["        " + line for line in nested],
            "    }",
            f"    *({acc} *)out->data = total;",
            "}",
        ]
    )
    name = "cg_fused_reduce_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    pieces = (definition, _pairwise_sum(x, out), text.replace("NAME", name, 1))
    arguments = [f"&{v.name}" for v in producer.inputs] + [f"&{x.name}", f"&{out.name}"]
    compute = f"{name}({', '.join(arguments)});"
    if op.reduction == "mean":
        compute += f"\n{out.first()} /= ({acc})({count});"
    return compute, tuple(piece for piece in pieces if piece)


def _fused_over_axes(
    ctx: NodeContext, body: Any, identity: str | None, fold: str, count: str
) -> tuple[str, tuple[str, ...]]:
    """A reduction over some axes of an elementwise program read by nothing else, in one
    pass: a loop nest over the program's shape computes each value and folds it into the
    output element it reduces to (output stride 0 on the reduced axes), in the order the
    unfused loop nest (``_nest``) adds them, so the results are the same."""
    op = ctx.node.op
    assert isinstance(op, Reduce) and ctx.producer is not None
    producer = ctx.producer
    (x,), (out,) = ctx.inputs, ctx.outputs
    reduced = set(op.axis)
    ndim = x.ndim
    operands = [CVar(f"(*a{k})", v.dtype, v.broadcastable) for k, v in enumerate(producer.inputs)]
    target = CVar("(*out)", out.dtype, out.broadcastable)
    definition, element = outlined(operands, [CVar("(*shape)", x.dtype, x.broadcastable)], body)
    lines: list[str] = []
    if identity is not None:
        lines += [
            f"const npy_intp m = {target.size()};",
            f"{target.ctype} *restrict o = {target.pointer()};",
            f"for (npy_intp i = 0; i < m; i++) o[i] = ({target.ctype}){identity};",
        ]
    position = 0
    for axis in range(ndim):
        if axis in reduced:
            stride = "0"
            position += 1 if op.keepdims else 0
        else:
            stride = target.stride(position)
            position += 1
        lines.append(f"const npy_intp os{axis} = {stride};")
    values = []
    for k, v in enumerate(operands):
        if is_single_value(v):
            values.append(v.first())
            continue
        strides = ["0" if v.broadcastable[a] else v.stride(a) for a in range(ndim)]
        lines += [f"const npy_intp a{k}_{a} = {stride};" for a, stride in enumerate(strides)]
        offset = " + ".join(f"i{a} * a{k}_{a}" for a in range(ndim)) or "0"
        values.append(f"*(const {v.ctype} *)({v.name}.data + {offset})")
    statements, (value,) = element(values)
    o_offset = " + ".join(f"i{a} * os{a}" for a in range(ndim)) or "0"
    acc = target.ctype
    inner = [
        *statements,
        f"const {acc} x = ({acc})({value});",
        f"{acc} *restrict slot = ({acc} *)({target.name}.data + {o_offset});",
    ]
    folded = [f"{acc} acc = *slot;", fold, "*slot = acc;"]
    if identity is None:
        first = " && ".join(f"i{a} == 0" for a in range(ndim) if a in reduced) or "1"
        inner += [f"if ({first}) {{", "    *slot = x;", "} else {"]
        inner += ["    " + line for line in folded] + ["}"]
    else:
        inner += folded
    for a in reversed(range(ndim)):
        inner = [f"for (npy_intp i{a} = 0; i{a} < shape->dims[{a}]; i{a}++) {{",
                 *["    " + line for line in inner], "}"]  # fmt: skip
    parameters = [f"const cg_arr *a{k}" for k in range(len(operands))]
    text = "\n".join(
        [
            f"static CG_NOINLINE void NAME({', '.join(parameters)}, const cg_arr *shape, "
            "cg_arr *out) {",
            *["    " + line for line in lines + inner],
            "}",
        ]
    )
    name = "cg_fused_axes_" + hashlib.sha256(text.encode()).hexdigest()[:16]
    arguments = [f"&{v.name}" for v in producer.inputs] + [f"&{x.name}", f"&{out.name}"]
    compute = f"{name}({', '.join(arguments)});"
    if op.reduction == "mean":
        compute += _divide_by(out, count)
    pieces = (definition, text.replace("NAME", name, 1))
    return compute, tuple(piece for piece in pieces if piece)
