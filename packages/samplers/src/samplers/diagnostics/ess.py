"""Effective sample size: Geyer's initial monotone sequence over split, transformed chains."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.diagnostics.autocovariance import autocovariance
from samplers.diagnostics.draws import Estimate, FloatArray
from samplers.diagnostics.ranks import (
    as_column,
    fold,
    pooled_mean,
    pooled_median,
    quantiles,
    rank_normalize,
    split_chains,
)
from samplers.diagnostics.variables import PosteriorLike, VarNames, estimate_each

Prob = float | Sequence[float] | NDArray[np.float64] | None

_CONSTANT_RANGE = np.finfo(float).resolution
"""Below this range of values a variable counts as constant; its ESS is then its size."""


def effective_size(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of each variable of (V, C, N) as Stan and ArviZ estimate it, without splitting.

    With ρ̂ₜ = 1 - (W - mean over chains of γ̂ₜ) / var⁺ the combined autocorrelation at lag t
    (W the mean within-chain variance, var⁺ the pooled variance estimate), the sum of
    pairs Pₖ = ρ̂₂ₖ + ρ̂₂ₖ₊₁ is positive and decreasing for a reversible chain. Geyer (1992)
    truncates at the first pair that is not positive and replaces each pair by the
    running minimum of those before it. Then τ̂ = -1 + 2 Σ_{k<J} Pₖ + ρ̂₂J and ESS = CN / τ̂.
    """
    n_variables, n_chains, n_draws = draws.shape
    size = n_chains * n_draws
    mean_autocovariance = autocovariance(draws).mean(axis=1)
    within = mean_autocovariance[:, 0] * n_draws / (n_draws - 1.0)
    pooled_variance = within * (n_draws - 1.0) / n_draws
    if n_chains > 1:
        pooled_variance += np.var(draws.mean(axis=2), axis=1, ddof=1)
    rho = 1.0 - (within[:, None] - mean_autocovariance) / pooled_variance[:, None]
    rho[:, 0] = 1.0

    # Pairs k = 1..last_pair can be examined: the scan stops before the lag reaches N - 2.
    last_pair = len(range(1, n_draws - 3, 2))
    pair_sums = rho[:, 0 : 2 * last_pair + 2 : 2] + rho[:, 1 : 2 * last_pair + 2 : 2]
    not_positive = ~(pair_sums > 0)
    first_not_positive = np.where(
        not_positive.any(axis=1), not_positive.argmax(axis=1), last_pair + 1
    )
    # J: the pairs 0..J-1 are summed whole, and J's even term closes the sum.
    closing = np.minimum(first_not_positive, last_pair)
    monotone_sums = np.minimum.accumulate(pair_sums, axis=1)
    kept = np.arange(last_pair + 1) < closing[:, None]
    head = np.where(kept, monotone_sums, 0.0).sum(axis=1)

    rows = np.arange(n_variables)
    closing_even = rho[rows, 2 * closing]
    closing_pair = pair_sums[rows, closing]
    # The closing even term counts when its pair is still non-negative or it is positive alone.
    keep_even = (closing == 0) | (closing_pair >= 0) | (closing_even > 0)
    tail = np.where(keep_even, closing_even, 0.0)

    tau = -1.0 + 2.0 * head + tail
    # Anti-correlated chains can make τ̂ tiny; bounding it keeps ESS below N log₁₀(N).
    tau = np.maximum(tau, 1.0 / np.log10(size))
    ess = (1.0 if relative else size) / tau
    ess[np.isnan(rho[:, 1])] = np.nan
    constant = (draws.max(axis=(1, 2)) - draws.min(axis=(1, 2))) < _CONSTANT_RANGE
    ess[constant] = size
    return ess


