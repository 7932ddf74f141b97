"""The CUDA program on the CPU harness: the whole call path of mode='CUDA' (arguments
in, kernels, outputs out, shared values resident between calls, get_value on demand)
with the harness standing in for the GPU."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest
from cpu_grid import CpuGrid, build

import tensorops as pt
from cudagen.launch import LaunchConfig
from cudagen.plan import build_plan
from cudagen.runtime import CudaProgram, Resident
from graphcore import CallLayout, FunctionGraph, Mode, Out, RewriteQuery, function, shared
from graphcore.compile import linkers
from tensorops.guards import Guard
from tensorops.indexing import inc_subtensor

CPU_GRID = Mode("cpu_grid", RewriteQuery(include=("fast_run",)), "CPU grid")


class CpuGridLinker:
    """mode='CUDA''s program, linked onto the CPU harness."""

    name: ClassVar[str] = "cpu_grid"
    priority: ClassVar[int] = -100
    folder: ClassVar[Path]
    programs: ClassVar[list[CudaProgram]] = []

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> CudaProgram:
        layout = layout or CallLayout.fresh(fgraph)
        plan = build_plan(fgraph)
        device = CpuGrid(build(plan.kernels, self.folder), LaunchConfig())  # a GPU's sizes
        program = CudaProgram(plan, layout, device, dict(fgraph.update_mapping or {}))
        CpuGridLinker.programs.append(program)
        return program


@pytest.fixture(autouse=True)
def cpu_grid_linker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    CpuGridLinker.folder = tmp_path_factory.mktemp("program")
    CpuGridLinker.programs.clear()
    linkers.register_linker("cpu_grid", CpuGridLinker)
    yield
    linkers.unregister_linker("cpu_grid")


def test_fused_sum_is_one_kernel() -> None:
    a, x, y = pt.scalar("a"), pt.vector("x"), pt.vector("y")
    f = function([a, x, y], pt.exp(a * x**3 + y**2).sum(), mode=CPU_GRID)
    (program,) = CpuGridLinker.programs
    assert program.plan.count("kernel") == 1 and program.plan.count("fused") == 1
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(-1, 1, 1000), rng.uniform(-1, 1, 1000)
    np.testing.assert_allclose(f(0.5, xs, ys), np.exp(0.5 * xs**3 + ys**2).sum(), rtol=1e-12)
    counters = program.counters
    assert counters.launches == 2  # the fused reduction, then its partials folded
    assert (counters.inputs_copied, counters.outputs_copied, counters.transfers) == (3, 1, 0)


def test_shared_values_stay_on_the_device() -> None:
    x = pt.vector("x")
    w = shared(np.ones(6), name="w")
    f = function([x], (w * x).sum(), updates=[(w, w * 2 + x)], mode=CPU_GRID)
    (program,) = CpuGridLinker.programs
    xs = np.arange(6.0)
    expected_w = np.ones(6)
    for _ in range(3):
        total = f(xs)
        np.testing.assert_allclose(total, (expected_w * xs).sum())
        expected_w = expected_w * 2 + xs
    assert isinstance(w.get_value(borrow=True, return_internal_type=True), Resident)
    counters = program.counters
    # w was copied in once (first call); x each call; the sum out each call.
    assert (counters.inputs_copied, counters.outputs_copied, counters.transfers) == (4, 3, 0)
    np.testing.assert_allclose(w.get_value(), expected_w)
    assert counters.outputs_copied == 4  # get_value copied w to the host, once
    np.testing.assert_allclose(w.get_value(), expected_w)
    assert counters.outputs_copied == 4


def test_shared_values_read_only_are_copied_once_per_value() -> None:
    x = pt.vector("x")
    w = shared(np.arange(4.0), name="w")
    f = function([x], w * x, mode=CPU_GRID)
    (program,) = CpuGridLinker.programs
    for _ in range(3):
        np.testing.assert_allclose(f(np.ones(4)), np.arange(4.0))
    assert program.counters.inputs_copied == 4  # w once, x three times
    w.set_value(np.full(4, 2.0))
    np.testing.assert_allclose(f(np.ones(4)), np.full(4, 2.0))
    assert program.counters.inputs_copied == 6  # the new value of w, and x


