"""Continuous distributions on the positive half-line (or above a bound): HalfFlat,
HalfStudentT, LogNormal, Weibull, Wald and Pareto, with ``scipy.stats``' densities.

Each has PyMC's default transform, so that its free value variable is unconstrained:
``log`` (``name_log__``), or for Pareto the interval above ``m`` (``name_interval__``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorops as pt
from ppl import transforms
from ppl.distributions.base import Continuous, rv_op
from ppl.distributions.continuous import STUDENT_T_SCALE, student_t_logp
from ppl.distributions.dist_math import (
    LOG_2,
    LOG_2PI,
    MINUS_INF,
    bound,
    guard,
    normal_lcdf,
)
from ppl.distributions.ops import halfflat, halfstudentt, weibull_alpha_beta
from ppl.distributions.params import SIGMA
from ppl.math import logaddexp


class HalfFlat(Continuous):
    """HalfFlat(): the improper uniform density on [0, inf) (log density 0 there)."""

    rv_op = halfflat
    default_transform = transforms.log

    @staticmethod
    def logp(value: Any) -> Any:
        return bound(pt.zeros_like(value), pt.ge(value, 0))

    @staticmethod
    def logcdf(value: Any) -> Any:
        # As PyMC: no finite value has a positive share of infinite mass below it.
        return pt.switch(pt.eq(value, np.inf), 0.0, MINUS_INF + pt.zeros_like(value))

    @classmethod
    def support_point(cls, rv: Any) -> Any:
        return pt.ones(pt.shape_of(rv), dtype=rv.dtype)


class HalfStudentT(Continuous):
    """HalfStudentT(nu=1, sigma=1) on [0, inf): |T| sigma; ``lam=`` (precision), ``sd=``."""

    rv_op = halfstudentt
    params = "nu=1.0 sigma=None"
    aliases = STUDENT_T_SCALE
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, nu: Any, sigma: Any) -> list[Any]:
        return [nu, 1.0 if sigma is None else sigma]

    @staticmethod
    def logp(value: Any, nu: Any, sigma: Any) -> Any:
        logp = bound(LOG_2 + student_t_logp(value, nu, 0.0, sigma), pt.ge(value, 0))
        return guard(logp, "HalfStudentT", (pt.gt(nu, 0), "nu > 0"), (pt.gt(sigma, 0), "sigma > 0"))

    @staticmethod
    def logcdf(value: Any, nu: Any, sigma: Any) -> Any:
        # P(|T| sigma <= v) = 1 - 2 P(T <= -v / sigma) = 1 - I_{nu/(nu+z^2)}(nu/2, 1/2).
        z = value / sigma
        logcdf = pt.log1p(-pt.betainc(nu / 2.0, 0.5, nu / (nu + z * z)))
        logcdf = bound(logcdf, pt.ge(value, 0))
        return guard(
            logcdf, "HalfStudentT", (pt.gt(nu, 0), "nu > 0"), (pt.gt(sigma, 0), "sigma > 0")
        )

    @classmethod
    def support_point(cls, rv: Any, nu: Any, sigma: Any) -> Any:
        return sigma


class LogNormal(Continuous):
    """LogNormal(mu=0, sigma=1): exp of a Normal(mu, sigma); ``sd=``, ``tau=`` accepted."""

    rv_op = rv_op("lognormal")
    params = "mu=0.0 sigma=1.0"
    aliases = SIGMA
    default_transform = transforms.log

    @staticmethod
    def logp(value: Any, mu: Any, sigma: Any) -> Any:
        log_value = pt.log(value)
        z = (log_value - mu) / sigma
        logp = bound(-0.5 * z * z - 0.5 * LOG_2PI - pt.log(sigma) - log_value, pt.gt(value, 0))
        return guard(logp, "LogNormal", (pt.gt(sigma, 0), "sigma > 0"))

    @staticmethod
    def logcdf(value: Any, mu: Any, sigma: Any) -> Any:
        logcdf = bound(normal_lcdf(mu, sigma, pt.log(value)), pt.gt(value, 0))
        return guard(logcdf, "LogNormal", (pt.gt(sigma, 0), "sigma > 0"))

    @classmethod
    def support_point(cls, rv: Any, mu: Any, sigma: Any) -> Any:
        return pt.exp(mu)


class Weibull(Continuous):
    """Weibull(alpha, beta): shape ``alpha``, scale ``beta``."""

    rv_op = weibull_alpha_beta
    params = "alpha beta"
    default_transform = transforms.log

    @staticmethod
    def logp(value: Any, alpha: Any, beta: Any) -> Any:
        scaled = value / beta
        logp = pt.log(alpha) - pt.log(beta) + pt.xlogy0(alpha - 1.0, scaled) - scaled**alpha
        logp = bound(logp, pt.ge(value, 0))
        return guard(logp, "Weibull", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(beta, 0), "beta > 0"))

    @staticmethod
    def logcdf(value: Any, alpha: Any, beta: Any) -> Any:
        # F = 1 - exp(-(v / beta)^alpha)
        logcdf = bound(pt.log1mexp(-((value / beta) ** alpha)), pt.ge(value, 0))
        return guard(
            logcdf, "Weibull", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(beta, 0), "beta > 0")
        )

    @classmethod
    def support_point(cls, rv: Any, alpha: Any, beta: Any) -> Any:
        """The median, beta (log 2)^(1/alpha)."""
        return beta * pt.as_tensor(LOG_2) ** (1.0 / alpha)


def _wald_mu(mu: Any, lam: Any, phi: Any) -> tuple[Any, Any]:
    """(mu, lam) from any two of mu, lam and phi = lam / mu."""
    given = [name for name, value in (("mu", mu), ("lam", lam), ("phi", phi)) if value is not None]
    if len(given) != 2:
        raise TypeError(f"Wald needs two of 'mu', 'lam' and 'phi'; got {given or 'none'}")
    if phi is None:
        return mu, lam
    if lam is None:
        return mu, pt.as_tensor(mu) * phi
    return pt.as_tensor(lam) / phi, lam


class Wald(Continuous):
    """Wald(mu, lam): the inverse Gaussian of mean ``mu`` and shape ``lam``; ``phi =
    lam / mu`` may replace either."""

    rv_op = rv_op("wald")
    params = "mu=None lam=None phi=None"
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, mu: Any, lam: Any, phi: Any) -> list[Any]:
        return list(_wald_mu(mu, lam, phi))

    @staticmethod
    def logp(value: Any, mu: Any, lam: Any) -> Any:
        logp = (
            0.5 * pt.log(lam)
            - 0.5 * LOG_2PI
            - 1.5 * pt.log(value)
            - lam * (value - mu) ** 2 / (2.0 * mu * mu * value)
        )
        logp = bound(logp, pt.gt(value, 0))
        return guard(logp, "Wald", (pt.gt(mu, 0), "mu > 0"), (pt.gt(lam, 0), "lam > 0"))

    @staticmethod
    def logcdf(value: Any, mu: Any, lam: Any) -> Any:
        # F = Φ(r (v/mu - 1)) + exp(2 lam/mu) Φ(-r (v/mu + 1)), r = sqrt(lam / v).
        root = pt.sqrt(lam / value)
        first = normal_lcdf(0.0, 1.0, root * (value / mu - 1.0))
        second = 2.0 * lam / mu + normal_lcdf(0.0, 1.0, -root * (value / mu + 1.0))
        logcdf = bound(logaddexp(first, second), pt.gt(value, 0))
        return guard(logcdf, "Wald", (pt.gt(mu, 0), "mu > 0"), (pt.gt(lam, 0), "lam > 0"))

    @classmethod
    def support_point(cls, rv: Any, mu: Any, lam: Any) -> Any:
        return mu


class Pareto(Continuous):
    """Pareto(alpha, m) on [m, inf): shape ``alpha``, lower bound (scale) ``m``."""

    rv_op = rv_op("pareto")
    params = "alpha m"
    default_transform = transforms.lower_bound(1)

    @staticmethod
    def logp(value: Any, alpha: Any, m: Any) -> Any:
        logp = pt.log(alpha) + alpha * pt.log(m) - (alpha + 1.0) * pt.log(value)
        logp = bound(logp, pt.ge(value, m))
        return guard(logp, "Pareto", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(m, 0), "m > 0"))

    @staticmethod
    def logcdf(value: Any, alpha: Any, m: Any) -> Any:
        # F = 1 - (m / v)^alpha
        logcdf = bound(pt.log1mexp(alpha * (pt.log(m) - pt.log(value))), pt.ge(value, m))
        return guard(logcdf, "Pareto", (pt.gt(alpha, 0), "alpha > 0"), (pt.gt(m, 0), "m > 0"))

    @classmethod
    def support_point(cls, rv: Any, alpha: Any, m: Any) -> Any:
        """The median, m 2^(1/alpha)."""
        return m * 2.0 ** (1.0 / alpha)
