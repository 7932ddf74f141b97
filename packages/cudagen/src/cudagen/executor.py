"""Runs a plan on a device: kernels launched, views as stride arithmetic, host ops in
Python, every crossing between host and device counted.

The device is anything with the four operations of ``Device``: pycuda's (runtime.py)
on a GPU, or the CPU harness of the tests, which runs the same kernels compiled as C++
with the grid as loops. So everything here but the device itself is tested without one.

Kernels cannot raise. Those that can meet NumPy's errors (a gather's or scatter's index
out of bounds, an integer's negative power) or a guard's (a condition false: ppl's
parameter checks) flag them in a status word of their node
(one int64 per such node, in one device array made once). The executor reads the words
back once per call, where the host waits for the device anyway: before any device value
is copied to the host (a host op's input), and after the last step, before the outputs;
it then raises NumPy's exception (or the guard's own) for the first node in the plan's
order that flagged one (an exception of a later step, raised first, gives way to it), so
a failed call returns nothing and updates no shared value, as on the Python backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from cudagen.indexed import STATUS_CLEAR, GatherKernel, ScatterKernel
from cudagen.joined import GuardKernel, RegionKernel
from cudagen.kernels import ElementwiseKernel, MatmulKernel, ReduceKernel
from cudagen.launch import Launch, LaunchConfig
from cudagen.ops import copy_kernel
from cudagen.plan import Plan, PlanStep
from cudagen.scanned import ArgReduceKernel, CumulativeKernel
from cudagen.views import Layout, NotAViewError, broadcast_layout, subtensor_layout
from graphcore import Apply, Constant, Variable


class Buffer(Protocol):
    """Device memory: its address, kept allocated as long as the object lives."""

    @property
    def address(self) -> int: ...


class Device(Protocol):
    config: LaunchConfig

    def alloc(self, nbytes: int) -> Buffer: ...

    def upload(self, array: np.ndarray) -> Buffer:
        """A new buffer holding ``array``'s elements in row-major order."""
        ...

    def download(self, buffer: Buffer, nbytes: int, offset: int, out: np.ndarray) -> None:
        """``nbytes`` from ``offset`` bytes into the buffer, into contiguous ``out``."""
        ...

    def launch(self, launch: Launch) -> None: ...

    def matmul(self, kernel: MatmulKernel, ins: Sequence[DeviceArray], out: DeviceArray) -> bool:
        """A library's matrix product where it has one (cuBLAS); False: run the kernel."""
        ...


@dataclass
class DeviceArray:
    """An array on the device: a buffer, a dtype and a layout (strides in elements)."""

    buffer: Buffer
    dtype: np.dtype[Any]
    layout: Layout

    @property
    def address(self) -> int:
        return self.buffer.address + self.layout.offset * self.dtype.itemsize

    @property
    def shape(self) -> tuple[int, ...]:
        return self.layout.shape

    @property
    def strides(self) -> tuple[int, ...]:
        return self.layout.strides

    @property
    def size(self) -> int:
        return int(np.prod(self.layout.shape, dtype=np.int64))


@dataclass
class Counters:
    """Copies made: arguments in, outputs out, constants once, and transfers (a host
    op's device input, a kernel's host input)."""

    inputs_copied: int = 0
    outputs_copied: int = 0
    constants_copied: int = 0
    transfers: int = 0
    launches: int = 0
    library_calls: int = 0
    status_reads: int = 0
    """Status words read back (8 bytes a checking node, once per call at most)."""


def _checks(kernel: Any) -> bool:
    """Whether a kernel reports errors through a status word."""
    return isinstance(kernel, (GatherKernel, ScatterKernel, GuardKernel)) or (
        isinstance(kernel, ElementwiseKernel) and kernel.checks
    )


@dataclass(frozen=True)
class PendingCheck:
    """A node launched in this call whose status word is not read yet: a gather or
    scatter (its indices, the rows they index), an elementwise kernel computing an
    integer power (no indices), or a guard (its error)."""

    slot: int
    indices: DeviceArray | None
    rows: int
    error: Exception | None = None
    """A guard's error, raised as it is when its word is set."""


