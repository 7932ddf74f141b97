"""C for scalar ops: one row per op of tensorops' elementwise table, keyed by its name.

A row turns the C texts of the operands into the C text of the result. Operands
arrive already cast to the dtype the op computes in (``operand_dtypes``), so a row
only chooses between float, double and integer spellings. Helpers too long for an
expression live in ``prelude.h`` (``cg_`` names); rows missing here have no C and
their nodes run in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ccodegen.complex_c import COMPLEX_C

C_TYPES = {
    "bool": "npy_bool",
    "int8": "npy_int8",
    "int16": "npy_int16",
    "int32": "npy_int32",
    "int64": "npy_int64",
    "uint8": "npy_uint8",
    "uint16": "npy_uint16",
    "uint32": "npy_uint32",
    "uint64": "npy_uint64",
    "float32": "float",
    "float64": "double",
    "complex64": "float _Complex",
    "complex128": "double _Complex",
}
"""The dtypes C code handles: C99 complex types for NumPy's complex64 and complex128."""

COMPLEX_DTYPES = ("complex64", "complex128")


@dataclass(frozen=True)
class Operands:
    """What a row needs to know: the operands' dtype and the result's."""

    dtypes: tuple[str, ...]
    out: str

    @property
    def kind(self) -> str:
        """``"f"`` float32, ``"d"`` float64, ``"i"`` signed, ``"u"`` unsigned, ``"b"`` bool;
        ``"F"`` complex64, ``"D"`` complex128."""
        dtype = self.dtypes[0] if self.dtypes else self.out
        named = {"float32": "f", "float64": "d", "complex64": "F", "complex128": "D"}
        if dtype in named:
            return named[dtype]
        return {"b": "b", "u": "u"}.get(dtype[0], "i")

    @property
    def is_float(self) -> bool:
        return self.kind in "fd"


Row = Callable[[Sequence[str], Operands], str]


def _math(name: str) -> Row:
    """A libm function: ``exp(x)``, ``expf(x)`` on float32."""

    def row(args: Sequence[str], ops: Operands) -> str:
        suffix = "f" if ops.kind == "f" else ""
        return f"{name}{suffix}({', '.join(args)})"

    return row


def _helper(name: str) -> Row:
    """A prelude helper in double and float spellings: ``cg_softplus`` / ``cg_softplusf``."""
    return _math(f"cg_{name}")


def _scipy(name: str, float_variant: bool = False) -> Row:
    """SciPy's function through its pointer (special.py). float32 calls SciPy's float
    kernel where SciPy has one (its float32 loop), else the double one, as SciPy's loop does."""

    def row(args: Sequence[str], ops: Operands) -> str:
        if ops.kind == "f" and float_variant:
            return f"cg_sp_{name}f({', '.join(args)})"
        if ops.kind == "f":
            return f"(float)cg_sp_{name}({', '.join(f'(double){a}' for a in args)})"
        return f"cg_sp_{name}({', '.join(args)})"

    return row


def _infix(symbol: str) -> Row:
    return lambda args, ops: f"({args[0]} {symbol} {args[1]})"


def _boolean(symbol: str) -> Row:
    """A comparison: 1 or 0 as npy_bool."""
    return lambda args, ops: f"(npy_bool)({args[0]} {symbol} {args[1]})"


def _float_only(row: Row) -> Row:
    """A row defined for float operands only (integers fall back to Python)."""

    def checked(args: Sequence[str], ops: Operands) -> str:
        if not ops.is_float:
            raise NotImplementedError("integer operands")
        return row(args, ops)

    return checked


def _by_kind(float_row: Row, integer_row: Row) -> Row:
    return lambda args, ops: (float_row if ops.is_float else integer_row)(args, ops)


def _boolean_or(row: Row, logical: str) -> Row:
    """On booleans NumPy's add is logical or and mul logical and."""
    return lambda args, ops: (
        f"({args[0]} {logical} {args[1]})" if ops.kind == "b" else row(args, ops)
    )


def _true_div(args: Sequence[str], ops: Operands) -> str:
    return f"({args[0]} / {args[1]})"


