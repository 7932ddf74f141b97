"""Highest density interval: the narrowest interval holding a given share of the draws."""

from __future__ import annotations

from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike

from samplers.diagnostics.draws import Estimate, FloatArray
from samplers.diagnostics.variables import PosteriorLike, VarNames, estimate_each

DEFAULT_HDI_PROB = 0.94


def check_hdi_prob(hdi_prob: float) -> float:
    """``hdi_prob`` as a float in (0, 1], or a ValueError saying what came."""
    if not 0 < hdi_prob <= 1:
        raise ValueError(f"hdi_prob must lie in the interval (0, 1]; got {hdi_prob!r}")
    return float(hdi_prob)


def narrowest_intervals(draws: FloatArray, hdi_prob: float) -> FloatArray:
    """(V, 2) lower and upper ends of each variable's HDI over its pooled chains.

    Among the windows of k = ⌊p·n⌋ + 1 consecutive order statistics, pick the one with the
    smallest range x₍ᵢ₊ₖ₋₁₎ - x₍ᵢ₎; the first one wins ties.
    """
    ordered = np.sort(draws.reshape(draws.shape[0], -1), axis=1)
    size = ordered.shape[1]
    span = int(np.floor(hdi_prob * size))
    n_windows = size - span
    if n_windows < 1:
        raise ValueError(
            f"hdi_prob={hdi_prob} of {size} draws leaves no interval to choose; "
            "use a smaller hdi_prob or more draws"
        )
    widths = ordered[:, span:] - ordered[:, :n_windows]
    start = np.argmin(widths, axis=1)
    rows = np.arange(ordered.shape[0])
    return np.stack((ordered[rows, start], ordered[rows, start + span]), axis=1)


@overload
def hdi(
    data: PosteriorLike, hdi_prob: float = DEFAULT_HDI_PROB, *, var_names: VarNames = None
) -> dict[str, Estimate]: ...


@overload
def hdi(
    data: ArrayLike, hdi_prob: float = DEFAULT_HDI_PROB, *, var_names: None = None
) -> Estimate: ...


def hdi(
    data: Any, hdi_prob: float = DEFAULT_HDI_PROB, *, var_names: VarNames = None
) -> Estimate | dict[str, Estimate]:
    """HDI of draws (chains, draws, *shape) pooled over chains: an array (*shape, 2) of (low, high).

    A 1-d array is one chain. Unlike ``arviz.hdi``, a 2-d array is read as (chains, draws).
    """
    prob = check_hdi_prob(hdi_prob)
    return estimate_each(data, var_names, lambda draws: narrowest_intervals(draws, prob), 1)
