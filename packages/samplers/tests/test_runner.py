"""sample(): seeding, processes, progress, interruption and errors."""

from __future__ import annotations

import io
import os
import signal
import threading
import time

import numpy as np
import pytest

from samplers.errors import SamplingError
from samplers.metropolis import Metropolis
from samplers.progress import ProgressDisplay
from samplers.runner import sample
from samplers.slice import Slice


def standard_normal(x):
    return -0.5 * float(x @ x)


def metropolis(dim: int = 2) -> Metropolis:
    return Metropolis(standard_normal, initial_point=np.zeros(dim))


class ProcessIdMetropolis(Metropolis):
    """Metropolis that also reports the id of the process running it."""

    stat_dtypes = {**Metropolis.stat_dtypes, "pid": np.dtype(np.int64)}  # noqa: RUF012

    def step(self, point):
        point, stats = super().step(point)
        stats["pid"] = os.getpid()
        return point, stats


class FailingStart(Metropolis):
    """Fails in the chains whose first uniform draw is below one half."""

    def start(self, point):
        if self.rng.random() < 0.5:
            raise ValueError("bad start")
        return point


def chains_failing_at_start(seed: int, chains: int) -> list[int]:
    """Which chains FailingStart fails in, replaying the runner's per-chain seeding."""
    seeds = np.random.SeedSequence(seed).spawn(chains)
    return [
        c for c, s in enumerate(seeds) if np.random.Generator(np.random.PCG64(s)).random() < 0.5
    ]


# --- seeding and processes -----------------------------------------------------------------


def test_same_seed_same_draws_whatever_cores():
    options = {"draws": 200, "tune": 100, "chains": 3, "random_seed": 42, "progressbar": False}
    one = sample(
        ProcessIdMetropolis(standard_normal, initial_point=np.zeros(2)), cores=1, **options
    )
    two = sample(
        ProcessIdMetropolis(standard_normal, initial_point=np.zeros(2)), cores=2, **options
    )
    np.testing.assert_array_equal(one.posterior["x"], two.posterior["x"])
    np.testing.assert_array_equal(one.stats["accept"], two.stats["accept"])
    # cores=1 ran here; cores=2 ran in two other processes
    assert set(np.unique(one.stats["pid"])) == {os.getpid()}
    worker_pids = set(np.unique(two.stats["pid"]).tolist())
    assert os.getpid() not in worker_pids and 1 <= len(worker_pids) <= 2
    # chains are independent streams, and another seed gives other draws
    x = one.posterior["x"]
    assert not np.array_equal(x[0], x[1]) and not np.array_equal(x[1], x[2])
    other = sample(metropolis(), cores=1, **{**options, "random_seed": 43})
    assert not np.array_equal(other.posterior["x"], x)


def test_each_chain_adapts_its_own_copy_of_the_step():
    step = metropolis()
    trace = sample(step, draws=50, tune=300, chains=2, cores=1, random_seed=1, progressbar=False)
    assert step.scaling == 1.0 and step.tuning  # the caller's step is untouched
    assert trace.stats["scaling"][0, 0] != 1.0


def test_default_chains_and_lists_of_steps():
    start = {"a": np.array(0.0), "b": np.array(0.0)}
    steps = [
        Slice(standard_normal, initial_point=start, vars=["a"]),
        Metropolis(standard_normal, initial_point=start, vars=["b"]),
    ]
    trace = sample(steps, draws=20, tune=10, cores=1, random_seed=0, progressbar=False)
    assert trace.nchains == 2  # max(2, cores)
    assert set(trace.stat_names) == {"nstep_out", "nstep_in", "accept", "accepted", "scaling"}


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"draws": -1}, ValueError, r"draws must be a non-negative integer, got -1"),
        ({"tune": 2.5}, ValueError, r"tune must be a non-negative integer, got 2.5"),
        ({"chains": 0}, ValueError, r"chains must be an integer >= 1, got 0"),
        ({"cores": 0}, ValueError, r"cores must be an integer >= 1, got 0"),
        ({"random_seed": "x"}, ValueError, r"random_seed"),
    ],
)
def test_bad_arguments_name_themselves(options, error, words):
    with pytest.raises(error, match=words):
        sample(metropolis(), progressbar=False, **options)


