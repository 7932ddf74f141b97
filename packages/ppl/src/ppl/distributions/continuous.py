"""Continuous distributions: one class per row, with its log density and log CDF.

The log densities are written in the parameters of the random variable op that draws
the distribution (``HalfNormal`` draws with ``halfnormal(loc=0, scale=sigma)``), and
equal ``scipy.stats``' ``logpdf``/``logcdf``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from ppl import transforms
from ppl.checks import check
from ppl.distributions.base import Continuous, rv_op
from ppl.distributions.dist_math import (
    LOG_2,
    LOG_2PI,
    LOG_PI,
    MINUS_INF,
    bound,
    guard,
    normal_lcdf,
    positive_rate,
    student_t_lcdf,
)
from ppl.distributions.ops import flat
from ppl.distributions.params import SIGMA, Alias, inverse, precision_to_sigma

STUDENT_T_SCALE = {"sd": Alias("sigma"), "lam": Alias("sigma", precision_to_sigma)}
"""``sd=`` (old name) and ``lam=`` (precision) for a Student t's ``sigma``."""


class Normal(Continuous):
    """Normal(mu=0, sigma=1); ``sd=`` and ``tau=`` (precision) also accepted."""

    rv_op = rv_op("normal")
    params = "mu=0.0 sigma=1.0"
    aliases = SIGMA

    @staticmethod
    def logp(value: Any, mu: Any, sigma: Any) -> Any:
        z = (value - mu) / sigma
        logp = -0.5 * z * z - pt.log(sigma) - 0.5 * LOG_2PI
        return check(logp, pt.gt(sigma, 0), message="Normal: sigma > 0")

    @staticmethod
    def logcdf(value: Any, mu: Any, sigma: Any) -> Any:
        return check(normal_lcdf(mu, sigma, value), pt.gt(sigma, 0), message="Normal: sigma > 0")

    @classmethod
    def support_point(cls, rv: Any, mu: Any, sigma: Any) -> Any:
        return mu


class HalfNormal(Continuous):
    """HalfNormal(sigma=1) on [0, inf); ``sd=``, ``tau=`` accepted."""

    rv_op = rv_op("halfnormal")
    params = "sigma=1.0"
    aliases = SIGMA
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, sigma: Any) -> list[Any]:
        return [0.0, sigma]

    @staticmethod
    def logp(value: Any, loc: Any, sigma: Any) -> Any:
        z = (value - loc) / sigma
        logp = 0.5 * LOG_2 - 0.5 * LOG_PI - pt.log(sigma) - 0.5 * z * z
        logp = bound(logp, pt.ge(value, loc))
        return check(logp, pt.gt(sigma, 0), message="HalfNormal: sigma > 0")

    @staticmethod
    def logcdf(value: Any, loc: Any, sigma: Any) -> Any:
        z = (value - loc) / sigma
        # log erf, through log1p(-erfc) where erf is near one
        scaled = z / np.sqrt(2.0)
        logcdf = pt.switch(pt.lt(z, 1.0), pt.log(pt.erf(scaled)), pt.log1p(-pt.erfc(scaled)))
        logcdf = bound(logcdf, pt.ge(value, loc))
        return check(logcdf, pt.gt(sigma, 0), message="HalfNormal: sigma > 0")

    @classmethod
    def support_point(cls, rv: Any, loc: Any, sigma: Any) -> Any:
        return loc + sigma


class HalfCauchy(Continuous):
    """HalfCauchy(beta=1) on [0, inf): ``beta`` is the scale."""

    rv_op = rv_op("halfcauchy")
    params = "beta=1.0"
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, beta: Any) -> list[Any]:
        return [0.0, beta]

    @staticmethod
    def logp(value: Any, loc: Any, beta: Any) -> Any:
        z = (value - loc) / beta
        logp = LOG_2 - LOG_PI - pt.log(beta) - pt.log1p(z * z)
        logp = bound(logp, pt.ge(value, loc))
        return check(logp, pt.gt(beta, 0), message="HalfCauchy: beta > 0")

    @staticmethod
    def logcdf(value: Any, loc: Any, beta: Any) -> Any:
        z = (value - loc) / beta
        # 2/pi arctan(z); above z = 1 as 1 - 2/pi arctan(1/z), to keep the upper tail's digits
        lower = LOG_2 - LOG_PI + pt.log(pt.arctan(z))
        upper = pt.log1p(-2.0 / np.pi * pt.arctan(1.0 / pt.maximum(z, 1.0)))
        logcdf = pt.switch(pt.lt(z, 1.0), lower, upper)
        logcdf = bound(logcdf, pt.ge(value, loc))
        return check(logcdf, pt.gt(beta, 0), message="HalfCauchy: beta > 0")

    @classmethod
    def support_point(cls, rv: Any, loc: Any, beta: Any) -> Any:
        return loc + beta


