"""A chain as a series of tasks: each runs a chunk of draws from a pickled state.

The parent holds each chain's state as bytes (its step, pickled with its adaptation
and random generator, its point, and how many draws it has done), sends it with a
task, and gets back the chunk's draws and the new state, again as bytes. A task
that is lost is sent again from the same bytes and makes the same draws; the parent
never unpickles a step, so it compiles nothing per chunk.

The step's densities (compiled functions: unpickling one compiles it again, through
the compile cache, which still costs milliseconds) are pickled apart, once, in the
plan; a state refers to them by number. Each worker thread keeps the densities it
unpickled, by the digest of their bytes, so only its first chunk compiles. Chains
share their densities in a local run too (``copy_step``), so this changes no draw.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from samplers.blocks import Block, Point
from samplers.chain import ChainArrays, advance, prepare_chain, step_densities
from samplers.errors import SamplingError, TaskFailure

KEPT_DENSITIES = 4
"""How many plans' densities a worker thread keeps (the most recent ones)."""


@dataclass
class ChainState:
    """What a chain needs to go on: its step, point, draws done, tuning stopped or not."""

    step: Any
    point: Point
    done: int
    tuning_stopped: bool


@dataclass(frozen=True)
class ChunkPlan:
    """What every chunk of every chain shares: the chain's length, the chunk's, and
    the shapes of what it writes."""

    tune: int
    draws: int
    chunk_draws: int
    keep_warmup: bool
    blocks: Sequence[Block]
    stat_dtypes: Mapping[str, np.dtype]
    densities: bytes = pickle.dumps([])
    """The steps' densities, pickled once for every chain and chunk (``pickle_densities``)."""

    @property
    def total(self) -> int:
        return self.tune + self.draws


@dataclass
class ChunkResult:
    """Draws ``start``..``stop`` of a chain: tuning ones in ``warmup`` (None when they are
    not kept), later ones in ``posterior``, and the state after them, pickled."""

    start: int
    stop: int
    warmup: ChainArrays | None
    posterior: ChainArrays
    divergences: int
    step_size: float | None
    seconds: float
    state: bytes


def pickle_densities(step: Any) -> bytes:
    """The densities of ``step`` (and of its sub-steps), pickled, or a TypeError saying
    what to do."""
    try:
        return pickle.dumps(unique(step_densities(step)), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"cannot pickle the step's density to send it to the executor ({error}); "
            "define the density at module level (or compile it with graphcore) so it "
            "pickles, or sample without an executor"
        ) from error


def unique(objects: list[Any]) -> list[Any]:
    """``objects`` without repeats (by identity), in order."""
    by_id: dict[int, Any] = {}
    for item in objects:
        by_id.setdefault(id(item), item)
    return list(by_id.values())


class _StatePickler(pickle.Pickler):
    """Pickles a state, writing each of the plan's densities as its number."""

    def __init__(self, file: io.BytesIO, densities: list[Any]):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._numbers = {id(density): number for number, density in enumerate(densities)}

    def persistent_id(self, obj: Any) -> Any:
        number = self._numbers.get(id(obj))
        return None if number is None else ("density", number)


class _StateUnpickler(pickle.Unpickler):
    """Unpickles a state, taking the densities it refers to from ``densities``."""

    def __init__(self, file: io.BytesIO, densities: list[Any]):
        super().__init__(file)
        self._densities = densities

    def persistent_load(self, pid: Any) -> Any:
        return self._densities[pid[1]]


def dump_state(state: ChainState, densities: list[Any]) -> bytes:
    buffer = io.BytesIO()
    _StatePickler(buffer, densities).dump(state)
    return buffer.getvalue()


def load_state(data: bytes, densities: list[Any]) -> ChainState:
    state: ChainState = _StateUnpickler(io.BytesIO(data), densities).load()
    return state


_kept = threading.local()


def plan_densities(plan: ChunkPlan) -> list[Any]:
    """The plan's densities, unpickled once per worker thread (a thread's own copies: a
    compiled function reuses its buffers, so two threads must not share one)."""
    kept: dict[bytes, list[Any]] = getattr(_kept, "densities", None) or {}
    _kept.densities = kept
    key = hashlib.sha256(plan.densities).digest()
    if key not in kept:
        while len(kept) >= KEPT_DENSITIES:
            kept.pop(next(iter(kept)))
        kept[key] = pickle.loads(plan.densities)
    return kept[key]


def pickle_state(state: ChainState, chain: int, densities: list[Any]) -> bytes:
    """``state`` as bytes (its densities by number), or a TypeError that names the chain."""
    try:
        return dump_state(state, densities)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"chain {chain}: cannot pickle the step to send it to the executor ({error}); "
            "define the density at module level (or compile it with graphcore) so it "
            "pickles, or sample without an executor"
        ) from error


def first_state(step: Any, seed: np.random.SeedSequence, tune: int, chain: int) -> bytes:
    """A chain's state before its first draw: ``prepare_chain``'s, as a local run starts.
    Its densities are ``step``'s own (``copy_step`` shares them), written by number.
    It starts here, in the parent, as a ``cores=1`` run's chains do."""
    try:
        chain_step, point = prepare_chain(step, seed, tune)
    except Exception as error:  # the start is the chain's first work: name the chain
        raise SamplingError(f"chain {chain} failed: {type(error).__name__}: {error}") from error
    densities = unique(step_densities(step))
    return pickle_state(ChainState(chain_step, point, 0, False), chain, densities)


def run_chunk(plan: ChunkPlan, state_bytes: bytes) -> ChunkResult | TaskFailure:
    """Run the next ``plan.chunk_draws`` draws (fewer at the chain's end) of a chain.

    An error of the step comes back as a TaskFailure rather than raised, so the
    parent can tell it from a lost task (a raised error), which it sends again.
    """
    try:
        started = time.perf_counter()
        densities = plan_densities(plan)
        state = load_state(state_bytes, densities)
        start = state.done
        stop = min(start + plan.chunk_draws, plan.total)
        tuning_rows = max(0, min(stop, plan.tune) - start)
        warmup = (
            ChainArrays.allocate(plan.blocks, plan.stat_dtypes, tuning_rows)
            if plan.keep_warmup
            else None
        )
        posterior = ChainArrays.allocate(plan.blocks, plan.stat_dtypes, stop - start - tuning_rows)
        stretch = advance(
            state.step,
            state.point,
            plan.tune,
            start,
            stop,
            warmup,
            posterior,
            tuning_stopped=state.tuning_stopped,
        )
        if stretch.interrupted:  # KeyboardInterrupt inside the density
            raise KeyboardInterrupt("the chunk was interrupted")
        after = ChainState(state.step, stretch.point, stretch.done, stretch.tuning_stopped)
        return ChunkResult(
            start,
            stop,
            warmup,
            posterior,
            stretch.divergences,
            stretch.step_size,
            time.perf_counter() - started,
            dump_state(after, densities),
        )
    except (Exception, KeyboardInterrupt) as error:
        return TaskFailure.of(error)
