"""Split chains, rank normalization, folding and quantiles over (variables, chains, draws).

These are the transformations of Vehtari et al. (2021), "Rank-normalization, folding,
and localization: an improved R-hat for assessing convergence of MCMC".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from samplers.diagnostics.draws import FloatArray

BLOM_OFFSET = 3 / 8
"""Blom's (1958) fractional offset c in the normal scores Φ⁻¹((r - c) / (S - 2c + 1))."""


def split_chains(draws: FloatArray) -> FloatArray:
    """Cut every chain in two halves, (V, C, N) -> (V, 2C, N // 2).

    The first halves come first, then the second halves; with an odd number of draws
    the middle draw is left out, so that both halves have the same length.
    """
    half = draws.shape[-1] // 2
    return np.concatenate((draws[..., :half], draws[..., -half:]), axis=1)


def average_ranks(rows: FloatArray) -> FloatArray:
    """Ranks 1..M along the last axis of (V, M), ties sharing the mean of their ranks."""
    n_rows, size = rows.shape
    order = np.argsort(rows, axis=1)
    ordered = np.take_along_axis(rows, order, axis=1)
    # A run of equal values starts at every row start and wherever the sorted value changes.
    starts_run = np.ones((n_rows, size), dtype=bool)
    starts_run[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    flat_starts = np.flatnonzero(starts_run)
    run_of = np.cumsum(starts_run.ravel()) - 1
    first = flat_starts[run_of]
    last = np.append(flat_starts[1:], starts_run.size)[run_of] - 1
    row_offset = np.repeat(np.arange(n_rows) * size, size)
    # Tied values at sorted positions first..last (0-based) all get rank (first + last) / 2 + 1.
    sorted_ranks = ((first + last) / 2.0 - row_offset + 1.0).reshape(n_rows, size)
    ranks = np.empty_like(sorted_ranks)
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    return ranks


def rank_normalize(draws: FloatArray) -> FloatArray:
    """Normal scores of the ranks pooled over all chains of each variable (the "z-scale")."""
    n_variables = draws.shape[0]
    pooled = draws.reshape(n_variables, -1)
    size = pooled.shape[1]
    ranks = average_ranks(pooled)
    fractions = (ranks - BLOM_OFFSET) / (size - 2 * BLOM_OFFSET + 1)
    return special.ndtri(fractions).reshape(draws.shape)


def pooled_median(draws: FloatArray) -> FloatArray:
    """Median of each variable over all its chains and draws, shaped to broadcast back."""
    n_variables = draws.shape[0]
    median = np.median(draws.reshape(n_variables, -1), axis=1)
    return median.reshape((n_variables,) + (1,) * (draws.ndim - 1))


def fold(draws: FloatArray) -> FloatArray:
    """Absolute deviation from the pooled median: R-hat of it diagnoses the tails' scale."""
    return np.abs(draws - pooled_median(draws))


def pooled_mean(draws: FloatArray) -> FloatArray:
    """Mean of each variable over all its chains and draws, shaped to broadcast back."""
    return draws.mean(axis=tuple(range(1, draws.ndim)), keepdims=True)


def quantiles(draws: FloatArray, probs: Sequence[float]) -> FloatArray:
    """Quantiles of each variable's pooled draws, (len(probs), V), by R's type 7 rule.

    With the sorted sample x₁ ≤ … ≤ xₙ the position is h = n·p + (1 - p), and the quantile
    interpolates (1 - γ)·x_⌊h⌋ + γ·x_⌊h⌋₊₁ with γ = h - ⌊h⌋. Written in this arithmetic
    (the one scipy.stats.mstats.mquantiles uses) so that indicator functions I(x ≤ q)
    agree with ArviZ draw for draw.
    """
    n_variables = draws.shape[0]
    ordered = np.sort(draws.reshape(n_variables, -1), axis=1)
    size = ordered.shape[1]
    result = np.empty((len(probs), n_variables))
    for row, prob in enumerate(probs):
        position = size * prob + (1.0 - prob)
        lower = int(np.floor(np.clip(position, 1, size - 1)))
        weight = float(np.clip(position - lower, 0, 1))
        result[row] = (1.0 - weight) * ordered[:, lower - 1] + weight * ordered[:, lower]
    return result


def as_column(values: FloatArray, ndim: int) -> FloatArray:
    """Per-variable values (V,) shaped to broadcast against a (V, ...) array of ``ndim`` axes."""
    return values.reshape((values.shape[0],) + (1,) * (ndim - 1))
