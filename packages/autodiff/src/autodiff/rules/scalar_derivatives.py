"""The derivative table of the elementwise ops: one row per scalar op of tensorops' table.

A row holds one function per input of the op. Each takes a ``Point`` (the symbolic
inputs ``x, y, ...``, the output ``z`` and the gradient ``g`` of the cost with respect
to ``z``) and returns the gradient of the cost with respect to that input: ``g`` times
the partial derivative, written with tensorops functions so that it can be
differentiated again. ``None`` means the input does not influence the output; an
``Undefined`` means the derivative does not exist. Gradients come back with the
output's (broadcast) shape; the Elemwise rule sums them back to each input's shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import tensorops as pt
from autodiff.errors import MissingGradientRuleError

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
SQRT_PI_OVER_TWO = math.sqrt(math.pi) / 2.0
LN2 = math.log(2.0)
LN10 = math.log(10.0)


@dataclass(frozen=True)
class Point:
    """Where a partial derivative is taken: the op's inputs, its output and its gradient."""

    inputs: Sequence[Any]
    z: Any
    g: Any

    @property
    def x(self) -> Any:
        return self.inputs[0]

    @property
    def y(self) -> Any:
        return self.inputs[1]


@dataclass(frozen=True)
class Undefined:
    """The partial derivative does not exist (``reason`` says why)."""

    reason: str


Partial = Callable[[Point], Any]


def _disconnected(p: Point) -> None:
    """The output does not depend on this input (a boolean or integer result)."""
    return None


def _zero(p: Point) -> Any:
    """A piecewise-constant op: the derivative is zero almost everywhere (PyTensor's choice)."""
    return pt.zeros_like(p.g)


def _same(p: Point) -> Any:
    return p.g


def _is_complex(var: Any) -> bool:
    return str(var.dtype).startswith("complex")


def _mask(condition: Any, g: Any) -> Any:
    """``g`` where ``condition`` holds, else 0."""
    return pt.switch(condition, g, 0.0)


def _safe_divisor(x: Any) -> Any:
    """``x`` with its zeros replaced by ones, for divisions whose result is masked at 0."""
    return pt.switch(pt.eq(x, 0), 1.0, x)


# --- arithmetic ---------------------------------------------------------------------------


def _pow_base(p: Point) -> Any:
    # d/dx x^y = y x^(y-1); taken as 0 when y = 0 (x^0 is constant, even at x = 0).
    return p.g * pt.switch(pt.eq(p.y, 0), 0.0, p.y * p.x ** (p.y - 1))


def _pow_exponent(p: Point) -> Any:
    # d/dy x^y = x^y log x; taken as 0 at x = 0, where x^y is 0 (y > 0) and log x = -inf.
    return p.g * pt.switch(pt.eq(p.x, 0), 0.0, p.z * pt.log(_safe_divisor(p.x)))


def _abs(p: Point) -> Any:
    # Real x: sign(x). Complex z = a + ib: |z| = √(a² + b²), gradient (a + ib) / |z| = z / |z|.
    if _is_complex(p.x):
        return p.g * p.x / pt.cast(_safe_divisor(p.z), p.x.dtype)
    return p.g * pt.sign(p.x)


def _angle(p: Point) -> Any:
    # Real x: angle is 0 or π, flat. Complex z: angle = atan2(b, a), gradient i z / |z|².
    if not _is_complex(p.x):
        return pt.zeros_like(p.g)
    magnitude = pt.abs(p.x)
    return p.g * 1j * p.x / pt.cast(_safe_divisor(magnitude * magnitude), p.x.dtype)


def _real(p: Point) -> Any:
    return pt.cast(p.g, p.x.dtype)


def _imag(p: Point) -> Any:
    # Complex z = a + ib: imag(z) = b, whose gradient is i (d/db) in the a + ib convention.
    if not _is_complex(p.x):
        return pt.zeros_like(p.g)
    return pt.cast(p.g, p.x.dtype) * 1j


def _cast(p: Point) -> Any:
    """Casts to float or complex pass the gradient back; casts to integers are flat."""
    if not str(p.z.dtype).startswith(("float", "complex")):
        return None
    if _is_complex(p.z) and not _is_complex(p.x):
        return pt.real(p.g)
    return p.g


def _i1(p: Point) -> Any:
    # d/dx i1(x) = i0(x) - i1(x)/x, whose limit at 0 is 1/2.
    ratio = p.z / _safe_divisor(p.x)
    return p.g * pt.switch(pt.eq(p.x, 0), 0.5, pt.i0(p.x) - ratio)


def _not_in_shape(name: str) -> Partial:
    """The regularized incomplete functions are differentiated in ``x`` only."""
    reason = f"{name} is differentiable only in x (its last input), not in its shape parameters"
    return lambda p: Undefined(reason)


def _gammainc_density(p: Point) -> Any:
    # d/dx P(a, x) = x^(a-1) e^(-x) / Γ(a), the Gamma(a, 1) density; Q = 1 - P.
    a, x = p.inputs
    return pt.exp(pt.xlogy0(a - 1.0, x) - x - pt.gammaln(a))


