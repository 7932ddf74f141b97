"""C for scalar ops on complex operands: the rows of ``scalar_c`` for complex64/complex128.

Values are C99 ``float _Complex`` / ``double _Complex`` (``<complex.h>``). NumPy's
complex loops are followed where C's operators differ from them: a product is the
schoolbook formula (C's ``*`` rescues infinities NumPy lets become NaN) with fused
multiply-adds as NumPy's SIMD loops, a quotient and a reciprocal Smith's method as NumPy
computes them (``cg_cmul``, ``cg_cdiv``, ``cg_crecip`` in prelude.h). The elementary
functions are glibc's ``cexp``, ``clog``, ``csqrt``..., which NumPy's complex ufuncs call
too, so branch cuts agree. A power follows
NumPy's cases (``cg_cpow``). Rows NumPy defines in ways not matched here (``sign``, the
orderings) are absent, and such nodes run in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccodegen.scalar_c import Operands

ComplexRow = Callable[[Sequence[str], "Operands"], str]


def _suffix(ops: Operands) -> str:
    """``f`` for complex64 (``cexpf``), nothing for complex128."""
    return "f" if ops.kind == "F" else ""


def _call(name: str) -> ComplexRow:
    """A <complex.h> function or prelude helper: ``cexp(z)``, ``cexpf(z)`` on complex64."""
    return lambda args, ops: f"{name}{_suffix(ops)}({', '.join(args)})"


def _parts(name: str, joined: str) -> ComplexRow:
    """A test of both parts: ``isnan(re) || isnan(im)``."""

    def row(args: Sequence[str], ops: Operands) -> str:
        s, (z,) = _suffix(ops), args
        return f"(npy_bool)({name}(creal{s}({z})) {joined} {name}(cimag{s}({z})))"

    return row


def _infix(symbol: str) -> ComplexRow:
    return lambda args, ops: f"({args[0]} {symbol} {args[1]})"


def _compare(symbol: str) -> ComplexRow:
    """Equality of both parts (``!=``: either differs); NaN in a part is unequal."""
    return lambda args, ops: f"(npy_bool)({args[0]} {symbol} {args[1]})"


def _scaled_log(factor: str) -> ComplexRow:
    """log10: NumPy scales both parts of the natural logarithm by a real factor."""

    def row(args: Sequence[str], ops: Operands) -> str:
        s = _suffix(ops)
        real = "float" if s else "double"
        return f"(clog{s}({args[0]}) * ({real}){factor})"

    return row


def _abs(args: Sequence[str], ops: Operands) -> str:
    """NumPy's complex absolute value: hypot of the parts."""
    s = _suffix(ops)
    return f"hypot{s}(creal{s}({args[0]}), cimag{s}({args[0]}))"


def _angle(args: Sequence[str], ops: Operands) -> str:
    """np.angle: arctan2(imag, real), which is carg."""
    return _call("carg")(args, ops)


COMPLEX_C: dict[str, ComplexRow] = {
    # arithmetic
    "add": _infix("+"),
    "sub": _infix("-"),
    "mul": _call("cg_cmul"),
    "true_div": _call("cg_cdiv"),
    "neg": lambda args, ops: f"(-{args[0]})",
    "reciprocal": _call("cg_crecip"),
    "pow": _call("cg_cpow"),
    "sqr": lambda args, ops: _call("cg_cmul")([args[0], args[0]], ops),
    # comparisons and tests
    "eq": _compare("=="),
    "neq": _compare("!="),
    "isnan": _parts("isnan", "||"),
    "isinf": _parts("isinf", "||"),
    "isfinite": _parts("isfinite", "&&"),
    # parts
    "real": _call("creal"),
    "imag": _call("cimag"),
    "conj": _call("conj"),
    "angle": _angle,
    "abs": _abs,
    # exponentials, logarithms, roots
    "exp": _call("cexp"),
    "log": _call("clog"),
    "log10": _scaled_log("0.434294481903251827651128918916605082"),
    "sqrt": _call("csqrt"),
    # trigonometric and hyperbolic
    "sin": _call("csin"),
    "cos": _call("ccos"),
    "tan": _call("ctan"),
    "arcsin": _call("casin"),
    "arccos": _call("cacos"),
    "arctan": _call("catan"),
    "sinh": _call("csinh"),
    "cosh": _call("ccosh"),
    "tanh": _call("ctanh"),
    "arcsinh": _call("casinh"),
    "arccosh": _call("cacosh"),
    "arctanh": _call("catanh"),
    # choices and copies
    "switch": lambda args, ops: f"({args[0]} ? {args[1]} : {args[2]})",
    "identity": lambda args, ops: args[0],
}
