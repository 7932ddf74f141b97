"""mode='CUDA' through the pycuda runtime, with a stand-in for pycuda's driver.

The stand-in gives host memory for device memory and runs a module's kernels on the CPU
harness (its "image" is the CUDA source: nvcc is bypassed), so the runtime's own code
(the linker, PycudaDevice, the memory pool, CudaProgram) runs here as it would on a GPU:
allocations, copies by address, launches through ``_launch_kernel`` with packed
parameters. What it cannot check is pycuda itself: test_device.py does, on a GPU.
"""

from __future__ import annotations

import ctypes
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import CpuGrid, build

import tensorops as pt
from cudagen import device, runtime
from cudagen.launch import Launch
from cudagen.linker import CudaLinker
from cudagen.nvcc import Toolkit
from cudagen.plan import build_plan
from cudagen.runtime import Resident
from cudagen.source import module_source
from graphcore import Out, function, shared
from graphcore.compile import linkers


class FakeMemory:
    def __init__(self, nbytes: int):
        self.array = np.full(nbytes, 0x5A, np.uint8)

    def __int__(self) -> int:
        return int(self.array.ctypes.data)


class FakeDriver(types.ModuleType):
    """The part of ``pycuda.driver`` the runtime calls."""

    def __init__(self, folder: Path):
        super().__init__("pycuda.driver")
        self.folder = folder
        self.allocations = 0
        self.launches: list[str] = []
        capability = types.SimpleNamespace(compute_capability=lambda: (9, 0))
        self.Device = types.SimpleNamespace(count=lambda: 1)
        self.Context = types.SimpleNamespace(
            get_device=lambda: capability, synchronize=lambda: None
        )

    def init(self) -> None:
        return None

    def mem_alloc(self, nbytes: int) -> FakeMemory:
        self.allocations += 1
        return FakeMemory(nbytes)

    def memcpy_htod(self, destination: int, source: np.ndarray) -> None:
        ctypes.memmove(destination, source.ctypes.data, source.nbytes)

    def memcpy_dtoh(self, destination: np.ndarray, source: int) -> None:
        ctypes.memmove(destination.ctypes.data, source, destination.nbytes)

    def module_from_buffer(self, image: bytes) -> Any:
        grid = CpuGrid(build_from_source(image.rstrip(b"\0").decode(), self.folder))
        driver = self

        class Function:
            def __init__(self, name: str):
                self.name = name

            def _launch_kernel(self, g: Any, b: Any, arguments: bytes, shared: int, s: Any) -> None:
                driver.launches.append(self.name)
                grid.launch(Launch(self.name, tuple(g), tuple(b), arguments))

        return types.SimpleNamespace(get_function=Function)


_SOURCES: dict[str, list[Any]] = {}


def build_from_source(source: str, folder: Path) -> Any:
    """The harness library of a module's source (the kernels' objects recorded when the
    runtime asked for the module)."""
    return build(_SOURCES[source], folder)


@pytest.fixture()
def fake_pycuda(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDriver]:
    driver = FakeDriver(tmp_path)
    package = types.ModuleType("pycuda")
    package.driver = driver  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pycuda", package)
    monkeypatch.setitem(sys.modules, "pycuda.driver", driver)
    monkeypatch.setitem(sys.modules, "pycuda.autoinit", types.ModuleType("pycuda.autoinit"))
    monkeypatch.setattr(runtime, "toolkit", lambda: Toolkit("nvcc", "13.0", ("sm_80", "sm_90")))
    monkeypatch.setattr(runtime, "compile_module", lambda source, arch, kind: source.encode())
    monkeypatch.setattr(runtime, "cublas", lambda: None)  # the tiled kernel
    original_link = CudaLinker.link

    def link(self: Any, fgraph: Any, layout: Any = None) -> Any:
        kernels = build_plan(fgraph).kernels
        _SOURCES[module_source(kernels)] = kernels
        return original_link(self, fgraph, layout)

    monkeypatch.setattr(CudaLinker, "link", link)
    linkers.register_linker("cuda", CudaLinker)
    device.probe.cache_clear()
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
