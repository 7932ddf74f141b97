"""The Python backend's thunks for ``Elemwise``, registered on graphcore's ``python_thunks``.

A table row gets its kernel bound to the node's dtypes once, when the node is linked.
A Composite gets a *fused loop*: its steps written out once per linked node as
straight-line Python (one NumPy call per step, each writing into a reused buffer, so
a call allocates no temporaries), run over blocks of ``BLOCK_SIZE`` elements so that a
long chain's temporaries stay in cache instead of streaming through memory once per
step. Steps whose arguments are all broadcast along the blocked axis (a scalar
parameter's ``exp(log_sigma)``) run once per call, before the loop.

Kernels, buffers and the generated code live in the thunk, that is in the linked
program; the op and the node stay plain data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphcore import Apply
from graphcore.compile.thunks import Cell, Thunk, python_thunks
from tensorops.composite import Composite
from tensorops.elemwise import Elemwise
from tensorops.opsupport import tensor_type
from tensorops.scalar_ops import Kernel

BLOCK_SIZE = 16384
"""Elements per block: a few such buffers of float64 fit in a core's L2 cache."""


@python_thunks.register(Elemwise)
def elemwise_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """The node's kernel (a row) or fused loop (a Composite), bound to its cells."""
    op = node.op
    assert isinstance(op, Elemwise)
    if isinstance(op.scalar_op, Composite):
        return FusedLoop(node, op.scalar_op).thunk(input_cells, output_cells)
    return row_thunk(node, input_cells, output_cells)


