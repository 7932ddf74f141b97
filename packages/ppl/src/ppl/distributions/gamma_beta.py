"""Gamma, InverseGamma, ChiSquared and Beta: the families whose CDFs are regularized
incomplete gamma and beta functions, with PyMC's alternative ``mu``/``sigma`` forms.

Gamma draws with ``gamma(shape, scale)``, so its rules see ``scale = 1 / beta``.
"""

from __future__ import annotations

from typing import Any

import tensorops as pt
from ppl import transforms
from ppl.distributions.base import Continuous, rv_op
from ppl.distributions.dist_math import (
    LOG_2,
    MINUS_INF,
    bound,
    guard,
    log_regularized_beta,
    log_regularized_gamma_lower,
    log_regularized_gamma_upper,
    positive_rate,
)
from ppl.distributions.params import Alias

SD: dict[str, Alias] = {"sd": Alias("sigma")}
"""``sd=``, the old name of ``sigma``."""


def _shape_pair(
    name: str, first: tuple[str, Any], second: tuple[str, Any], mu: Any, sigma: Any
) -> tuple[Any, Any] | None:
    """The two shape parameters when given, None when ``mu`` and ``sigma`` are; else an
    error naming the accepted spellings."""
    (first_name, a), (second_name, b) = first, second
    if a is not None and b is not None and mu is None and sigma is None:
        return a, b
    if a is None and b is None and mu is not None and sigma is not None:
        return None
    raise TypeError(
        f"{name} needs {first_name!r} and {second_name!r}, or 'mu' and 'sigma' (not a mix)"
    )


class Gamma(Continuous):
    """Gamma(alpha, beta): shape ``alpha``, rate ``beta``; or Gamma(mu=, sigma=)."""

    rv_op = rv_op("gamma")
    params = "alpha=None beta=None mu=None sigma=None"
    aliases = SD
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, alpha: Any, beta: Any, mu: Any, sigma: Any) -> list[Any]:
        pair = _shape_pair("Gamma", ("alpha", alpha), ("beta", beta), mu, sigma)
        if pair is None:
            # mean alpha / beta, variance alpha / beta^2
            mu, variance = pt.as_tensor(mu), pt.as_tensor(sigma) ** 2
            return [mu * mu / variance, variance / mu]
        return [pair[0], 1.0 / pt.as_tensor(pair[1])]

    @staticmethod
    def logp(value: Any, alpha: Any, scale: Any) -> Any:
        logp = (
            -pt.gammaln(alpha)
            - alpha * pt.log(scale)
            + pt.xlogy0(alpha - 1.0, value)
            - value / scale
        )
        logp = bound(logp, pt.ge(value, 0))
        return guard(
            logp, "Gamma", (pt.gt(alpha, 0), "alpha > 0"), (positive_rate(scale), "beta > 0")
        )

    @staticmethod
    def logcdf(value: Any, alpha: Any, scale: Any) -> Any:
        logcdf = bound(log_regularized_gamma_lower(alpha, value / scale), pt.ge(value, 0))
        return guard(
            logcdf, "Gamma", (pt.gt(alpha, 0), "alpha > 0"), (positive_rate(scale), "beta > 0")
        )

    @classmethod
    def support_point(cls, rv: Any, alpha: Any, scale: Any) -> Any:
        return alpha * scale


