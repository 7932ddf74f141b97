"""Differential-evolution Metropolis drawing its jumps from the chain's own past (DE-MCMC-Z)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Point
from samplers.logp_step import LogpStep
from samplers.metropolis import log_accept_to_probability, make_proposal, tune_scaling

TUNE_TARGETS = (None, "scaling", "lambda")


class DEMetropolisZ(LogpStep):
    """ter Braak & Vrugt (2008): propose x' = x + λ (z1 - z2) + ε.

    z1, z2 are two distinct past states of this chain and ε = scaling * proposal()
    a small normal jitter, so the jumps learn the scale and correlations of the
    target from the history. λ defaults to 2.38 / sqrt(2 d), optimal for a normal
    target. While tuning, ``tune`` ("scaling" or "lambda") follows PyMC's
    acceptance-rate rule every ``tune_interval`` steps; when tuning ends the first
    ``tune_drop_fraction`` of the history is forgotten, as it predates convergence.
    """

    stat_dtypes: dict[str, np.dtype] = {  # noqa: RUF012
        "accept": np.dtype(np.float64),
        "accepted": np.dtype(bool),
        "scaling": np.dtype(np.float64),
        "lambda": np.dtype(np.float64),
    }

    def __init__(
        self,
        logp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        lamb: float | None = None,
        scaling: ArrayLike = 0.001,
        tune: str | None = "scaling",
        tune_interval: int = 100,
        tune_drop_fraction: float = 0.9,
        S: ArrayLike | None = None,
        proposal_dist: Any = None,
    ):
        super().__init__(logp, initial_point, vars)
        self.require_continuous("DEMetropolisZ")
        if tune not in TUNE_TARGETS:
            raise ValueError(f"tune: expected one of {TUNE_TARGETS}, got {tune!r}")
        if tune_interval < 1:
            raise ValueError(f"tune_interval: expected a positive integer, got {tune_interval!r}")
        if not 0.0 <= tune_drop_fraction <= 1.0:
            raise ValueError(
                f"tune_drop_fraction: expected a number in [0, 1], got {tune_drop_fraction!r}"
            )
        self.proposal = make_proposal(S, proposal_dist, self.size)
        self.scaling = np.broadcast_to(np.asarray(scaling, dtype=np.float64), (self.size,)).copy()
        self.lamb = 2.38 / np.sqrt(2 * max(self.size, 1)) if lamb is None else float(lamb)
        self.tune_target = tune
        self.tune_interval = int(tune_interval)
        self.tune_drop_fraction = float(tune_drop_fraction)
        self.steps_until_tune = self.tune_interval
        self.accepted_since_tune = 0
        # the history grows by doubling: amortized O(1) appends without a list of arrays
        self._history = np.empty((0, self.size))
        self._history_length = 0

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        if self.tuning and self.tune_target is not None and self.steps_until_tune == 0:
            acceptance_rate = self.accepted_since_tune / self.tune_interval
            if self.tune_target == "scaling":
                self.scaling = tune_scaling(self.scaling, acceptance_rate)
            else:
                self.lamb = tune_scaling(self.lamb, acceptance_rate)
            self.steps_until_tune = self.tune_interval
            self.accepted_since_tune = 0
        self.steps_until_tune -= 1

        x, logp_current = self.begin(point)
        jump = self.proposal(self.rng) * self.scaling
        length = self._history_length
        if length > 1:
            # two distinct past states: draw the second from the others and skip the first
            first = int(self.rng.integers(length))
            second = int(self.rng.integers(length - 1))
            second += second >= first
            jump += self.lamb * (self._history[first] - self._history[second])
        proposed = x + jump
        logp_proposed = self.logp(proposed)
        log_ratio = logp_proposed - logp_current
        accepted = bool(log_ratio > -self.rng.standard_exponential())
        if accepted:
            self.accepted_since_tune += 1
            new_point = self.finish(point, proposed, logp_proposed)
        else:
            new_point = self.finish(point, None, logp_current)
        self._remember(proposed if accepted else x)
        stats = {
            "accept": log_accept_to_probability(log_ratio),
            "accepted": accepted,
            "scaling": float(np.mean(self.scaling)),
            "lambda": self.lamb,
        }
        return new_point, stats

    def stop_tuning(self) -> None:
        """Forget the first ``tune_drop_fraction`` of the history, then stop tuning."""
        dropped = int(self.tune_drop_fraction * self._history_length)
        kept = self._history[dropped : self._history_length].copy()
        self._history = np.empty((max(2 * len(kept), 16), self.size))
        self._history[: len(kept)] = kept
        self._history_length = len(kept)
        super().stop_tuning()

    @property
    def history(self) -> NDArray:
        """The past states the jumps are drawn from (a read-only view)."""
        view = self._history[: self._history_length]
        view.flags.writeable = False
        return view

    def _remember(self, x: NDArray) -> None:
        if self._history_length == len(self._history):
            grown = np.empty((max(2 * len(self._history), 16), self.size))
            grown[: self._history_length] = self._history[: self._history_length]
            self._history = grown
        self._history[self._history_length] = x
        self._history_length += 1