class Exponential(Continuous):
    """Exponential(lam) with rate ``lam``; ``scale=`` (1/lam) also accepted."""

    rv_op = rv_op("exponential")
    params = "lam=None"
    aliases: ClassVar[dict[str, Alias]] = {"scale": Alias("lam", inverse)}
    default_transform = transforms.log

    @classmethod
    def rv_inputs(cls, lam: Any) -> list[Any]:
        if lam is None:
            raise TypeError("Exponential needs a value for 'lam' or 'scale'")
        return [1.0 / pt.as_tensor(lam)]

    @staticmethod
    def logp(value: Any, scale: Any) -> Any:
        logp = bound(-pt.log(scale) - value / scale, pt.ge(value, 0))
        return check(logp, positive_rate(scale), message="Exponential: lam > 0")

    @staticmethod
    def logcdf(value: Any, scale: Any) -> Any:
        logcdf = bound(pt.log1mexp(-value / scale), pt.ge(value, 0))
        return check(logcdf, positive_rate(scale), message="Exponential: lam > 0")

    @classmethod
    def support_point(cls, rv: Any, scale: Any) -> Any:
        return scale


class Uniform(Continuous):
    """Uniform(lower=0, upper=1); its free value variable is ``name_interval__``."""

    rv_op = rv_op("uniform")
    params = "lower=0.0 upper=1.0"
    default_transform = transforms.bounded_by_inputs(0, 1)

    @staticmethod
    def logp(value: Any, lower: Any, upper: Any) -> Any:
        logp = bound(
            -pt.log(upper - lower) + pt.zeros_like(value), pt.ge(value, lower), pt.le(value, upper)
        )
        return check(logp, pt.lt(lower, upper), message="Uniform: lower < upper")

    @staticmethod
    def logcdf(value: Any, lower: Any, upper: Any) -> Any:
        inside = pt.log(value - lower) - pt.log(upper - lower)
        logcdf = pt.switch(
            pt.lt(value, lower), MINUS_INF, pt.switch(pt.ge(value, upper), 0.0, inside)
        )
        return check(logcdf, pt.lt(lower, upper), message="Uniform: lower < upper")

    @classmethod
    def support_point(cls, rv: Any, lower: Any, upper: Any) -> Any:
        return (lower + upper) / 2.0


class Cauchy(Continuous):
    """Cauchy(alpha, beta): location ``alpha``, scale ``beta``."""

    rv_op = rv_op("cauchy")
    params = "alpha beta"

    @staticmethod
    def logp(value: Any, alpha: Any, beta: Any) -> Any:
        z = (value - alpha) / beta
        return guard(
            -LOG_PI - pt.log(beta) - pt.log1p(z * z), "Cauchy", (pt.gt(beta, 0), "beta > 0")
        )

    @staticmethod
    def logcdf(value: Any, alpha: Any, beta: Any) -> Any:
        z = (value - alpha) / beta
        # 1/2 + arctan(z)/pi, written as an angle that keeps its digits far below zero
        logcdf = pt.log(pt.arctan2(1.0, -z) / np.pi)
        return guard(logcdf, "Cauchy", (pt.gt(beta, 0), "beta > 0"))

    @classmethod
    def support_point(cls, rv: Any, alpha: Any, beta: Any) -> Any:
        return alpha


def student_t_logp(value: Any, nu: Any, mu: Any, sigma: Any) -> Any:
    """The Student t log density with ``nu`` degrees of freedom, location and scale."""
    z = (value - mu) / sigma
    return (
        pt.gammaln((nu + 1.0) / 2.0)
        - pt.gammaln(nu / 2.0)
        - 0.5 * pt.log(nu * np.pi)
        - pt.log(sigma)
        - (nu + 1.0) / 2.0 * pt.log1p(z * z / nu)
    )