def _floored(helper: str, c_operator: str) -> Row:
    """Python's floor division or modulo (``helper``: cg_floor_div, cg_mod): NumPy's divmod
    on floats, Python's signs on signed integers, 0 for a zero divisor on integers."""

    def row(args: Sequence[str], ops: Operands) -> str:
        a, b = args
        if ops.is_float:
            return f"{helper}{'f' if ops.kind == 'f' else ''}({a}, {b})"
        if ops.kind == "u":
            return f"({b} ? {a} {c_operator} {b} : 0)"
        return f"{helper}_i64({a}, {b})"

    return row


def _pow(args: Sequence[str], ops: Operands) -> str:
    if ops.is_float:
        return _math("pow")(args, ops)
    return f"cg_pow_i64({args[0]}, {args[1]})"


def _minmax(symbol: str) -> Row:
    """NumPy's minimum/maximum: a NaN operand gives NaN."""

    def row(args: Sequence[str], ops: Operands) -> str:
        a, b = args
        if ops.is_float:
            return f"(({a} {symbol} {b} || {a} != {a}) ? {a} : {b})"
        return f"({a} {symbol} {b} ? {a} : {b})"

    return row


def _sign(args: Sequence[str], ops: Operands) -> str:
    (x,) = args
    if ops.kind in ("u", "b"):
        return f"({x} > 0)"
    if ops.is_float:  # NaN stays NaN
        return f"({x} > 0 ? 1 : ({x} < 0 ? -1 : {x}))"
    return f"(({x} > 0) - ({x} < 0))"


def _abs(args: Sequence[str], ops: Operands) -> str:
    (x,) = args
    if ops.is_float:
        return _math("fabs")(args, ops)
    if ops.kind in "ub":
        return x
    return f"({x} < 0 ? -{x} : {x})"


def _rounding(name: str) -> Row:
    """floor, ceil, trunc, rint: integers are already whole."""
    return _by_kind(_math(name), lambda args, ops: args[0])


def _float_test(name: str) -> Row:
    """isnan/isinf/isfinite: integers are never NaN nor infinite."""
    integer_value = "1" if name == "isfinite" else "0"
    return lambda args, ops: (
        f"(npy_bool)({name}({args[0]}) != 0)" if ops.is_float else f"(npy_bool){integer_value}"
    )


def _sqr(args: Sequence[str], ops: Operands) -> str:
    return f"({args[0]} * {args[0]})"


def _neg(args: Sequence[str], ops: Operands) -> str:
    return f"(-{args[0]})"


def _reciprocal(args: Sequence[str], ops: Operands) -> str:
    one = "1.0f" if ops.kind == "f" else "1.0"
    return f"({one} / {args[0]})"


def _switch(args: Sequence[str], ops: Operands) -> str:
    return f"({args[0]} ? {args[1]} : {args[2]})"


def _identity(args: Sequence[str], ops: Operands) -> str:
    return args[0]


def _logic(symbol: str) -> Row:
    return lambda args, ops: f"({args[0]} {symbol} {args[1]})"


def _invert(args: Sequence[str], ops: Operands) -> str:
    return f"(!{args[0]})" if ops.kind == "b" else f"(~{args[0]})"


def _angle(args: Sequence[str], ops: Operands) -> str:
    """np.angle of a real number, arctan2(0, x): pi for negative numbers and -0.0."""
    return _math("atan2")(["0", args[0]], ops)


def _zero(args: Sequence[str], ops: Operands) -> str:
    """np.imag of a real number."""
    return "0"


