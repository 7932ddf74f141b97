"""Monte Carlo standard errors of the mean, the sd and quantiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from samplers.diagnostics.draws import Estimate, FloatArray
from samplers.diagnostics.ess import mean_ess, quantile_ess
from samplers.diagnostics.ranks import pooled_mean
from samplers.diagnostics.variables import PosteriorLike, VarNames, estimate_each

ONE_SIGMA_PROBS = np.array([0.1586553, 0.8413447])
"""Φ(-1) and Φ(1): the quantile's error is half the width of this central interval."""


def _pooled(draws: FloatArray) -> FloatArray:
    return draws.reshape(draws.shape[0], -1)


def mean_mcse(draws: FloatArray) -> FloatArray:
    """sd / sqrt(ESS of the mean)."""
    sd = np.std(_pooled(draws), axis=1, ddof=1)
    return sd / np.sqrt(mean_ess(draws))


def sd_mcse(draws: FloatArray) -> FloatArray:
    """Error of the sd by the delta method from the error of the variance.

    With s = (x - x̄)², E = mean(s) and Var(E) ≈ (mean(s²) - E²) / ESS(s), the sd √E has
    Var(√E) ≈ Var(E) / (4E).
    """
    squared_deviation = (draws - pooled_mean(draws)) ** 2
    variance = _pooled(squared_deviation).mean(axis=1)
    variance_of_variance = (_pooled(squared_deviation**2).mean(axis=1) - variance**2) / mean_ess(
        squared_deviation
    )
    return np.sqrt(variance_of_variance / variance / 4)


def quantile_mcse(draws: FloatArray, prob: float) -> FloatArray:
    """Half the width of the ±1σ interval of the quantile's order statistic.

    The fraction of draws below the quantile is Beta(ESS·p + 1, ESS·(1 - p) + 1)
    distributed; its 15.9% and 84.1% points, scaled to the sample, pick the order
    statistics that bracket the quantile by one standard error on either side.
    """
    ess = quantile_ess(draws, prob)
    with np.errstate(invalid="ignore"):
        # The Beta distribution's quantile function (scipy.stats' beta.ppf, without
        # importing scipy.stats, which costs most of a second).
        fractions = special.betaincinv(
            (ess * prob + 1)[:, None], (ess * (1 - prob) + 1)[:, None], ONE_SIGMA_PROBS[None, :]
        )
    ordered = np.sort(_pooled(draws), axis=1)
    size = ordered.shape[1]
    positions = fractions * size - 1
    # fmax / fmin skip a NaN point, falling back to the first and the last order statistic.
    low = np.floor(np.fmax(positions[:, 0], 0)).astype(int)
    high = np.ceil(np.fmin(positions[:, 1], size - 1)).astype(int)
    rows = np.arange(ordered.shape[0])
    return (ordered[rows, high] - ordered[rows, low]) / 2


MCSE_METHODS: dict[str, Callable[[FloatArray, float], FloatArray]] = {
    "mean": lambda draws, prob: mean_mcse(draws),
    "sd": lambda draws, prob: sd_mcse(draws),
    "median": lambda draws, prob: quantile_mcse(draws, 0.5),
    "quantile": quantile_mcse,
}
"""ArviZ's mcse methods."""


@overload
def mcse(
    data: PosteriorLike,
    *,
    var_names: VarNames = None,
    method: str = "mean",
    prob: float | None = None,
) -> dict[str, Estimate]: ...


@overload
def mcse(
    data: ArrayLike, *, var_names: None = None, method: str = "mean", prob: float | None = None
) -> Estimate: ...


def mcse(
    data: Any, *, var_names: VarNames = None, method: str = "mean", prob: float | None = None
) -> Estimate | dict[str, Estimate]:
    """Monte Carlo standard error of draws (chains, draws, *shape), or of each variable of a trace.

    ``method`` is "mean", "sd", "median" or "quantile" (with ``prob``, the quantile's level).
    """
    if method not in MCSE_METHODS:
        raise ValueError(f"method must be one of {sorted(MCSE_METHODS)}; got {method!r}")
    if method == "quantile" and prob is None:
        raise TypeError("mcse(method='quantile') needs prob=, the quantile's level; got none")
    if method != "quantile" and prob is not None:
        raise ValueError(f"prob applies to mcse(method='quantile') only; got method={method!r}")
    if prob is not None and not 0 < prob < 1:
        raise ValueError(f"prob must lie strictly between 0 and 1; got {prob!r}")
    estimator = MCSE_METHODS[method]
    level = 0.5 if prob is None else float(prob)
    return estimate_each(data, var_names, lambda draws: estimator(draws, level))