def _betainc_density(p: Point) -> Any:
    # d/dx I_x(a, b) = x^(a-1) (1-x)^(b-1) / B(a, b), the Beta(a, b) density.
    a, b, x = p.inputs
    return pt.exp(pt.xlogy0(a - 1.0, x) + pt.xlogy0(b - 1.0, 1.0 - x) - pt.betaln(a, b))


def _log1mexp(p: Point) -> Any:
    # d/dx log(1 - e^x) = -e^x / (1 - e^x) = -1 / (e^-x - 1) = -1 / expm1(-x).
    return -p.g / pt.expm1(-p.x)


# --- the table --------------------------------------------------------------------------

DERIVATIVES: dict[str, tuple[Partial, ...]] = {
    # arithmetic
    "add": (_same, _same),
    "sub": (_same, lambda p: -p.g),
    "mul": (lambda p: p.g * p.y, lambda p: p.g * p.x),
    # x / y: 1/y and -x/y² = -z/y
    "true_div": (lambda p: p.g / p.y, lambda p: -p.g * p.z / p.y),
    "int_div": (_zero, _zero),
    # x mod y = x - y floor(x / y): 1 and -floor(x / y)
    "mod": (_same, lambda p: -p.g * pt.int_div(p.x, p.y)),
    "pow": (_pow_base, _pow_exponent),
    "neg": (lambda p: -p.g,),
    # d/dx 1/x = -1/x² = -z²
    "reciprocal": (lambda p: -p.g * p.z * p.z,),
    # The gradient goes to every input equal to the result (ties: to both, as PyTensor).
    "minimum": (lambda p: _mask(pt.eq(p.z, p.x), p.g), lambda p: _mask(pt.eq(p.z, p.y), p.g)),
    "maximum": (lambda p: _mask(pt.eq(p.z, p.x), p.g), lambda p: _mask(pt.eq(p.z, p.y), p.g)),
    # comparisons, logic and tests: boolean or integer results
    **{
        name: (_disconnected, _disconnected)
        for name in ("eq", "neq", "lt", "le", "gt", "ge", "and", "or", "xor")
    },
    **{name: (_disconnected, _disconnected) for name in ("left_shift", "right_shift")},
    **{name: (_disconnected,) for name in ("invert", "isnan", "isinf", "isfinite")},
    # rounding and sign: flat almost everywhere
    **{name: (_zero,) for name in ("round", "floor", "ceil", "trunc", "sign")},
    "abs": (_abs,),
    # exponentials, logarithms, powers
    "exp": (lambda p: p.g * p.z,),
    "exp2": (lambda p: p.g * p.z * LN2,),
    "expm1": (lambda p: p.g * (p.z + 1.0),),
    "log": (lambda p: p.g / p.x,),
    "log2": (lambda p: p.g / (p.x * LN2),),
    "log10": (lambda p: p.g / (p.x * LN10),),
    "log1p": (lambda p: p.g / (p.x + 1.0),),
    # d/dx √x = 1 / (2√x)
    "sqrt": (lambda p: p.g * 0.5 / p.z,),
    "sqr": (lambda p: p.g * 2.0 * p.x,),
    # d/dx ∛x = 1 / (3 ∛x²)
    "cbrt": (lambda p: p.g / (3.0 * p.z * p.z),),
    # trigonometric
    "sin": (lambda p: p.g * pt.cos(p.x),),
    "cos": (lambda p: -p.g * pt.sin(p.x),),
    # d/dx tan x = 1 + tan² x
    "tan": (lambda p: p.g * (1.0 + p.z * p.z),),
    "arcsin": (lambda p: p.g / pt.sqrt(1.0 - p.x * p.x),),
    "arccos": (lambda p: -p.g / pt.sqrt(1.0 - p.x * p.x),),
    "arctan": (lambda p: p.g / (1.0 + p.x * p.x),),
    # arctan2(a, b) = angle of (b, a): d/da = b / (a² + b²), d/db = -a / (a² + b²)
    "arctan2": (
        lambda p: p.g * p.y / (p.x * p.x + p.y * p.y),
        lambda p: -p.g * p.x / (p.x * p.x + p.y * p.y),
    ),
    # hypot(a, b) = √(a² + b²): d/da = a / hypot, d/db = b / hypot
    "hypot": (lambda p: p.g * p.x / p.z, lambda p: p.g * p.y / p.z),
    # hyperbolic
    "sinh": (lambda p: p.g * pt.cosh(p.x),),
    "cosh": (lambda p: p.g * pt.sinh(p.x),),
    # d/dx tanh x = 1 - tanh² x
    "tanh": (lambda p: p.g * (1.0 - p.z * p.z),),
    "arcsinh": (lambda p: p.g / pt.sqrt(p.x * p.x + 1.0),),
    "arccosh": (lambda p: p.g / pt.sqrt(p.x * p.x - 1.0),),
    "arctanh": (lambda p: p.g / (1.0 - p.x * p.x),),
    # special functions
    # d/dx σ(x) = σ(x) (1 - σ(x))
    "sigmoid": (lambda p: p.g * p.z * (1.0 - p.z),),
    # d/dx log(1 + e^x) = σ(x)
    "softplus": (lambda p: p.g * pt.sigmoid(p.x),),
    "log1mexp": (_log1mexp,),
    # d/dx log(x / (1 - x)) = 1 / (x (1 - x))
    "logit": (lambda p: p.g / (p.x * (1.0 - p.x)),),
    # d/dx erf(x) = 2/√π e^(-x²); erfc = 1 - erf
    "erf": (lambda p: p.g * TWO_OVER_SQRT_PI * pt.exp(-p.x * p.x),),
    "erfc": (lambda p: -p.g * TWO_OVER_SQRT_PI * pt.exp(-p.x * p.x),),
    # erfcx(x) = e^(x²) erfc(x): d/dx = 2x erfcx(x) - 2/√π
    "erfcx": (lambda p: p.g * (2.0 * p.x * p.z - TWO_OVER_SQRT_PI),),
    # inverse functions: 1 / erf'(z) = √π/2 e^(z²), and its negative for erfc
    "erfinv": (lambda p: p.g * SQRT_PI_OVER_TWO * pt.exp(p.z * p.z),),
    "erfcinv": (lambda p: -p.g * SQRT_PI_OVER_TWO * pt.exp(p.z * p.z),),
    # d/dx Γ(x) = Γ(x) ψ(x); d/dx log Γ(x) = ψ(x); d/dx ψ(x) = ψ'(x)
    "gamma": (lambda p: p.g * p.z * pt.digamma(p.x),),
    "gammaln": (lambda p: p.g * pt.digamma(p.x),),
    "digamma": (lambda p: p.g * pt.polygamma(1, p.x),),
    # d/dx ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x); the order n is an integer
    "polygamma": (
        lambda p: Undefined("polygamma is not differentiable in its integer order n"),
        lambda p: p.g * pt.polygamma(p.x + 1, p.y),
    ),
    # log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b): d/da = ψ(a) - ψ(a + b)
    "betaln": (
        lambda p: p.g * (pt.digamma(p.x) - pt.digamma(p.x + p.y)),
        lambda p: p.g * (pt.digamma(p.y) - pt.digamma(p.x + p.y)),
    ),
    "gammainc": (_not_in_shape("gammainc"), lambda p: p.g * _gammainc_density(p)),
    "gammaincc": (_not_in_shape("gammaincc"), lambda p: -p.g * _gammainc_density(p)),
    "betainc": (
        _not_in_shape("betainc"),
        _not_in_shape("betainc"),
        lambda p: p.g * _betainc_density(p),
    ),
    # d/dx x log x = log x + 1
    "xlogx": (lambda p: p.g * (pt.log(p.x) + 1.0),),
    # x log y: d/dx = log y, d/dy = x / y
    "xlogy0": (lambda p: p.g * pt.log(p.y), lambda p: p.g * p.x / p.y),
    # modified Bessel functions: i0' = i1, i1' = i0 - i1/x
    "i0": (lambda p: p.g * pt.i1(p.x),),
    "i1": (_i1,),
    # complex numbers (gradients of complex z = a + ib are d/da + i d/db)
    "real": (_real,),
    "imag": (_imag,),
    "conj": (lambda p: pt.conj(p.g),),
    "angle": (_angle,),
    # choices and copies: clip passes the gradient where x lies between the bounds
    "clip": (
        lambda p: _mask(pt.and_(pt.ge(p.x, p.inputs[1]), pt.le(p.x, p.inputs[2])), p.g),
        lambda p: _mask(pt.lt(p.x, p.inputs[1]), p.g),
        lambda p: _mask(pt.gt(p.x, p.inputs[2]), p.g),
    ),
    "switch": (
        _disconnected,
        lambda p: _mask(p.x, p.g),
        lambda p: pt.switch(p.x, 0.0, p.g),
    ),
    "identity": (_same,),
    # every cast_<dtype> op of tensorops.scalar_ops.cast_op
    "cast": (_cast,),
}


def partials_of(scalar_op: Any) -> tuple[Partial, ...]:
    """The row of ``scalar_op``, or an error naming it when the table has none."""
    name = str(getattr(scalar_op, "name", scalar_op))
    key = "cast" if name.startswith("cast_") else name
    row = DERIVATIVES.get(key)
    if row is None:
        raise MissingGradientRuleError(
            f"the scalar op {name!r} has no row in autodiff's derivative table "
            "(autodiff/rules/scalar_derivatives.py); add one there"
        )
    if len(row) != scalar_op.nin:
        raise MissingGradientRuleError(
            f"the derivative row of {name!r} has {len(row)} partials, but the op takes "
            f"{scalar_op.nin} inputs"
        )
    return row
