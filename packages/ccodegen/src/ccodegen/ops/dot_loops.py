"""The ``Dot`` cases BLAS does not take: a 0-d operand, integer and boolean operands, and
operands of another dtype than the result.

NumPy's ``dot`` with a 0-d operand is ``multiply``; on integers it sums the products in
the result's dtype, wrapping around (here in unsigned 64-bit arithmetic, whose low bits
are the same), and on booleans it is "any of a and b"; with mixed dtypes it casts both
operands to the result's dtype and calls BLAS on the copies.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccodegen.cnode import CVar, NodeContext
from ccodegen.loops import copy_loop, elementwise_loop
from ccodegen.ops.nests import indent
from ccodegen.scalar_c import Operands, scalar_c


def dot_shape(ctx: NodeContext) -> str:
    """C setting the product's lengths, refusing contracted lengths that differ."""
    (a, b), (out,) = ctx.inputs, ctx.outputs
    if a.ndim == 0 or b.ndim == 0:
        other = b if a.ndim == 0 else a
        return "\n".join(f"{out.dim(axis)} = {other.dim(axis)};" for axis in range(out.ndim))
    inner_a = a.dim(a.ndim - 1)
    shape = [
        f"if ({inner_a} != {b.dim(0)}) "
        + ctx.fail(
            "value",
            "shapes not aligned for dot: %ld (last axis of the first) != %ld (first of the second)",
            f"(long){inner_a}",
            f"(long){b.dim(0)}",
        )
    ]
    if a.ndim == 2:
        shape.append(f"{out.dim(0)} = {a.dim(0)};")
    if b.ndim == 2:
        shape.append(f"{out.dim(out.ndim - 1)} = {b.dim(1)};")
    return "\n".join(shape)


def scaled(ctx: NodeContext) -> str | None:
    """C for a dot with a 0-d operand. Integers and booleans: NumPy's ``multiply``. Floats:
    NumPy's BLAS path, ``axpy`` onto zeros unless the other operand has one element, so a
    zero factor gives zeros even next to infinities and NaN, and a product of -0.0 is +0.0.
    Complex numbers (``axpy``'s own rounding) are declined."""
    (a, b), (out,) = ctx.inputs, ctx.outputs
    if out.dtype.startswith("complex"):
        return None
    scalar_first = a.ndim == 0
    as_scalar = [CVar(v.name, v.dtype, (True,) * out.ndim) if v.ndim == 0 else v for v in (a, b)]

    def product(values: Sequence[str]) -> str:
        casts = [
            value if var.dtype == out.dtype else f"(({out.ctype}){value})"
            for var, value in zip((a, b), values, strict=True)
        ]
        made = scalar_c("mul", casts, Operands((out.dtype, out.dtype), out.dtype))
        assert made is not None
        if out.dtype not in ("float32", "float64"):
            return made
        factor = casts[0] if scalar_first else casts[1]
        return f"(dot_single ? {made} : ({factor} == 0 ? 0 : 0 + {made}))"

    def body(values: Sequence[str]) -> tuple[list[str], list[str]]:
        return [], [product(values)]

    other = b if scalar_first else a
    single = f"const int dot_single = {other.size()} == 1;\n(void)dot_single;\n"
    return single + elementwise_loop([out], as_scalar, body)


def summed(ctx: NodeContext) -> str | None:
    """C for a dot of integers or booleans: each sum of products in a plain loop."""
    (a, b), (out,) = ctx.inputs, ctx.outputs
    if out.dtype.startswith("float") or out.dtype.startswith("complex"):
        return None
    rows = a.dim(0) if a.ndim == 2 else "1"
    cols = b.dim(1) if b.ndim == 2 else "1"
    a_row = a.stride(0) if a.ndim == 2 else "0"
    a_inner = a.stride(a.ndim - 1)
    b_inner = b.stride(0)
    b_col = b.stride(1) if b.ndim == 2 else "0"
    o_row = out.stride(0) if a.ndim == 2 else "0"
    o_col = out.stride(out.ndim - 1) if b.ndim == 2 else "0"
    product = f"(npy_uint64)*(const {a.ctype} *)(pa + k * sa) * " + (
        f"(npy_uint64)*(const {b.ctype} *)(pb + k * sb)"
    )
    if out.dtype == "bool":
        product = f"(npy_uint64)(*(const {a.ctype} *)(pa + k * sa) && "
        product += f"*(const {b.ctype} *)(pb + k * sb))"
    result = "(npy_bool)(sum != 0)" if out.dtype == "bool" else f"({out.ctype})sum"
    body = [
        f"const char *pa = {a.name}.data + i * {a_row}, *pb = {b.name}.data + j * {b_col};",
        "npy_uint64 sum = 0;",
        f"for (npy_intp k = 0; k < inner; k++) sum += {product};",
        f"*({out.ctype} *)({out.name}.data + i * {o_row} + j * {o_col}) = {result};",
    ]
    return "\n".join(
        [
            "{",
            f"    const npy_intp rows = {rows}, cols = {cols}, inner = {b.dim(0)};",
            f"    const npy_intp sa = {a_inner}, sb = {b_inner};",
            "    for (npy_intp i = 0; i < rows; i++) {",
            "        for (npy_intp j = 0; j < cols; j++) {",
            *indent(body, 3),
            "        }",
            "    }",
            "}",
        ]
    )


def cast_copy(ctx: NodeContext, var: CVar, dtype: str, k: int) -> tuple[CVar, list[str]]:
    """A C-ordered copy of ``var`` cast to ``dtype`` in scratch ``k``, and the C making it."""
    copy = CVar(f"{var.name}_cast", dtype, var.broadcastable)
    lines = [
        f"cg_arr {copy.name} = {var.name};",
        f"{copy.name}.data = (char *){ctx.scratch(k, f'{var.size()} * {copy.itemsize}')};",
        f"if ({copy.name}.data == NULL) " + ctx.fail("memory", "dot: out of memory"),
        f"cg_contiguous_strides(&{copy.name}, {var.ndim}, {copy.itemsize});",
        copy_loop(copy, var),
    ]
    return copy, lines
