"""Discrete distributions: one class per row, with its log mass and log CDF, equal to
``scipy.stats``' ``logpmf``/``logcdf``. Values off the integer support (negative,
too large or not whole numbers) get ``-inf``."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from ppl.distributions.base import Discrete, rv_op
from ppl.distributions.dist_math import (
    MINUS_INF,
    bound,
    guard,
    is_integer,
    log_probabilities,
    log_regularized_beta,
    log_regularized_gamma_upper,
    xlog,
)
from ppl.distributions.params import Alias


def log_binomial_coefficient(n: Any, k: Any) -> Any:
    """log (n choose k) through log-gamma functions."""
    return pt.gammaln(n + 1.0) - pt.gammaln(k + 1.0) - pt.gammaln(n - k + 1.0)


def _softmax_last(logits: Any) -> Any:
    return pt.softmax(pt.as_tensor(logits), axis=-1)


def _sigmoid(logit: Any) -> Any:
    return pt.sigmoid(pt.as_tensor(logit))


LOGIT_P = {"logit_p": Alias("p", _sigmoid)}
"""``logit_p=`` (log-odds) instead of the probability ``p``."""

LOGIT_P_VECTOR = {"logit_p": Alias("p", _softmax_last)}
"""``logit_p=``: logits over the last axis, whose softmax is ``p``."""


def _probability(p: Any) -> tuple[Any, str]:
    return pt.and_(pt.ge(p, 0), pt.le(p, 1)), "0 <= p <= 1"


class Poisson(Discrete):
    """Poisson(mu); ``lam`` is not PyMC's name but ``mu`` is."""

    rv_op = rv_op("poisson")
    params = "mu"

    @staticmethod
    def logp(value: Any, mu: Any) -> Any:
        logp = pt.xlogy0(value, mu) - mu - pt.gammaln(value + 1.0)
        logp = bound(logp, pt.ge(value, 0), is_integer(value))
        return guard(logp, "Poisson", (pt.ge(mu, 0), "mu >= 0"))

    @staticmethod
    def logcdf(value: Any, mu: Any) -> Any:
        # P(X <= k) = Q(k + 1, mu), the upper regularized incomplete gamma
        whole = pt.floor(value)
        logcdf = bound(log_regularized_gamma_upper(whole + 1.0, mu), pt.ge(value, 0))
        return guard(logcdf, "Poisson", (pt.ge(mu, 0), "mu >= 0"))

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
        logp = bound(logp, pt.ge(value, lower), pt.le(value, upper), is_integer(value))
        return guard(logp, "DiscreteUniform", (pt.le(lower, upper), "lower <= upper"))

    @staticmethod
    def logcdf(value: Any, lower: Any, upper: Any) -> Any:
        inside = pt.log(pt.cast(pt.floor(value) - lower + 1, "float64")) - pt.log(
            pt.cast(upper - lower + 1, "float64")
        )
        logcdf = pt.switch(
            pt.lt(value, lower), MINUS_INF, pt.switch(pt.ge(value, upper), 0.0, inside)
        )
        return guard(logcdf, "DiscreteUniform", (pt.le(lower, upper), "lower <= upper"))

    @classmethod
    def support_point(cls, rv: Any, lower: Any, upper: Any) -> Any:
        return pt.floor((lower + upper) / 2.0)


class Bernoulli(Discrete):
    """Bernoulli(p): 1 with probability ``p``, else 0; ``logit_p=`` also accepted."""

    rv_op = rv_op("bernoulli")
    params = "p"
    aliases = LOGIT_P

    @staticmethod
    def logp(value: Any, p: Any) -> Any:
        log_p, log_1m_p = log_probabilities(p)
        logp = pt.switch(pt.eq(value, 1), log_p, log_1m_p)
        logp = bound(logp, pt.ge(value, 0), pt.le(value, 1), is_integer(value))
        return guard(logp, "Bernoulli", _probability(p))

    @staticmethod
    def logcdf(value: Any, p: Any) -> Any:
        logcdf = pt.switch(
            pt.lt(value, 0), MINUS_INF, pt.switch(pt.ge(value, 1), 0.0, pt.log1p(-p))
        )
        return guard(logcdf, "Bernoulli", _probability(p))

    @classmethod
    def support_point(cls, rv: Any, p: Any) -> Any:
        return pt.cast(pt.ge(p, 0.5), "int64")


