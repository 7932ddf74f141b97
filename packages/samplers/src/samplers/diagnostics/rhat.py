"""R-hat: between- against within-chain variance, on rank-normalized and folded split chains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike

from samplers.diagnostics.draws import Estimate, FloatArray
from samplers.diagnostics.ranks import fold, rank_normalize, split_chains
from samplers.diagnostics.variables import PosteriorLike, VarNames, estimate_each


def potential_scale_reduction(draws: FloatArray) -> FloatArray:
    """Gelman and Rubin's R̂ of each variable of (V, C, N), chains taken as they are.

    With B = N · Var(chain means) and W = mean of the chains' variances,
    R̂ = sqrt(((N - 1) / N · W + B / N) / W) = sqrt((B / W + N - 1) / N).
    """
    n_draws = draws.shape[2]
    between = n_draws * np.var(draws.mean(axis=2), axis=1, ddof=1)
    within = np.var(draws, axis=2, ddof=1).mean(axis=1)
    return np.sqrt((between / within + n_draws - 1) / n_draws)


def larger(first: FloatArray, second: FloatArray) -> FloatArray:
    """Python's max(first, second) elementwise: ``second`` only when it compares larger.

    So a NaN tail R-hat (a folded sample that is constant) leaves the bulk R-hat standing.
    """
    return np.where(second > first, second, first)


def _needs_two_chains(estimator: Callable[[FloatArray], FloatArray]) -> Callable[..., FloatArray]:
    """R-hat compares chains: with one chain every method gives NaN, as in ArviZ."""

    def checked(draws: FloatArray) -> FloatArray:
        if draws.shape[1] < 2:
            return np.full(draws.shape[0], np.nan)
        return estimator(draws)

    return checked


def rank_rhat(draws: FloatArray) -> FloatArray:
    """Vehtari et al. (2021): the larger of the bulk and the folded-tail rank-normalized R-hat."""
    split = split_chains(draws)
    bulk = potential_scale_reduction(rank_normalize(split))
    tail = potential_scale_reduction(rank_normalize(fold(split)))
    return larger(bulk, tail)


RHAT_METHODS: dict[str, Callable[[FloatArray], FloatArray]] = {
    "rank": _needs_two_chains(rank_rhat),
    "split": _needs_two_chains(lambda draws: potential_scale_reduction(split_chains(draws))),
    "folded": _needs_two_chains(
        lambda draws: potential_scale_reduction(rank_normalize(fold(split_chains(draws))))
    ),
    "z_scale": _needs_two_chains(
        lambda draws: potential_scale_reduction(rank_normalize(split_chains(draws)))
    ),
    "identity": _needs_two_chains(potential_scale_reduction),
}
"""ArviZ's R-hat methods."""


@overload
def rhat(
    data: PosteriorLike, *, var_names: VarNames = None, method: str = "rank"
) -> dict[str, Estimate]: ...


@overload
def rhat(data: ArrayLike, *, var_names: None = None, method: str = "rank") -> Estimate: ...


def rhat(
    data: Any, *, var_names: VarNames = None, method: str = "rank"
) -> Estimate | dict[str, Estimate]:
    """R-hat of draws (chains, draws, *shape), or of each variable of a trace.

    ``method`` is one of ``RHAT_METHODS``; the default "rank" is the rank-normalized split
    R-hat. Values near 1 (below 1.01) say the chains agree; fewer than two chains give NaN.
    """
    if method not in RHAT_METHODS:
        raise ValueError(f"method must be one of {sorted(RHAT_METHODS)}; got {method!r}")
    return estimate_each(data, var_names, RHAT_METHODS[method])
