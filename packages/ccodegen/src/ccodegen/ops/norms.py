"""C for ``Norm``: ``np.linalg.norm``'s vector norms and the matrix norms without an SVD.

As NumPy computes them, integers and booleans as float64, float32 in float32 (terms and
result; sums accumulate in double, then round to the working type, where NumPy's own
float32 sum would also overflow to infinity):

- vector: ``inf`` max ``|a|`` (0 when empty), ``-inf`` min ``|a|`` (ValueError when
  empty), ``0`` the count of nonzeros, ``1`` the sum of ``|a|``, ``None``/``2`` the
  square root of the sum of squares, another ``p`` ``(sum |a|**p) ** (1/p)``;
- matrix (two axes): ``None``/``"fro"`` as the vector 2-norm over both, ``1``/``-1`` the
  max/min over columns of the column sums of ``|a|``, ``inf``/``-inf`` the same over
  rows. The 2-norm, ``-2`` and ``"nuc"`` need singular values: no C, they run in Python.

Axis None with ord None is the 2-norm of all elements, whatever the rank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset
from tensorops.nlinalg import Norm, NormOrder


@dataclass(frozen=True)
class Plan:
    """How one norm reduces: each term (of ``a``, in the working type), how terms combine
    (``sum``, ``max`` from 0, ``min``), the finish of a sum (of ``s``), and for matrix
    ±1/±inf norms the axis summed first (``inner``) inside the one combined (``outer``)."""

    term: str
    combine: str
    finish: str = "s"
    inner: int | None = None
    outer: int | None = None


def _plan(order: NormOrder, axes: tuple[int, ...], fn: str) -> Plan | None:
    """The plan for ``order`` over ``axes``; ``fn`` is the C math suffix ("" or "f")."""
    magnitude = f"fabs{fn}(a)"
    squares = Plan("a * a", "sum", f"sqrt{fn}(s)")
    if len(axes) == 1:
        if isinstance(order, str):
            return None  # "fro", "nuc": NumPy refuses them for vectors
        if order is None or order == 2:
            return squares
        if order == math.inf:
            return Plan(magnitude, "max")
        if order == -math.inf:
            return Plan(magnitude, "min")
        if order == 0:
            return Plan("(a != 0)", "sum")
        if order == 1:
            return Plan(magnitude, "sum")
        if not math.isfinite(order):
            return None
        power = repr(float(order))
        return Plan(f"pow{fn}({magnitude}, {power})", "sum", f"pow{fn}(s, 1 / (w){power})")
    if len(axes) != 2:
        return None
    row, column = axes
    if order in (None, "fro", "f"):
        return squares
    by_columns = {1: "max", -1: "min"}
    by_rows = {math.inf: "max", -math.inf: "min"}
    if not isinstance(order, str) and order in by_columns:
        return Plan(magnitude, by_columns[int(order)], inner=row, outer=column)
    if not isinstance(order, str) and order in by_rows:
        return Plan(magnitude, by_rows[float(order)], inner=column, outer=row)
    return None  # 2, -2, "nuc" (an SVD) and orders NumPy refuses


def _combine(plan: Plan, value: str) -> str:
    """C folding ``value`` into ``m``: NaN wins, as in NumPy's maximum and minimum."""
    better = ">" if plan.combine == "max" else "<"
    return f"if ({value} {better} m || {value} != {value}) m = {value};"


def _empty_check(ctx: NodeContext, plan: Plan, x: CVar, axes: tuple[int, ...]) -> list[str]:
    """A min over no terms has no value: NumPy's ValueError."""
    if plan.combine != "min":
        return []
    walked = x.dim(plan.outer) if plan.outer is not None else x.dim(axes[0])
    message = "zero-size array to reduction operation minimum which has no identity"
    return [f"if ({walked} == 0) " + ctx.fail("value", message)]


@c_ops.register(Norm)
def norm_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, Norm)
    (x,), (out,) = ctx.inputs, ctx.outputs
    axes = tuple(range(x.ndim)) if op.axis is None else op.axis
    work = x.ctype if x.dtype.startswith("float") else "double"
    if op.axis is None and op.ord is None:
        plan: Plan | None = Plan("a * a", "sum", "sqrt" + ("f" if work == "float" else "") + "(s)")
    else:
        plan = _plan(op.ord, axes, "f" if work == "float" else "")
    if plan is None:
        return None
    kept = [a for a in range(x.ndim) if a not in axes]
    out_axes = kept if op.keepdims else list(range(len(kept)))
    shape = [f"{out.dim(a)} = 1;" for a in range(out.ndim)]
    shape += [f"{out.dim(o)} = {x.dim(a)};" for a, o in zip(kept, out_axes, strict=True)]
    shape += _empty_check(ctx, plan, x, axes)
    declarations, lengths, strides = hoist(x, "x")
    out_declarations, _, out_strides = hoist(out, "o")

    def term(walked: list[int], counter: str) -> list[str]:
        element = at(f"const {x.ctype}", "base", offset(counter, [strides[a] for a in walked]))
        return [f"const w a = (w){element};", f"const w t = (w)({plan.term});"]

    if plan.inner is not None and plan.outer is not None:
        sums = loop_nest([lengths[plan.inner]], "j", [*term([plan.inner], "j"), "s += t;"])
        per_outer = [
            f"const char *base = row + o0 * {strides[plan.outer]};",
            "double s = 0;",
            *sums,
            "const w total = (w)s;",
            _combine(plan, "total"),
        ]
        initial = "0" if plan.combine == "max" else "(w)INFINITY"
        reduce = [
            "const char *row = base;",
            f"w m = {initial};",
            *loop_nest([lengths[plan.outer]], "o", per_outer),
            "const w result = m;",
        ]
    elif plan.combine == "sum":
        reduce = [
            "double sum = 0;",
            *loop_nest([lengths[a] for a in axes], "j", [*term(list(axes), "j"), "sum += t;"]),
            "const w s = (w)sum;",
            f"const w result = {plan.finish};",
        ]
    else:
        initial = "0" if plan.combine == "max" else "(w)INFINITY"
        reduce = [
            f"w m = {initial};",
            *loop_nest(
                [lengths[a] for a in axes], "j", [*term(list(axes), "j"), _combine(plan, "t")]
            ),
            "const w result = m;",
        ]
    target = at(out.ctype, f"{out.name}.data", offset("i", [out_strides[o] for o in out_axes]))
    body = [
        f"const char *base = {x.name}.data + {offset('i', [strides[a] for a in kept])};",
        "{",
        *indent(reduce),
        f"    {target} = ({out.ctype})result;",
        "}",
    ]
    compute = [
        f"typedef {work} w;",
        *declarations,
        *out_declarations,
        *loop_nest([lengths[a] for a in kept], "i", body),
    ]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))