SCALAR_C: dict[str, Row] = {
    # arithmetic
    "add": _by_kind(
        _infix("+"), lambda a, o: f"({a[0]} | {a[1]})" if o.kind == "b" else f"({a[0]} + {a[1]})"
    ),
    "sub": _infix("-"),
    "mul": _by_kind(
        _infix("*"), lambda a, o: f"({a[0]} & {a[1]})" if o.kind == "b" else f"({a[0]} * {a[1]})"
    ),
    "true_div": _true_div,
    "int_div": _floored("cg_floor_div", "/"),
    "mod": _floored("cg_mod", "%"),
    "pow": _pow,
    "neg": _neg,
    "reciprocal": _float_only(_reciprocal),
    "minimum": _minmax("<"),
    "maximum": _minmax(">"),
    # comparisons
    "eq": _boolean("=="),
    "neq": _boolean("!="),
    "lt": _boolean("<"),
    "le": _boolean("<="),
    "gt": _boolean(">"),
    "ge": _boolean(">="),
    # logic and bits
    "and": _logic("&"),
    "or": _logic("|"),
    "xor": _logic("^"),
    "invert": _invert,
    "left_shift": _logic("<<"),
    "right_shift": _logic(">>"),
    "isnan": _float_test("isnan"),
    "isinf": _float_test("isinf"),
    "isfinite": _float_test("isfinite"),
    # rounding and sign
    "round": _rounding("rint"),
    "floor": _rounding("floor"),
    "ceil": _rounding("ceil"),
    "trunc": _rounding("trunc"),
    "sign": _sign,
    "abs": _abs,
    # exponentials, logarithms, powers
    "exp": _math("exp"),
    "exp2": _math("exp2"),
    "expm1": _math("expm1"),
    "log": _math("log"),
    "log2": _math("log2"),
    "log10": _math("log10"),
    "log1p": _math("log1p"),
    "sqrt": _math("sqrt"),
    "sqr": _sqr,
    "cbrt": _math("cbrt"),
    # trigonometric and hyperbolic
    "sin": _math("sin"),
    "cos": _math("cos"),
    "tan": _math("tan"),
    "arcsin": _math("asin"),
    "arccos": _math("acos"),
    "arctan": _math("atan"),
    "arctan2": _math("atan2"),
    "hypot": _math("hypot"),
    "sinh": _math("sinh"),
    "cosh": _math("cosh"),
    "tanh": _math("tanh"),
    "arcsinh": _math("asinh"),
    "arccosh": _math("acosh"),
    "arctanh": _math("atanh"),
    # special functions
    "sigmoid": _helper("sigmoid"),
    "softplus": _helper("softplus"),
    "log1mexp": _helper("log1mexp"),
    "logit": _helper("logit"),
    "erf": _helper("erf"),
    "erfc": _helper("erfc"),
    "erfcx": _helper("erfcx"),
    "erfinv": _helper("erfinv"),
    # SciPy's own erfcinv, gammainc, gammaincc and betainc (special.py: no helper of ours
    # can reach 4 ulp of the fitted coefficients SciPy rounds with).
    "erfcinv": _scipy("erfcinv"),
    "gamma": _helper("gamma"),
    "gammaln": _helper("gammaln"),
    "digamma": _helper("digamma"),
    "polygamma": _helper("polygamma"),
    "betaln": _helper("betaln"),
    "gammainc": _scipy("gammainc"),
    "gammaincc": _scipy("gammaincc"),
    "betainc": _scipy("betainc", float_variant=True),
    "xlogx": _helper("xlogx"),
    "xlogy0": _helper("xlogy0"),
    "i0": _helper("i0"),
    "i1": _helper("i1"),
    # parts of real numbers (complex ones: complex_c.py)
    "real": _identity,
    "imag": _zero,
    "conj": _identity,
    "angle": _float_only(_angle),
    # choices and copies
    "clip": _float_only(_helper("clip")),
    "switch": _switch,
    "identity": _identity,
}


def scalar_c(name: str, args: Sequence[str], operands: Operands) -> str | None:
    """The C expression of row ``name`` on ``args``, or None when it has no C for them."""
    complex_operands = any(d in COMPLEX_DTYPES for d in (*operands.dtypes, operands.out))
    row = (COMPLEX_C if complex_operands else SCALAR_C).get(name)
    if row is None or any(d not in C_TYPES for d in (*operands.dtypes, operands.out)):
        return None
    try:
        return row(args, operands)
    except NotImplementedError:
        return None