class Binomial(Discrete):
    """Binomial(n, p): successes in ``n`` trials; ``logit_p=`` also accepted."""

    rv_op = rv_op("binomial")
    params = "n p"
    aliases = LOGIT_P

    @staticmethod
    def logp(value: Any, n: Any, p: Any) -> Any:
        log_p, log_1m_p = log_probabilities(p)
        logp = log_binomial_coefficient(n, value) + xlog(value, log_p) + xlog(n - value, log_1m_p)
        logp = bound(logp, pt.ge(value, 0), pt.le(value, n), is_integer(value))
        return guard(logp, "Binomial", (pt.ge(n, 0), "n >= 0"), _probability(p))

    @staticmethod
    def logcdf(value: Any, n: Any, p: Any) -> Any:
        # P(X <= k) = I_{1-p}(n - k, k + 1) for 0 <= k < n
        whole = pt.floor(value)
        inside = log_regularized_beta(pt.maximum(n - whole, 1.0), whole + 1.0, 1.0 - p)
        logcdf = pt.switch(pt.lt(value, 0), MINUS_INF, pt.switch(pt.ge(value, n), 0.0, inside))
        return guard(logcdf, "Binomial", (pt.ge(n, 0), "n >= 0"), _probability(p))

    @classmethod
    def support_point(cls, rv: Any, n: Any, p: Any) -> Any:
        return pt.floor(n * p)


class Geometric(Discrete):
    """Geometric(p): the number of trials up to and including the first success (>= 1)."""

    rv_op = rv_op("geometric")
    params = "p"

    @staticmethod
    def logp(value: Any, p: Any) -> Any:
        log_p, log_1m_p = log_probabilities(p)
        logp = xlog(value - 1.0, log_1m_p) + log_p
        logp = bound(logp, pt.ge(value, 1), is_integer(value))
        return guard(logp, "Geometric", (pt.and_(pt.gt(p, 0), pt.le(p, 1)), "0 < p <= 1"))

    @staticmethod
    def logcdf(value: Any, p: Any) -> Any:
        # F = 1 - (1 - p)^k
        logcdf = bound(pt.log1mexp(pt.floor(value) * pt.log1p(-p)), pt.ge(value, 1))
        return guard(logcdf, "Geometric", (pt.and_(pt.gt(p, 0), pt.le(p, 1)), "0 < p <= 1"))

    @classmethod
    def support_point(cls, rv: Any, p: Any) -> Any:
        return pt.maximum(pt.round(1.0 / p), 1.0)


class Categorical(Discrete):
    """Categorical(p): index k in 0..len(p)-1 with probability p[k] (normalized over the
    last axis); ``logit_p=`` (softmax logits) also accepted."""

    rv_op = rv_op("categorical")
    params = "p"
    aliases = LOGIT_P_VECTOR

    @staticmethod
    def logp(value: Any, p: Any) -> Any:
        p = pt.as_tensor(p)
        value = pt.as_tensor(value)
        log_p = pt.log(p) - pt.log(pt.sum(p, axis=-1, keepdims=True))
        categories = pt.arange(pt.shape(p)[-1])
        hits = pt.eq(pt.expand_dims(value, -1), categories)
        logp = pt.sum(pt.switch(hits, log_p, 0.0), axis=-1)
        logp = bound(logp, pt.ge(value, 0), pt.lt(value, pt.shape(p)[-1]), is_integer(value))
        return guard(logp, "Categorical", _probability(p))

    @classmethod
    def support_point(cls, rv: Any, p: Any) -> Any:
        return pt.argmax(p, axis=-1)
