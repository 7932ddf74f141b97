"""mode='CUDA' through the pycuda runtime, with a stand-in for pycuda's driver
(fake_pycuda.py), so the runtime's own code (the linker, PycudaDevice, the memory pool,
CudaProgram) runs here as it would on a GPU; and the device tests themselves, through
the same stand-in, so that they are known to pass before a GPU runs them. What it
cannot check is pycuda itself: test_device.py does, on a GPU.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fake_pycuda import FakeDriver, install

import tensorops as pt
from cudagen import device
from cudagen.linker import CudaLinker
from cudagen.runtime import Resident
from graphcore import Out, function, shared
from graphcore.compile import linkers


@pytest.fixture()
def fake_pycuda(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDriver]:
    driver = install(tmp_path, monkeypatch.setitem, monkeypatch.setattr)
    linkers.register_linker("cuda", CudaLinker)
    yield driver
    device.probe.cache_clear()


def test_fused_sum_through_the_runtime(fake_pycuda: FakeDriver) -> None:
    a, x, y = pt.scalar("a"), pt.vector("x"), pt.vector("y")
    f = function([a, x, y], pt.exp(a * x**3 + y**2).sum(), mode="CUDA")
    xs, ys = np.linspace(-1, 1, 500), np.linspace(1, -1, 500)
    for _ in range(2):
        np.testing.assert_allclose(f(0.5, xs, ys), np.exp(0.5 * xs**3 + ys**2).sum())
    assert len(fake_pycuda.launches) == 4  # (fused reduction, fold of partials) per call


def test_memory_is_pooled(fake_pycuda: FakeDriver) -> None:
    x = pt.vector("x")
    f = function([x], pt.tanh(x) * 2, mode="CUDA")
    xs = np.linspace(-1, 1, 100)
    f(xs)
    first = fake_pycuda.allocations
    for _ in range(3):
        np.testing.assert_allclose(f(xs), np.tanh(xs) * 2)
    assert fake_pycuda.allocations == first, "each call allocated device memory anew"


def test_resident_shared_values_and_matmul(fake_pycuda: FakeDriver) -> None:
    a = pt.matrix("a")
    w = shared(np.eye(3), name="w")
    f = function([a], Out(pt.dot(a, w), borrow=True), updates=[(w, w * 0.5 + a.T)], mode="CUDA")
    av = np.arange(9.0).reshape(3, 3)
    expected_w = np.eye(3)
    for _ in range(3):
        out = f(av)
        assert isinstance(out, Resident)
        np.testing.assert_allclose(np.asarray(out), av @ expected_w)
        expected_w = expected_w * 0.5 + av.T
    np.testing.assert_allclose(w.get_value(), expected_w)
    assert f.program.counters.inputs_copied == 4  # type: ignore[attr-defined]


def test_the_device_tests_pass_on_the_stand_in() -> None:
    """test_device.py (the op table, reductions, products, gathers and scatters, the
    mode end to end) through the stand-in, with a GPU's launch sizes: a GPU then finds
    the tests themselves sound. A run of its own, since the plugin replaces pycuda for
    the whole process."""
    tests = Path(__file__).parent
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests), *sys.path])}
    plugin = ["-p", "no:cacheprovider", "-p", "fake_pycuda"]
    command = [sys.executable, "-m", "pytest", "-q", *plugin, str(tests / "test_device.py")]
    done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    assert "skipped" not in summary and " passed" in summary, summary
