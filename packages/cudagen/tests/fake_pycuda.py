"""A stand-in for ``pycuda.driver`` on the CPU harness: host memory for device memory,
and a module's kernels compiled by g++ (its "image" is the CUDA source: nvcc is
bypassed) and run by ``CpuGrid``: allocations, copies by address and launches through
``_launch_kernel`` with packed parameters, the calls the runtime makes of pycuda.

``install`` puts it in place of pycuda; as a pytest plugin (``-p fake_pycuda``) this
module installs it for the whole run, so test_device.py runs on the harness.
"""

from __future__ import annotations

import ctypes
import sys
import tempfile
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from cpu_grid import CpuGrid, build_module

from cudagen import device, runtime
from cudagen.launch import Launch
from cudagen.nvcc import Toolkit


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
        capability = types.SimpleNamespace(
            compute_capability=lambda: (9, 0), name=lambda: "the CPU harness"
        )
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

    def memcpy_dtod(self, destination: Any, source: Any, nbytes: int) -> None:
        ctypes.memmove(int(destination), int(source), nbytes)

    def module_from_buffer(self, image: bytes) -> Any:
        grid = CpuGrid(build_module(image.rstrip(b"\0").decode(), self.folder))
        driver = self

        class Function:
            def __init__(self, name: str):
                self.name = name

            def _launch_kernel(self, g: Any, b: Any, arguments: bytes, shared: int, s: Any) -> None:
                driver.launches.append(self.name)
                grid.launch(Launch(self.name, tuple(g), tuple(b), arguments))

        return types.SimpleNamespace(get_function=Function)


def install(
    folder: Path,
    set_item: Callable[[dict[str, Any], str, Any], None],
    set_attribute: Callable[[object, str, Any], None],
) -> FakeDriver:
    """The stand-in as pycuda (through ``set_item``/``set_attribute``: pytest's monkeypatch
    or plain assignment), with nvcc bypassed and no cuBLAS (the tiled kernel runs)."""
    driver = FakeDriver(folder)
    package = types.ModuleType("pycuda")
    package.driver = driver  # type: ignore[attr-defined]
    set_item(sys.modules, "pycuda", package)  # type: ignore[arg-type]
    set_item(sys.modules, "pycuda.driver", driver)  # type: ignore[arg-type]
    set_item(sys.modules, "pycuda.autoprimaryctx", types.ModuleType("pycuda.autoprimaryctx"))  # type: ignore[arg-type]
    set_attribute(runtime, "toolkit", lambda: Toolkit("nvcc", "13.0", ("sm_80", "sm_90")))
    set_attribute(runtime, "compile_module", lambda source, arch, kind: source.encode())
    set_attribute(runtime, "cublas", lambda: None)
    device.probe.cache_clear()
    return driver


def pytest_configure() -> None:
    """As a plugin: the stand-in for the whole run."""
    install(Path(tempfile.mkdtemp(prefix="fake_pycuda")), dict.__setitem__, setattr)
