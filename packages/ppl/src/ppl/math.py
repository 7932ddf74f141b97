"""``pm.math``: the tensor functions model code uses, under PyMC's names."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from tensorops import (
    abs,
    and_,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctanh,
    ceil,
    clip,
    concatenate,
    cos,
    cosh,
    cumprod,
    cumsum,
    dot,
    eq,
    erf,
    erfc,
    erfcinv,
    erfinv,
    exp,
    expit,
    flatten,
    floor,
    gammaln,
    ge,
    gt,
    invlogit,
    le,
    log,
    log1mexp,
    log1p,
    log1pexp,
    log_softmax,
    logit,
    logsumexp,
    lt,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    neq,
    ones_like,
    or_,
    prod,
    round,
    sgn,
    sigmoid,
    sin,
    sinh,
    softmax,
    softplus,
    sqr,
    sqrt,
    stack,
    sum,
    switch,
    tan,
    tanh,
    where,
    zeros_like,
)


def logaddexp(a: Any, b: Any) -> Any:
    """log(exp(a) + exp(b)), without overflow; -inf where both are -inf (not nan)."""
    larger = pt.maximum(a, b)
    safe = pt.switch(pt.isinf(larger), 0.0, larger)
    return safe + pt.log(pt.exp(a - safe) + pt.exp(b - safe))


def logdiffexp(a: Any, b: Any) -> Any:
    """log(exp(a) - exp(b)) for a >= b."""
    return a + pt.log1mexp(b - a)


def log_sigmoid(x: Any) -> Any:
    return -pt.softplus(-x)


def invprobit(x: Any) -> Any:
    return 0.5 * pt.erfc(-x / pt.sqrt(2.0))


def probit(p: Any) -> Any:
    return -pt.sqrt(2.0) * pt.erfcinv(2.0 * p)


__all__ = [
    "abs",
    "and_",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "ceil",
    "clip",
    "concatenate",
    "cos",
    "cosh",
    "cumprod",
    "cumsum",
    "dot",
    "eq",
    "erf",
    "erfc",
    "erfcinv",
    "erfinv",
    "exp",
    "expit",
    "flatten",
    "floor",
    "gammaln",
    "ge",
    "gt",
    "invlogit",
    "invprobit",
    "le",
    "log",
    "log1mexp",
    "log1p",
    "log1pexp",
    "log_sigmoid",
    "log_softmax",
    "logaddexp",
    "logdiffexp",
    "logit",
    "logsumexp",
    "lt",
    "matmul",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "neq",
    "ones_like",
    "or_",
    "probit",
    "prod",
    "round",
    "sgn",
    "sigmoid",
    "sin",
    "sinh",
    "softmax",
    "softplus",
    "sqr",
    "sqrt",
    "stack",
    "sum",
    "switch",
    "tan",
    "tanh",
    "where",
    "zeros_like",
]
