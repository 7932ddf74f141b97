"""mode='CUDA' without a GPU: one clear error, whichever part is missing."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

import tensorops as pt
from cudagen import device
from cudagen.linker import CudaLinker
from graphcore import available_linkers, function, get_mode
from graphcore.compile import linkers

NO_DEVICE = "no CUDA device or driver was found"


@pytest.fixture()
def fresh_probe() -> Iterator[None]:
    device.probe.cache_clear()
    yield
    device.probe.cache_clear()


def _compile() -> object:
    x = pt.vector("x")
    return function([x], pt.exp(x).sum(), mode="CUDA")


def test_cuda_is_a_predefined_mode() -> None:
    mode = get_mode("CUDA")
    assert mode.linker == "cuda"
    assert mode.optimizer is not None and "fast_run" in mode.optimizer.include


def test_auto_never_picks_cuda() -> None:
    assert CudaLinker.priority < 0
    assert "cuda" not in available_linkers(min_priority=0)


def test_without_pycuda(fresh_probe: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pycuda", None)  # import pycuda raises ImportError
    monkeypatch.setitem(sys.modules, "pycuda.driver", None)
    linkers.register_linker("cuda", CudaLinker)
    with pytest.raises(device.NoCudaDeviceError, match=NO_DEVICE) as raised:
        _compile()
    assert "pycuda is not importable" in str(raised.value)
    assert "mode='FAST_RUN'" in str(raised.value)


def test_pycuda_without_the_driver_library(
    fresh_probe: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pycuda installed (a GPU machine's wheel) where no NVIDIA driver is: its extension
    cannot load libcuda.so.1, and the error says that rather than to install pycuda."""

    class NoDriverLibrary(types.ModuleType):
        def __getattr__(self, name: str) -> None:
            raise ImportError("libcuda.so.1: cannot open shared object file")

    monkeypatch.setitem(sys.modules, "pycuda", NoDriverLibrary("pycuda"))
    linkers.register_linker("cuda", CudaLinker)
    with pytest.raises(device.NoCudaDeviceError, match=NO_DEVICE) as raised:
        _compile()
    assert "no CUDA driver library" in str(raised.value)
    assert "install cudagen[cuda]" not in str(raised.value)


def test_without_a_driver(fresh_probe: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_init() -> None:
        raise RuntimeError("cuInit failed: no CUDA-capable device is detected")

    driver = types.SimpleNamespace(init=failing_init)
    package = types.ModuleType("pycuda")
    package.driver = driver  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pycuda", package)
    monkeypatch.setitem(sys.modules, "pycuda.driver", driver)  # type: ignore[arg-type]
    linkers.register_linker("cuda", CudaLinker)
    with pytest.raises(device.NoCudaDeviceError, match=NO_DEVICE) as raised:
        _compile()
    assert "cuInit failed" in str(raised.value)


def test_without_cudagen(monkeypatch: pytest.MonkeyPatch) -> None:
    available_linkers()  # entry points read
    monkeypatch.delitem(linkers._linkers, "cuda", raising=False)
    with pytest.raises(ValueError, match=r"mode='CUDA' needs the cudagen package"):
        _compile()
