"""LKJCholeskyCov: a covariance's Cholesky factor with LKJ correlations and given stds.

The free variable is the Cholesky factor ``L`` packed row by row (its lower triangle,
``n (n + 1) / 2`` entries); its value variable is ``name_cholesky-cov-packed__`` (log
on the diagonal). With ``sigma_i = |L_i|`` (row norms) and ``W = diag(1/sigma) L`` the
correlation's Cholesky factor, the density of ``L`` is

    p(L) = p_sd(sigma) p_LKJ(W) prod_i W_ii / sigma_i^i,

the last factor the Jacobian of ``(sigma_i, W_i's off-diagonal entries) -> L_i`` for
each row ``i`` (0-based): ``L_i = sigma_i u`` with ``u`` on the unit sphere, whose
surface element over its first ``i`` coordinates is ``dw / W_ii``. For the LKJ law of
the correlation ``C = W Wᵀ``, density ``det(C)^(eta - 1) / c_n(eta)``, the density of
``W``'s off-diagonal entries is ``prod_i W_ii^(n - i + 2 eta - 3) / c_n(eta)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from ppl import transforms
from ppl.checks import check
from ppl.deterministic import Deterministic
from ppl.distributions.base import Continuous, as_float
from ppl.distributions.composite import (
    ComponentsRandomVariable,
    batch_shape,
    component_of,
    component_support_point,
    params_broadcast_to,
    require_univariate,
)
from ppl.distributions.continuous import Exponential
from ppl.distributions.dist_math import LOG_PI
from ppl.distributions.params import bind
from ppl.transforms import diagonal_positions
from randomstreams import RandomVariable, default_rng_variable


def packed_rows(n: int) -> np.ndarray:
    """``(m, n)`` 0/1 matrix: entry ``k`` of the packed triangle lies in row ``i``."""
    rows, _ = np.tril_indices(n)
    return (rows[:, None] == np.arange(n)[None, :]).astype(np.float64)


def lkj_log_normalizer(eta: Any, n: int) -> Any:
    """log c_n(eta) = Σ_{k=1}^{n-1} [k/2 log π + log Γ(eta + (n-1-k)/2)]
    - (n - 1) log Γ(eta + (n - 1)/2) (Lewandowski, Kurowicka and Joe 2009)."""
    total = -(n - 1) * pt.gammaln(eta + 0.5 * (n - 1))
    for k in range(1, n):
        total = total + 0.5 * k * LOG_PI + pt.gammaln(eta + 0.5 * (n - 1 - k))
    return total


def onion_correlation_cholesky(
    rng: np.random.Generator, eta: Any, batch: tuple[int, ...], n: int
) -> np.ndarray:
    """Cholesky factors of LKJ(eta) correlations by the onion method: row k's
    off-diagonal part is sqrt(y) u, y ~ Beta(k/2, eta + (n-1-k)/2), u uniform on S^(k-1)."""
    eta = np.broadcast_to(np.asarray(eta, dtype=np.float64), batch)
    factor = np.zeros((*batch, n, n))
    factor[..., 0, 0] = 1.0
    for k in range(1, n):
        y = rng.beta(k / 2.0, eta + (n - 1 - k) / 2.0)
        direction = rng.standard_normal(size=(*batch, k))
        direction /= np.linalg.norm(direction, axis=-1, keepdims=True)
        factor[..., k, :k] = np.sqrt(y)[..., None] * direction
        factor[..., k, k] = np.sqrt(1.0 - y)
    return factor


class LKJCholeskyCovRandomVariable(ComponentsRandomVariable):
    """Inputs ``(rng, size, eta, *sd_dist parameters)``; draws packed Cholesky factors."""

    __props__: ClassVar[tuple[str, ...]] = (*ComponentsRandomVariable.__props__, "n")
    own_params = 1

    def __init__(self, sd_op: RandomVariable, n: int, inplace: bool = False):
        self.n = int(n)
        count = len(sd_op.parsed.inputs)
        signature = ",".join(["()", *["(n)"] * count]) + "->(m)"
        super().__init__("lkj_cholesky_cov", signature, "floatX", (sd_op,), ("eta",), inplace)

    def _support_shape(self, param_shapes: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        return (self.n * (self.n + 1) // 2,)

    def sample(self, rng: np.random.Generator, eta: Any, *sd: Any, size: Any) -> Any:
        batch = batch_shape(size, (eta, 0), *((p, 1) for p in sd))
        stds = self.draw_component(0, rng, sd, (*batch, self.n))
        factor = stds[..., None] * onion_correlation_cholesky(rng, eta, batch, self.n)
        rows, columns = np.tril_indices(self.n)
        return factor[..., rows, columns]


class _LKJCholeskyCov(Continuous):
    """The packed Cholesky factor itself (``LKJCholeskyCov(..., compute_corr=False)``)."""

    rv_op = LKJCholeskyCovRandomVariable(Exponential.rv_op, 2)
    params = "eta n sd_dist"
    default_transform = transforms.cholesky_cov_packed

    @classmethod
    def dist(
        cls, *args: Any, shape: Any = None, size: Any = None, rng: Any = None, **kwargs: Any
    ) -> Any:
        bound = bind("LKJCholeskyCov", cls._params, cls.aliases, args, kwargs)
        n = bound["n"]
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise TypeError(f"LKJCholeskyCov: n must be a positive int, got {n!r}")
        n = int(n)
        sd_op, sd = component_of("LKJCholeskyCov", "sd_dist", bound["sd_dist"])
        require_univariate("LKJCholeskyCov", "sd_dist", sd_op)
        if sd.ndim and sd.type.shape[-1] not in (None, 1, n):
            raise ValueError(
                f"LKJCholeskyCov: sd_dist has shape {sd.type.shape}; its last axis must be n = {n}"
            )
        sd_shape = (n,) if sd.ndim == 0 else (*pt.shape_tuple(sd)[:-1], n)
        size = cls._size(shape, size, owner="LKJCholeskyCov")
        op = LKJCholeskyCovRandomVariable(sd_op, n)
        generator = rng if rng is not None else default_rng_variable()
        return op(generator, size, as_float(bound["eta"]), *params_broadcast_to(sd, sd_shape))

    @staticmethod
    def logp(op: LKJCholeskyCovRandomVariable, value: Any, eta: Any, *sd: Any) -> Any:
        n = op.n
        stds = pt.sqrt(pt.matmul(value * value, packed_rows(n)))
        correlation_diagonal = value[..., diagonal_positions(n)] / stds
        log_w = pt.log(correlation_diagonal)
        rows = np.arange(n, dtype=np.float64)
        lkj = pt.sum(
            (2.0 * pt.expand_dims(eta, -1) - 3.0 + n - rows) * log_w, axis=-1
        ) - lkj_log_normalizer(eta, n)
        jacobian = pt.sum(log_w - rows * pt.log(stds), axis=-1)
        sd_logp = pt.sum(op.component_logp(0, stds, sd), axis=-1)
        logp = sd_logp + lkj + jacobian
        logp = pt.switch(
            pt.all(pt.gt(value[..., diagonal_positions(n)], 0), axis=-1), logp, -np.inf
        )
        return check(logp, pt.gt(eta, 0), message="LKJCholeskyCov: eta > 0")

    @classmethod
    def support_point(cls, rv: Any, eta: Any, *sd: Any) -> Any:
        """The identity correlation scaled by the stds' support point."""
        op = rv.owner.op
        n = op.n
        stds = component_support_point(op.components[0], sd, pt.shape(sd[0]) if sd else (n,))
        to_diagonal = np.zeros((n, n * (n + 1) // 2))
        to_diagonal[np.arange(n), diagonal_positions(n)] = 1.0
        return pt.matmul(stds, to_diagonal)


def unpack_cholesky(n: int, packed: Any) -> Any:
    """The lower triangular ``(..., n, n)`` matrix from its packed rows."""
    rows, columns = np.tril_indices(n)
    index = np.zeros((n, n), dtype=np.int64)
    index[rows, columns] = np.arange(len(rows))
    return packed[..., index] * np.tril(np.ones((n, n)))


def cholesky_correlation_stds(n: int, packed: Any) -> tuple[Any, Any, Any]:
    """``(chol, corr, stds)`` from a packed Cholesky factor of a covariance."""
    chol = unpack_cholesky(n, packed)
    stds = pt.sqrt(pt.sum(chol * chol, axis=-1))
    normalized = chol / pt.expand_dims(stds, -1)
    axes = [*range(normalized.ndim - 2), normalized.ndim - 1, normalized.ndim - 2]
    corr = pt.matmul(normalized, pt.transpose(normalized, axes))
    return chol, corr, stds


class LKJCholeskyCov:
    """LKJCholeskyCov(name, eta, n, sd_dist, compute_corr=True, store_in_trace=True):
    the free variable ``name`` is the packed Cholesky factor; with ``compute_corr``
    returns ``(chol, corr, stds)`` (``name_corr``, ``name_stds`` deterministics when
    ``store_in_trace``), else the packed factor."""

    def __new__(
        cls,
        name: str,
        eta: Any,
        n: int,
        sd_dist: Any,
        *,
        compute_corr: bool = True,
        store_in_trace: bool = True,
        **kwargs: Any,
    ) -> Any:
        packed = _LKJCholeskyCov(name, eta=eta, n=n, sd_dist=sd_dist, **kwargs)
        if not compute_corr:
            return packed
        chol, corr, stds = cholesky_correlation_stds(n, packed)
        if store_in_trace:
            corr = Deterministic(f"{name}_corr", corr)
            stds = Deterministic(f"{name}_stds", stds)
        return chol, corr, stds

    @classmethod
    def dist(
        cls, eta: Any, n: int, sd_dist: Any, *, compute_corr: bool = True, **kwargs: Any
    ) -> Any:
        packed = _LKJCholeskyCov.dist(eta=eta, n=n, sd_dist=sd_dist, **kwargs)
        return cholesky_correlation_stds(n, packed) if compute_corr else packed