class StudentT(Continuous):
    """StudentT(nu, mu=0, sigma=1); ``lam=`` (precision) and ``sd=`` also accepted."""

    rv_op = rv_op("studentt")
    params = "nu mu=0.0 sigma=None"
    aliases = STUDENT_T_SCALE

    @classmethod
    def rv_inputs(cls, nu: Any, mu: Any, sigma: Any) -> list[Any]:
        return [nu, mu, 1.0 if sigma is None else sigma]

    @staticmethod
    def logp(value: Any, nu: Any, mu: Any, sigma: Any) -> Any:
        return guard(
            student_t_logp(value, nu, mu, sigma),
            "StudentT",
            (pt.gt(nu, 0), "nu > 0"),
            (pt.gt(sigma, 0), "sigma > 0"),
        )

    @staticmethod
    def logcdf(value: Any, nu: Any, mu: Any, sigma: Any) -> Any:
        return guard(
            student_t_lcdf(nu, (value - mu) / sigma),
            "StudentT",
            (pt.gt(nu, 0), "nu > 0"),
            (pt.gt(sigma, 0), "sigma > 0"),
        )

    @classmethod
    def support_point(cls, rv: Any, nu: Any, mu: Any, sigma: Any) -> Any:
        return mu


class Laplace(Continuous):
    """Laplace(mu, b): location ``mu``, scale ``b``."""

    rv_op = rv_op("laplace")
    params = "mu b"

    @staticmethod
    def logp(value: Any, mu: Any, b: Any) -> Any:
        logp = -LOG_2 - pt.log(b) - pt.abs(value - mu) / b
        return guard(logp, "Laplace", (pt.gt(b, 0), "b > 0"))

    @staticmethod
    def logcdf(value: Any, mu: Any, b: Any) -> Any:
        z = (value - mu) / b
        # Below the median F = e^z / 2; above it 1 - e^(-z) / 2.
        logcdf = pt.switch(pt.lt(z, 0), z - LOG_2, pt.log1p(-0.5 * pt.exp(-pt.abs(z))))
        return guard(logcdf, "Laplace", (pt.gt(b, 0), "b > 0"))

    @classmethod
    def support_point(cls, rv: Any, mu: Any, b: Any) -> Any:
        return mu


class Logistic(Continuous):
    """Logistic(mu=0, s=1): location ``mu``, scale ``s``."""

    rv_op = rv_op("logistic")
    params = "mu=0.0 s=1.0"

    @staticmethod
    def logp(value: Any, mu: Any, s: Any) -> Any:
        z = (value - mu) / s
        logp = -z - pt.log(s) - 2.0 * pt.softplus(-z)
        return guard(logp, "Logistic", (pt.gt(s, 0), "s > 0"))

    @staticmethod
    def logcdf(value: Any, mu: Any, s: Any) -> Any:
        return guard(-pt.softplus(-(value - mu) / s), "Logistic", (pt.gt(s, 0), "s > 0"))

    @classmethod
    def support_point(cls, rv: Any, mu: Any, s: Any) -> Any:
        return mu


class VonMises(Continuous):
    """VonMises(mu=0, kappa=1) on [-pi, pi]; its value variable is ``name_circular__``."""

    rv_op = rv_op("vonmises")
    params = "mu=0.0 kappa=1.0"
    default_transform = transforms.circular

    @staticmethod
    def logp(value: Any, mu: Any, kappa: Any) -> Any:
        logp = kappa * pt.cos(value - mu) - LOG_2PI - pt.log(pt.i0(kappa))
        logp = bound(logp, pt.ge(value, -np.pi), pt.le(value, np.pi))
        return guard(logp, "VonMises", (pt.gt(kappa, 0), "kappa > 0"))

    @classmethod
    def support_point(cls, rv: Any, mu: Any, kappa: Any) -> Any:
        return mu


class Flat(Continuous):
    """Flat(): the improper uniform density on the real line (log density 0)."""

    rv_op = flat

    @staticmethod
    def logp(value: Any) -> Any:
        return pt.zeros_like(value)

    @staticmethod
    def logcdf(value: Any) -> Any:
        # As PyMC: half the mass lies on either side of any finite value.
        return pt.switch(
            pt.eq(value, -np.inf), MINUS_INF, pt.switch(pt.eq(value, np.inf), 0.0, -LOG_2)
        )
