"""The CPU harness: generated CUDA compiled by g++ with the grid run as loops.

``CpuGrid`` is an executor ``Device`` whose memory is host memory and whose launches
call the kernels once per (block, thread), through a wrapper per kernel that unpacks
the same parameter buffer ``cuLaunchKernel`` would read. Reductions and matrix products
cooperate within a block, so the harness runs them with one-thread blocks (grid_host.h);
elementwise kernels run with several threads per block. Small grids (``max_blocks``)
make every grid-stride loop go round more than once.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cudagen.executor import DeviceArray
from cudagen.kernels import MatmulKernel
from cudagen.launch import Launch, LaunchConfig
from cudagen.rules import Kernel
from cudagen.source import module_source
from cudagen.views import Layout

HEADER = Path(__file__).with_name("grid_host.h")
_SIGNATURE = re.compile(r'extern "C" __global__ void (\w+)\((.*?)\)\s*\{', re.DOTALL)

COOPERATIVE = LaunchConfig(threads=1, max_blocks=3, tile=1)
"""Reductions and products: one thread per block, three blocks."""
ELEMENTWISE = LaunchConfig(threads=4, max_blocks=3, tile=1)


def _wrapper(name: str, parameters: str) -> str:
    """``launch_<name>(gx, gy, bx, by, buffer)``: the parameters unpacked, then the
    kernel called once per thread of every block."""
    lines = [f'extern "C" void launch_{name}(unsigned gx, unsigned gy, unsigned bx, '
             "unsigned by, const char *buffer) {"]  # fmt: skip
    arguments = []
    offset = 0
    for k, parameter in enumerate(p.strip() for p in parameters.split(",")):
        found = re.fullmatch(r"(.*?)(\w+)", parameter, re.DOTALL)
        assert found is not None, parameter
        ctype = found.group(1).replace("__restrict__", "").strip()
        lines.append(f"    {ctype} p{k}; std::memcpy(&p{k}, buffer + {offset}, sizeof p{k});")
        offset += 64 if "cu_dims" in ctype else 8
        arguments.append(f"p{k}")
    lines += [
        "    gridDim = {gx, gy, 1}; blockDim = {bx, by, 1};",
        "    for (unsigned y = 0; y < gy; ++y) for (unsigned x = 0; x < gx; ++x) {",
        "        blockIdx = {x, y, 0};",
        "        for (unsigned ty = 0; ty < by; ++ty) for (unsigned tx = 0; tx < bx; ++tx) {",
        "            threadIdx = {tx, ty, 0};",
        f"            {name}({', '.join(arguments)});",
        "        }",
        "    }",
        "}",
    ]
    return "\n".join(lines)


def host_source(kernels: Sequence[Kernel]) -> str:
    """The module as g++ compiles it: the header, the CUDA source, a wrapper per kernel."""
    cuda = module_source(kernels)
    wrappers = [_wrapper(name, parameters) for name, parameters in _SIGNATURE.findall(cuda)]
    return "\n".join([f'#include "{HEADER}"', cuda, *wrappers])


def build(kernels: Sequence[Kernel], folder: Path) -> ctypes.CDLL:
    """The kernels as a shared library (kept in ``folder`` under the source's hash)."""
    source = host_source(kernels)
    key = hashlib.sha256(source.encode()).hexdigest()[:20]
    library = folder / f"grid_{key}.so"
    if not library.exists():
        cpp = folder / f"grid_{key}.cpp"
        cpp.write_text(source)
        with tempfile.NamedTemporaryFile(dir=folder, suffix=".so", delete=False) as partial:
            pass
        command = [os.environ.get("CXX", "g++"), "-std=c++17", "-O1", "-shared", "-fPIC",
                   "-w", "-o", partial.name, str(cpp)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            os.unlink(partial.name)
            raise RuntimeError(f"g++ failed on {cpp}:\n{done.stderr[-4000:]}")
        os.replace(partial.name, library)
    return ctypes.CDLL(str(library))


class HostBuffer:
    """Host memory standing for device memory (or a NumPy array's, viewed in place)."""

    def __init__(self, array: np.ndarray):
        self.array = array

    @property
    def address(self) -> int:
        return int(self.array.__array_interface__["data"][0])


class CpuGrid:
    """An executor device running kernels from a harness library on the CPU."""

    def __init__(self, library: ctypes.CDLL, config: LaunchConfig = ELEMENTWISE):
        self.library = library
        self.config = config
        self.launched: list[str] = []

    def alloc(self, nbytes: int) -> HostBuffer:
        # Garbage, as device memory is: a kernel that reads what it did not write shows.
        return HostBuffer(np.full(nbytes, 0xA5, np.uint8))

    def upload(self, array: np.ndarray) -> HostBuffer:
        return HostBuffer(np.ascontiguousarray(array).copy().reshape(-1).view(np.uint8))

    def download(self, buffer: Any, nbytes: int, offset: int, out: np.ndarray) -> None:
        source = np.frombuffer(
            (ctypes.c_char * nbytes).from_address(buffer.address + offset), np.uint8
        )
        out.reshape(-1).view(np.uint8)[:] = source

    def launch(self, launch: Launch) -> None:
        self.launched.append(launch.kernel)
        function = getattr(self.library, f"launch_{launch.kernel}")
        grid, block = launch.grid, launch.block
        cooperative = launch.kernel.startswith(("cu_red", "cu_mm"))
        if cooperative and (block[0] * block[1] != 1):
            raise AssertionError(f"{launch.kernel}: the harness runs it with one-thread blocks")
        function(grid[0], grid[1], block[0], block[1], ctypes.c_char_p(launch.arguments))

    def matmul(self, kernel: MatmulKernel, ins: Sequence[Any], out: Any) -> bool:
        return False


def in_place(array: np.ndarray) -> DeviceArray:
    """A NumPy array (any strides) as a device array over its own memory: kernels read
    the view as it is, with no copy."""
    base = array
    while isinstance(base.base, np.ndarray):
        base = base.base
    lowest = array.__array_interface__["data"][0] + sum(
        (n - 1) * s for n, s in zip(array.shape, array.strides, strict=True) if s < 0 and n
    )
    start = min(lowest, base.__array_interface__["data"][0])
    return DeviceArray(Pinned(start, array), array.dtype, Layout.of(array, start))


class Pinned:
    """Memory at a fixed address, kept alive by the array that owns it."""

    def __init__(self, address: int, owner: np.ndarray):
        self.address = address
        self.owner = owner
