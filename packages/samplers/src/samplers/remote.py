"""Tasks on an executor: a Dask ``distributed.Client`` or any ``concurrent.futures.Executor``.

One seam (``task_seam``) turns either into ``submit`` and ``wait``; ``run_resending``
keeps tasks in flight on it and sends a lost one again; ``run_chunked`` runs chains
through it as chunks of draws (see ``samplers.chunks``), one chunk of each chain in
flight at a time (``map_sample`` runs one task per item through it).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, Protocol

from samplers.chunks import ChunkPlan, ChunkResult, run_chunk
from samplers.errors import SamplingError, TaskFailure

POLL_SECONDS = 0.25
"""How long one wait for a task lasts: how soon Ctrl-C is noticed."""

RESENDS = 3
"""How many times a chunk whose task was lost (its worker died, say) is sent again."""

CHUNKS_PER_CHAIN = 10
"""The default chunk is a tenth of a chain: about ten tasks' overhead per chain, and a
lost worker costs at most a tenth of a chain's work."""

SMALLEST_DEFAULT_CHUNK = 50
"""Below this many draws a chunk's overhead (pickling, sending, one compile-cache hit)
outweighs its work even for cheap densities."""


def default_chunk_draws(total: int) -> int:
    """The chunk size when none is given: a tenth of a chain, at least 50 draws."""
    return max(SMALLEST_DEFAULT_CHUNK, -(-total // CHUNKS_PER_CHAIN))


class TaskSeam(Protocol):
    """What the runners need of an executor."""

    def submit(self, function: Callable[..., Any], *args: Any) -> Any: ...

    def wait(self, futures: Collection[Any], timeout: float) -> Collection[Any]: ...

    def cancel(self, futures: Collection[Any]) -> None: ...

    def share(self, value: Any) -> Any:
        """``value`` as an argument for many tasks: itself, or a handle the workers keep."""
        ...


class FuturesSeam:
    """A ``concurrent.futures.Executor`` (a process pool, Ray's, MPI's, a user's own)."""

    def __init__(self, executor: concurrent.futures.Executor):
        self.executor = executor

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        return self.executor.submit(function, *args)

    def wait(self, futures: Collection[Any], timeout: float) -> Collection[Any]:
        done, _ = concurrent.futures.wait(
            futures, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED
        )
        return done

    def cancel(self, futures: Collection[Any]) -> None:
        for future in futures:
            future.cancel()

    def share(self, value: Any) -> Any:
        return value


class DaskSeam:
    """A ``distributed.Client``: tasks through ``client.submit``, waited on with
    ``distributed.wait``; the scheduler itself reruns a task whose worker died."""

    def __init__(self, client: Any):
        import distributed  # the samplers[dask] extra; a Client cannot exist without it

        self.client = client
        self._wait = distributed.wait

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        # pure=False: a chunk sent again is a new task, not the lost one's key
        return self.client.submit(function, *args, pure=False)

    def wait(self, futures: Collection[Any], timeout: float) -> Collection[Any]:
        try:
            return self._wait(list(futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return ()

    def cancel(self, futures: Collection[Any]) -> None:
        if futures:
            self.client.cancel(list(futures))

    def share(self, value: Any) -> Any:
        # sent to the workers once, not with every task; a task given the future gets
        # the value (the scheduler copies it again to a worker that replaces a dead one)
        return self.client.scatter(value, broadcast=True, hash=False)


def is_dask_client(executor: Any) -> bool:
    """Whether ``executor`` is a ``distributed.Client`` (told without importing Dask)."""
    return any(
        cls.__name__ == "Client" and cls.__module__.startswith("distributed")
        for cls in type(executor).__mro__
    )


def task_seam(executor: Any, caller: str) -> TaskSeam:
    """The seam for ``executor``, or a TypeError naming ``caller``'s argument."""
    if isinstance(executor, concurrent.futures.Executor):
        return FuturesSeam(executor)
    if is_dask_client(executor):
        return DaskSeam(executor)
    raise TypeError(
        f"{caller}: executor must be a distributed.Client or a concurrent.futures.Executor, "
        f"got {executor!r} of type {type(executor).__name__}"
    )


Task = tuple[Callable[..., Any], tuple[Any, ...]]
"""A task: a function and its arguments."""


def run_resending(
    seam: TaskSeam,
    keys: Iterable[int],
    task: Callable[[int], Task],
    on_result: Callable[[int, Any], bool],
    name: Callable[[int], str],
) -> None:
    """Send ``task(key)`` for each key and hand each result to ``on_result(key, result)``,
    which says whether to send that key's next task.

    A task whose future raises was lost (its worker died, the executor broke), not failed
    (a task reports its own errors in its result): it is sent again, up to RESENDS times,
    and then a SamplingError says that ``name(key)`` was lost. Tasks still in flight are
    cancelled on the way out, Ctrl-C included.
    """
    losses: dict[int, int] = {}
    in_flight: dict[Any, int] = {}

    def send(key: int) -> None:
        function, arguments = task(key)
        try:
            in_flight[seam.submit(function, *arguments)] = key
        except Exception as error:
            raise SamplingError(
                f"{name(key)} was not taken by the executor: {type(error).__name__}: {error}"
            ) from error

    try:
        for key in keys:
            send(key)
        while in_flight:
            for future in seam.wait(list(in_flight), POLL_SECONDS):
                key = in_flight.pop(future)
                try:
                    result = future.result()
                except Exception as error:
                    losses[key] = losses.get(key, 0) + 1
                    if losses[key] > RESENDS:
                        raise SamplingError(
                            f"{name(key)} was lost {losses[key]} times, last by "
                            f"{type(error).__name__}: {error}"
                        ) from error
                    send(key)
                    continue
                if on_result(key, result):
                    send(key)
    finally:
        seam.cancel(list(in_flight))


ChunkSink = Callable[[int, ChunkResult], None]
"""on_chunk(chain, result): called once per chunk, in each chain's order."""


def run_chunked(
    seam: TaskSeam, plan: ChunkPlan, states: Sequence[bytes], on_chunk: ChunkSink
) -> tuple[list[int], bool]:
    """Run every chain to its end, a chunk at a time; return the draws each completed and
    whether Ctrl-C stopped the run (the chunks in flight then are dropped).

    The parent keeps each chain's state until its chunk comes back, so a chunk whose task
    was lost is sent again from that state (``run_resending``) and makes the same draws.
    An error of the chain's own code ends the run, naming it.
    """
    held = list(states)
    shared_plan = seam.share(plan)
    done = [0] * len(held)

    def task(chain: int) -> Task:
        return run_chunk, (shared_plan, held[chain])

    def on_result(chain: int, result: ChunkResult | TaskFailure) -> bool:
        if isinstance(result, TaskFailure):
            raise result.raised_as(f"chain {chain} failed in its draws from {done[chain]}")
        on_chunk(chain, result)
        held[chain] = result.state
        done[chain] = result.stop
        return done[chain] < plan.total

    def name(chain: int) -> str:
        return f"chain {chain} failed: its chunk of draws from {done[chain]}"

    chains = range(len(held)) if plan.total > 0 else range(0)
    try:
        run_resending(seam, chains, task, on_result, name)
    except KeyboardInterrupt:
        return done, True
    return done, False
