"""Counts with more variance than a Poisson or Binomial: NegativeBinomial (a
Gamma-Poisson mixture) and BetaBinomial (a Beta-Binomial mixture), as ``scipy.stats``'
``nbinom`` and ``betabinom``."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from ppl.distributions.base import Discrete, rv_op
from ppl.distributions.discrete import log_binomial_coefficient
from ppl.distributions.dist_math import (
    MINUS_INF,
    bound,
    guard,
    is_integer,
    log_probabilities,
    log_regularized_beta,
    xlog,
)


def _negative_binomial_n_p(mu: Any, alpha: Any, p: Any, n: Any) -> list[Any]:
    """NumPy's (n, p) from PyMC's (mu, alpha) or (n, p): n = alpha, p = alpha / (mu + alpha)."""
    if mu is not None and alpha is not None and p is None and n is None:
        alpha = pt.as_tensor(alpha)
        return [alpha, alpha / (pt.as_tensor(mu) + alpha)]
    if n is not None and p is not None and mu is None and alpha is None:
        return [n, p]
    raise TypeError("NegativeBinomial needs 'mu' and 'alpha', or 'n' and 'p' (not a mix)")


class NegativeBinomial(Discrete):
    """NegativeBinomial(mu, alpha): mean ``mu``, variance mu + mu^2 / alpha; or (n=, p=):
    failures before the n-th success of trials with success probability ``p``."""

    rv_op = rv_op("negative_binomial")
    params = "mu=None alpha=None p=None n=None"

    @classmethod
    def rv_inputs(cls, mu: Any, alpha: Any, p: Any, n: Any) -> list[Any]:
        return _negative_binomial_n_p(mu, alpha, p, n)

    @staticmethod
    def _checked(logp: Any, n: Any, p: Any) -> Any:
        return guard(
            logp,
            "NegativeBinomial",
            (pt.gt(n, 0), "n > 0 (alpha > 0)"),
            (pt.and_(pt.gt(p, 0), pt.le(p, 1)), "0 < p <= 1 (mu >= 0)"),
        )

    @staticmethod
    def logp(value: Any, n: Any, p: Any) -> Any:
        log_p, log_1m_p = log_probabilities(p)
        logp = (
            pt.gammaln(value + n)
            - pt.gammaln(value + 1.0)
            - pt.gammaln(n)
            + n * log_p
            + xlog(value, log_1m_p)
        )
        logp = bound(logp, pt.ge(value, 0), is_integer(value))
        return NegativeBinomial._checked(logp, n, p)

    @staticmethod
    def logcdf(value: Any, n: Any, p: Any) -> Any:
        # P(X <= k) = I_p(n, k + 1)
        logcdf = log_regularized_beta(n, pt.floor(pt.maximum(value, 0.0)) + 1.0, p)
        return NegativeBinomial._checked(bound(logcdf, pt.ge(value, 0)), n, p)

    @classmethod
    def support_point(cls, rv: Any, n: Any, p: Any) -> Any:
        """The floor of the mean n (1 - p) / p."""
        return pt.floor(n * (1.0 - p) / p)


def _beta_binomial_logpmf(k: Any, n: Any, a: Any, b: Any) -> Any:
    return log_binomial_coefficient(n, k) + pt.betaln(k + a, n - k + b) - pt.betaln(a, b)


class BetaBinomial(Discrete):
    """BetaBinomial(alpha, beta, n): Binomial(n, p) successes with p ~ Beta(alpha, beta)."""

    rv_op = rv_op("betabinomial")
    params = "alpha beta n"

    @classmethod
    def rv_inputs(cls, alpha: Any, beta: Any, n: Any) -> list[Any]:
        return [n, alpha, beta]

    @staticmethod
    def _checked(logp: Any, n: Any, a: Any, b: Any) -> Any:
        return guard(
            logp,
            "BetaBinomial",
            (pt.gt(a, 0), "alpha > 0"),
            (pt.gt(b, 0), "beta > 0"),
            (pt.ge(n, 0), "n >= 0"),
        )

    @staticmethod
    def logp(value: Any, n: Any, a: Any, b: Any) -> Any:
        logp = _beta_binomial_logpmf(value, n, a, b)
        logp = bound(logp, pt.ge(value, 0), pt.le(value, n), is_integer(value))
        return BetaBinomial._checked(logp, n, a, b)

    @staticmethod
    def logcdf(value: Any, n: Any, a: Any, b: Any) -> Any:
        """The log of the mass summed over 0..floor(value), one term per possible count
        up to the largest ``n`` (the CDF has no closed form)."""
        value, n, a, b = (pt.as_tensor(x) for x in (value, n, a, b))
        counts = pt.cast(pt.arange(pt.max(n) + 1), "float64")
        last = [pt.expand_dims(x, -1) for x in (value, n, a, b)]
        terms = _beta_binomial_logpmf(counts, last[1], last[2], last[3])
        kept = pt.and_(pt.le(counts, pt.floor(last[0])), pt.le(counts, last[1]))
        inside = pt.logsumexp(pt.switch(kept, terms, MINUS_INF), axis=-1)
        logcdf = pt.switch(pt.lt(value, 0), MINUS_INF, pt.switch(pt.ge(value, n), 0.0, inside))
        return BetaBinomial._checked(logcdf, n, a, b)

    @classmethod
    def support_point(cls, rv: Any, n: Any, a: Any, b: Any) -> Any:
        return pt.floor(n * a / (a + b))
