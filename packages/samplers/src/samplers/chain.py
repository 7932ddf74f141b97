"""One chain: tuning, then drawing, each draw written straight into preallocated arrays."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from samplers.blocks import Block, Point

REPORT_INTERVAL = 0.1
"""Seconds between progress reports; also how soon a chain notices it should stop."""

Report = Callable[[int, bool, int, float | None, float], bool]
"""report(done, tuning, divergences, step_size, draws_per_second) -> True: stop the chain."""


@dataclass
class ChainArrays:
    """One chain's draws, (n, *shape) per block, and statistics, (n,) per name."""

    values: dict[str, NDArray]
    stats: dict[str, NDArray]

    @classmethod
    def allocate(
        cls, blocks: Sequence[Block], stat_dtypes: Mapping[str, np.dtype], n: int
    ) -> ChainArrays:
        return cls(
            {block.name: np.empty((n, *block.shape), dtype=block.dtype) for block in blocks},
            {name: np.empty(n, dtype=dtype) for name, dtype in stat_dtypes.items()},
        )


@dataclass
class ChainOutcome:
    """How far a chain got: tuning draws and kept draws completed, and whether it was stopped."""

    tuned: int
    drawn: int
    interrupted: bool


def step_densities(step: Any) -> list[Any]:
    """The density objects of a step and of its sub-steps."""
    found = [step.density] if hasattr(step, "density") else []
    for sub_step in getattr(step, "steps", ()):
        found.extend(step_densities(sub_step))
    return found


def copy_step(step: Any) -> Any:
    """A deep copy of a step (its own adaptation state) that shares the user's densities.

    Densities are the user's objects (often compiled functions that cannot or should not
    be copied); a chain's step only needs its own tuning state.
    """
    memo: dict[int, Any] = {id(density): density for density in step_densities(step)}
    return copy.deepcopy(step, memo)


def prepare_chain(step: Any, seed: np.random.SeedSequence, tune: int) -> tuple[Any, Point]:
    """The chain's own copy of ``step``, seeded, told how long tuning lasts (adaptation
    schedules depend on it), and its (possibly jittered) starting point."""
    chain_step = copy_step(step)
    chain_step.set_rng(np.random.Generator(np.random.PCG64(seed)))
    plan_tuning = getattr(chain_step, "set_tune_draws", None)
    if plan_tuning is not None:
        plan_tuning(tune)
    point = {name: np.array(value, copy=True) for name, value in step.initial_point.items()}
    return chain_step, chain_step.start(point)


def write_draw(
    step: Any, point: Point, stats: dict[str, Any], arrays: ChainArrays | None, index: int
) -> None:
    """Write one draw's point and statistics at row ``index``."""
    if arrays is None:
        return
    for name, array in arrays.values.items():
        array[index] = point[name]
    try:
        for name, array in arrays.stats.items():
            array[index] = stats[name]
    except KeyError as error:
        raise KeyError(
            f"{type(step).__name__} declares statistic {error} in stat_dtypes "
            f"but its step() did not report it (it reported {sorted(stats)})"
        ) from None


def write_chunk(
    step: Any, point: Point, limit: int, arrays: ChainArrays | None, first: int
) -> tuple[Point, int, int, float]:
    """Run ``step.step_many`` once, writing its draws at row ``first`` on: (the last point,
    the draws made, their divergences, the last step size)."""
    point, values, chunk = step.step_many(point, limit, REPORT_INTERVAL)
    count = len(chunk["diverging"])
    if arrays is not None:
        for name, array in arrays.values.items():
            array[first : first + count] = values.get(name, point[name])
        for name, array in arrays.stats.items():
            array[first : first + count] = chunk[name]
    return point, count, int(np.count_nonzero(chunk["diverging"])), float(chunk["step_size"][-1])


