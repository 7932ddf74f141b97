"""C for the ops that make tensors from sizes: ``ARange``, ``Eye``, ``Tri`` and
``AllocEmpty``."""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset, wrapping
from tensorops.creation_ops import AllocEmpty, ARange, Eye, Tri

ARANGE_DTYPES = ("int64", "float32", "float64")
"""Narrower integers would need NumPy's overflow checks of the first two values."""


@c_ops.register(ARange)
def arange_c(ctx: NodeContext) -> NodeC | None:
    """NumPy's arange: the length is ``ceil((stop - start) / step)`` in Python's arithmetic
    (exact for integer bounds, double otherwise); the first two values are ``start`` and
    ``start + step`` converted to the dtype, the rest ``first + i * (second - first)``
    computed in the dtype (NumPy's fill)."""
    (start, stop, step), (out,) = ctx.inputs, ctx.outputs
    if out.dtype not in ARANGE_DTYPES or any(v.dtype == "uint64" for v in ctx.inputs):
        return None
    exact = all(not v.dtype.startswith("float") for v in ctx.inputs)
    domain = "npy_int64" if exact else "double"
    bounds = [f"const {domain} a = ({domain}){start.first()};"]
    bounds += [f"const {domain} b = ({domain}){stop.first()}, c = ({domain}){step.first()};"]
    if exact:
        quotient = [
            "if (c == 0) " + ctx.fail("zero_division", "division by zero"),
            "npy_int64 difference;",
            "const double q = __builtin_sub_overflow(b, a, &difference)",
            "    ? ((double)b - (double)a) / (double)c : (double)difference / (double)c;",
        ]
    else:
        quotient = [
            "if (c == 0) " + ctx.fail("zero_division", "float division by zero"),
            "const double q = (b - a) / c;",
        ]
    shape = [
        *bounds,
        *quotient,
        "const double length = ceil(q);",
        "if (isnan(length)) " + ctx.fail("value", "arange: cannot compute length"),
        "if (!(length < 9223372036854775807.0)) "
        + ctx.fail("value", "Maximum allowed size exceeded"),
        f"{out.dim(0)} = length > 0 ? (npy_intp)length : 0;",
        f"if ({out.dim(0)} > NPY_MAX_INTP / {out.itemsize}) "
        + ctx.fail("value", "array is too big; arr.size * arr.dtype.itemsize is too large"),
    ]
    t = out.ctype
    if exact or out.dtype.startswith("float"):
        # A Python int goes to a float array through double, as NumPy's setitem does.
        first, second = f"({t})(double)a", f"({t})(double)(a + c)"
        if exact and out.dtype == "int64":
            first, second = "a", "a + c"
        checks: list[str] = []
    else:
        first, second = f"({t})a", f"({t})(a + c)"
        checks = [
            "if (!(a >= -9223372036854775808.0 && a < 9223372036854775808.0)) "
            + ctx.fail("overflow", "Python integer out of bounds for int64"),
            f"if ({out.dim(0)} > 1 && !(a + c >= -9223372036854775808.0 "
            "&& a + c < 9223372036854775808.0)) "
            + ctx.fail("overflow", "Python integer out of bounds for int64"),
        ]
    term = wrapping(out.dtype, t, "start", "+", f"({t})i * delta")
    if out.dtype == "int64":
        term = wrapping(out.dtype, t, "start", "+", wrapping(out.dtype, t, "i", "*", "delta"))
    compute = [
        *checks,
        f"{t} *restrict o = ({t} *){out.name}.data;",
        f"const npy_intp n = {out.dim(0)}, s = {out.stride(0)} / {out.itemsize};",
        "if (n > 0) {",
        f"    const {t} start = {first};",
        "    o[0] = start;",
        "    if (n > 1) {",
        f"        const {t} next = {second};",
        f"        const {t} delta = {wrapping(out.dtype, t, 'next', '-', 'start')};",
        "        o[s] = next;",
        f"        for (npy_intp i = 2; i < n; i++) o[i * s] = {term};",
        "    }",
        "}",
    ]
    return NodeC("\n".join(shape), "\n".join(compute))


def _square_sizes(ctx: NodeContext, clip: bool) -> tuple[CVar, list[str]]:
    """The output and the shape pass of eye and tri: ``n`` x ``m`` from the first two
    inputs (negative lengths refused, or taken as 0 when ``clip``, as np.tri does)."""
    (n, m, _), (out,) = ctx.inputs, ctx.outputs
    shape = []
    for axis, size in enumerate((n, m)):
        value = ctx.index_value(size)
        if clip:
            shape.append(f"{out.dim(axis)} = {value} > 0 ? {value} : 0;")
        else:
            shape += [
                f"{out.dim(axis)} = {value};",
                f"if ({out.dim(axis)} < 0) "
                + ctx.fail("value", "negative dimensions are not allowed"),
            ]
    return out, shape


def _fill(ctx: NodeContext, clip: bool, condition: str) -> NodeC:
    """Every element ``(i0, i1)`` of the output set to ``condition`` (C on ``i0``, ``i1`` and
    ``k``, the third input)."""
    out, shape = _square_sizes(ctx, clip)
    declarations, lengths, strides = hoist(out, "o")
    element = at(out.ctype, out.name + ".data", offset("i", strides))
    compute = [
        f"const npy_int64 k = (npy_int64){ctx.inputs[2].first()};",
        *declarations,
        *loop_nest(lengths, "i", [f"{element} = ({out.ctype})({condition});"]),
    ]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))


@c_ops.register(Eye)
def eye_c(ctx: NodeContext) -> NodeC:
    """Ones where the column is the row plus ``k``, zeros elsewhere."""
    return _fill(ctx, clip=False, condition="i1 - i0 == k")


@c_ops.register(Tri)
def tri_c(ctx: NodeContext) -> NodeC:
    """Ones at and below the ``k``-th diagonal: column - row <= k."""
    return _fill(ctx, clip=True, condition="i1 - i0 <= k")


@c_ops.register(AllocEmpty)
def alloc_empty_c(ctx: NodeContext) -> NodeC:
    """Only the lengths: the values are whatever the buffer holds, as with np.empty."""
    (out,) = ctx.outputs
    shape = []
    for axis, size in enumerate(ctx.inputs):
        shape += [
            f"{out.dim(axis)} = {ctx.index_value(size)};",
            f"if ({out.dim(axis)} < 0) " + ctx.fail("value", "negative dimensions are not allowed"),
        ]
    return NodeC("\n".join(shape), "")
