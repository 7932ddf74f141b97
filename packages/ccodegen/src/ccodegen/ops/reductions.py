"""C for ``Reduce``: sum, prod, max, min, all, any and mean over any axes.

The output starts at the reduction's identity and every input element is folded
into the output element it reduces to (a loop nest over the input in which the
reduced axes have output stride 0). A whole contiguous input summed at once uses
pairwise summation, as NumPy does, so long sums keep their accuracy.
"""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
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