@dataclass
class Stretch:
    """Where a run of a chain stands after ``advance``: draws completed (tuning ones
    first), whether ``stop_tuning()`` was called, and what the progress line shows."""

    point: Point
    done: int
    tuning_stopped: bool
    divergences: int
    step_size: float | None
    interrupted: bool


def never_stop(
    done: int, tuning: bool, divergences: int, step_size: float | None, rate: float
) -> bool:
    """A ``report`` for a run nobody watches: keep going."""
    return False


def advance(
    step: Any,
    point: Point,
    tune: int,
    start: int,
    stop: int,
    warmup: ChainArrays | None,
    posterior: ChainArrays,
    report: Report = never_stop,
    tuning_stopped: bool = False,
) -> Stretch:
    """Run a chain of ``tune`` tuning draws from draw ``start`` to draw ``stop``.

    Draw ``i`` < ``tune`` is a tuning draw, written at row ``i - start`` of ``warmup``
    (dropped when it is None); a later one is written at row ``i - max(start, tune)``
    of ``posterior``. When the tuning draws are all done, ``stop_tuning()`` is called,
    once (``tuning_stopped`` says whether an earlier stretch did). So a whole chain is one
    stretch from 0 and a chunk of it is a stretch from where the last chunk stopped, and
    both make the same draws. KeyboardInterrupt, or ``report`` returning True, ends the
    stretch early; ``done`` counts the draws completed, which are the ones fully written.
    """
    count_divergences = "diverging" in step.stat_dtypes
    divergences = 0
    done = start
    started = time.monotonic()
    next_report = started
    step_size: float | None = None
    interrupted = False

    def send_report(now: float) -> bool:
        rate = (done - start) / (now - started) if now > started else 0.0
        return report(done, done < tune, divergences, step_size, rate)

    def report_says_stop() -> bool:
        """Report when REPORT_INTERVAL has passed; True when the report asks to stop."""
        nonlocal next_report
        now = time.monotonic()
        if now < next_report:
            return False
        next_report = now + REPORT_INTERVAL
        return send_report(now)

    try:
        for tuning in (True, False):
            end = min(stop, tune) if tuning else stop
            first_row = start if tuning else max(start, tune)
            arrays = warmup if tuning else posterior
            while done < end and getattr(step, "chunked", False):
                # a step that runs many draws per call returns here every REPORT_INTERVAL
                point, count, diverged, step_size = write_chunk(
                    step, point, end - done, arrays, done - first_row
                )
                done += count
                divergences += diverged
                if report_says_stop():
                    interrupted = True
                    break
            if interrupted:
                break
            while done < end:
                point, stats = step.step(point)
                write_draw(step, point, stats, arrays, done - first_row)
                if count_divergences and stats["diverging"]:
                    divergences += 1
                if "step_size" in stats:
                    step_size = float(stats["step_size"])
                done += 1
                if report_says_stop():
                    interrupted = True
                    break
            if interrupted:
                break
            if tuning and done >= tune and not tuning_stopped:
                step.stop_tuning()
                tuning_stopped = True
    except KeyboardInterrupt:
        interrupted = True
    send_report(time.monotonic())
    return Stretch(point, done, tuning_stopped, divergences, step_size, interrupted)


def run_chain(
    step: Any,
    point: Point,
    tune: int,
    draws: int,
    warmup: ChainArrays | None,
    posterior: ChainArrays,
    report: Report,
) -> ChainOutcome:
    """Run ``tune`` tuning steps, ``stop_tuning()``, then ``draws`` steps: one stretch.

    Tuning draws go to ``warmup`` (dropped when it is None). KeyboardInterrupt, or
    ``report`` returning True, ends the chain early; the outcome counts the draws
    completed, which are the ones fully written.
    """
    stretch = advance(step, point, tune, 0, tune + draws, warmup, posterior, report)
    tuned = min(stretch.done, tune)
    return ChainOutcome(tuned=tuned, drawn=stretch.done - tuned, interrupted=stretch.interrupted)
