"""``map_sample``: one task per item (a data set, a group, a simulated study), in order.

Fitting many models is a map, not a chain: each task builds and samples its own
model where it runs, so nothing compiled crosses the wire but the function that does
it and its item. One progress line per item, ticked as its task returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from samplers.errors import SamplingError, TaskFailure
from samplers.progress import ProgressDisplay
from samplers.remote import Task, TaskSeam, run_resending, task_seam


def call_one(sample_one: Callable[[Any], Any], item: Any) -> Any:
    """``sample_one(item)``, an error coming back as a TaskFailure rather than raised, so
    the parent can tell it from a lost task (a raised error), which it sends again."""
    try:
        return sample_one(item)
    except Exception as error:
        return TaskFailure.of(error)


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

    def task(index: int) -> Task:
        return call_one, (sample_one, work[index])

    def on_result(index: int, outcome: Any) -> bool:
        if isinstance(outcome, TaskFailure):
            raise outcome.raised_as(f"item {index} failed")
        results[index] = outcome
        display.update(index, 1, False, 0, None, 0.0)
        return False

    run_resending(
        seam, range(len(work)), task, on_result, lambda index: f"item {index} failed: its task"
    )
    return results