def test_a_step_that_is_not_a_step_method_is_refused():
    with pytest.raises(TypeError, match=r"sample: step: expected a step method.*got function"):
        sample(standard_normal)
    with pytest.raises(TypeError, match=r"steps\[1\]: expected a step method.*got int"):
        sample([metropolis(), 3])


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("cores", [1, 2])
def test_a_failing_chain_raises_sampling_error_naming_it(cores):
    seed = next(s for s in range(100) if chains_failing_at_start(s, 2) == [1])
    step = FailingStart(standard_normal, initial_point=np.zeros(1))
    with pytest.raises(SamplingError, match=r"chain 1 failed: ValueError: bad start") as caught:
        sample(step, draws=50, tune=10, chains=2, cores=cores, random_seed=seed, progressbar=False)
    cause = caught.value.__cause__
    assert cause is not None
    if cores == 1:
        assert isinstance(cause, ValueError)
    else:  # the worker's traceback, as text
        assert "Traceback" in str(cause) and 'raise ValueError("bad start")' in str(cause)


def test_a_worker_that_dies_is_reported():
    def logp(x):
        os._exit(3)

    step = Metropolis(logp, initial_point=np.zeros(1))
    with pytest.raises(SamplingError, match=r"chain \d failed: its worker process died .*code 3"):
        sample(step, draws=10, tune=0, chains=2, cores=2, random_seed=0, progressbar=False)


# --- interruption --------------------------------------------------------------------------


class InterruptAfter:
    """A standard normal density that raises KeyboardInterrupt on its ``limit``-th call."""

    def __init__(self, limit: int):
        self.limit = limit
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        if self.calls >= self.limit:
            raise KeyboardInterrupt
        return standard_normal(x)


def test_keyboard_interrupt_keeps_the_completed_draws():
    # one evaluation at the start, then one per Metropolis step: the 600th call is
    # step 599, so 598 steps completed: 100 tuning and 498 draws
    step = Metropolis(InterruptAfter(600), initial_point=np.zeros(2))
    with pytest.warns(RuntimeWarning, match="interrupted"):
        trace = sample(
            step, draws=1000, tune=100, chains=1, cores=1, random_seed=0, progressbar=False
        )
    assert trace.nchains == 1 and len(trace) == 498
    assert np.all(np.isfinite(trace["x"]))
    assert trace.attrs["interrupted"] is True


def test_keyboard_interrupt_truncates_to_what_every_started_chain_completed():
    # chain 0 completes in 1 + 150 calls; chain 1 is interrupted in its 91st step,
    # after 50 tuning steps and 40 draws; chain 2 never starts
    step = Metropolis(InterruptAfter(1 + 150 + 1 + 91), initial_point=np.zeros(1))
    with pytest.warns(RuntimeWarning, match=r"keeping 40 draws.*chains \[0, 1\]"):
        trace = sample(
            step,
            draws=100,
            tune=50,
            chains=3,
            cores=1,
            random_seed=0,
            progressbar=False,
            discard_tuned_samples=False,
        )
    assert trace.nchains == 2 and len(trace) == 40
    assert trace.warmup is not None and len(trace.warmup) == 50


def test_ctrl_c_in_parallel_run_keeps_the_draws_so_far():
    def slow_normal(x):
        time.sleep(0.0005)
        return standard_normal(x)

    step = Metropolis(slow_normal, initial_point=np.zeros(1))
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.warns(RuntimeWarning, match="interrupted"):
            trace = sample(
                step, draws=100_000, tune=10, chains=2, cores=2, random_seed=0, progressbar=False
            )
    finally:
        timer.cancel()
    assert trace.nchains == 2
    assert 10 < len(trace) < 100_000
    assert np.all(np.isfinite(trace.posterior["x"]))


# --- progress ------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_no_progress_output_when_stderr_is_not_a_terminal(capsys):
    sample(metropolis(), draws=100, tune=100, chains=2, cores=1, random_seed=0, progressbar=True)
    assert capsys.readouterr().err == ""


def test_progress_lines_are_redrawn_in_place():
    terminal = FakeTerminal()
    display = ProgressDisplay(2, 2000, stream=terminal, min_interval=0.0)
    display.update(0, 500, True, 0, None, 1234.0)
    first = terminal.getvalue()
    assert first.count("\n") == 2 and "\x1b[" in first
    assert "chain 0" in first and "500/2000" in first and "1,234 draws/s" in first
    assert "tuning" in first and "divergences" not in first
    display.update(1, 2000, False, 3, 0.25, 900.0)
    display.close()
    redrawn = terminal.getvalue()[len(first) :]
    assert redrawn.startswith("\x1b[2F")  # back up over the two lines
    assert "2000/2000" in redrawn and "3 divergences" in redrawn and "step size 0.25" in redrawn


def test_progress_is_off_when_asked_or_not_a_terminal():
    assert not ProgressDisplay(1, 10, stream=FakeTerminal(), enabled=False).enabled
    assert not ProgressDisplay(1, 10, stream=io.StringIO()).enabled
    assert ProgressDisplay(1, 10, stream=FakeTerminal()).enabled
