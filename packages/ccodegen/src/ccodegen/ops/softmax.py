"""C for ``LogSumExp``, ``Softmax`` and ``LogSoftmax``: each output element (or run of
elements) reads the input along the reduced axes in several passes, the first finding
the maximum that shifts the exponentials, as SciPy computes them.

- logsumexp (SciPy >= 1.15): with ``M`` the maximum and ``m`` how many elements equal
  it, ``log1p(s / m) + log(m) + M`` where ``s`` sums ``exp(x - M)`` over the others
  (the maxima count as ``exp(-inf - M)``); where that is not finite, ``log(sum(exp(x)))``.
  In float64, or float32 for float32 input. An empty array gives -inf.
- softmax: ``exp(x - M) / sum(exp(x - M))``;
- log_softmax: ``(x - M) - log(sum(exp(x - M)))`` with ``M`` replaced by 0 when not finite.

softmax and log_softmax subtract in the input's dtype (integers wrap, as NumPy's do) and
exponentiate in the dtype ``np.exp`` gives it; those that ``np.exp`` would take to float16
(8-bit integers) and booleans (NumPy refuses to subtract them) run in Python.
"""

from __future__ import annotations

import numpy as np

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset
from ccodegen.scalar_c import C_TYPES
from tensorops.reduction import LogSoftmax, LogSumExp, Softmax


def _math(name: str, ctype: str) -> str:
    return f"{name}f" if ctype == "float" else name


def _exp_dtype(dtype: str) -> str | None:
    """The dtype ``np.exp`` computes in for this input dtype, if C has it."""
    if dtype == "bool":
        return None
    result = str(np.exp(np.zeros(1, dtype)).dtype)
    return result if result in ("float32", "float64") else None


def _difference(x: CVar, value: str, shift: str) -> str:
    """``value - shift`` in the input's dtype: integers wrap, as NumPy's do."""
    if x.dtype.startswith("float"):
        return f"({value} - {shift})"
    return f"(({x.ctype})((npy_uint64){value} - (npy_uint64){shift}))"


def _running_max(x: CVar, into: str, value: str) -> str:
    """Fold ``value`` into the maximum ``into``; NaN propagates, as in np.max."""
    if x.dtype.startswith("float"):
        return f"if ({value} > {into} || {value} != {value}) {into} = {value};"
    return f"if ({value} > {into}) {into} = {value};"


class _Axes:
    """The reduced and kept axes of ``x``, with the names of its hoisted lengths and strides."""

    def __init__(self, x: CVar, reduced: list[int]):
        self.reduced = reduced
        self.kept = [axis for axis in range(x.ndim) if axis not in reduced]
        self.declarations, self.lengths, self.strides = hoist(x, "x")

    def outer(self, body: list[str]) -> list[str]:
        return loop_nest([self.lengths[a] for a in self.kept], "i", body)

    def inner(self, body: list[str]) -> list[str]:
        return loop_nest([self.lengths[a] for a in self.reduced], "j", body)

    def count(self, x: CVar) -> str:
        return " * ".join(x.dim(axis) for axis in self.reduced) or "1"


