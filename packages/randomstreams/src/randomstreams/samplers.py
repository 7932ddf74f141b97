"""Samplers NumPy's Generator lacks, or whose parameters it does not broadcast; all
vectorized over batch dimensions (no Python loop over draws)."""

from __future__ import annotations

from typing import Any

import numpy as np

Size = tuple[int, ...] | None


def _batch(size: Size, *core_shapes: tuple[tuple[int, ...], int]) -> tuple[int, ...]:
    """The batch shape: ``size`` if given, else the broadcast of the parameters' batch dims."""
    if size is not None:
        return size
    return np.broadcast_shapes(*(shape[: len(shape) - ndim] for shape, ndim in core_shapes))


class GeneratorMethod:
    """The Generator method ``name``, called with broadcasting parameters and ``size``.
    A class, not a closure, so that random variables (and the functions, models and
    steps holding them) pickle; equal by name."""

    def __init__(self, name: str):
        self.name = self.__name__ = name

    def __call__(self, rng: np.random.Generator, *params: Any, size: Size) -> Any:
        return getattr(rng, self.name)(*params, size=size)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GeneratorMethod) and other.name == self.name

    def __hash__(self) -> int:
        return hash((GeneratorMethod, self.name))

    def __repr__(self) -> str:
        return f"GeneratorMethod({self.name!r})"


def method(name: str) -> GeneratorMethod:
    """The Generator method ``name`` as a sampler (see ``GeneratorMethod``)."""
    return GeneratorMethod(name)


def halfnormal(rng: np.random.Generator, loc: Any, scale: Any, size: Size) -> Any:
    return loc + scale * np.abs(rng.standard_normal(size=_shape(size, loc, scale)))


def halfcauchy(rng: np.random.Generator, loc: Any, scale: Any, size: Size) -> Any:
    return loc + scale * np.abs(rng.standard_cauchy(size=_shape(size, loc, scale)))


def cauchy(rng: np.random.Generator, loc: Any, scale: Any, size: Size) -> Any:
    return loc + scale * rng.standard_cauchy(size=_shape(size, loc, scale))


def studentt(rng: np.random.Generator, df: Any, loc: Any, scale: Any, size: Size) -> Any:
    return loc + scale * rng.standard_t(df, size=_shape(size, df, loc, scale))


def invgamma(rng: np.random.Generator, shape: Any, scale: Any, size: Size) -> Any:
    """If G ~ Gamma(shape, 1) then scale / G ~ InvGamma(shape, scale)."""
    return scale / rng.gamma(shape, 1.0, size=_shape(size, shape, scale))


def gamma(rng: np.random.Generator, shape: Any, scale: Any, size: Size) -> Any:
    return rng.gamma(shape, scale, size=size)


def exponential(rng: np.random.Generator, scale: Any, size: Size) -> Any:
    return rng.exponential(scale, size=size)


def pareto(rng: np.random.Generator, b: Any, scale: Any, size: Size) -> Any:
    """Pareto(b, scale) on [scale, inf): NumPy's Lomax draw shifted by one, scaled."""
    return scale * (1.0 + rng.pareto(b, size=_shape(size, b, scale)))


def weibull(rng: np.random.Generator, shape: Any, size: Size) -> Any:
    return rng.weibull(shape, size=size)


def betabinomial(rng: np.random.Generator, n: Any, a: Any, b: Any, size: Size) -> Any:
    return rng.binomial(n, rng.beta(a, b, size=_shape(size, n, a, b)))


def bernoulli(rng: np.random.Generator, p: Any, size: Size) -> Any:
    return rng.binomial(1, p, size=size)


def geometric(rng: np.random.Generator, p: Any, size: Size) -> Any:
    return rng.geometric(p, size=size)


def discrete_uniform(rng: np.random.Generator, low: Any, high: Any, size: Size) -> Any:
    """Integers in [low, high], both ends included."""
    return rng.integers(low, np.asarray(high) + 1, size=size)


def integers(rng: np.random.Generator, low: Any, high: Any, size: Size) -> Any:
    """Integers in [low, high), as NumPy's Generator.integers."""
    return rng.integers(low, high, size=size)


def categorical(rng: np.random.Generator, p: Any, size: Size) -> Any:
    """Index k with probability p[..., k]: the first k whose cumulative probability passes u."""
    p = np.asarray(p, dtype=np.float64)
    batch = _batch(size, (p.shape, 1))
    cumulative = np.cumsum(p, axis=-1)
    cumulative = np.broadcast_to(cumulative, (*batch, p.shape[-1]))
    uniform = rng.uniform(size=batch)[..., None] * cumulative[..., -1:]
    return np.minimum((uniform >= cumulative).sum(axis=-1), p.shape[-1] - 1)


def multivariate_normal(rng: np.random.Generator, mean: Any, cov: Any, size: Size) -> Any:
    """mean + L z with L the Cholesky factor of cov, batched over leading dims."""
    mean, cov = np.asarray(mean, dtype=np.float64), np.asarray(cov, dtype=np.float64)
    batch = _batch(size, (mean.shape, 1), (cov.shape, 2))
    n = mean.shape[-1]
    factor = np.linalg.cholesky(cov)
    noise = rng.standard_normal(size=(*batch, n))
    return np.broadcast_to(mean, (*batch, n)) + np.einsum("...ij,...j->...i", factor, noise)


def dirichlet(rng: np.random.Generator, alpha: Any, size: Size) -> Any:
    """Independent Gamma(alpha_k, 1) draws, normalized to sum to one."""
    alpha = np.asarray(alpha, dtype=np.float64)
    batch = _batch(size, (alpha.shape, 1))
    draws = rng.gamma(np.broadcast_to(alpha, (*batch, alpha.shape[-1])))
    return draws / draws.sum(axis=-1, keepdims=True)


def multinomial(rng: np.random.Generator, n: Any, p: Any, size: Size) -> Any:
    n, p = np.asarray(n), np.asarray(p, dtype=np.float64)
    batch = _batch(size, (n.shape, 0), (p.shape, 1))
    return rng.multinomial(np.broadcast_to(n, batch), np.broadcast_to(p, (*batch, p.shape[-1])))


def _shape(size: Size, *params: Any) -> tuple[int, ...]:
    return size if size is not None else np.broadcast_shapes(*(np.shape(p) for p in params))