class InverseGamma(Continuous):
    """InverseGamma(alpha, beta): shape ``alpha``, scale ``beta``; or mu=, sigma=."""

    rv_op = rv_op("invgamma")
    params = "alpha=None beta=None mu=None sigma=None"
    aliases = SD
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, alpha: Any, beta: Any, mu: Any, sigma: Any) -> list[Any]:
        pair = _shape_pair("InverseGamma", ("alpha", alpha), ("beta", beta), mu, sigma)
        if pair is None:
            # mean beta / (alpha - 1), variance mean^2 / (alpha - 2)
            mu, variance = pt.as_tensor(mu), pt.as_tensor(sigma) ** 2
            alpha = mu * mu / variance + 2.0
            return [alpha, mu * (alpha - 1.0)]
        return list(pair)

    @staticmethod
    def logp(value: Any, alpha: Any, beta: Any) -> Any:
        logp = (
            alpha * pt.log(beta) - pt.gammaln(alpha) - (alpha + 1.0) * pt.log(value) - beta / value
        )
        logp = bound(logp, pt.gt(value, 0))
        return guard(
            logp, "InverseGamma", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(beta, 0), "beta > 0")
        )

    @staticmethod
    def logcdf(value: Any, alpha: Any, beta: Any) -> Any:
        # P(X <= v) = P(1/X >= 1/v) = Q(alpha, beta / v)
        logcdf = bound(log_regularized_gamma_upper(alpha, beta / value), pt.gt(value, 0))
        return guard(
            logcdf, "InverseGamma", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(beta, 0), "beta > 0")
        )

    @classmethod
    def support_point(cls, rv: Any, alpha: Any, beta: Any) -> Any:
        """The mode, beta / (alpha + 1)."""
        return beta / (alpha + 1.0)


class ChiSquared(Continuous):
    """ChiSquared(nu): a Gamma(nu / 2, rate 1 / 2)."""

    rv_op = rv_op("chisquare")
    params = "nu"
    default_transform = transforms.log

    @staticmethod
    def logp(value: Any, nu: Any) -> Any:
        half = nu / 2.0
        logp = -pt.gammaln(half) - half * LOG_2 + pt.xlogy0(half - 1.0, value) - value / 2.0
        logp = bound(logp, pt.ge(value, 0))
        return guard(logp, "ChiSquared", (pt.gt(nu, 0), "nu > 0"))

    @staticmethod
    def logcdf(value: Any, nu: Any) -> Any:
        logcdf = bound(log_regularized_gamma_lower(nu / 2.0, value / 2.0), pt.ge(value, 0))
        return guard(logcdf, "ChiSquared", (pt.gt(nu, 0), "nu > 0"))

    @classmethod
    def support_point(cls, rv: Any, nu: Any) -> Any:
        return nu


class Beta(Continuous):
    """Beta(alpha, beta) on [0, 1]; or Beta(mu=, sigma=); value variable ``name_logodds__``."""

    rv_op = rv_op("beta")
    params = "alpha=None beta=None mu=None sigma=None"
    aliases = SD
    default_transform = transforms.logodds

    @classmethod
    def rv_inputs(cls, alpha: Any, beta: Any, mu: Any, sigma: Any) -> list[Any]:
        pair = _shape_pair("Beta", ("alpha", alpha), ("beta", beta), mu, sigma)
        if pair is None:
            # variance mu (1 - mu) / (kappa + 1) with kappa = alpha + beta
            mu, variance = pt.as_tensor(mu), pt.as_tensor(sigma) ** 2
            kappa = mu * (1.0 - mu) / variance - 1.0
            return [mu * kappa, (1.0 - mu) * kappa]
        return list(pair)

    @staticmethod
    def logp(value: Any, alpha: Any, beta: Any) -> Any:
        logp = (
            pt.xlogy0(alpha - 1.0, value)
            + pt.xlogy0(beta - 1.0, 1.0 - value)
            - pt.betaln(alpha, beta)
        )
        logp = bound(logp, pt.ge(value, 0), pt.le(value, 1))
        return guard(logp, "Beta", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(beta, 0), "beta > 0"))

    @staticmethod
    def logcdf(value: Any, alpha: Any, beta: Any) -> Any:
        inside = log_regularized_beta(alpha, beta, pt.clip(value, 0.0, 1.0))
        logcdf = pt.switch(pt.lt(value, 0), MINUS_INF, pt.switch(pt.ge(value, 1), 0.0, inside))
        return guard(logcdf, "Beta", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(beta, 0), "beta > 0"))

    @classmethod
    def support_point(cls, rv: Any, alpha: Any, beta: Any) -> Any:
        return alpha / (alpha + beta)