@dataclass
class Value:
    """A value on the host, on the device, or both."""

    host: Any = None
    device: DeviceArray | None = None


@dataclass
class Executor:
    """One compiled function's plan on one device; ``run(arguments)`` -> outputs."""

    plan: Plan
    device: Device
    counters: Counters = field(default_factory=Counters)
    _constants: dict[Variable, DeviceArray] = field(default_factory=dict)
    _status: DeviceArray | None = None
    """A status word per checking node of the plan (gathers, scatters, integer powers,
    guards), made on first use."""
    _slots: dict[Apply, int] = field(default_factory=dict)
    _pending: list[PendingCheck] = field(default_factory=list)

    def run(self, arguments: Sequence[Any], keep_on_device: Sequence[bool] = ()) -> list[Any]:
        self._pending.clear()
        try:
            return self._run(arguments, keep_on_device)
        except Exception:
            # An error an earlier node flagged comes first, as in the Python backend.
            self.check_status()
            raise

    def _run(self, arguments: Sequence[Any], keep_on_device: Sequence[bool]) -> list[Any]:
        values: dict[Variable, Value] = {}
        for var, argument in zip(self.plan.inputs, arguments, strict=True):
            values[var] = (
                Value(device=argument)
                if isinstance(argument, DeviceArray)
                else Value(host=argument)
            )
        for step in self.plan.steps:
            if step.role == "fused":
                continue
            if step.role == "split":
                for old, new in step.aliases:
                    values[old] = self._value(values, new)
                continue
            if step.role == "kernel":
                self._kernel(step, values)
            elif step.role == "view":
                self._view(step, values)
            else:
                self._host(step, values)
        self.check_status()
        outputs: list[Any] = []
        for position, var in enumerate(self.plan.outputs):
            value = self._value(values, var)
            keep = position < len(keep_on_device) and keep_on_device[position]
            if keep and value.device is not None:
                outputs.append(value.device)
            elif value.host is not None:
                outputs.append(
                    np.array(value.host, copy=True) if var in self.plan.inputs else value.host
                )
            else:
                assert value.device is not None
                self.counters.outputs_copied += 1
                outputs.append(self.to_host(value.device))
        return outputs

    # -- values ---------------------------------------------------------------------
    def _value(self, values: dict[Variable, Value], var: Variable) -> Value:
        if var not in values and isinstance(var, Constant):
            values[var] = Value(host=np.asarray(var.data))
        return values[var]

    def on_device(self, values: dict[Variable, Value], var: Variable) -> DeviceArray:
        value = self._value(values, var)
        if value.device is None:
            if isinstance(var, Constant):
                if var not in self._constants:
                    self.counters.constants_copied += 1
                    self._constants[var] = self.to_device(np.asarray(var.data))
                value.device = self._constants[var]
            else:
                if var in self.plan.inputs:
                    self.counters.inputs_copied += 1
                else:
                    self.counters.transfers += 1
                value.device = self.to_device(np.asarray(value.host, dtype=var.type.dtype))  # type: ignore[attr-defined]
        return value.device

    def on_host(self, values: dict[Variable, Value], var: Variable) -> Any:
        value = self._value(values, var)
        if value.host is None:
            assert value.device is not None
            self.check_status()
            self.counters.transfers += 1
            value.host = self.to_host(value.device)
        return value.host

    def to_device(self, array: np.ndarray) -> DeviceArray:
        return DeviceArray(self.device.upload(array), array.dtype, Layout.contiguous(array.shape))

    def to_host(self, array: DeviceArray) -> np.ndarray:
        """A contiguous host copy (a strided view is made contiguous on the device first)."""
        if not array.layout.is_contiguous:
            array = self._copy_contiguous(array)
        out = np.empty(array.shape, array.dtype)
        if out.nbytes:
            self.device.download(
                array.buffer, out.nbytes, array.layout.offset * array.dtype.itemsize, out
            )
        return out

    def _copy_contiguous(self, array: DeviceArray) -> DeviceArray:
        kernel = copy_kernel((str(array.dtype), tuple(n == 1 for n in array.shape)))
        out = self.empty(array.shape, array.dtype)
        for launch in kernel.launches([array], [out], self.device.config):
            self._launch(launch)
        return out

    def empty(self, shape: tuple[int, ...], dtype: np.dtype[Any]) -> DeviceArray:
        nbytes = max(1, int(np.prod(shape, dtype=np.int64)) * dtype.itemsize)
        return DeviceArray(self.device.alloc(nbytes), dtype, Layout.contiguous(shape))

    def _launch(self, launch: Launch) -> None:
        self.counters.launches += 1
        self.device.launch(launch)

    # -- steps ----------------------------------------------------------------------
    def _kernel(self, step: PlanStep, values: dict[Variable, Value]) -> None:
        assert step.kernel is not None
        kernel = step.kernel.kernel
        ins = [self.on_device(values, var) for var in step.kernel.inputs]
        if isinstance(kernel, GuardKernel):
            self._guard(step, kernel, ins, values)
            return
        if isinstance(kernel, RegionKernel):
            self._region(step, kernel, ins, values)
            return
        shapes = kernel.output_shapes([op.shape for op in ins])
        outs = [
            self.empty(shape, np.dtype(var.type.dtype))  # type: ignore[attr-defined]
            for shape, var in zip(shapes, step.node.outputs, strict=True)
        ]
        if isinstance(kernel, MatmulKernel):
            if self.device.matmul(kernel, ins, outs[0]):
                self.counters.library_calls += 1
            else:
                for launch in kernel.launches(ins, outs, self.device.config):
                    self._launch(launch)
        elif isinstance(kernel, (GatherKernel, ScatterKernel)):
            self._indexing(step, kernel, ins, outs)
        elif isinstance(kernel, (ReduceKernel, CumulativeKernel, ArgReduceKernel)):
            scratch = self.device.alloc(
                kernel.scratch_bytes([op.shape for op in ins], self.device.config)
            )
            for launch in kernel.launches(ins, outs, self.device.config, scratch.address):
                self._launch(launch)
        elif isinstance(kernel, ElementwiseKernel) and kernel.checks:
            status = self._status_word(step)
            for launch in kernel.launches(ins, outs, self.device.config, status):
                self._launch(launch)
            self._pending.append(PendingCheck(self._slots[step.node], None, 0))
        else:
            for launch in kernel.launches(ins, outs, self.device.config):
                self._launch(launch)
        for var, out in zip(step.node.outputs, outs, strict=True):
            values[var] = Value(device=out)

    def _region(
        self,
        step: PlanStep,
        kernel: RegionKernel,
        ins: Sequence[DeviceArray],
        values: dict[Variable, Value],
    ) -> None:
        """``x[key]`` set to (or incremented by) ``y`` in a contiguous copy of ``x``: the
        key's values from the host, NumPy's errors for a bad index or a ``y`` that does
        not broadcast to the region."""
        assert step.kernel is not None
        x, y = ins
        key = [
            np.asarray(self.on_host(values, step.node.inputs[p])) for p in step.kernel.host_inputs
        ]
        out = self._copy_contiguous(x)
        region = subtensor_layout(out.layout, kernel.spec, key)
        try:
            value = DeviceArray(y.buffer, y.dtype, broadcast_layout(y.layout, region.shape))
        except ValueError:
            raise kernel.refuse(region.shape, y.shape) from None
        targets = DeviceArray(out.buffer, out.dtype, region)
        for launch in kernel.launches(targets, value, self.device.config):
            self._launch(launch)
        values[step.node.outputs[0]] = Value(device=out)

    def _indexing(
        self,
        step: PlanStep,
        kernel: GatherKernel | ScatterKernel,
        ins: Sequence[DeviceArray],
        outs: Sequence[DeviceArray],
    ) -> None:
        """A gather or scatter, its bad indices recorded in this node's status word."""
        status = self._status_word(step)
        scratch = self.device.alloc(kernel.scratch_bytes([op.shape for op in ins]))
        for launch in kernel.launches(ins, outs, self.device.config, status, scratch.address):
            self._launch(launch)
        indices = ins[kernel.index_input]
        self._pending.append(PendingCheck(self._slots[step.node], indices, ins[0].shape[0]))

    def _guard(
        self,
        step: PlanStep,
        kernel: GuardKernel,
        ins: Sequence[DeviceArray],
        values: dict[Variable, Value],
    ) -> None:
        """The conditions checked into this node's status word; the guarded value is
        the result as it is (no copy)."""
        status = self._status_word(step)
        for launch in kernel.launches(ins[1:], self.device.config, status):
            self._launch(launch)
        error = kernel.error(kernel.message)
        self._pending.append(PendingCheck(self._slots[step.node], None, 0, error))
        values[step.node.outputs[0]] = Value(device=ins[0])

    def _status_word(self, step: PlanStep) -> int:
        """The address of this node's status word (one per checking node of the plan,
        made clear on first use)."""
        if self._status is None:
            checked = [s.node for s in self.plan.steps if s.kernel is not None
                       and _checks(s.kernel.kernel)]  # fmt: skip
            self._slots = {node: slot for slot, node in enumerate(checked)}
            self._status = self.to_device(np.full(len(checked), STATUS_CLEAR, np.int64))
        return self._status.address + 8 * self._slots[step.node]

    def check_status(self) -> None:
        """Reads the status words of this call's checking nodes (once: the host waits
        for the device there anyway) and raises NumPy's error for the first node that
        flagged one: an IndexError for an index out of bounds, a ValueError for an
        integer's negative power, a guard's own error for a false condition."""
        if not self._pending or self._status is None:
            return
        pending, self._pending = self._pending, []
        words = np.empty(self._status.shape, np.int64)
        self.counters.status_reads += 1
        self.device.download(self._status.buffer, words.nbytes, 0, words)
        for check in pending:
            position = int(words[check.slot])
            if position == STATUS_CLEAR:
                continue
            # The status words are cleared for the next call (a fresh copy).
            self._status = self.to_device(np.full(words.shape, STATUS_CLEAR, np.int64))
            if check.error is not None:
                raise check.error
            if check.indices is None:
                raise ValueError("Integers to negative integer powers are not allowed.")
            index = np.empty((), check.indices.dtype)
            layout = check.indices.layout
            offset = (layout.offset + position * layout.strides[0]) * index.itemsize
            self.device.download(check.indices.buffer, index.itemsize, offset, index)
            raise IndexError(
                f"index {int(index)} is out of bounds for axis 0 with size {check.rows}"
            )

    def _view(self, step: PlanStep, values: dict[Variable, Value]) -> None:
        assert step.view is not None
        source = self.on_device(values, step.node.inputs[0])
        extra = [
            np.asarray(self.on_host(values, step.node.inputs[position]))
            for position in step.view.host_inputs
        ]
        try:
            layout = step.view.layout(source.layout, extra)
        except NotAViewError:
            source = self._copy_contiguous(source)
            layout = step.view.layout(source.layout, extra)
        values[step.node.outputs[0]] = Value(
            device=DeviceArray(source.buffer, source.dtype, layout)
        )

    def _host(self, step: PlanStep, values: dict[Variable, Value]) -> None:
        node = step.node
        if step.role == "shape":
            inputs = [self._shape_only(values, var) for var in node.inputs]
        else:
            inputs = [self.on_host(values, var) for var in node.inputs]
        storage: list[list[Any]] = [[None] for _ in node.outputs]
        node.op.perform(node, inputs, storage)
        for var, cell in zip(node.outputs, storage, strict=True):
            values[var] = Value(host=cell[0])

    def _shape_only(self, values: dict[Variable, Value], var: Variable) -> Any:
        """What a shape op reads: the host value, or a stand-in of the device value's
        lengths (no copy: the host knows every device array's lengths)."""
        value = self._value(values, var)
        if value.host is not None:
            return value.host
        assert value.device is not None
        return np.broadcast_to(np.zeros((), value.device.dtype), value.device.shape)