@c_ops.register(LogSumExp)
def logsumexp_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, LogSumExp)
    (x,), (out,) = ctx.inputs, ctx.outputs
    if out.dtype not in ("float32", "float64"):
        return None
    w = out.ctype
    axes = _Axes(x, list(op.axis))
    out_axes = axes.kept if op.keepdims else list(range(len(axes.kept)))
    shape = [f"{out.dim(axis)} = 1;" for axis in range(out.ndim)]
    shape += [f"{out.dim(o)} = {x.dim(a)};" for a, o in zip(axes.kept, out_axes, strict=True)]
    out_declarations, _, out_strides = hoist(out, "o")
    exp, log, log1p = (_math(name, w) for name in ("exp", "log", "log1p"))
    value = f"const {w} y = ({w}){at('const ' + x.ctype, 'base', _inner_offset(axes))};"
    body = [
        f"const char *base = {x.name}.data + {offset('i', [axes.strides[a] for a in axes.kept])};",
        f"{w} result = -INFINITY;",
        "if (count > 0) {",
        *indent(
            [
                f"{w} top = ({w})*(const {x.ctype} *)base;",
                *axes.inner([value, _running_max(out, "top", "y")]),
                f"const {w} at_top = {exp}(-INFINITY - top);",
                f"{w} s = 0, m = 0, direct = 0;",
                *axes.inner(
                    [
                        value,
                        f"if (y == top) {{ m += 1; s += at_top; }} else s += {exp}(y - top);",
                        f"direct += {exp}(y);",
                    ]
                ),
                "if (s != 0) s = s / m;",
                f"result = {log1p}(s) + {log}(m) + top;",
                f"if (!isfinite(result)) result = {log}(direct);",
            ]
        ),
        "}",
        f"{at(w, out.name + '.data', offset('i', [out_strides[o] for o in out_axes]))} = result;",
    ]
    compute = [
        *axes.declarations,
        *out_declarations,
        f"const npy_intp count = {axes.count(x)};",
        *axes.outer(body),
    ]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))


def _inner_offset(axes: _Axes) -> str:
    return offset("j", [axes.strides[a] for a in axes.reduced])


@c_ops.register(Softmax)
def softmax_c(ctx: NodeContext) -> NodeC | None:
    return _normalize(ctx, log=False)


@c_ops.register(LogSoftmax)
def log_softmax_c(ctx: NodeContext) -> NodeC | None:
    return _normalize(ctx, log=True)


def _normalize(ctx: NodeContext, log: bool) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, (Softmax, LogSoftmax))
    (x,), (out,) = ctx.inputs, ctx.outputs
    work = _exp_dtype(x.dtype)
    if work is None or out.dtype not in ("float32", "float64"):
        return None
    w = C_TYPES[work]
    exp = _math("exp", w)
    axes = _Axes(x, list(range(x.ndim)) if op.axis is None else list(op.axis))
    shape = [f"{out.dim(axis)} = {x.dim(axis)};" for axis in range(x.ndim)]
    reduction = "maximum"
    shape.append(
        f"if ({axes.count(x)} == 0) "
        + ctx.fail(
            "value", f"zero-size array to reduction operation {reduction} which has no identity"
        )
    )
    out_declarations, _, out_strides = hoist(out, "o")
    value = f"const {x.ctype} y = {at('const ' + x.ctype, 'base', _inner_offset(axes))};"
    shifted = f"const {x.ctype} t = {_difference(x, 'y', 'top')};"
    target = at(
        out.ctype,
        "target",
        offset("j", [out_strides[a] for a in axes.reduced]),
    )
    body = [
        f"const char *base = {x.name}.data + {offset('i', [axes.strides[a] for a in axes.kept])};",
        f"char *target = {out.name}.data + {offset('i', [out_strides[a] for a in axes.kept])};",
        f"{x.ctype} top = *(const {x.ctype} *)base;",
        *axes.inner([value, _running_max(x, "top", "y")]),
    ]
    if log:
        if x.dtype.startswith("float"):
            body.append("if (!isfinite(top)) top = 0;")
        body += [
            f"{w} s = 0;",
            *axes.inner([value, shifted, f"s += {exp}(({w})t);"]),
            f"const {w} shift = {_math('log', w)}(s);",
            *axes.inner([value, shifted, f"{target} = ({out.ctype})(({w})t - shift);"]),
        ]
    else:
        body += [
            f"{w} s = 0;",
            *axes.inner(
                [
                    value,
                    shifted,
                    f"const {w} e = {exp}(({w})t);",
                    f"{target} = ({out.ctype})e;",
                    "s += e;",
                ]
            ),
            *axes.inner([f"{target} = ({out.ctype})(({w}){target} / s);"]),
        ]
    compute = [*axes.declarations, *out_declarations, *axes.outer(body)]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))