def row_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """One table row over whole arrays, into last call's buffer (or the input it
    overwrites) when that fits."""
    op = node.op
    assert isinstance(op, Elemwise)
    kernel = op.scalar_op.kernel([tensor_type(v).dtype for v in node.inputs])
    dtype = tensor_type(node.outputs[0]).numpy_dtype
    (cell,) = output_cells
    overwritten = dict(op.inplace_pattern).get(0)

    def buffer(inputs: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray | None:
        out = cell[0] if overwritten is None else inputs[overwritten]
        if out is None or out.shape != shape or out.base is not None or out.dtype != dtype:
            return None
        if overwritten is not None and not out.flags.writeable:
            return None
        return out

    def buffer_or_new(inputs: Sequence[Any], shape: tuple[int, ...]) -> np.ndarray:
        out = buffer(inputs, shape)
        return np.empty(shape, dtype) if out is None else out

    if not writes_out(kernel) or len(input_cells) > 2:

        def thunk() -> None:
            inputs = [c[0] for c in input_cells]
            shape = inputs[0].shape
            for x in inputs:
                if x.shape != shape:
                    shape = op.runtime_shape(node, inputs)
                    break
            cell[0] = kernel(inputs, buffer(inputs, shape))

        return thunk
    # The common case, kept short: a unary or binary ufunc writing its own dtype.
    ufunc = kernel.function
    if len(input_cells) == 1:
        (x_cell,) = input_cells

        def unary() -> None:
            x = x_cell[0]
            cell[0] = ufunc(x, out=buffer_or_new((x,), x.shape))

        return unary
    x_cell, y_cell = input_cells

    def binary() -> None:
        x, y = x_cell[0], y_cell[0]
        shape = x.shape if x.shape == y.shape else op.runtime_shape(node, [x, y])
        cell[0] = ufunc(x, y, out=buffer_or_new((x, y), shape))

    return binary


def writes_out(kernel: Kernel) -> bool:
    """Whether the kernel is a ufunc that writes its output dtype into ``out=`` as it is."""
    return isinstance(kernel.function, np.ufunc) and kernel.use_out and kernel.casts is None


@dataclass
class Layout:
    """One way of walking the arrays: the generated code and its buffers.

    ``hoist(inputs)`` computes the steps that run once per call and returns the values
    the loop reads from before it; ``block(inputs, hoisted, outputs, registers)`` runs
    the other steps on one block (``inputs`` are the ``sliced`` inputs' blocks,
    ``outputs`` the ``loop_outputs``' blocks). ``copies`` fill the outputs no step of
    the loop writes: (output, source kind, index) with kinds "input", "constant",
    "hoisted" (index into the hoisted values) and "output".
    """

    flat: bool
    sliced: tuple[int, ...]
    hoist: Callable[[Sequence[np.ndarray]], tuple[np.ndarray, ...]] | None
    block: Callable[..., None]
    loop_outputs: tuple[int, ...]
    register_dtypes: tuple[np.dtype[Any], ...]
    copies: tuple[tuple[int, str, int], ...]
    source: str = field(repr=False)
    _storage: list[np.ndarray] = field(default_factory=list, repr=False)
    _views: dict[tuple[int, ...], tuple[np.ndarray, ...]] = field(default_factory=dict)

    def registers(self, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
        """The temporaries' buffers for blocks of ``shape`` (kept from call to call)."""
        views = self._views.get(shape)
        if views is not None:
            return views
        size = math.prod(shape)
        if not self._storage or self._storage[0].size < size:
            self._storage = [np.empty(size, dtype) for dtype in self.register_dtypes]
            self._views.clear()
        if len(self._views) > 8:
            self._views.clear()
        views = tuple(buffer[:size].reshape(shape) for buffer in self._storage)
        self._views[shape] = views
        return views


class FusedLoop:
    """The plan of one linked ``Elemwise(Composite)`` node."""

    def __init__(self, node: Apply, composite: Composite):
        op = node.op
        assert isinstance(op, Elemwise)
        self.node = node
        self.op = op
        self.composite = composite
        self.kernels = [
            step.op.kernel([composite.slot_dtypes[slot] for slot in step.arguments])
            for step in composite.steps
        ]
        self.dtypes = [tensor_type(v).numpy_dtype for v in node.outputs]
        out_shape = tensor_type(node.outputs[0]).shape
        self.ndim = len(out_shape)
        # Per slot, the axes along which its value is broadcast (length 1 where the
        # result is longer): from the inputs' types, and for a step their intersection.
        every = frozenset(axis for axis, n in enumerate(out_shape) if n != 1)
        input_axes = [
            frozenset(axis for axis in every if tensor_type(v).shape[axis] == 1)
            for v in node.inputs
        ]
        self.broadcast = input_axes + [every] * len(composite.constants)
        for step in composite.steps:
            self.broadcast.append(every.intersection(*(self.broadcast[a] for a in step.arguments)))
        self.full_inputs = [p for p, axes in enumerate(input_axes) if not axes]
        self.scalar_inputs = [p for p, axes in enumerate(input_axes) if axes and axes == every]
        # Inputs broadcast along some axes only (a row against a matrix) need NumPy's rule.
        self.partial = len(self.full_inputs) + len(self.scalar_inputs) < len(input_axes)
        self.overwritten = dict(op.inplace_pattern)
        self.layouts: dict[bool, Layout] = {}

    def layout(self, flat: bool) -> Layout:
        layout = self.layouts.get(flat)
        if layout is None:
            layout = self.layouts[flat] = generate(self, flat)
        return layout

    def thunk(self, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
        node, op = self.node, self.op
        dtypes = self.dtypes
        full_inputs, scalar_inputs = self.full_inputs, self.scalar_inputs
        ones = (1,) * self.ndim
        reference = full_inputs[0] if full_inputs and not self.partial else None
        overwritten = [self.overwritten.get(k) for k in range(len(output_cells))]
        whole = self.layout(flat=False)
        can_flatten = self.ndim > 1 and not self.partial

        def thunk() -> None:
            inputs = [cell[0] for cell in input_cells]
            if reference is None:
                shape = op.runtime_shape(node, inputs)
            else:
                shape = inputs[reference].shape
                if any(inputs[p].shape != shape for p in full_inputs) or any(
                    inputs[p].shape != ones for p in scalar_inputs
                ):
                    shape = op.runtime_shape(node, inputs)  # raises, naming the input
            outs = []
            for index, cell in enumerate(output_cells):
                if overwritten[index] is None:
                    out = cell[0]
                    if out is None or (out.shape != shape or out.base is not None
                                       or out.dtype != dtypes[index]):  # fmt: skip
                        out = np.empty(shape, dtypes[index])
                else:
                    out = op.reusable_output(inputs, shape, dtypes[index], index, None)
                    if out is None or self.aliased(inputs, index, out):
                        out = np.empty(shape, dtypes[index])
                outs.append(out)
            size = math.prod(shape)
            if size <= BLOCK_SIZE:
                layout = whole
                hoisted = () if layout.hoist is None else layout.hoist(inputs)
                layout.block(
                    [inputs[p] for p in layout.sliced],
                    hoisted,
                    [outs[k] for k in layout.loop_outputs],
                    layout.registers(shape),
                )
            else:
                flat = can_flatten and all(
                    inputs[p].flags.c_contiguous for p in full_inputs
                ) and all(out.flags.c_contiguous for out in outs)  # fmt: skip
                layout = self.layout(flat)
                hoisted = () if layout.hoist is None else layout.hoist(inputs)
                run_blocks(layout, inputs, outs, shape, hoisted)
            if layout.copies:
                fill_copies(layout, self.composite, inputs, hoisted, outs)
            for cell, out in zip(output_cells, outs, strict=True):
                cell[0] = out

        return thunk

    def aliased(self, inputs: list[Any], output: int, out: np.ndarray) -> bool:
        """Whether the input that output ``output`` overwrites is also read at another
        position (the same array or a view of it): blocks would read what was written."""
        position = self.overwritten[output]
        return any(
            other is out or np.may_share_memory(other, out)
            for p, other in enumerate(inputs)
            if p != position and isinstance(other, np.ndarray)
        )


def run_blocks(
    layout: Layout,
    inputs: list[np.ndarray],
    outs: list[np.ndarray],
    shape: tuple[int, ...],
    hoisted: tuple[np.ndarray, ...],
) -> None:
    """The loop over blocks: of ``BLOCK_SIZE`` elements (flat), or of whole rows."""
    rest: tuple[int, ...]
    if layout.flat:
        sources = [inputs[p].reshape(-1) for p in layout.sliced]
        targets = [outs[k].reshape(-1) for k in layout.loop_outputs]
        length, rest = math.prod(shape), ()
        step = BLOCK_SIZE
    else:
        sources = [inputs[p] for p in layout.sliced]
        targets = [outs[k] for k in layout.loop_outputs]
        length, rest = shape[0], shape[1:]
        step = max(1, BLOCK_SIZE // max(1, math.prod(rest)))
    block = layout.block
    registers = layout.registers((step, *rest))
    whole_blocks = length - length % step
    for start in range(0, whole_blocks, step):
        stop = start + step
        block([x[start:stop] for x in sources], hoisted, [o[start:stop] for o in targets],
              registers)  # fmt: skip
    if whole_blocks < length:
        block(
            [x[whole_blocks:] for x in sources],
            hoisted,
            [o[whole_blocks:] for o in targets],
            layout.registers((length - whole_blocks, *rest)),
        )


def fill_copies(
    layout: Layout,
    composite: Composite,
    inputs: list[np.ndarray],
    hoisted: tuple[np.ndarray, ...],
    outs: list[np.ndarray],
) -> None:
    """Outputs that are an input, a constant, a hoisted value or another output."""
    for output, kind, index in layout.copies:
        if kind == "input":
            source = inputs[index]
        elif kind == "constant":
            source = composite.constants[index]
        elif kind == "hoisted":
            source = hoisted[index]
        else:
            source = outs[index]
        np.copyto(outs[output], source)


def generate(loop: FusedLoop, flat: bool) -> Layout:
    """The hoisted part and the block body of ``loop`` for one layout, as Python."""
    return LoopWriter(loop, flat).layout()


class LoopWriter:
    """Writes one layout of a fused loop as Python source, naming each slot's value.

    In the block body a value lives in a *register* (a reused buffer of the block's
    shape) from the step computing it until its last reader has run; an output's value
    goes straight into the output's block.
    """

    def __init__(self, loop: FusedLoop, flat: bool):
        self.loop = loop
        self.flat = flat
        self.composite = composite = loop.composite
        self.namespace: dict[str, Any] = {"copyto": np.copyto}
        self.names: dict[int, str] = {}
        for index, value in enumerate(composite.constants):
            self.namespace[f"c{index}"] = value
            self.names[composite.nin + index] = f"c{index}"
        self.writers: dict[int, int] = {}
        for output in range(composite.nout):
            writer = composite.writer_of(output)
            if writer is not None:
                self.writers[writer] = output
        self.register_dtypes: list[np.dtype[Any]] = []
        self.free: dict[np.dtype[Any], list[int]] = {}
        self.held: dict[int, int] = {}  # slot -> the register holding its value

    def is_hoisted(self, slot: int) -> bool:
        """Broadcast along the blocked axis (every axis, when flat): computed once."""
        axes = self.loop.broadcast[slot]
        return bool(axes) if self.flat else 0 in axes

    def layout(self) -> Layout:
        composite = self.composite
        hoist_source, hoisted = self.write_hoist()
        sliced = tuple(p for p in range(composite.nin) if not self.is_hoisted(p))
        loop_outputs = tuple(
            output
            for step, output in sorted(self.writers.items())
            if not self.is_hoisted(composite.step_slot(step))
        )
        body = self.write_block_body()
        header = ["def block(x, h, o, r):"]
        for names, argument in (
            ([f"x{p}" for p in sliced], "x"),
            ([f"h{slot}" for slot in hoisted], "h"),
            ([f"o{k}" for k in loop_outputs], "o"),
            ([f"r{n}" for n in range(len(self.register_dtypes))], "r"),
        ):
            if names:
                header.append(f"    {_unpack(names)} = {argument}")
        source = "\n".join([hoist_source, *header, *(body or ["    pass"])]) + "\n"
        exec(compile(source, f"<fused loop of {composite}>", "exec"), self.namespace)
        return Layout(
            flat=self.flat,
            sliced=sliced,
            hoist=self.namespace.get("hoist"),
            block=self.namespace["block"],
            loop_outputs=loop_outputs,
            register_dtypes=tuple(self.register_dtypes),
            copies=self.copies(loop_outputs, hoisted),
            source=source,
        )

    def write_hoist(self) -> tuple[str, list[int]]:
        """``hoist(i)``: the hoisted inputs and steps' values, in slot order; the slots."""
        composite, kernels = self.composite, self.loop.kernels
        hoisted = [p for p in range(composite.nin) if self.is_hoisted(p)]
        names = {p: f"i{p}" for p in hoisted} | self.names
        lines = [f"    {_unpack(f'i{p}' for p in range(composite.nin))} = i"] if hoisted else []
        if self.flat:  # a broadcast value meets 1-d blocks: drop its length-1 axes
            lines += [f"    i{p} = i{p}.reshape(())" for p in hoisted]
        for index, step in enumerate(composite.steps):
            slot = composite.step_slot(index)
            if self.is_hoisted(slot):
                self.namespace[f"k{index}"] = kernels[index]
                arguments = "".join(f"{names[a]}, " for a in step.arguments)
                lines.append(f"    v{slot} = k{index}(({arguments}))")
                names[slot] = f"v{slot}"
                hoisted.append(slot)
        if not hoisted:
            return "", hoisted
        lines.append(f"    return ({''.join(names[slot] + ', ' for slot in hoisted)})")
        for slot in hoisted:
            self.names[slot] = f"h{slot}"
        return "\n".join(["def hoist(i):", *lines, ""]), hoisted

    def write_block_body(self) -> list[str]:
        """The steps that run per block, one line (or three) each."""
        composite, kernels = self.composite, self.loop.kernels
        for p in range(composite.nin):
            if not self.is_hoisted(p):
                self.names[p] = f"x{p}"
        lines: list[str] = []
        for index, step in enumerate(composite.steps):
            slot = composite.step_slot(index)
            if self.is_hoisted(slot):
                continue
            arguments = ", ".join(self.names[a] for a in step.arguments)
            kernel = kernels[index]
            output = self.writers.get(index)
            value = f"v{slot}"
            if self.loop.broadcast[slot]:  # smaller than a block: computed as it is
                self.namespace[f"k{index}"] = kernel
                lines.append(f"    {value} = k{index}(({arguments},))")
                if output is not None:
                    lines.append(f"    copyto(o{output}, {value})")
            else:
                target = f"o{output}" if output is not None else self.take(slot, kernel.out_dtype)
                if writes_out(kernel):
                    self.namespace[f"f{index}"] = kernel.function
                    lines.append(f"    f{index}({arguments}, out={target})")
                    value = target
                else:
                    self.namespace[f"k{index}"] = kernel
                    lines.append(f"    {value} = k{index}(({arguments},), {target})")
                    if output is not None:
                        lines.append(f"    if {value} is not {target}:")
                        lines.append(f"        copyto({target}, {value})")
            self.names[slot] = value
            # Registers are freed after the step's own is taken: NumPy runs a ufunc whose
            # output is one of its size-1 inputs several times slower than otherwise.
            for argument in set(step.arguments):
                if composite.last_reader(argument) == index:
                    self.release(argument)
        return lines

    def take(self, slot: int, dtype: np.dtype[Any]) -> str:
        """A free register of ``dtype`` for ``slot``'s value (a new one if none is free)."""
        spare = self.free.get(dtype)
        if spare:
            register = spare.pop()
        else:
            register = len(self.register_dtypes)
            self.register_dtypes.append(dtype)
        self.held[slot] = register
        return f"r{register}"

    def release(self, slot: int) -> None:
        register = self.held.pop(slot, None)
        if register is not None:
            self.free.setdefault(self.register_dtypes[register], []).append(register)

    def copies(
        self, loop_outputs: tuple[int, ...], hoisted: list[int]
    ) -> tuple[tuple[int, str, int], ...]:
        """How each output no step of the loop writes is filled, once the loop has run."""
        composite = self.composite
        position = {slot: n for n, slot in enumerate(hoisted)}
        copies: list[tuple[int, str, int]] = []
        for output, slot in enumerate(composite.output_slots):
            if output in loop_outputs:
                continue
            if slot in composite.output_slots[:output]:
                copies.append((output, "output", composite.output_slots.index(slot)))
            elif slot in position:
                copies.append((output, "hoisted", position[slot]))
            elif slot < composite.nin:
                copies.append((output, "input", slot))
            else:
                copies.append((output, "constant", slot - composite.nin))
        return tuple(copies)


def _unpack(names: Any) -> str:
    """``a, b,``: a target list that unpacks any number of values, one included."""
    return "".join(f"{name}, " for name in names).rstrip()
