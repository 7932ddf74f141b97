"""A chain as a series of tasks: each runs a chunk of draws from a pickled state.

The parent holds each chain's state as bytes (its step, pickled with its adaptation
and random generator, its point, and how many draws it has done), sends it with a
task, and gets back the chunk's draws and the new state, again as bytes. A task
that is lost is sent again from the same bytes and makes the same draws; the parent
never unpickles a step, so it compiles nothing per chunk.
"""

from __future__ import annotations

import pickle
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from samplers.blocks import Block, Point
from samplers.chain import ChainArrays, advance, prepare_chain


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


@dataclass
class ChunkFailure:
    """An error the chunk's own code raised, as text: the parent names the chain."""

    error_type: str
    message: str
    traceback: str


def pickle_state(state: ChainState, chain: int) -> bytes:
    """``state`` as bytes, or a TypeError that names the chain and what to do."""
    try:
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        raise TypeError(
            f"chain {chain}: cannot pickle the step to send it to the executor ({error}); "
            "define the density at module level (or compile it with graphcore) so it "
            "pickles, or sample without an executor"
        ) from error


def first_state(step: Any, seed: np.random.SeedSequence, tune: int, chain: int) -> bytes:
    """A chain's state before its first draw: ``prepare_chain``'s, as a local run starts."""
    chain_step, point = prepare_chain(step, seed, tune)
    return pickle_state(ChainState(chain_step, point, 0, False), chain)


def run_chunk(plan: ChunkPlan, state_bytes: bytes) -> ChunkResult | ChunkFailure:
    """Run the next ``plan.chunk_draws`` draws (fewer at the chain's end) of a chain.

    An error of the step comes back as a ChunkFailure rather than raised, so the
    parent can tell it from a lost task (a raised error), which it sends again.
    """
    try:
        started = time.perf_counter()
        state: ChainState = pickle.loads(state_bytes)
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
            pickle.dumps(after, protocol=pickle.HIGHEST_PROTOCOL),
        )
    except (Exception, KeyboardInterrupt) as error:
        return ChunkFailure(type(error).__name__, str(error), traceback.format_exc())
