"""C for ``ArgReduce``: argmax and argmin along one axis, or over the flattened array.

NumPy's scan: the first element is the candidate; a later one replaces it when it is
not ``<=`` (argmax; ``>=`` for argmin) the candidate, which makes the first NaN win;
the scan stops at a NaN candidate. Ties keep the first index.
"""

from __future__ import annotations

from ccodegen.cnode import NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset
from tensorops.reduction import ArgReduce

KEEPS = {"argmax": "<=", "argmin": ">="}


@c_ops.register(ArgReduce)
def arg_reduce_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, ArgReduce)
    (x,), (out,) = ctx.inputs, ctx.outputs
    if op.reduction not in KEEPS:
        return None
    reduced = list(range(x.ndim)) if op.axis is None else [op.axis]
    kept = [axis for axis in range(x.ndim) if axis not in reduced]
    out_axes = kept if op.keepdims else list(range(len(kept)))
    shape = [f"{out.dim(axis)} = 1;" for axis in range(out.ndim)]
    shape += [f"{out.dim(o)} = {x.dim(axis)};" for axis, o in zip(kept, out_axes, strict=True)]
    count = " * ".join(x.dim(axis) for axis in reduced) or "1"
    shape.append(
        f"if ({count} == 0) "
        + ctx.fail("value", f"attempt to get {op.reduction} of an empty sequence")
    )
    declarations, lengths, strides = hoist(x, "x")
    out_declarations, _, out_strides = hoist(out, "o")
    element = at("const " + x.ctype, "base", offset("j", [strides[a] for a in reduced]))
    replace, guard, label = "best = y; found = k;", "1", []
    if x.dtype.startswith("float"):
        replace += " if (best != best) goto scanned;"  # the first NaN wins
        guard, label = "best == best", ["scanned:"]
    scan = [
        f"const {x.ctype} y = {element};",
        f"if (!(y {KEEPS[op.reduction]} best)) {{ {replace} }}",
        "k++;",
    ]
    body = [
        f"const char *base = {x.name}.data + {offset('i', [strides[a] for a in kept])};",
        f"{x.ctype} best = *(const {x.ctype} *)base;",
        "npy_int64 found = 0, k = 0;",
        f"if ({guard}) {{",
        *indent(loop_nest([lengths[a] for a in reduced], "j", scan)),
        "}",
        *label,
        f"{at('npy_int64', out.name + '.data', offset('i', [out_strides[o] for o in out_axes]))}"
        " = found;",
    ]
    compute = [*declarations, *out_declarations, *loop_nest([lengths[a] for a in kept], "i", body)]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))
