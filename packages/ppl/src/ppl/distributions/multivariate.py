"""Multivariate distributions: Dirichlet, MvNormal, Multinomial.

Each draws vectors along the last axis (its support axis); leading axes are batch axes
and broadcast. The log densities reduce the support axis, as ``scipy.stats``'
``dirichlet``, ``multivariate_normal`` and ``multinomial`` do for one vector.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import tensorops as pt
from ppl import transforms
from ppl.checks import check
from ppl.distributions.base import Continuous, Discrete, as_float, rv_op
from ppl.distributions.dist_math import LOG_2PI, bound


class Dirichlet(Continuous):
    """Dirichlet(a): vectors on the simplex; the free value variable is ``name_simplex__``."""

    rv_op = rv_op("dirichlet")
    params = "a"
    default_transform = transforms.simplex

    @classmethod
    def rv_inputs(cls, a: Any) -> list[Any]:
        return [as_float(a)]

    @staticmethod
    def logp(value: Any, a: Any) -> Any:
        logp = (
            pt.sum(pt.xlogy0(a - 1.0, value), axis=-1)
            + pt.gammaln(pt.sum(a, axis=-1))
            - pt.sum(pt.gammaln(a), axis=-1)
        )
        logp = bound(logp, pt.all(pt.ge(value, 0), axis=-1), pt.all(pt.le(value, 1), axis=-1))
        return check(logp, pt.gt(a, 0), message="Dirichlet: a > 0")

    @classmethod
    def support_point(cls, rv: Any, a: Any) -> Any:
        return a / pt.sum(a, axis=-1, keepdims=True)


def _covariance(cov: Any, tau: Any, chol: Any, lower: bool) -> Any:
    given = [name for name, v in (("cov", cov), ("tau", tau), ("chol", chol)) if v is not None]
    if len(given) != 1:
        raise TypeError(f"MvNormal needs exactly one of cov, tau or chol, got {given or 'none'}")
    if cov is not None:
        return as_float(cov)
    if tau is not None:
        return pt.nlinalg.matrix_inverse(as_float(tau))
    factor = as_float(chol)
    if not lower:
        factor = _transposed(factor)
    return pt.matmul(factor, _transposed(factor))


def _transposed(x: Any) -> Any:
    """Each matrix of a stack transposed."""
    axes = list(range(x.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return pt.transpose(x, axes)


def mvnormal_quadratic(delta: Any, factor: Any) -> Any:
    """``|L⁻¹ δ|²`` for each vector ``δ`` (last axis), with ``L`` lower triangular."""
    n = pt.shape(delta)[-1]
    if factor.ndim == 2:
        rows = pt.reshape(delta, (-1, n))
        solved = pt.slinalg.solve_triangular(factor, _transposed(rows), lower=True)
        return pt.reshape(pt.sum(solved * solved, axis=0), pt.shape(delta)[:-1])
    solved = pt.slinalg.solve(factor, pt.expand_dims(delta, -1))
    return pt.sum(solved * solved, axis=(-2, -1))


class MvNormal(Continuous):
    """MvNormal(mu, cov=None, tau=None, chol=None, lower=True): one of ``cov``, ``tau``
    (precision) or ``chol`` (a Cholesky factor of cov) gives the covariance."""

    rv_op = rv_op("multivariate_normal")
    params = "mu cov=None tau=None chol=None lower=1.0"

    @classmethod
    def rv_inputs(cls, mu: Any, cov: Any, tau: Any, chol: Any, lower: Any) -> list[Any]:
        return [as_float(mu), _covariance(cov, tau, chol, bool(lower))]

    @staticmethod
    def logp(value: Any, mu: Any, cov: Any) -> Any:
        """-½ |L⁻¹(x - μ)|² - Σ log diag(L) - k/2 log 2π, with cov = L Lᵀ."""
        factor = pt.slinalg.cholesky(cov, lower=True, on_error="nan")
        diagonal = pt.diagonal(factor, axis1=-2, axis2=-1)
        k = pt.cast(pt.shape(value)[-1], "float64")
        logp = (
            -0.5 * mvnormal_quadratic(value - mu, factor)
            - pt.sum(pt.log(diagonal), axis=-1)
            - 0.5 * k * LOG_2PI
        )
        positive_definite = pt.all(pt.gt(diagonal, 0))
        return check(logp, positive_definite, message="MvNormal: cov is positive definite")

    @classmethod
    def support_point(cls, rv: Any, mu: Any, cov: Any) -> Any:
        return mu


class Multinomial(Discrete):
    """Multinomial(n, p): counts of ``n`` draws over the categories of ``p`` (last axis).
    Constant ``p`` that does not sum to one is rescaled, with a warning, as in PyMC."""

    rv_op = rv_op("multinomial")
    params = "n p"

    @classmethod
    def rv_inputs(cls, n: Any, p: Any) -> list[Any]:
        if isinstance(p, (list, tuple, np.ndarray)):
            array = np.asarray(p, dtype=np.float64)
            if np.any(array < 0) or np.any(array > 1):
                raise ValueError(f"Multinomial: p must be in [0, 1], got {array}")
            total = array.sum(axis=-1, keepdims=True)
            if not np.allclose(total, 1.0):
                warnings.warn(
                    f"Multinomial: p sums to {total.ravel()}, not 1; it is rescaled",
                    UserWarning,
                    stacklevel=4,
                )
                array = array / total
            p = array
        return [pt.cast(pt.as_tensor(n), "int64"), as_float(p)]

    @staticmethod
    def logp(value: Any, n: Any, p: Any) -> Any:
        logp = (
            pt.gammaln(n + 1.0)
            - pt.sum(pt.gammaln(value + 1.0), axis=-1)
            + pt.sum(pt.xlogy0(value, p), axis=-1)
        )
        logp = bound(logp, pt.all(pt.ge(value, 0), axis=-1), pt.eq(pt.sum(value, axis=-1), n))
        return check(
            logp,
            pt.ge(p, 0),
            pt.le(p, 1),
            pt.lt(pt.abs(pt.sum(p, axis=-1) - 1.0), 1e-8),
            pt.ge(n, 0),
            message="Multinomial: 0 <= p <= 1, sum(p) = 1, n >= 0",
        )

    @classmethod
    def support_point(cls, rv: Any, n: Any, p: Any) -> Any:
        """``floor(n p)`` with the counts left over given to the likeliest category."""
        base = pt.floor(pt.expand_dims(n, -1) * p)
        left = pt.expand_dims(n - pt.sum(base, axis=-1), -1)
        k = pt.shape(p)[-1]
        likeliest = pt.eq(pt.arange(k), pt.expand_dims(pt.argmax(p, axis=-1), -1))
        return base + left * likeliest
