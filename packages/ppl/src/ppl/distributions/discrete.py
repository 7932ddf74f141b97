"""Discrete distributions: one class per row, with its log mass and log CDF, equal to
``scipy.stats``' ``logpmf``/``logcdf``. Values off the integer support get ``-inf``."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from ppl.checks import check
from ppl.distributions.base import Discrete, rv_op
from ppl.distributions.dist_math import MINUS_INF, bound


class Poisson(Discrete):
    """Poisson(mu); ``lam`` is not PyMC's name but ``mu`` is."""

    rv_op = rv_op("poisson")
    params = "mu"

    @staticmethod
    def logp(value: Any, mu: Any) -> Any:
        logp = pt.xlogy0(value, mu) - mu - pt.gammaln(value + 1.0)
        logp = bound(logp, pt.ge(value, 0))
        return check(logp, pt.ge(mu, 0), message="Poisson: mu >= 0")

    @classmethod
    def support_point(cls, rv: Any, mu: Any) -> Any:
        return pt.floor(mu)


class DiscreteUniform(Discrete):
    """DiscreteUniform(lower, upper): the integers lower..upper, both included."""

    rv_op = rv_op("discrete_uniform")
    params = "lower upper"

    @staticmethod
    def logp(value: Any, lower: Any, upper: Any) -> Any:
        logp = -pt.log(pt.cast(upper - lower + 1, "float64")) + pt.zeros_like(
            value, dtype="float64"
        )
        logp = bound(logp, pt.ge(value, lower), pt.le(value, upper))
        return check(logp, pt.le(lower, upper), message="DiscreteUniform: lower <= upper")

    @staticmethod
    def logcdf(value: Any, lower: Any, upper: Any) -> Any:
        inside = pt.log(pt.cast(pt.floor(value) - lower + 1, "float64")) - pt.log(
            pt.cast(upper - lower + 1, "float64")
        )
        logcdf = pt.switch(
            pt.lt(value, lower), MINUS_INF, pt.switch(pt.ge(value, upper), 0.0, inside)
        )
        return check(logcdf, pt.le(lower, upper), message="DiscreteUniform: lower <= upper")

    @classmethod
    def support_point(cls, rv: Any, lower: Any, upper: Any) -> Any:
        return pt.floor((lower + upper) / 2.0)
