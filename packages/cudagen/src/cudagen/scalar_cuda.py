"""CUDA for scalar ops: one row per op of tensorops' elementwise table, keyed by its name.

A row turns the CUDA texts of its operands into the text of the result. Operands
arrive already cast to the dtype the op computes in (``expressions.operand_dtypes``),
so a row only chooses between the float (``expf``), double (``exp``) and integer
spellings. Helpers too long for an expression live in ``prelude.cuh`` (``cu_`` names,
one per precision). A row that raises ``NoCudaError``, or a name missing here, means the
node runs on the host (the plan counts its transfers).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CUDA_TYPES = {
    "bool": "bool",
    "int8": "signed char",
    "int16": "short",
    "int32": "int",
    "int64": "long long",
    "uint8": "unsigned char",
    "uint16": "unsigned short",
    "uint32": "unsigned int",
    "uint64": "unsigned long long",
    "float32": "float",
    "float64": "double",
}
"""The dtypes kernels handle (complex and float16 values run on the host)."""


class NoCudaError(Exception):
    """A row has no CUDA for these operands (integer operands of a float function...)."""


@dataclass(frozen=True)
class Operands:
    """What a row needs to know: the operands' dtypes and the result's."""

    dtypes: tuple[str, ...]
    out: str

    @property
    def kind(self) -> str:
        """``"f"`` float32, ``"d"`` float64, ``"i"`` signed, ``"u"`` unsigned, ``"b"`` bool."""
        dtype = self.dtypes[0] if self.dtypes else self.out
        if dtype == "float32":
            return "f"
        if dtype == "float64":
            return "d"
        return {"b": "b", "u": "u"}.get(dtype[0], "i")

    @property
    def is_float(self) -> bool:
        return self.kind in "fd"

    @property
    def suffix(self) -> str:
        """The float32 spelling's suffix of CUDA's math library: ``expf``."""
        return "f" if self.kind == "f" else ""


Row = Callable[[Sequence[str], Operands], str]


def _math(name: str) -> Row:
    """A CUDA math function (or a prelude helper) in float and double spellings; float only."""

    def row(args: Sequence[str], ops: Operands) -> str:
        if not ops.is_float:
            raise NoCudaError(f"{name} of integers")
        return f"{name}{ops.suffix}({', '.join(args)})"

    return row


def _helper(name: str) -> Row:
    return _math(f"cu_{name}")


def _infix(symbol: str) -> Row:
    return lambda args, ops: f"({args[0]} {symbol} {args[1]})"


def _compare(symbol: str) -> Row:
    return lambda args, ops: f"(bool)({args[0]} {symbol} {args[1]})"


def _add(args: Sequence[str], ops: Operands) -> str:
    """NumPy's add on booleans is logical or."""
    return f"({args[0]} || {args[1]})" if ops.kind == "b" else f"({args[0]} + {args[1]})"


def _mul(args: Sequence[str], ops: Operands) -> str:
    """NumPy's multiply on booleans is logical and."""
    return f"({args[0]} && {args[1]})" if ops.kind == "b" else f"({args[0]} * {args[1]})"


def _floored(helper: str) -> Row:
    """Python's floor division or modulo (NumPy's divmod on floats, Python's signs on
    integers, 0 for an integer divided by 0)."""

    def row(args: Sequence[str], ops: Operands) -> str:
        if ops.is_float:
            return f"cu_{helper}{ops.suffix}({args[0]}, {args[1]})"
        return f"cu_{helper}_int({args[0]}, {args[1]})"

    return row


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
    if ops.kind in "ub":
        return f"({x} > 0)"
    if ops.is_float:  # NaN stays NaN
        return f"({x} > 0 ? 1 : ({x} < 0 ? -1 : {x}))"
    return f"(({x} > 0) - ({x} < 0))"


def _abs(args: Sequence[str], ops: Operands) -> str:
    (x,) = args
    if ops.is_float:
        return f"fabs{ops.suffix}({x})"
    return x if ops.kind in "ub" else f"({x} < 0 ? -{x} : {x})"


def _rounding(name: str) -> Row:
    """floor, ceil, trunc, rint: integers are already whole."""
    float_row = _math(name)
    return lambda args, ops: float_row(args, ops) if ops.is_float else args[0]


def _float_test(name: str, integer_value: str) -> Row:
    """isnan/isinf/isfinite: integers are never NaN nor infinite."""
    return lambda args, ops: f"cu_{name}({args[0]})" if ops.is_float else integer_value


