"""The elementwise op table: one row per scalar op.

Columns: name, vectorized NumPy/SciPy function, number of inputs, output dtype
rule ("same" as the upcast inputs, "float": integers give float64, "bool",
"real": complex gives its real dtype), whether it is differentiable, the dtype
kinds it accepts. Public functions (``pt.exp``), printing and the test table are
generated from these rows; a new op is a new row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.special as sp

from tensorops.scalar_ops import functions as fn
from tensorops.scalar_ops.op import ScalarOp

REAL = "biuf"  # NumPy refuses complex numbers for these (ordering, rounding, specials)
INTEGRAL = "biu"


def _rows(*ops: ScalarOp) -> dict[str, ScalarOp]:
    table: dict[str, ScalarOp] = {}
    for op in ops:
        if op.name in table:
            raise ValueError(f"scalar op {op.name!r} is declared twice")
        table[op.name] = op
    return table


def _arith(name: str, function: Any, symbol: str, kinds: str = "iufc", **extra: Any) -> ScalarOp:
    return ScalarOp(name, function, 2, "same", symbol=symbol, kinds=kinds, **extra)


def _compare(name: str, function: Any, symbol: str, kinds: str = REAL) -> ScalarOp:
    return ScalarOp(name, function, 2, "bool", False, kinds, symbol=symbol)


def _logic(name: str, function: Any, symbol: str, nin: int = 2, kinds: str = INTEGRAL) -> ScalarOp:
    return ScalarOp(name, function, nin, "same", False, kinds, symbol=symbol)


def _unary(name: str, function: Any, output: str = "float", kinds: str = "biufc",
           differentiable: bool = True) -> ScalarOp:  # fmt: skip
    return ScalarOp(name, function, 1, output, differentiable, kinds)


def _special(name: str, function: Any, nin: int = 1, **extra: Any) -> ScalarOp:
    """A real function of real arguments (SciPy special functions and friends)."""
    return ScalarOp(name, function, nin, "float", kinds=REAL, **extra)


SCALAR_OPS: dict[str, ScalarOp] = _rows(
    # arithmetic
    _arith("add", np.add, "+", "biufc", commutative=True, associative=True),
    _arith("sub", np.subtract, "-"),
    _arith("mul", np.multiply, "*", "biufc", commutative=True, associative=True),
    ScalarOp("true_div", np.true_divide, 2, "float", symbol="/"),
    _arith("int_div", np.floor_divide, "//", "iuf", differentiable=False),
    _arith("mod", np.mod, "%", "iuf"),
    _arith("pow", np.power, "**"),
    ScalarOp("neg", np.negative, 1, "same", kinds="iufc", symbol="-"),
    _unary("reciprocal", np.reciprocal),
    ScalarOp("minimum", np.minimum, 2, "same", kinds=REAL, commutative=True),
    ScalarOp("maximum", np.maximum, 2, "same", kinds=REAL, commutative=True),
    # comparisons
    _compare("eq", np.equal, "==", "biufc"),
    _compare("neq", np.not_equal, "!=", "biufc"),
    _compare("lt", np.less, "<"),
    _compare("le", np.less_equal, "<="),
    _compare("gt", np.greater, ">"),
    _compare("ge", np.greater_equal, ">="),
    # logic and bits
    _logic("and", np.bitwise_and, "&"),
    _logic("or", np.bitwise_or, "|"),
    _logic("xor", np.bitwise_xor, "^"),
    _logic("invert", np.invert, "~", nin=1),
    _logic("left_shift", np.left_shift, "<<", kinds="iu"),
    _logic("right_shift", np.right_shift, ">>", kinds="iu"),
    _unary("isnan", np.isnan, "bool", differentiable=False),
    _unary("isinf", np.isinf, "bool", differentiable=False),
    _unary("isfinite", np.isfinite, "bool", differentiable=False),
    # rounding and sign
    _unary("round", np.rint, "same", "iuf", differentiable=False),  # half to even
    _unary("floor", np.floor, "same", "iuf", differentiable=False),
    _unary("ceil", np.ceil, "same", "iuf", differentiable=False),
    _unary("trunc", np.trunc, "same", "iuf", differentiable=False),
    _unary("sign", np.sign, "same", "iuf", differentiable=False),
    _unary("abs", np.absolute, "real", "biufc"),
    # exponentials, logarithms, powers
    _unary("exp", np.exp),
    _unary("exp2", np.exp2, kinds=REAL),
    _unary("expm1", np.expm1, kinds=REAL),
    _unary("log", np.log),
    _unary("log2", np.log2, kinds=REAL),
    _unary("log10", np.log10),
    _unary("log1p", np.log1p, kinds=REAL),
    _unary("sqrt", np.sqrt),
    _unary("sqr", np.square, "same", "iufc"),
    _unary("cbrt", np.cbrt, kinds=REAL),
    # trigonometric and hyperbolic
    _unary("sin", np.sin),
    _unary("cos", np.cos),
    _unary("tan", np.tan),
    _unary("arcsin", np.arcsin),
    _unary("arccos", np.arccos),
    _unary("arctan", np.arctan),
    _special("arctan2", np.arctan2, 2),
    _special("hypot", np.hypot, 2),
    _unary("sinh", np.sinh),
    _unary("cosh", np.cosh),
    _unary("tanh", np.tanh),
    _unary("arcsinh", np.arcsinh),
    _unary("arccosh", np.arccosh),
    _unary("arctanh", np.arctanh),
    # special functions
    _special("sigmoid", sp.expit),
    _special("softplus", fn.softplus),
    _special("log1mexp", fn.log1mexp),
    _special("logit", sp.logit),
    _special("erf", sp.erf),
    _special("erfc", sp.erfc),
    _special("erfcx", sp.erfcx),
    _special("erfinv", sp.erfinv),
    _special("erfcinv", sp.erfcinv),
    _special("gamma", sp.gamma),
    _special("gammaln", sp.gammaln),
    _special("digamma", sp.psi),
    _special("polygamma", fn.polygamma, 2, upcast_inputs=(1,), grad_inputs=(1,)),
    _special("betaln", sp.betaln, 2),
    # regularized incomplete gamma P(a, x), Q(a, x) and beta I_x(a, b): derivatives in x only
    _special("gammainc", sp.gammainc, 2, grad_inputs=(1,)),
    _special("gammaincc", sp.gammaincc, 2, grad_inputs=(1,)),
    _special("betainc", sp.betainc, 3, grad_inputs=(2,)),
    _special("xlogx", fn.xlogx),
    _special("xlogy0", sp.xlogy, 2),
    _special("i0", sp.i0),
    _special("i1", sp.i1),
    # complex numbers
    _unary("real", fn.real, "real"),
    _unary("imag", fn.imag, "real"),
    _unary("conj", np.conjugate, "same", "iufc"),
    _unary("angle", np.angle, "real_float"),
    # choices and copies
    ScalarOp("clip", np.clip, 3, "same", kinds=REAL),
    ScalarOp("switch", fn.switch, 3, "same", upcast_inputs=(1, 2), grad_inputs=(1, 2)),
    _unary("identity", fn.identity, "same"),
)
