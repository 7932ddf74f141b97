"""Numerically careful pieces shared by log densities."""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorops as pt
from ppl.checks import check

LOG_2PI = float(np.log(2 * np.pi))
LOG_PI = float(np.log(np.pi))
LOG_2 = float(np.log(2.0))
MINUS_INF = -np.inf


def bound(logp: Any, *support: Any) -> Any:
    """``logp`` where every condition of ``support`` holds, ``-inf`` elsewhere."""
    ok = support[0]
    for condition in support[1:]:
        ok = pt.and_(ok, condition)
    return pt.switch(ok, logp, MINUS_INF)


def guard(logp: Any, distribution: str, *conditions: tuple[Any, str]) -> Any:
    """``logp`` under one parameter check per ``(condition, "sigma > 0")`` pair, so that a
    failure names the distribution and the very condition that failed."""
    for condition, text in conditions:
        logp = check(logp, condition, message=f"{distribution}: {text}")
    return logp


def positive_rate(scale: Any) -> Any:
    """``rate > 0`` for a distribution drawn with ``scale = 1 / rate``: a zero rate
    makes an infinite scale."""
    return pt.and_(pt.gt(scale, 0), pt.lt(scale, np.inf))


def is_integer(value: Any) -> Any:
    """Whether each entry of ``value`` is a whole number (discrete supports)."""
    return pt.eq(value, pt.floor(value))


def student_t_lcdf(nu: Any, z: Any) -> Any:
    """log P(T <= z) for T a standard Student t: the tail P(T <= -|z|) is
    I_{nu/(nu+z^2)}(nu/2, 1/2) / 2, the regularized incomplete beta."""
    tail = 0.5 * pt.betainc(nu / 2.0, 0.5, nu / (nu + z * z))
    return pt.switch(pt.lt(z, 0), pt.log(tail), pt.log1p(-tail))


def normal_lcdf(mu: Any, sigma: Any, value: Any) -> Any:
    """log Φ((value - mu)/sigma), accurate far in the lower tail (through erfcx)."""
    z = (value - mu) / sigma
    tail = pt.log(pt.erfcx(-z / np.sqrt(2.0)) / 2.0) - z * z / 2.0
    body = pt.log1p(-pt.erfc(z / np.sqrt(2.0)) / 2.0)
    return pt.switch(pt.lt(z, -1.0), tail, body)


def log_regularized_gamma_upper(a: Any, x: Any) -> Any:
    """log Q(a, x) (the upper regularized incomplete gamma); where Q is near one it is
    taken as log1p(-P), which keeps the digits that 1 - P would lose."""
    upper = pt.gammaincc(a, x)
    return pt.switch(pt.lt(upper, 0.5), pt.log(upper), pt.log1p(-pt.gammainc(a, x)))


def log_regularized_gamma_lower(a: Any, x: Any) -> Any:
    """log P(a, x) (the lower regularized incomplete gamma, a Gamma(a, 1) log CDF),
    through log1p(-Q) where P is near one."""
    lower = pt.gammainc(a, x)
    return pt.switch(pt.lt(lower, 0.5), pt.log(lower), pt.log1p(-pt.gammaincc(a, x)))


def log_regularized_beta(a: Any, b: Any, x: Any) -> Any:
    """log I_x(a, b), through log1p(-I_{1-x}(b, a)) where it is near one."""
    lower = pt.betainc(a, b, x)
    return pt.switch(pt.lt(lower, 0.5), pt.log(lower), pt.log1p(-pt.betainc(b, a, 1.0 - x)))


def log_probabilities(p: Any) -> tuple[Any, Any]:
    """``(log p, log(1 - p))``. A probability given as ``sigmoid(x)`` (``logit_p=``) gives
    ``(-softplus(-x), -softplus(x))``: finite, with finite gradients, for any logit, where
    ``1 - sigmoid(x)`` is 0 beyond 37 and its log and gradient are not."""
    tensor = pt.as_tensor(p)
    owner: Any = tensor.owner
    scalar = getattr(getattr(owner, "op", None), "scalar_op", None) if owner is not None else None
    if getattr(scalar, "name", None) == "sigmoid":
        x: Any = owner.inputs[0]
        return -pt.softplus(-x), -pt.softplus(x)
    return pt.log(tensor), pt.log1p(-tensor)


def xlog(k: Any, log_q: Any) -> Any:
    """``k * log_q``, zero where ``k`` is zero (as ``xlogy0`` with ``log_q = log(q)``)."""
    return pt.switch(pt.eq(k, 0), 0.0, k * log_q)
