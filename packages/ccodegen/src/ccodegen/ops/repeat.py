"""C for ``Repeat``: ``np.repeat(x, repeats, axis)``, each slice along ``axis`` copied
``repeats`` times (one count for all, or one per slice; a single-element vector counts
for all, as NumPy broadcasts it). ``repeat`` with ``axis=None`` flattens before the op.

NumPy's errors: a negative scalar count is a negative dimension, a negative count in a
vector is refused, a vector of another length does not broadcast (all ValueError).
"""

from __future__ import annotations

from ccodegen.cnode import NodeC, NodeContext, c_ops
from ccodegen.ops.nests import copy_nest, hoist, indent, loop_nest, offset
from tensorops.creation_ops import Repeat


@c_ops.register(Repeat)
def repeat_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, Repeat)
    (x, counts), (out,) = ctx.inputs, ctx.outputs
    if counts.dtype == "uint64":
        return None  # NumPy refuses to cast uint64 counts to intp (TypeError)
    axis = op.axis
    n = x.dim(axis)
    # The first count, read only when there is one (an empty vector of counts).
    one = counts.first() if counts.ndim == 0 else f"({counts.dim(0)} ? {counts.element(0)} : 0)"
    each = "(npy_intp)" + (one if counts.ndim == 0 else counts.element("k"))
    shared = "1" if counts.ndim == 0 else f"{counts.dim(0)} == 1"
    shape = [f"{out.dim(a)} = {x.dim(a)};" for a in range(x.ndim) if a != axis]
    shape += [
        "{",
        f"    const npy_intp one = (npy_intp){one};",
        "    npy_intp total = 0;",
        f"    if ({shared}) {{",
        "        if (one < 0) " + ctx.fail("value", "negative dimensions are not allowed"),
        f"        total = one * {n};",
        f"    }} else if ({counts.dim(0) if counts.ndim else n} != {n}) {{",
        "        "
        + ctx.fail(
            "value",
            "operands could not be broadcast together with shape (%ld,) (%ld,)",
            f"(long){n}",
            f"(long){counts.dim(0) if counts.ndim else n}",
        ),
        "    } else {",
        f"        for (npy_intp k = 0; k < {n}; k++) {{",
        f"            const npy_intp c = {each};",
        "            if (c < 0) " + ctx.fail("value", "repeats may not contain negative values."),
        "            total += c;",
        "        }",
        "    }",
        f"    {out.dim(axis)} = total;",
        "}",
    ]
    declarations, lengths, strides = hoist(x, "x")
    out_declarations, _, out_strides = hoist(out, "o")
    outer, inner = range(axis), range(axis + 1, x.ndim)
    body = [
        f"const char *source = {x.name}.data + {offset('p', [strides[a] for a in outer])};",
        f"char *target = {out.name}.data + {offset('p', [out_strides[a] for a in outer])};",
        "npy_intp position = 0;",
        f"for (npy_intp k = 0; k < {lengths[axis]}; k++) {{",
        f"    const npy_intp c = {shared} ? one : {each};",
        "    for (npy_intp r = 0; r < c; r++, position++) {",
        *indent(
            [
                f"char *row_to = target + position * {out_strides[axis]};",
                f"const char *row_from = source + k * {strides[axis]};",
                *copy_nest(
                    x.ctype,
                    [lengths[a] for a in inner],
                    ("row_to", [out_strides[a] for a in inner]),
                    ("row_from", [strides[a] for a in inner]),
                ),
            ],
            2,
        ),
        "    }",
        "}",
    ]
    compute = [
        *declarations,
        *out_declarations,
        f"const npy_intp one = (npy_intp){one};",
        *loop_nest([lengths[a] for a in outer], "p", body),
    ]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))
