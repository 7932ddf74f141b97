"""Coordinate-wise univariate slice sampling with stepping out and shrinkage (Neal 2003)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from samplers.blocks import Point
from samplers.logp_step import LogpStep

MAX_INTERVAL_STEPS = 100_000
"""Stepping out or shrinking longer than this means an improper density or a broken w."""


class Slice(LogpStep):
    """Update each coordinate in turn from its slice {x_i : log p(x) > log p(x_0) - Exp(1)}.

    For coordinate i: draw the slice height, place an interval of width w_i at a
    uniform offset around x_i, step it out by w_i until both ends leave the slice,
    then draw uniformly inside, shrinking the interval toward x_i on each miss.
    While tuning, w_i becomes the mean final interval width seen so far, as PyMC does.
    """

    stat_dtypes: dict[str, np.dtype] = {  # noqa: RUF012
        "nstep_out": np.dtype(np.int64),
        "nstep_in": np.dtype(np.int64),
    }

    def __init__(
        self,
        logp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        w: ArrayLike = 1.0,
        tune: bool = True,
    ):
        super().__init__(logp, initial_point, vars)
        self.require_continuous("Slice")
        widths = np.asarray(w, dtype=np.float64)
        if (
            widths.size not in (1, self.size)
            or np.any(widths <= 0)
            or not np.all(np.isfinite(widths))
        ):
            raise ValueError(f"w: expected a positive width or {self.size} of them, got {w!r}")
        self.w = np.broadcast_to(widths.ravel(), (self.size,)).copy()
        self.tune = bool(tune)
        self.n_tunes = 0
        self._width_sums = np.zeros(self.size)

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        x, logp_current = self.begin(point)
        if logp_current == -np.inf:
            raise ValueError(
                f"Slice: the log density of blocks {list(self.vars)} is -inf or NaN at the current "
                "point; start the chain where the density is positive"
            )
        uniform = self.rng.random
        exponential = self.rng.standard_exponential
        logp = self.logp
        nstep_out = 0
        nstep_in = 0
        tuning = self.tuning and self.tune
        for i in range(self.size):
            width = self.w[i]
            origin = x[i]
            height = logp_current - exponential()
            left = origin - uniform() * width
            right = left + width

            x[i] = left
            while logp(x) > height:
                left -= width
                x[i] = left
                nstep_out += 1
                self._check_steps(nstep_out, i, "stepping out")
            x[i] = right
            while logp(x) > height:
                right += width
                x[i] = right
                nstep_out += 1
                self._check_steps(nstep_out, i, "stepping out")

            while True:
                candidate = left + uniform() * (right - left)
                x[i] = candidate
                logp_candidate = logp(x)
                if logp_candidate > height:
                    break
                # the slice contains the origin, so the miss's side of it can go
                if candidate > origin:
                    right = candidate
                else:
                    left = candidate
                nstep_in += 1
                self._check_steps(nstep_in, i, "shrinking")
            if tuning:
                self._width_sums[i] += right - left
            logp_current = logp_candidate

        if tuning:
            self.n_tunes += 1
            self.w = self._width_sums / self.n_tunes
        return self.finish(point, x, logp_current), {"nstep_out": nstep_out, "nstep_in": nstep_in}

    def _check_steps(self, count: int, coordinate: int, phase: str) -> None:
        if count > MAX_INTERVAL_STEPS:
            raise RuntimeError(
                f"Slice: {phase} took more than {MAX_INTERVAL_STEPS} steps at coordinate "
                f"{coordinate} (w = {self.w[coordinate]:.3g}); the density may be improper, "
                "or w far too small"
            )
