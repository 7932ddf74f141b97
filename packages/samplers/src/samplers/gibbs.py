"""Element-wise Gibbs-Metropolis updates for binary and categorical integer blocks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Point
from samplers.logp_step import LogpStep
from samplers.metropolis import log_accept_to_probability


class BinaryGibbsMetropolis(LogpStep):
    """Visit the 0/1 elements in random order; flip each with Metropolis acceptance.

    The flip of element i is accepted with probability min(1, p(x with x_i flipped) / p(x)).
    """

    stat_dtypes: dict[str, np.dtype] = {  # noqa: RUF012
        "accept": np.dtype(np.float64),
        "n_changed": np.dtype(np.int64),
    }

    def __init__(
        self,
        logp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
    ):
        super().__init__(logp, initial_point, vars)
        self.require_discrete("BinaryGibbsMetropolis")
        values = self.layout.flatten(self.initial_point, np.int64)
        if np.any((values != 0) & (values != 1)):
            raise ValueError(
                f"BinaryGibbsMetropolis: blocks {list(self.vars)} must start at 0 or 1, "
                f"got {values}"
            )

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        x, logp_current = self.begin(point)
        accept_sum = 0.0
        n_changed = 0
        for i in self.rng.permutation(self.size):
            x[i] = 1 - x[i]
            logp_flipped = self.logp(x)
            log_ratio = logp_flipped - logp_current
            accept_sum += log_accept_to_probability(log_ratio)
            if log_ratio > -self.rng.standard_exponential():
                logp_current = logp_flipped
                n_changed += 1
            else:
                x[i] = 1 - x[i]
        new_point = self.finish(point, x if n_changed else None, logp_current)
        return new_point, {"accept": accept_sum / max(self.size, 1), "n_changed": n_changed}


class CategoricalGibbsMetropolis(LogpStep):
    """Visit the elements in random order; redraw each among its categories 0..k-1.

    ``proposal="proportional"`` (the default, as in PyMC) evaluates the log density at
    every category, proposes a category other than the current one c with probability
    p_j / (1 - p_c), and accepts it with probability min(1, (1 - p_c) / (1 - p_j)): the
    Metropolised Gibbs sampler of Liu (1996), which leaves the normalized conditional
    p invariant and moves more often than drawing from p itself. ``proposal="uniform"``
    proposes a uniformly chosen other category with plain Metropolis acceptance.
    ``n_categories`` is one k for every element, or a dict giving k per block.
    """

    stat_dtypes: dict[str, np.dtype] = {"n_changed": np.dtype(np.int64)}  # noqa: RUF012

    def __init__(
        self,
        logp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        n_categories: int | Mapping[str, int] | None = None,
        proposal: str = "proportional",
    ):
        super().__init__(logp, initial_point, vars)
        self.require_discrete("CategoricalGibbsMetropolis")
        if proposal not in ("proportional", "uniform"):
            raise ValueError(f"proposal: expected 'proportional' or 'uniform', got {proposal!r}")
        self.proposal = proposal
        self.n_categories = self._categories_per_element(n_categories)
        values = self.layout.flatten(self.initial_point, np.int64)
        outside = (values < 0) | (values >= self.n_categories)
        if np.any(outside):
            raise ValueError(
                f"CategoricalGibbsMetropolis: initial values {values[outside]} lie outside "
                f"their categories 0..k-1 (k = {self.n_categories[outside]})"
            )

    def _categories_per_element(self, n_categories: int | Mapping[str, int] | None) -> NDArray:
        if n_categories is None:
            raise TypeError(
                "CategoricalGibbsMetropolis needs n_categories (an int, or a dict per block)"
            )
        if isinstance(n_categories, Mapping):
            missing = [name for name in self.vars if name not in n_categories]
            if missing:
                raise KeyError(f"n_categories: no number of categories for blocks {missing}")
            per_block = [int(n_categories[name]) for name in self.vars]
        else:
            per_block = [int(n_categories)] * len(self.vars)
        if any(k < 1 for k in per_block):
            raise ValueError(f"n_categories: expected positive counts, got {n_categories!r}")
        return np.concatenate(
            [
                np.full(block.size, k, dtype=np.int64)
                for block, k in zip(self.layout.blocks, per_block, strict=True)
            ]
            or [np.zeros(0, np.int64)]
        )

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        x, logp_current = self.begin(point)
        update = self._proportional if self.proposal == "proportional" else self._uniform
        n_changed = 0
        for i in self.rng.permutation(self.size):
            k = int(self.n_categories[i])
            if k < 2:
                continue
            current = x[i]
            logp_current = update(x, i, k, logp_current)
            n_changed += int(x[i] != current)
        new_point = self.finish(point, x if n_changed else None, logp_current)
        return new_point, {"n_changed": n_changed}

    def _proportional(self, x: NDArray, i: int, k: int, logp_current: float) -> float:
        """Liu's Metropolised Gibbs move of element i; returns the new log density."""
        current = int(x[i])
        log_weights = np.empty(k)
        for category in range(k):
            if category == current:
                log_weights[category] = logp_current
            else:
                x[i] = category
                log_weights[category] = self.logp(x)
        largest = log_weights.max()
        if largest == -np.inf:
            x[i] = current
            return logp_current
        # weights relative to the largest, so the sums below neither overflow nor vanish
        weights = np.exp(log_weights - largest)
        weight_current = weights[current]
        weights[current] = 0.0
        cumulative = np.cumsum(weights)
        others_total = cumulative[-1]
        if others_total <= 0.0:
            x[i] = current
            return logp_current
        proposed = int(np.searchsorted(cumulative, self.rng.random() * others_total, "right"))
        # (1 - p_c) / (1 - p_j) with p = w / sum(w); 1 - p_j = (others_total + w_c - w_j) / sum(w)
        ratio = others_total / (others_total + weight_current - weights[proposed])
        if self.rng.random() < ratio:
            x[i] = proposed
            return float(log_weights[proposed])
        x[i] = current
        return logp_current

    def _uniform(self, x: NDArray, i: int, k: int, logp_current: float) -> float:
        """A uniformly chosen other category with Metropolis acceptance."""
        current = int(x[i])
        proposed = int(self.rng.integers(k - 1))
        proposed += proposed >= current
        x[i] = proposed
        logp_proposed = self.logp(x)
        if logp_proposed - logp_current > -self.rng.standard_exponential():
            return logp_proposed
        x[i] = current
        return logp_current
