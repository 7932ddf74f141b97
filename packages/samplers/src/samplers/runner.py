"""``sample``: run independent chains of a step method, here or in a pool of processes."""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from samplers.blocks import BlockLayout
from samplers.chain import ChainArrays, ChainOutcome, prepare_chain, run_chain
from samplers.chunks import ChunkPlan, ChunkResult, first_state, pickle_densities
from samplers.compound import CompoundStep, require_step_method
from samplers.errors import SamplingError
from samplers.parallel import ChainJob, ChainPool
from samplers.progress import ProgressDisplay
from samplers.remote import TaskSeam, default_chunk_draws, run_chunked, task_seam
from samplers.trace import Trace

__all__ = ["SamplingError", "sample"]


def _count(name: str, value: Any, smallest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < smallest:
        expected = "a non-negative integer" if smallest == 0 else f"an integer >= {smallest}"
        raise ValueError(f"sample: {name} must be {expected}, got {value!r}")
    return int(value)


def seed_sequence(random_seed: Any) -> np.random.SeedSequence:
    """The root of the chains' seeds: from an int, a sequence of ints, a SeedSequence, a
    Generator (one draw from it), or None (fresh entropy)."""
    if isinstance(random_seed, np.random.SeedSequence):
        return random_seed
    if isinstance(random_seed, np.random.Generator):
        return np.random.SeedSequence(int(random_seed.integers(2**63)))
    try:
        return np.random.SeedSequence(random_seed)
    except (TypeError, ValueError) as error:
        raise ValueError(
            "sample: random_seed must be None, a non-negative int, a sequence of them, "
            f"a SeedSequence or a Generator, got {random_seed!r}"
        ) from error


def _as_step(step: Any) -> Any:
    if isinstance(step, list | tuple):
        return CompoundStep(step)
    require_step_method(step, "sample: step")
    return step


def sample(
    step: Any,
    draws: int = 1000,
    tune: int = 1000,
    chains: int | None = None,
    cores: int | None = None,
    random_seed: Any = None,
    progressbar: bool = True,
    discard_tuned_samples: bool = True,
    executor: Any = None,
    chunk_draws: int | None = None,
) -> Trace:
    """Run ``chains`` chains of ``step`` (a step method, or a list of them run in turn).

    Each chain gets its own copy of the step, seeded from
    ``SeedSequence(random_seed).spawn(chains)``, so a seed fixes the draws whatever
    ``cores`` is. Each chain takes ``tune`` tuning steps (kept as ``trace.warmup`` when
    ``discard_tuned_samples`` is False), then ``draws`` draws. ``cores`` > 1 runs the
    chains in that many processes. Ctrl-C returns the draws every chain completed.

    ``executor`` (a ``distributed.Client`` or a ``concurrent.futures.Executor``) runs
    the chains there instead, as tasks of ``chunk_draws`` draws each (default: a tenth
    of a chain, at least 50), each sent the chain's pickled step; the trace is the one a
    local run makes, and a chunk whose worker is lost is sent again.
    """
    step = _as_step(step)
    draws = _count("draws", draws, 0)
    tune = _count("tune", tune, 0)
    if chunk_draws is not None:
        chunk_draws = _count("chunk_draws", chunk_draws, 1)
    seam = None if executor is None else task_seam(executor, "sample")
    cores = min(4, os.cpu_count() or 1) if cores is None else _count("cores", cores, 1)
    chains = max(2, cores) if chains is None else _count("chains", chains, 1)
    seeds = seed_sequence(random_seed).spawn(chains)
    blocks = BlockLayout.from_point(step.initial_point).blocks
    stat_dtypes = {name: np.dtype(dtype) for name, dtype in step.stat_dtypes.items()}
    trace = Trace.allocate(blocks, stat_dtypes, chains, draws)
    warmup = None if discard_tuned_samples else Trace.allocate(blocks, stat_dtypes, chains, tune)
    display = ProgressDisplay(chains, tune + draws, enabled=progressbar)
    started = time.perf_counter()
    try:
        if seam is not None:
            plan = ChunkPlan(
                tune,
                draws,
                chunk_draws or default_chunk_draws(tune + draws),
                warmup is not None,
                blocks,
                stat_dtypes,
                pickle_densities(step),
            )
            outcomes, interrupted = _run_on_executor(
                seam, plan, step, seeds, trace, warmup, display
            )
        elif min(cores, chains) == 1:
            outcomes, interrupted = _run_here(step, seeds, tune, draws, trace, warmup, display)
        else:
            job = ChainJob(step, tune, draws, warmup is not None, blocks, stat_dtypes)
            pool = ChainPool(job, seeds, min(cores, chains))

            def store(
                chain: int, outcome: ChainOutcome, warm: ChainArrays | None, post: ChainArrays
            ) -> None:
                _copy_chain(trace, chain, post)
                if warmup is not None and warm is not None:
                    _copy_chain(warmup, chain, warm)

            outcomes, interrupted = pool.run(display.update, store)
    finally:
        display.close()
    attrs = {"sampling_time": time.perf_counter() - started, "tuning_steps": tune}
    if interrupted:
        return _truncate(trace, warmup, outcomes, attrs)
    trace.warmup = warmup
    trace.attrs.update(attrs)
    return trace


def _chain_arrays(trace: Trace, chain: int) -> ChainArrays:
    """Views of one chain's rows of a trace: a chain writes its draws straight into them."""
    return ChainArrays(
        {name: trace.posterior[name][chain] for name in trace.varnames},
        {name: trace.stats[name][chain] for name in trace.stat_names},
    )


def _copy_chain(trace: Trace, chain: int, arrays: ChainArrays) -> None:
    rows = _chain_arrays(trace, chain)
    for name, array in arrays.values.items():
        rows.values[name][...] = array
    for name, array in arrays.stats.items():
        rows.stats[name][...] = array


def _run_on_executor(
    seam: TaskSeam,
    plan: ChunkPlan,
    step: Any,
    seeds: Sequence[np.random.SeedSequence],
    trace: Trace,
    warmup: Trace | None,
    display: ProgressDisplay,
) -> tuple[list[ChainOutcome | None], bool]:
    """Run the chains as chunks of draws on an executor, each chain's rows filled as its
    chunks return."""
    states = [first_state(step, seed, plan.tune, chain) for chain, seed in enumerate(seeds)]
    done, interrupted = run_chunked(
        seam, plan, states, _chunk_store(trace, warmup, plan.tune, display)
    )
    outcomes: list[ChainOutcome | None] = [
        ChainOutcome(min(n, plan.tune), n - min(n, plan.tune), interrupted) for n in done
    ]
    return outcomes, interrupted


def _chunk_store(
    trace: Trace, warmup: Trace | None, tune: int, display: ProgressDisplay
) -> Callable[[int, ChunkResult], None]:
    """Where a chain's chunks go as they return: their rows of the traces, and the display."""
    divergences = [0] * trace.nchains
    started = time.perf_counter()

    def store(chain: int, result: ChunkResult) -> None:
        if warmup is not None and result.warmup is not None:
            rows = _chain_arrays(warmup, chain)
            _copy_rows(rows, result.warmup, result.start)
        _copy_rows(_chain_arrays(trace, chain), result.posterior, max(result.start, tune) - tune)
        divergences[chain] += result.divergences
        rate = result.stop / max(time.perf_counter() - started, 1e-9)
        display.update(
            chain, result.stop, result.stop < tune, divergences[chain], result.step_size, rate
        )

    return store


def _copy_rows(rows: ChainArrays, chunk: ChainArrays, first: int) -> None:
    """A chunk's arrays into a chain's, from row ``first`` on."""
    for name, array in chunk.values.items():
        rows.values[name][first : first + len(array)] = array
    for name, array in chunk.stats.items():
        rows.stats[name][first : first + len(array)] = array


def _run_here(
    step: Any,
    seeds: Sequence[np.random.SeedSequence],
    tune: int,
    draws: int,
    trace: Trace,
    warmup: Trace | None,
    display: ProgressDisplay,
) -> tuple[list[ChainOutcome | None], bool]:
    """Run the chains one after another in this process."""
    outcomes: list[ChainOutcome | None] = [None] * len(seeds)
    for chain, seed in enumerate(seeds):

        def report(
            done: int,
            tuning: bool,
            divergences: int,
            step_size: float | None,
            rate: float,
            chain: int = chain,
        ) -> bool:
            display.update(chain, done, tuning, divergences, step_size, rate)
            return False

        try:
            chain_step, point = prepare_chain(step, seed, tune)
            outcome = run_chain(
                chain_step,
                point,
                tune,
                draws,
                None if warmup is None else _chain_arrays(warmup, chain),
                _chain_arrays(trace, chain),
                report,
            )
        except KeyboardInterrupt:
            return outcomes, True
        except Exception as error:
            raise SamplingError(f"chain {chain} failed: {type(error).__name__}: {error}") from error
        outcomes[chain] = outcome
        if outcome.interrupted:
            return outcomes, True
    return outcomes, False


def _truncate(
    trace: Trace,
    warmup: Trace | None,
    outcomes: Sequence[ChainOutcome | None],
    attrs: dict[str, Any],
) -> Trace:
    """After an interruption: the chains that started, cut to the draws all of them completed."""
    started = [
        (chain, outcome)
        for chain, outcome in enumerate(outcomes)
        if outcome is not None and outcome.tuned + outcome.drawn > 0
    ]
    kept = [chain for chain, _ in started]
    draws = min((outcome.drawn for _, outcome in started), default=0)
    tuned = min((outcome.tuned for _, outcome in started), default=0)
    warnings.warn(
        f"sampling was interrupted: keeping {draws} draws (and {tuned} tuning draws) of "
        f"chains {kept}, the draws every one of them completed",
        RuntimeWarning,
        stacklevel=3,
    )

    def cut(source: Trace, n: int) -> Trace:
        return Trace(
            {name: source.posterior[name][kept, :n] for name in source.varnames},
            {name: source.stats[name][kept, :n] for name in source.stat_names},
        )

    result = cut(trace, draws)
    result.warmup = None if warmup is None else cut(warmup, tuned)
    result.attrs.update(attrs, interrupted=True, tuning_steps=tuned)
    return result
