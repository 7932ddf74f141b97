"""sample(executor=...): chains as chunks of draws on a Dask cluster or a process pool,
drawing what a local run draws, surviving a killed worker, and naming failing chains."""

from __future__ import annotations

import concurrent.futures
import io
import os
import signal
import threading
import time
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from samplers.errors import SamplingError
from samplers.many import map_sample
from samplers.metropolis import Metropolis
from samplers.nuts import NUTS
from samplers.progress import ProgressDisplay
from samplers.runner import sample
from samplers.slice import Slice
from samplers.testing import local_cluster
from samplers.trace import Trace


def standard_normal(x: NDArray) -> float:
    return -0.5 * float(x @ x)


def normal_with_gradient(x: NDArray) -> tuple[float, NDArray]:
    return -0.5 * float(x @ x), -x


def slow_normal(x: NDArray) -> float:
    time.sleep(0.0005)
    return standard_normal(x)


def failing_normal(x: NDArray) -> float:
    if x[0] > 1.5:
        raise ValueError("x went too far")
    return standard_normal(x)


def compound() -> list[Any]:
    start = {"a": np.array(0.0), "b": np.zeros(2)}
    return [
        Slice(standard_normal, initial_point=start, vars=["a"]),
        Metropolis(standard_normal, initial_point=start, vars=["b"]),
    ]


def nuts_c_available() -> bool:
    return NUTS(normal_with_gradient, initial_point=np.zeros(1)).backend == "c"


STEPS = {
    "nuts-python": lambda: NUTS(normal_with_gradient, initial_point=np.zeros(3), backend="python"),
    "nuts-c": lambda: NUTS(normal_with_gradient, initial_point=np.zeros(3), backend="c"),
    "metropolis": lambda: Metropolis(standard_normal, initial_point=np.zeros(2)),
    "compound": compound,
}
OPTIONS = {"draws": 150, "tune": 120, "chains": 3, "random_seed": 7, "progressbar": False}


def assert_same_trace(local: Trace, remote: Trace) -> None:
    assert local.varnames == remote.varnames and local.stat_names == remote.stat_names
    for name in local.varnames:
        np.testing.assert_array_equal(local.posterior[name], remote.posterior[name])
    for name in local.stat_names:
        np.testing.assert_array_equal(local.stats[name], remote.stats[name])


def needs_c(name: str) -> None:
    if name == "nuts-c" and not nuts_c_available():
        pytest.skip("the C NUTS needs a C compiler, which this machine lacks")


@pytest.fixture(scope="module")
def client() -> Any:
    pytest.importorskip("distributed", reason="samplers[dask] is not installed")
    with local_cluster() as dask_client:
        yield dask_client


@pytest.fixture(scope="module")
def pool() -> Any:
    with concurrent.futures.ProcessPoolExecutor(2) as executor:
        yield executor


# --- the same draws as a local run ------------------------------------------------------------


@pytest.mark.parametrize("name", list(STEPS))
def test_a_process_pool_draws_what_a_local_run_draws(pool: Any, name: str) -> None:
    needs_c(name)
    local = sample(STEPS[name](), cores=1, **OPTIONS)
    # 47 does not divide the chain: chunks end mid-tuning, across the boundary and at its end
    remote = sample(STEPS[name](), executor=pool, chunk_draws=47, **OPTIONS)
    assert_same_trace(local, remote)


@pytest.mark.parametrize("name", list(STEPS))
def test_a_dask_cluster_draws_what_a_local_run_draws(client: Any, name: str) -> None:
    needs_c(name)
    local = sample(STEPS[name](), cores=1, discard_tuned_samples=False, **OPTIONS)
    remote = sample(
        STEPS[name](), executor=client, chunk_draws=60, discard_tuned_samples=False, **OPTIONS
    )
    assert_same_trace(local, remote)
    assert local.warmup is not None and remote.warmup is not None
    assert_same_trace(local.warmup, remote.warmup)


