"""C for ``CumOp``: running sums and products along an axis, or over the flattened array
(C order) when the axis is None, as ``np.cumsum``/``np.cumprod`` with the output's dtype:
each element is cast to it and folded in order, the first element taken as it is."""

from __future__ import annotations

from ccodegen.cnode import NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset, wrapping
from tensorops.cumulative import CumOp

FOLDS = {"cumsum": "+", "cumprod": "*"}


@c_ops.register(CumOp)
def cumulative_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, CumOp)
    (x,), (out,) = ctx.inputs, ctx.outputs
    if op.mode not in FOLDS:
        return None
    declarations, lengths, strides = hoist(x, "x")
    out_declarations, _, out_strides = hoist(out, "o")
    t = out.ctype
    walked = strides if op.axis is None else [strides[op.axis]]
    value = f"const {t} y = ({t}){at('const ' + x.ctype, 'base', offset('j', walked))};"
    fold = wrapping(out.dtype, t, "acc", FOLDS[op.mode], "y")
    if op.axis is None:
        shape = f"{out.dim(0)} = {x.size()};"
        body = [
            value,
            f"acc = k == 0 ? y : {fold};",
            f"{at(t, out.name + '.data', 'k * ' + out_strides[0])} = acc;",
            "k++;",
        ]
        nest = [
            f"const char *base = {x.name}.data;",
            f"{t} acc = 0;",
            "npy_intp k = 0;",
            *loop_nest(lengths, "j", body),
        ]
    else:
        axis = op.axis
        kept = [a for a in range(x.ndim) if a != axis]
        shape = "\n".join(f"{out.dim(a)} = {x.dim(a)};" for a in range(x.ndim))
        body = [
            f"const char *base = {x.name}.data + {offset('i', [strides[a] for a in kept])};",
            f"char *target = {out.name}.data + {offset('i', [out_strides[a] for a in kept])};",
            f"{t} acc = 0;",
            *loop_nest(
                [lengths[axis]],
                "j",
                [
                    value,
                    f"acc = j0 == 0 ? y : {fold};",
                    f"{at(t, 'target', 'j0 * ' + out_strides[axis])} = acc;",
                ],
            ),
        ]
        nest = loop_nest([lengths[a] for a in kept], "i", body)
    compute = [*declarations, *out_declarations, *nest]
    return NodeC(shape, "\n".join(["{", *indent(compute), "}"]))
