"""The CPU harness: generated CUDA compiled by g++, a block's threads run as coroutines.

``CpuGrid`` is an executor ``Device`` whose memory is host memory and whose launches run
the kernels on every (block, thread), through a wrapper per kernel that unpacks the same
parameter buffer ``cuLaunchKernel`` would read. Blocks run one after another, the
threads of one as coroutines taking turns between barriers (grid_host.h), so reductions
really shuffle within warps and meet in shared memory, and tiles really wait at
``__syncthreads``. Small grids (``max_blocks``) make every grid-stride loop go round
more than once.
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

ONE_THREAD = LaunchConfig(threads=1, max_blocks=3, tile=1)
"""One thread per block, three blocks: every loop over a grid goes round."""
WARPS = LaunchConfig(threads=64, max_blocks=3, tile=4)
"""Two warps a block (a reduction shuffles within each, then meets in shared memory),
three blocks, tiles of 4 x 4 threads."""
ELEMENTWISE = LaunchConfig(threads=4, max_blocks=3, tile=1)
"""Four threads a block, three blocks: for kernels whose threads do not cooperate."""


def _wrapper(name: str, parameters: str) -> str:
    """``launch_<name>(gx, gy, bx, by, buffer)``: the kernel run on every thread of every
    block (grid_host.h), each thread unpacking the parameters; 1 when threads got stuck."""
    lines = [f'extern "C" int launch_{name}(unsigned gx, unsigned gy, unsigned bx, '
             "unsigned by, const char *buffer) {",
             "    return cu_run_grid(gx, gy, bx, by, buffer, [](const char *buffer) {"]  # fmt: skip
    arguments = []
    offset = 0
    for k, parameter in enumerate(p.strip() for p in parameters.split(",")):
        found = re.fullmatch(r"(.*?)(\w+)", parameter, re.DOTALL)
        assert found is not None, parameter
        ctype = found.group(1).replace("__restrict__", "").strip()
        lines.append(f"        {ctype} p{k}; std::memcpy(&p{k}, buffer + {offset}, sizeof p{k});")
        offset += 64 if "cu_dims" in ctype else 8
        arguments.append(f"p{k}")
    lines += [f"        {name}({', '.join(arguments)});", "    });", "}"]
    return "\n".join(lines)


def host_source(cuda: str) -> str:
    """A CUDA module's source as g++ compiles it: the header, the source, a wrapper per
    kernel."""
    wrappers = [_wrapper(name, parameters) for name, parameters in _SIGNATURE.findall(cuda)]
    return "\n".join([f'#include "{HEADER}"', cuda, *wrappers])


def build(kernels: Sequence[Kernel], folder: Path) -> ctypes.CDLL:
    """The kernels as a shared library (kept in ``folder`` under the source's hash)."""
    return build_module(module_source(kernels), folder)


def build_module(cuda: str, folder: Path) -> ctypes.CDLL:
    """A CUDA module's source as a shared library (kept in ``folder`` under its hash)."""
    source = host_source(cuda)
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
        if launch.kernel.startswith("cu_red") and block[0] % 32 and block[0] != 1:
            raise AssertionError(f"{launch.kernel}: cu_block_reduce takes whole warps, not "
                                 f"blocks of {block[0]} threads")  # fmt: skip
        function.restype = ctypes.c_int
        stuck = function(grid[0], grid[1], block[0], block[1], ctypes.c_char_p(launch.arguments))
        if stuck:
            raise AssertionError(
                f"{launch.kernel}: some threads of a block never reached a __syncthreads or "
                "a warp shuffle that others waited at (divergent code)"
            )

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