def test_borrowed_outputs_stay_on_the_device() -> None:
    x = pt.matrix("x")
    f = function([x], Out(pt.tanh(x.T), borrow=True), mode=CPU_GRID)
    value = np.arange(6.0).reshape(2, 3)
    out = f(value)
    assert isinstance(out, Resident)
    np.testing.assert_allclose(np.asarray(out), np.tanh(value.T))


def test_host_ops_count_their_transfers() -> None:
    x = pt.vector("x")
    # sort has no CUDA rule: it reads exp(x) from the device and its result goes back.
    y = pt.sort(-pt.exp(x)) * 3
    f = function([x], y, mode=CPU_GRID)
    (program,) = CpuGridLinker.programs
    assert program.plan.count("host") == 1 and len(program.plan.transfers) == 2
    xs = np.linspace(0, 1, 7)
    np.testing.assert_allclose(f(xs), np.sort(-np.exp(xs)) * 3)
    assert program.counters.transfers == 2


def test_split_program_runs_its_host_step_on_the_host() -> None:
    import scipy.special

    x = pt.vector("x")
    f = function([x], pt.gammainc(pt.exp(x), 2.0) * 3, mode=CPU_GRID)
    (program,) = CpuGridLinker.programs
    xs = np.linspace(0, 1, 9)
    for _ in range(2):
        np.testing.assert_allclose(f(xs), scipy.special.gammainc(np.exp(xs), 2.0) * 3)
    assert program.counters.transfers == 4  # exp(x) out, gammainc's result in, per call


def test_an_index_error_leaves_shared_values_as_they_were() -> None:
    """A gather's bad index raises NumPy's IndexError from the call (read from the
    status word before the outputs), and the update of w is not applied."""
    i = pt.lvector("i")
    w = shared(np.arange(5.0), name="w")
    f = function([i], w[i].sum(), updates=[(w, inc_subtensor(w[i], 1.0))], mode=CPU_GRID)
    (program,) = CpuGridLinker.programs
    assert f(np.array([0, 4, 4])) == 8.0
    np.testing.assert_allclose(w.get_value(), [1, 1, 2, 3, 6])
    with pytest.raises(IndexError, match=r"^index -6 is out of bounds for axis 0 with size 5$"):
        f(np.array([1, -6, 9]))
    np.testing.assert_allclose(w.get_value(), [1, 1, 2, 3, 6])
    assert f(np.array([-1])) == 6.0
    np.testing.assert_allclose(w.get_value(), [1, 1, 2, 3, 7])
    assert program.counters.status_reads == 3 and program.counters.transfers == 0


class NegativeScaleError(ValueError):
    """The error a guard of these tests raises (a package's own, as ppl's checks)."""


class ScaleCheck(Guard):
    error = NegativeScaleError


def test_a_failing_guard_raises_its_error_and_leaves_shared_values() -> None:
    """A guard's conditions are checked on the device: a pass moves no data besides
    the status word read with the outputs; a failure raises the guard's own error
    with its message, as the Python backend does, and applies no update."""
    s = pt.scalar("s")
    w = shared(np.arange(3.0), name="w")
    guarded = ScaleCheck("Normal: sigma > 0")((w**2).sum() / s, pt.gt(s, 0.0), pt.gt(w, -1.0))
    f = function([s], guarded, updates=[(w, w + 1.0)], mode=CPU_GRID)
    reference = function([s], guarded, mode=Mode(linker="py"))
    (program,) = CpuGridLinker.programs
    assert program.plan.count("host") == 0 and not program.plan.transfers
    assert f(2.0) == 2.5
    np.testing.assert_allclose(w.get_value(), [1, 2, 3])
    with pytest.raises(NegativeScaleError) as expected:
        reference(-1.0)
    with pytest.raises(NegativeScaleError) as raised:
        f(-1.0)
    assert str(raised.value) == str(expected.value) == "Normal: sigma > 0"
    np.testing.assert_allclose(w.get_value(), [1, 2, 3])
    assert f(1.0) == 14.0
    np.testing.assert_allclose(w.get_value(), [2, 3, 4])
    counters = program.counters
    assert counters.transfers == 0 and counters.status_reads == 3
