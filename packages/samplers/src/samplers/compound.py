"""Several step methods applied one after another within each draw."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from samplers.blocks import Point
from samplers.protocols import StepMethod


def require_step_method(step: Any, argument: str) -> None:
    """Raise a TypeError naming ``argument`` unless ``step`` is a step method with a start point."""
    if not isinstance(step, StepMethod) or not hasattr(step, "initial_point"):
        raise TypeError(
            f"{argument}: expected a step method such as samplers.Metropolis(logp, "
            f"initial_point=...), got {type(step).__name__}: {step!r:.80}"
        )


class CompoundStep:
    """Apply each step in turn to the point, once per draw.

    Each sub-step conditions its own density on the point it receives, which
    already holds the blocks the earlier sub-steps just updated.

    Statistics are merged into one dict. A name clash is resolved in favour of the
    earlier step: the later step's statistic is renamed ``<name>_<index>``, with
    ``index`` its position in ``steps`` (two Metropolis steps report ``accept`` and
    ``accept_1``). ``stat_sources`` maps every merged name to (step index, own name).
    """

    def __init__(self, steps: Sequence[Any]):
        if isinstance(steps, CompoundStep):
            steps = steps.steps
        if not isinstance(steps, Sequence) or len(steps) == 0:
            raise ValueError(f"steps: expected a non-empty list of step methods, got {steps!r:.80}")
        for index, step in enumerate(steps):
            require_step_method(step, f"steps[{index}]")
        self.steps: list[Any] = list(steps)
        self.vars: tuple[str, ...] = tuple(
            dict.fromkeys(name for step in steps for name in step.vars)
        )
        self.initial_point: Point = self._merge_initial_points()
        self.stat_dtypes: dict[str, np.dtype] = {}
        self.stat_sources: dict[str, tuple[int, str]] = {}
        self._renames: list[list[tuple[str, str]] | None] = []
        for index, step in enumerate(self.steps):
            renames: list[tuple[str, str]] = []
            for name, dtype in step.stat_dtypes.items():
                merged = name
                while merged in self.stat_dtypes:
                    merged = f"{merged}_{index}"
                self.stat_dtypes[merged] = np.dtype(dtype)
                self.stat_sources[merged] = (index, name)
                renames.append((name, merged))
            clashes = any(name != merged for name, merged in renames)
            self._renames.append(renames if clashes else None)

    def _merge_initial_points(self) -> Point:
        merged: Point = {}
        for index, step in enumerate(self.steps):
            for name, given in step.initial_point.items():
                value = np.asarray(given)
                if name not in merged:
                    merged[name] = value
                elif np.shape(merged[name]) != np.shape(value) or merged[name].dtype != value.dtype:
                    raise ValueError(
                        f"steps[{index}]: block {name!r} has shape {np.shape(value)} and dtype "
                        f"{value.dtype}, but an earlier step has shape {np.shape(merged[name])} "
                        f"and dtype {merged[name].dtype}"
                    )
        return merged

    @property
    def tuning(self) -> bool:
        return any(step.tuning for step in self.steps)

    @tuning.setter
    def tuning(self, value: bool) -> None:
        for step in self.steps:
            step.tuning = value

    def set_rng(self, rng: np.random.Generator) -> None:
        """Each step gets a stream of its own, spawned from ``rng``: a step that draws its
        random numbers in batches (the C NUTS) then takes the same numbers as one that
        draws them one at a time, whatever the other steps draw in between."""
        for step, stream in zip(self.steps, rng.spawn(len(self.steps)), strict=True):
            step.set_rng(stream)

    def set_tune_draws(self, tune_draws: int) -> None:
        """Forward the tuning length to the steps whose adaptation plans for it."""
        for step in self.steps:
            plan_tuning = getattr(step, "set_tune_draws", None)
            if plan_tuning is not None:
                plan_tuning(tune_draws)

    def start(self, point: Point) -> Point:
        for step in self.steps:
            point = step.start(point)
        return point

    def stop_tuning(self) -> None:
        for step in self.steps:
            step.stop_tuning()

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        merged: dict[str, Any] = {}
        for step, renames in zip(self.steps, self._renames, strict=True):
            point, stats = step.step(point)
            if renames is None:
                merged.update(stats)
            else:
                for name, merged_name in renames:
                    merged[merged_name] = stats[name]
        return point, merged
