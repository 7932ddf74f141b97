"""Chains in separate processes: a pool of workers taking chain numbers from a queue."""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import signal
import sys
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from samplers.blocks import Block
from samplers.chain import ChainArrays, ChainOutcome, prepare_chain, run_chain
from samplers.errors import ChainWorkerError, SamplingError

POLL_SECONDS = 0.25
"""How often the parent, waiting for messages, checks that its workers are alive."""


def start_method() -> str:
    """'fork' on Linux, so a step built on closures needs no pickling; 'spawn' elsewhere."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    return "spawn"


@dataclass
class ChainJob:
    """What every worker needs to run any chain."""

    step: Any
    tune: int
    draws: int
    keep_warmup: bool
    blocks: Sequence[Block]
    stat_dtypes: Mapping[str, np.dtype]


def worker_main(
    job: ChainJob, index: int, current_chains: Any, tasks: Any, messages: Any, stop: Any
) -> None:
    """Run chains from ``tasks`` until a None arrives or ``stop`` is set.

    ``current_chains[index]`` (shared memory, written at once, unlike a queued message
    that a dying process may never flush) tells the parent which chain this worker runs.
    """
    # Ctrl-C reaches every process of the terminal's group; the parent alone decides,
    # and tells the workers through ``stop`` so they can send back the draws they have.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while not stop.is_set():
        task = tasks.get()
        if task is None:
            return
        chain, seed = task
        current_chains[index] = chain

        def report(
            done: int,
            tuning: bool,
            divergences: int,
            step_size: float | None,
            rate: float,
            chain: int = chain,
        ) -> bool:
            messages.put(("progress", chain, done, tuning, divergences, step_size, rate))
            return bool(stop.is_set())

        try:
            chain_step, point = prepare_chain(job.step, seed, job.tune)
            warmup = (
                ChainArrays.allocate(job.blocks, job.stat_dtypes, job.tune)
                if job.keep_warmup
                else None
            )
            posterior = ChainArrays.allocate(job.blocks, job.stat_dtypes, job.draws)
            outcome = run_chain(chain_step, point, job.tune, job.draws, warmup, posterior, report)
        except Exception as error:
            messages.put(("error", chain, type(error).__name__, str(error), traceback.format_exc()))
            return
        messages.put(("done", chain, outcome, warmup, posterior))


ProgressSink = Callable[[int, int, bool, int, float | None, float], None]
"""on_progress(chain, done, tuning, divergences, step_size, draws_per_second)"""
ResultSink = Callable[[int, ChainOutcome, ChainArrays | None, ChainArrays], None]
"""on_result(chain, outcome, warmup arrays or None, posterior arrays)"""


class ChainPool:
    """``cores`` worker processes running the chains whose seeds are given, in any order."""

    def __init__(self, job: ChainJob, seeds: Sequence[np.random.SeedSequence], cores: int):
        context: Any = multiprocessing.get_context(start_method())
        self.chains = len(seeds)
        self.tasks = context.Queue()
        self.messages = context.Queue()
        self.stop = context.Event()
        self.current_chains = context.RawArray("l", [-1] * cores)
        self.seeds = list(seeds)
        self.workers = [
            context.Process(
                target=worker_main,
                args=(job, index, self.current_chains, self.tasks, self.messages, self.stop),
                name=f"samplers-worker-{index}",
                daemon=True,
            )
            for index in range(cores)
        ]
        self.outcomes: list[ChainOutcome | None] = [None] * self.chains
        self._next_health_check = 0.0
        self.interrupted = False

    def run(
        self, on_progress: ProgressSink, on_result: ResultSink
    ) -> tuple[list[ChainOutcome | None], bool]:
        """Run every chain. Returns one outcome per chain (None: never started) and whether
        sampling was interrupted (Ctrl-C, or a chain's density raising KeyboardInterrupt),
        in which case every worker was told to stop and send back what it drew."""
        previous_handler = self._catch_ctrl_c()
        try:
            for worker in self.workers:
                try:
                    worker.start()
                except (pickle.PicklingError, TypeError, AttributeError) as error:  # spawn pickles
                    raise TypeError(
                        f"cannot send the step to a worker process ({error}); define the density "
                        "at module level so it can be pickled, or sample with cores=1"
                    ) from error
            # only now: putting starts the queue's feeder thread, and forking a process
            # that runs threads risks deadlocks in the child
            for chain, seed in enumerate(self.seeds):
                self.tasks.put((chain, seed))
            for _ in self.workers:
                self.tasks.put(None)
            while not self.interrupted and any(outcome is None for outcome in self.outcomes):
                self._receive(on_progress, on_result)
                if any(outcome.interrupted for outcome in self.outcomes if outcome is not None):
                    self.interrupted = True
            if self.interrupted:
                self.stop.set()
                while any(worker.is_alive() for worker in self.workers):
                    self._receive(on_progress, on_result)
                self._drain(on_progress, on_result)
            return self.outcomes, self.interrupted
        finally:
            if previous_handler is not None:
                signal.signal(signal.SIGINT, previous_handler)
            self.stop.set()
            for worker in self.workers:
                if worker.pid is None:
                    continue  # never started
                if worker.is_alive():
                    worker.terminate()
                worker.join()

    def _catch_ctrl_c(self) -> Any:
        """Turn the first Ctrl-C into a flag; return the handler it replaces (None: not ours).

        A KeyboardInterrupt raised inside a queue read could cut a message in half and
        leave the pipe unreadable, so the waiting loop checks the flag instead. A second
        Ctrl-C raises, for a user who will not wait for the workers to stop.
        """

        def on_ctrl_c(signum: int, frame: Any) -> None:
            if self.interrupted:
                raise KeyboardInterrupt
            self.interrupted = True

        try:
            return signal.signal(signal.SIGINT, on_ctrl_c)
        except ValueError:  # not the main thread: Ctrl-C is not ours to catch
            return None

    def _receive(self, on_progress: ProgressSink, on_result: ResultSink) -> None:
        now = time.monotonic()
        if now >= self._next_health_check:
            self._next_health_check = now + POLL_SECONDS
            self._check_workers_alive()
        try:
            message = self.messages.get(timeout=POLL_SECONDS)
        except queue.Empty:
            return
        self._handle(message, on_progress, on_result)

    def _drain(self, on_progress: ProgressSink, on_result: ResultSink) -> None:
        """Read what exited workers left in the queue."""
        while True:
            try:
                message = self.messages.get(timeout=0.05)
            except queue.Empty:
                return
            self._handle(message, on_progress, on_result)

    def _handle(
        self, message: tuple[Any, ...], on_progress: ProgressSink, on_result: ResultSink
    ) -> None:
        kind, chain = message[0], message[1]
        if kind == "progress":
            on_progress(chain, *message[2:])
        elif kind == "done":
            outcome, warmup, posterior = message[2:]
            on_result(chain, outcome, warmup, posterior)
            self.outcomes[chain] = outcome
        elif kind == "error":
            error_type, error_message, traceback_text = message[2:]
            raise SamplingError(
                f"chain {chain} failed: {error_type}: {error_message}"
            ) from ChainWorkerError(traceback_text)

    def _check_workers_alive(self) -> None:
        """Raise when a worker died (killed, out of memory, os._exit) before finishing."""
        for index, worker in enumerate(self.workers):
            if worker.exitcode in (None, 0):
                continue
            chain = int(self.current_chains[index])
            if chain >= 0 and self.outcomes[chain] is not None:
                continue  # it died after sending its chain back
            unfinished = [c for c, outcome in enumerate(self.outcomes) if outcome is None]
            which = f"chain {chain}" if chain >= 0 else f"one of chains {unfinished}"
            raise SamplingError(
                f"{which} failed: its worker process died with exit code {worker.exitcode}"
            )
