"""The CUDA program: a plan's kernels on a GPU through pycuda (``cudagen[cuda]``).

``PycudaDevice`` is the executor's device on a GPU: allocations, copies and launches
through pycuda's driver API, the module loaded from nvcc's cached cubin (or PTX, which
the driver compiles, for a GPU newer than nvcc knows), dot/matmul through cuBLAS.
``CudaProgram`` is graphcore's Program seam: arguments copied to the device once per
call, outputs copied back (or kept on the device when borrowed), and shared values
resident on the device between calls (``Resident``).
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from cudagen.cublas import cublas
from cudagen.executor import Device, DeviceArray, Executor
from cudagen.kernels import MatmulKernel
from cudagen.launch import Launch, LaunchConfig
from cudagen.nvcc import compile_module, toolkit
from cudagen.plan import Plan
from graphcore import CallLayout


class Resident:
    """A shared value that lives on the device: ``host_value()`` copies it to the host
    when asked (``SharedVariable.get_value``), once per new value."""

    def __init__(self, array: DeviceArray, executor: Executor):
        self.array = array
        self._executor = executor
        self._host: np.ndarray | None = None

    def host_value(self) -> np.ndarray:
        if self._host is None:
            self._executor.counters.outputs_copied += 1
            self._host = self._executor.to_host(self.array)
        return self._host

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        value = self.host_value()
        return value if dtype is None else value.astype(dtype)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.array.shape

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.array.dtype


class Allocation:
    """A pycuda allocation with the address the executor reads; when the object goes,
    the memory goes back to its pool (cuMemFree would wait for the device)."""

    def __init__(self, allocation: Any, pool: Pool, nbytes: int):
        self.allocation = allocation
        self.address = int(allocation)
        weakref.finalize(self, pool.release, nbytes, allocation)


class Pool:
    """Device memory no value holds any more, by size, reused before cuMemAlloc."""

    def __init__(self, driver: Any):
        self.driver = driver
        self.free: dict[int, list[Any]] = {}

    def take(self, nbytes: int) -> Allocation:
        kept = self.free.get(nbytes)
        raw = kept.pop() if kept else self.driver.mem_alloc(nbytes)
        return Allocation(raw, self, nbytes)

    def release(self, nbytes: int, raw: Any) -> None:
        self.free.setdefault(nbytes, []).append(raw)

    def clear(self) -> None:
        self.free.clear()


class PycudaDevice:
    """The executor's device on the current pycuda context."""

    def __init__(self, driver: Any, source: str):
        # The first device's primary context, shared with CuPy, JAX or PyTorch in the process.
        import pycuda.autoprimaryctx  # noqa: F401

        self.driver = driver
        self.config = LaunchConfig()
        device = driver.Context.get_device()
        major, minor = device.compute_capability()
        arch = f"sm_{major}{minor}"
        if arch in toolkit().archs:
            image = compile_module(source, arch, "cubin")
        else:  # a GPU newer than this nvcc: the driver compiles the newest PTX it has
            known = [a for a in toolkit().archs if int(a[3:]) <= major * 10 + minor]
            ptx = compile_module(source, max(known, key=lambda a: int(a[3:])), "ptx")
            image = ptx + b"\0"  # cuModuleLoadData reads PTX as a NUL-terminated string
        self.module = driver.module_from_buffer(image)
        self.pool = Pool(driver)
        self._functions: dict[str, Any] = {}

    def alloc(self, nbytes: int) -> Allocation:
        return self.pool.take(max(nbytes, 1))

    def upload(self, array: np.ndarray) -> Any:
        contiguous = np.ascontiguousarray(array)
        buffer = self.alloc(contiguous.nbytes)
        if contiguous.nbytes:
            self.driver.memcpy_htod(buffer.address, contiguous)
        return buffer

    def download(self, buffer: Any, nbytes: int, offset: int, out: np.ndarray) -> None:
        self.driver.memcpy_dtoh(out, buffer.address + offset)

    def launch(self, launch: Launch) -> None:
        function = self._functions.get(launch.kernel)
        if function is None:
            function = self._functions[launch.kernel] = self.module.get_function(launch.kernel)
        function._launch_kernel(launch.grid, launch.block, launch.arguments, 0, None)

    def matmul(self, kernel: MatmulKernel, ins: Sequence[DeviceArray], out: DeviceArray) -> bool:
        library = cublas()
        if library is None:
            return False
        batch = kernel.strided_batch(ins)
        if batch is None:
            return False  # batches cuBLAS cannot stride through: the tiled kernel
        m, n, k, a_strides, b_strides = kernel.matrices(ins)
        return library.gemm(
            kernel.dtype, m, n, k, (ins[0].address, a_strides), (ins[1].address, b_strides),
            out.address, batch,
        )  # fmt: skip


class CudaProgram:
    """graphcore's Program on a GPU (``PycudaDevice``; the tests' CPU harness runs it too):
    ``call(args)`` -> every output of the graph."""

    def __init__(
        self, plan: Plan, layout: CallLayout, device: Device, updates: dict[int, int] | None = None
    ):
        self.plan = plan
        self.layout = layout
        self.device = device
        self.executor = Executor(plan, device)
        self._shared_cells = list(layout.input_cells[layout.n_args :])
        self._uploaded: dict[int, tuple[Any, DeviceArray]] = {}
        # Borrowed outputs, and the next values of shared variables, stay on the device.
        updates = updates or {}
        self._keep = [bool(b) or k in updates for k, b in enumerate(layout.borrow)]

    def call(self, args: Sequence[Any]) -> list[Any]:
        values: list[Any] = list(args)
        for position, cell in enumerate(self._shared_cells):
            values.append(self._shared_on_device(position, cell[0]))
        outputs = self.executor.run(values, self._keep)
        return [
            Resident(out, self.executor) if isinstance(out, DeviceArray) else out for out in outputs
        ]

    def _shared_on_device(self, position: int, value: Any) -> Any:
        """A shared value's device copy: its own when it is resident (an update of a CUDA
        function), else the copy made when this host value was first seen (a new value,
        set_value's, is copied again)."""
        if isinstance(value, Resident):
            return value.array
        kept = self._uploaded.get(position)
        if kept is None or kept[0] is not value:
            if not isinstance(value, np.ndarray):
                return value
            self.executor.counters.inputs_copied += 1
            kept = self._uploaded[position] = (value, self.executor.to_device(value))
        return kept[1]

    @property
    def counters(self) -> Any:
        return self.executor.counters

    def free(self) -> None:
        self.executor._constants.clear()
        self._uploaded.clear()
        pool = getattr(self.device, "pool", None)
        if pool is not None:
            pool.clear()
