"""Every distribution as one row: name, parameters (with defaults), signature, dtype, sampler.

Adding a distribution means adding a row here (and its check in the test table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from randomstreams import samplers as s
from randomstreams.op import RandomVariable, Sampler

REQUIRED = object()


@dataclass(frozen=True)
class Distribution:
    name: str
    params: tuple[tuple[str, Any], ...]
    signature: str
    dtype: str
    sampler: Sampler

    @property
    def op(self) -> RandomVariable:
        return _OPS[self.name]


def _row(name: str, params: str, signature: str, dtype: str, sampler: Sampler) -> Distribution:
    """``params`` reads like ``"loc=0.0 scale=1.0"``; a name without ``=`` is required."""
    parsed = []
    for item in params.split():
        key, sep, default = item.partition("=")
        parsed.append((key, float(default) if sep else REQUIRED))
    return Distribution(name, tuple(parsed), signature, dtype, sampler)


F, I = "floatX", "int64"  # noqa: E741 - short column names keep the table readable
UNI1, UNI2, UNI3 = "()->()", "(),()->()", "(),(),()->()"

DISTRIBUTIONS = {
    row.name: row
    for row in [
        _row("uniform", "low=0.0 high=1.0", UNI2, F, s.method("uniform")),
        _row("normal", "loc=0.0 scale=1.0", UNI2, F, s.method("normal")),
        _row("halfnormal", "loc=0.0 scale=1.0", UNI2, F, s.halfnormal),
        _row("lognormal", "mean=0.0 sigma=1.0", UNI2, F, s.method("lognormal")),
        _row("exponential", "scale=1.0", UNI1, F, s.exponential),
        _row("gamma", "shape scale=1.0", UNI2, F, s.gamma),
        _row("invgamma", "shape scale=1.0", UNI2, F, s.invgamma),
        _row("beta", "alpha beta", UNI2, F, s.method("beta")),
        _row("cauchy", "loc=0.0 scale=1.0", UNI2, F, s.cauchy),
        _row("halfcauchy", "loc=0.0 scale=1.0", UNI2, F, s.halfcauchy),
        _row("studentt", "df loc=0.0 scale=1.0", UNI3, F, s.studentt),
        _row("laplace", "loc=0.0 scale=1.0", UNI2, F, s.method("laplace")),
        _row("logistic", "loc=0.0 scale=1.0", UNI2, F, s.method("logistic")),
        _row("gumbel", "loc=0.0 scale=1.0", UNI2, F, s.method("gumbel")),
        _row("weibull", "shape", UNI1, F, s.weibull),
        _row("pareto", "b scale=1.0", UNI2, F, s.pareto),
        _row("vonmises", "mu kappa", UNI2, F, s.method("vonmises")),
        _row("wald", "mean scale", UNI2, F, s.method("wald")),
        _row("triangular", "left mode right", UNI3, F, s.method("triangular")),
        _row("chisquare", "df", UNI1, F, s.method("chisquare")),
        _row("bernoulli", "p", UNI1, I, s.bernoulli),
        _row("binomial", "n p", UNI2, I, s.method("binomial")),
        _row("betabinomial", "n a b", UNI3, I, s.betabinomial),
        _row("poisson", "lam=1.0", UNI1, I, s.method("poisson")),
        _row("negative_binomial", "n p", UNI2, I, s.method("negative_binomial")),
        _row("geometric", "p", UNI1, I, s.geometric),
        _row("hypergeometric", "ngood nbad nsample", UNI3, I, s.method("hypergeometric")),
        _row("integers", "low high", UNI2, I, s.integers),
        _row("discrete_uniform", "low high", UNI2, I, s.discrete_uniform),
        _row("categorical", "p", "(p)->()", I, s.categorical),
        _row("multivariate_normal", "mean cov", "(n),(n,n)->(n)", F, s.multivariate_normal),
        _row("dirichlet", "alpha", "(k)->(k)", F, s.dirichlet),
        _row("multinomial", "n p", "(),(k)->(k)", I, s.multinomial),
    ]
}

_OPS = {
    row.name: RandomVariable(
        row.name, row.signature, row.dtype, row.sampler, [p for p, _ in row.params]
    )
    for row in DISTRIBUTIONS.values()
}