def _probability(value: Any, method: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(f"prob for ess(method={method!r}) must lie in [0, 1]; got {value!r}")
    return number


def _pair(prob: Prob, method: str) -> tuple[float, float]:
    pair = np.asarray(prob if prob is not None else (), dtype=float)
    if pair.shape != (2,):
        raise ValueError(
            f"prob for ess(method={method!r}) must be a pair (low, high) of probabilities; "
            f"got {prob!r}"
        )
    return (_probability(pair[0], method), _probability(pair[1], method))


def _single(prob: Prob, method: str) -> float:
    if prob is None or np.ndim(prob) != 0:
        raise TypeError(f"ess(method={method!r}) needs prob=, one probability; got {prob!r}")
    return _probability(prob, method)


def _tail_probs(prob: Prob) -> tuple[float, float]:
    """(low, high) tail quantiles: 5% and 95% by default, (p, 1 - p) for one number p."""
    if prob is None:
        return (0.05, 0.95)
    if np.ndim(prob) == 0:
        low = _single(prob, "tail")
        return (low, 1.0 - low)
    return _pair(prob, "tail")


def _minimum(first: FloatArray, second: FloatArray) -> FloatArray:
    """Python's min(first, second) elementwise: ``second`` only when it compares smaller."""
    return np.where(second < first, second, first)


def quantile_ess(draws: FloatArray, prob: float, relative: bool = False) -> FloatArray:
    """ESS of the indicator I(x ≤ q_prob): how well the chains pin down that quantile."""
    (threshold,) = quantiles(draws, [prob])
    indicator = draws <= as_column(threshold, draws.ndim)
    return effective_size(split_chains(indicator.astype(float)), relative)


def bulk_ess(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of the rank-normalized split chains: efficiency for the centre of the distribution."""
    return effective_size(rank_normalize(split_chains(draws)), relative)


def tail_ess(draws: FloatArray, prob: Prob = None, relative: bool = False) -> FloatArray:
    """The smaller of the ESS of the low and the high quantile (5% and 95% by default)."""
    low, high = _tail_probs(prob)
    return _minimum(quantile_ess(draws, low, relative), quantile_ess(draws, high, relative))


def mean_ess(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of the split chains themselves: efficiency for the mean."""
    return effective_size(split_chains(draws), relative)


def sd_ess(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of the squared deviations (x - x̄)²: efficiency for the variance."""
    return effective_size(split_chains((draws - pooled_mean(draws)) ** 2), relative)


def local_ess(draws: FloatArray, prob: Prob, relative: bool = False) -> FloatArray:
    """ESS of the indicator q_low ≤ x ≤ q_high: efficiency for the probability of that interval."""
    low, high = quantiles(draws, _pair(prob, "local"))
    inside = (as_column(low, draws.ndim) <= draws) & (draws <= as_column(high, draws.ndim))
    return effective_size(split_chains(inside.astype(float)), relative)


def folded_ess(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of the rank-normalized |x - median| of the split chains: efficiency for the scale."""
    return effective_size(rank_normalize(fold(split_chains(draws))), relative)


def mad_ess(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of I(|x - median| ≤ MAD): efficiency for the median absolute deviation."""
    deviation = np.abs(draws - pooled_median(draws))
    within_mad = (deviation <= pooled_median(deviation)).astype(float)
    return effective_size(rank_normalize(split_chains(within_mad)), relative)


def identity_ess(draws: FloatArray, relative: bool = False) -> FloatArray:
    """ESS of the chains as they are, neither split nor transformed."""
    return effective_size(draws, relative)


EssEstimator = Callable[[FloatArray, Prob, bool], FloatArray]

ESS_METHODS: dict[str, EssEstimator] = {
    "bulk": lambda draws, prob, relative: bulk_ess(draws, relative),
    "tail": tail_ess,
    "quantile": lambda draws, prob, relative: quantile_ess(
        draws, _single(prob, "quantile"), relative
    ),
    "mean": lambda draws, prob, relative: mean_ess(draws, relative),
    "sd": lambda draws, prob, relative: sd_ess(draws, relative),
    "median": lambda draws, prob, relative: quantile_ess(draws, 0.5, relative),
    "mad": lambda draws, prob, relative: mad_ess(draws, relative),
    "z_scale": lambda draws, prob, relative: bulk_ess(draws, relative),
    "folded": lambda draws, prob, relative: folded_ess(draws, relative),
    "identity": lambda draws, prob, relative: identity_ess(draws, relative),
    "local": local_ess,
}
"""ArviZ's ess methods; "z_scale" is the same computation as "bulk"."""

_TAKES_PROB = {"tail", "quantile", "local"}


@overload
def ess(
    data: PosteriorLike,
    *,
    var_names: VarNames = None,
    method: str = "bulk",
    relative: bool = False,
    prob: Prob = None,
) -> dict[str, Estimate]: ...


@overload
def ess(
    data: ArrayLike,
    *,
    var_names: None = None,
    method: str = "bulk",
    relative: bool = False,
    prob: Prob = None,
) -> Estimate: ...


def ess(
    data: Any,
    *,
    var_names: VarNames = None,
    method: str = "bulk",
    relative: bool = False,
    prob: Prob = None,
) -> Estimate | dict[str, Estimate]:
    """Effective sample size of draws (chains, draws, *shape), or of each variable of a trace.

    ``method`` is one of ``ESS_METHODS``; ``prob`` is the quantile for "quantile", the
    interval (low, high) for "local", and the tail quantile(s) for "tail". With
    ``relative=True`` the ESS is divided by the number of draws.
    """
    if method not in ESS_METHODS:
        raise ValueError(f"method must be one of {sorted(ESS_METHODS)}; got {method!r}")
    if prob is not None and method not in _TAKES_PROB:
        raise ValueError(
            f"prob applies to ess methods {sorted(_TAKES_PROB)}; got prob={prob!r} "
            f"with method={method!r}"
        )
    if method in {"quantile", "local"} and prob is None:
        raise TypeError(f"ess(method={method!r}) needs prob=; got none")
    estimator = ESS_METHODS[method]
    return estimate_each(data, var_names, lambda draws: estimator(draws, prob, relative))


effective_n = ess
"""PyMC 3's name for :func:`ess`."""