class KillsItsWorkerOnce:
    """A standard normal density that, on its ``after``-th call in a worker, kills that
    worker's process (os.kill of its own pid, mid-chunk), unless ``marker`` says a worker
    was killed already: exactly one kill, while a chunk is surely in flight."""

    def __init__(self, marker: str, after: int):
        self.marker = marker
        self.after = after
        self.calls = 0

    def __call__(self, x: NDArray) -> float:
        self.calls += 1
        if self.calls == self.after and not os.path.exists(self.marker):
            with open(self.marker, "w") as note:
                note.write(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return standard_normal(x)


def test_a_killed_worker_costs_only_its_chunk(client: Any, tmp_path: Any) -> None:
    options = {**OPTIONS, "chains": 2, "draws": 700, "tune": 100}
    local = sample(Metropolis(standard_normal, initial_point=np.zeros(2)), cores=1, **options)
    marker = tmp_path / "killed"
    workers_before = set(client.run(os.getpid).values())
    step = Metropolis(KillsItsWorkerOnce(str(marker), after=300), initial_point=np.zeros(2))
    remote = sample(step, executor=client, chunk_draws=40, **options)
    victim = int(marker.read_text())  # a worker was killed, mid-chunk
    assert victim in workers_before
    assert_same_trace(local, remote)  # every draw, none twice
    client.wait_for_workers(2, timeout=30)  # the nanny starts a new worker for the next tests
    assert victim not in client.run(os.getpid).values()


class LosingExecutor(concurrent.futures.Executor):
    """Runs tasks at once, here, except the ones whose numbers are in ``lose`` (and, with
    ``cursed``, every task sent the first task's input): their futures raise as if their
    worker had died."""

    def __init__(self, lose: set[int], cursed: bool = False):
        self.lose = lose
        self.cursed = cursed
        self.first_args: tuple[Any, ...] | None = None
        self.submitted = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        self.submitted += 1
        self.first_args = self.first_args or args
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        if self.submitted in self.lose or (self.cursed and args == self.first_args):
            future.set_exception(ConnectionError("the worker went away"))
        else:
            future.set_result(fn(*args, **kwargs))
        return future


def test_a_lost_chunk_is_sent_again_from_the_state_the_parent_holds() -> None:
    local = sample(STEPS["metropolis"](), cores=1, **OPTIONS)
    executor = LosingExecutor(lose={2, 5, 6, 9})
    remote = sample(STEPS["metropolis"](), executor=executor, chunk_draws=50, **OPTIONS)
    assert_same_trace(local, remote)
    chunks = OPTIONS["chains"] * -(-(OPTIONS["tune"] + OPTIONS["draws"]) // 50)
    assert executor.submitted == chunks + 4  # each lost chunk sent once more, none twice


def test_a_chunk_lost_again_and_again_stops_the_run_naming_its_chain() -> None:
    executor = LosingExecutor(lose=set(), cursed=True)  # chain 0's first chunk, every time
    with pytest.raises(
        SamplingError, match=r"chain 0 failed: its chunk of draws from 0 was lost 4"
    ):
        sample(STEPS["metropolis"](), executor=executor, chunk_draws=50, **OPTIONS)


# --- errors and interruption ------------------------------------------------------------------


def test_an_error_in_a_chunk_names_the_chain(pool: Any) -> None:
    step = Metropolis(failing_normal, initial_point=np.zeros(1))
    with pytest.raises(SamplingError, match=r"chain \d failed in its draws from \d+: ValueError"):
        sample(step, executor=pool, draws=2000, tune=0, chains=2, random_seed=0, progressbar=False)


def exits_the_process(x: NDArray) -> float:
    os._exit(3)


def test_a_process_pool_that_breaks_stops_the_run_naming_a_chain() -> None:
    step = Metropolis(exits_the_process, initial_point=np.zeros(1))
    with (
        concurrent.futures.ProcessPoolExecutor(1) as broken,
        pytest.raises(SamplingError, match=r"chain \d failed: .*BrokenProcessPool"),
    ):
        sample(step, executor=broken, draws=10, tune=0, chains=2, progressbar=False)


class FailingStart(Metropolis):
    def start(self, point: Any) -> Any:
        raise ValueError("bad start")


def test_a_chain_that_cannot_start_is_named(pool: Any) -> None:
    step = FailingStart(standard_normal, initial_point=np.zeros(1))
    with pytest.raises(SamplingError, match="chain 0 failed: ValueError: bad start"):
        sample(step, executor=pool, draws=10, tune=0, chains=2, progressbar=False)


def test_what_is_not_an_executor_is_refused() -> None:
    with pytest.raises(TypeError, match=r"executor must be a distributed\.Client.*got 4"):
        sample(Metropolis(standard_normal, initial_point=np.zeros(1)), executor=4)
    with pytest.raises(ValueError, match="chunk_draws must be an integer >= 1, got 0"):
        sample(Metropolis(standard_normal, initial_point=np.zeros(1)), executor=None, chunk_draws=0)


def test_a_step_that_does_not_pickle_is_named() -> None:
    def local_density(x: NDArray) -> float:  # a closure: pickle cannot find it by name
        return standard_normal(x)

    step = Metropolis(local_density, initial_point=np.zeros(1))
    with (
        concurrent.futures.ThreadPoolExecutor(1) as threads,
        pytest.raises(TypeError, match="cannot pickle the step's density"),
    ):
        sample(step, executor=threads, draws=10, tune=0, chains=1, progressbar=False)


def test_ctrl_c_keeps_the_chunks_every_chain_completed(pool: Any) -> None:
    options = {**OPTIONS, "chains": 2, "draws": 20_000, "tune": 10}
    timer = threading.Timer(0.8, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.warns(RuntimeWarning, match="interrupted"):
            trace = sample(
                Metropolis(slow_normal, initial_point=np.zeros(1)),
                executor=pool,
                chunk_draws=50,
                **options,
            )
    finally:
        timer.cancel()
    assert trace.nchains == 2 and 0 < len(trace) < 20_000 and len(trace) % 50 == 40
    first = sample(
        Metropolis(standard_normal, initial_point=np.zeros(1)),
        cores=1,
        **{**options, "draws": len(trace)},
    )
    np.testing.assert_array_equal(trace.posterior["x"], first.posterior["x"])


# --- many models: map_sample ------------------------------------------------------------------


def fit_shifted_normal(shift: float) -> Trace:
    """One model per item: a normal centred on ``shift``, sampled where the task runs."""
    step = Metropolis(ShiftedNormal(shift), initial_point=np.zeros(1))
    return sample(step, draws=200, tune=100, chains=2, cores=1, random_seed=3, progressbar=False)


class ShiftedNormal:
    def __init__(self, shift: float):
        self.shift = shift

    def __call__(self, x: NDArray) -> float:
        if self.shift < 0:
            raise ValueError("shift must be non-negative")
        return -0.5 * float((x[0] - self.shift) ** 2)


SHIFTS = [0.0, 5.0, 10.0, 20.0, 40.0]


@pytest.mark.parametrize("where", ["here", "pool", "dask"])
def test_map_sample_returns_each_items_result_in_order(where: str, request: Any) -> None:
    executor = (
        None
        if where == "here"
        else request.getfixturevalue("pool" if where == "pool" else "client")
    )
    traces = map_sample(fit_shifted_normal, SHIFTS, executor=executor, progressbar=False)
    expected = [fit_shifted_normal(shift) for shift in SHIFTS]
    assert len(traces) == len(SHIFTS)
    for trace, alone in zip(traces, expected, strict=True):
        np.testing.assert_array_equal(trace.posterior["x"], alone.posterior["x"])


def test_map_sample_names_the_item_that_failed(pool: Any) -> None:
    with pytest.raises(
        SamplingError, match=r"item 2 failed: SamplingError: chain 0 failed: ValueError: shift"
    ):
        map_sample(fit_shifted_normal, [0.0, 1.0, -1.0], executor=pool, progressbar=False)
    with pytest.raises(
        SamplingError, match=r"item 1 failed: SamplingError: chain 0 failed: ValueError: shift"
    ):
        map_sample(fit_shifted_normal, [0.0, -1.0], progressbar=False)


def test_map_sample_draws_one_line_per_item() -> None:
    display = ProgressDisplay(3, 1, stream=FakeTerminal(), label="item", show_rate=False)
    for index in range(3):
        display.update(index, 0, False, 0, None, 0.0)  # as map_sample starts
    display.update(1, 1, False, 0, None, 0.0)
    lines = [display.format_line(index) for index in range(3)]
    assert lines[0].startswith("item 0 ") and lines[0].endswith("0/1  sampling")
    assert lines[1].startswith("item 1 ") and lines[1].endswith("1/1  done")
    assert all("draws/s" not in line for line in lines)


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True