STATUS = "cu_status"
"""The status word a row may flag an error in (NumPy raises there): a kernel whose text
names it takes it as its last parameter, and the executor reads it back."""


def _pow(args: Sequence[str], ops: Operands) -> str:
    """Floats: CUDA's pow. Integers: by squaring, wrapping as NumPy does; a negative
    exponent flags the status word (NumPy raises ValueError)."""
    if ops.is_float:
        return f"pow{ops.suffix}({args[0]}, {args[1]})"
    if ops.kind == "b" or ops.out not in INTEGER_RESULTS:
        raise NoCudaError("pow of booleans")
    t = CUDA_TYPES[ops.out]
    return f"cu_pow_int(({t})({args[0]}), ({t})({args[1]}), {STATUS})"


INTEGER_RESULTS = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")


def _reciprocal(args: Sequence[str], ops: Operands) -> str:
    if not ops.is_float:
        raise NoCudaError("reciprocal of integers")
    return f"({'1.0f' if ops.kind == 'f' else '1.0'} / {args[0]})"


def _integral(symbol: str) -> Row:
    """Bitwise operators; on booleans, and/or/xor are the logical ones."""
    return lambda args, ops: f"({args[0]} {symbol} {args[1]})"


def _invert(args: Sequence[str], ops: Operands) -> str:
    return f"(!{args[0]})" if ops.kind == "b" else f"(~{args[0]})"


def _angle(args: Sequence[str], ops: Operands) -> str:
    """np.angle of a real number: atan2(0, x)."""
    zero = "0.0f" if ops.kind == "f" else "0.0"
    return _math("atan2")([zero, args[0]], ops)


SCALAR_CUDA: dict[str, Row] = {
    # arithmetic
    "add": _add,
    "sub": _infix("-"),
    "mul": _mul,
    "true_div": _infix("/"),
    "int_div": _floored("floor_div"),
    "mod": _floored("mod"),
    "pow": _pow,
    "neg": lambda args, ops: f"(-{args[0]})",
    "reciprocal": _reciprocal,
    "minimum": _minmax("<"),
    "maximum": _minmax(">"),
    # comparisons
    "eq": _compare("=="),
    "neq": _compare("!="),
    "lt": _compare("<"),
    "le": _compare("<="),
    "gt": _compare(">"),
    "ge": _compare(">="),
    # logic and bits
    "and": _integral("&"),
    "or": _integral("|"),
    "xor": _integral("^"),
    "invert": _invert,
    "left_shift": _integral("<<"),
    "right_shift": _integral(">>"),
    "isnan": _float_test("isnan", "false"),
    "isinf": _float_test("isinf", "false"),
    "isfinite": _float_test("isfinite", "true"),
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
    "sqr": lambda args, ops: f"({args[0]} * {args[0]})",
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
    # special functions: CUDA's math library where it has them, else prelude helpers.
    # polygamma, gammainc, gammaincc and betainc have neither: they run on the host.
    "sigmoid": _helper("sigmoid"),
    "softplus": _helper("softplus"),
    "log1mexp": _helper("log1mexp"),
    "logit": _helper("logit"),
    "erf": _math("erf"),
    "erfc": _math("erfc"),
    "erfcx": _math("erfcx"),
    "erfinv": _math("erfinv"),
    "erfcinv": _math("erfcinv"),
    "gamma": _math("tgamma"),
    "gammaln": _math("lgamma"),
    "digamma": _helper("digamma"),
    "betaln": _helper("betaln"),
    "xlogx": _helper("xlogx"),
    "xlogy0": _helper("xlogy0"),
    "i0": _math("cyl_bessel_i0"),
    "i1": _math("cyl_bessel_i1"),
    # parts of real numbers
    "real": lambda args, ops: args[0],
    "imag": lambda args, ops: "0",
    "conj": lambda args, ops: args[0],
    "angle": _angle,
    # choices and copies
    "clip": _helper("clip"),
    "switch": lambda args, ops: f"({args[0]} ? {args[1]} : {args[2]})",
    "identity": lambda args, ops: args[0],
}


def scalar_cuda(name: str, args: Sequence[str], operands: Operands) -> str | None:
    """The CUDA expression of row ``name`` on ``args``, or None when it has none for them."""
    row = SCALAR_CUDA.get(name)
    if row is None or any(d not in CUDA_TYPES for d in (*operands.dtypes, operands.out)):
        return None
    try:
        return row(args, operands)
    except NoCudaError:
        return None
