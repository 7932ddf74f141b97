"""``map_sample``: one task per item (a data set, a group, a simulated study), in order.

Fitting many models is a map, not a chain: each task builds and samples its own
model where it runs, so nothing compiled crosses the wire but the function that does
it and its item. One progress line per item, ticked as its task returns.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from samplers.errors import ChainWorkerError, SamplingError
from samplers.progress import ProgressDisplay
from samplers.remote import POLL_SECONDS, RESENDS, TaskSeam, task_seam


@dataclass
class ItemFailure:
    """An error ``sample_one`` raised, as text: the parent names the item."""

    error_type: str
    message: str
    traceback: str


def call_one(sample_one: Callable[[Any], Any], item: Any) -> Any:
    """``sample_one(item)``, an error coming back as an ItemFailure rather than raised, so
    the parent can tell it from a lost task (a raised error), which it sends again."""
    try:
        return sample_one(item)
    except Exception as error:
        return ItemFailure(type(error).__name__, str(error), traceback.format_exc())


def map_sample(
    sample_one: Callable[[Any], Any],
    items: Iterable[Any],
    executor: Any = None,
    progressbar: bool = True,
) -> list[Any]:
    """``[sample_one(item) for item in items]``, each call a task on ``executor`` (a
    ``distributed.Client`` or a ``concurrent.futures.Executor``; None: here, one after
    another). ``sample_one`` and the items must pickle (with Dask, closures do too).

    Results come back in the items' order. A task lost with its worker is sent again
    (up to three times); an error of ``sample_one`` raises SamplingError naming the item.
    """
    work = list(items)
    display = ProgressDisplay(len(work), 1, enabled=progressbar, label="item", show_rate=False)
    for index in range(len(work)):  # no tuning phase: each line reads "sampling", then "done"
        display.update(index, 0, False, 0, None, 0.0)
    try:
        if executor is None:
            return _map_here(sample_one, work, display)
        return _map_on(task_seam(executor, "map_sample"), sample_one, work, display)
    finally:
        display.close()


def _map_here(
    sample_one: Callable[[Any], Any], work: list[Any], display: ProgressDisplay
) -> list[Any]:
    results = []
    for index, item in enumerate(work):
        try:
            results.append(sample_one(item))
        except Exception as error:
            raise SamplingError(f"item {index} failed: {type(error).__name__}: {error}") from error
        display.update(index, 1, False, 0, None, 0.0)
    return results


def _map_on(
    seam: TaskSeam, sample_one: Callable[[Any], Any], work: list[Any], display: ProgressDisplay
) -> list[Any]:
    results: list[Any] = [None] * len(work)
    losses = [0] * len(work)
    in_flight: dict[Any, int] = {}

    def send(index: int) -> None:
        in_flight[seam.submit(call_one, sample_one, work[index])] = index

    try:
        for index in range(len(work)):
            send(index)
        while in_flight:
            for future in seam.wait(list(in_flight), POLL_SECONDS):
                index = in_flight.pop(future)
                try:
                    outcome = future.result()
                except Exception as error:  # the task was lost, not failed
                    losses[index] += 1
                    if losses[index] > RESENDS:
                        raise SamplingError(
                            f"item {index} failed: its task was lost {losses[index]} times, "
                            f"last by {type(error).__name__}: {error}"
                        ) from error
                    send(index)
                    continue
                results[index] = _unwrap(index, outcome)
                display.update(index, 1, False, 0, None, 0.0)
    finally:
        seam.cancel(list(in_flight))
    return results


def _unwrap(index: int, outcome: Any) -> Any:
    if isinstance(outcome, ItemFailure):
        raise SamplingError(
            f"item {index} failed: {outcome.error_type}: {outcome.message}"
        ) from ChainWorkerError(outcome.traceback)
    return outcome
