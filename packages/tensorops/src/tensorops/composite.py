"""Composite: a small graph of scalar ops fused into one scalar op with several outputs.

Built from a graph of Elemwise nodes (usually on 0-d inputs), it runs as a program
of table kernels over whole arrays: one NumPy call per inner node, temporaries
allowed. ``Elemwise(Composite(...))`` is what elementwise fusion produces.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Constant, Variable, io_toposort
from tensorops.opsupport import tensor_type

Step = tuple[Any, tuple[int, ...], int, int | None]
"""(kernel, input slots, number of outputs, the Composite output it writes or None)."""


class Composite:
    """``Composite([x, y], [exp(x) + y, x * y])``: a scalar op computing several outputs."""

    name = "composite"
    symbol = None

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        from tensorops.elemwise import Elemwise

        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.nin = len(self.inputs)
        self.nout = len(self.outputs)
        self.input_dtypes: tuple[str, ...] = tuple(tensor_type(v).dtype for v in self.inputs)
        self.output_types = tuple(tensor_type(v).dtype for v in self.outputs)
        slots: dict[Variable, int] = {v: i for i, v in enumerate(self.inputs)}
        texts = [f"i{i}" for i in range(self.nin)]
        self.constants: list[np.ndarray] = []
        steps: list[tuple[Any, tuple[int, ...], int]] = []
        signature: list[Any] = [self.input_dtypes]
        nodes = io_toposort(self.inputs, self.outputs)
        produced = {out for node in nodes for out in node.outputs}
        # Roots first: the program's values are inputs, then constants, then step results.
        for var in [v for node in nodes for v in node.inputs] + self.outputs:
            if var not in slots and var not in produced:
                slots[var] = self._root_slot(var, slots, texts)
        for node in nodes:
            if not isinstance(node.op, Elemwise) or node.op.inplace_pattern:
                raise TypeError(f"Composite: {node.op} is not an elementwise scalar op")
            arguments = tuple(slots[v] for v in node.inputs)
            kernel = node.op.scalar_op.kernel([tensor_type(v).dtype for v in node.inputs])
            steps.append((kernel, arguments, len(node.outputs)))
            signature.append((node.op.scalar_op, arguments))
            text = node.op.scalar_op.expression([texts[s] for s in arguments])
            for index, out in enumerate(node.outputs):
                slots[out] = len(texts)
                texts.append(text if len(node.outputs) == 1 else f"{text}[{index}]")
        self.output_slots = tuple(slots[v] for v in self.outputs)
        self.steps = self._assign_outputs(steps)
        self.dead_arguments = self._dead_arguments()
        # Each step's last result when it had no buffer to write into: reused next call.
        self._scratch: list[np.ndarray | None] = [None] * len(self.steps)
        signature.append(tuple((c.dtype.str, c.item()) for c in self.constants))
        signature.append(self.output_slots)
        self.signature = tuple(signature)
        self.differentiable = all(op.differentiable for op, _ in signature[1:-2])
        self.display = "Composite{" + ", ".join(texts[s] for s in self.output_slots) + "}"
        if len(self.display) > 80:
            self.display = self.display[:76] + "...}"
        self.out_dtype = np.dtype(self.output_types[0]) if self.nout == 1 else None

    def _root_slot(self, var: Variable, slots: dict[Variable, int], texts: list[str]) -> int:
        if not isinstance(var, Constant):
            raise ValueError(f"Composite: the outputs depend on {var}, which is not an input")
        data = np.asarray(var.data)
        if data.size != 1:
            raise ValueError(
                f"Composite: constant {var} has shape {data.shape}; only single values fuse"
            )
        self.constants.append(data.reshape(()))
        texts.append(str(data.item()))
        return len(texts) - 1

    def _assign_outputs(self, steps: list[tuple[Any, tuple[int, ...], int]]) -> list[Step]:
        """Let the step producing output k write into output k's reused buffer."""
        first_step_slot = self.nin + len(self.constants)
        writes: dict[int, int] = {}
        for index, slot in enumerate(self.output_slots):
            writes.setdefault(slot, index)
        assigned: list[Step] = []
        slot = first_step_slot
        for kernel, arguments, n_out in steps:
            target = writes.get(slot) if n_out == 1 else None
            assigned.append((kernel, arguments, n_out, target))
            slot += n_out
        return assigned

    def _dead_arguments(self) -> tuple[int | None, ...]:
        """Per step, a slot it reads that nothing reads later: a temporary it may overwrite.

        Only step results qualify; inputs, constants and outputs are never overwritten.
        """
        first_step_slot = self.nin + len(self.constants)
        last_read: dict[int, int] = {}
        for index, (_, arguments, _, _) in enumerate(self.steps):
            for slot in arguments:
                last_read[slot] = index
        kept = set(self.output_slots)
        dead: list[int | None] = []
        for index, (_, arguments, n_out, target) in enumerate(self.steps):
            candidates = [
                slot
                for slot in arguments
                if slot >= first_step_slot and slot not in kept and last_read[slot] == index
            ]
            dead.append(candidates[0] if candidates and n_out == 1 and target is None else None)
        return tuple(dead)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_scratch"] = [None] * len(self.steps)  # buffers are not part of the op
        return state

    # -- the scalar op interface used by Elemwise --------------------------------
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Composite) and other.signature == self.signature

    def __hash__(self) -> int:
        return hash(self.signature)

    def __str__(self) -> str:
        return self.display

    __repr__ = __str__

    def promoted_inputs(self) -> range:
        return range(self.nin)

    def check_inputs(self, dtypes: Sequence[str]) -> None:
        if tuple(dtypes) != self.input_dtypes:
            raise TypeError(
                f"{self}: expects inputs of dtypes {self.input_dtypes}, got {tuple(dtypes)}"
            )

    def output_dtypes(self, dtypes: Sequence[str]) -> tuple[str, ...]:
        self.check_inputs(dtypes)
        return self.output_types

    def kernel(self, dtypes: Sequence[str]) -> Composite:
        self.check_inputs(dtypes)
        return self

    def expression(self, arguments: Sequence[str]) -> str:
        return f"{self.display}({', '.join(arguments)})"

    # -- running ---------------------------------------------------------------
    def __call__(self, inputs: Sequence[np.ndarray], out: np.ndarray | None = None) -> np.ndarray:
        return self.many(inputs, [out])[0]

    def many(
        self, inputs: Sequence[np.ndarray], outs: Sequence[np.ndarray | None]
    ) -> list[np.ndarray]:
        """Run the program; outputs have the broadcast shape of all inputs and own their data."""
        shape = _broadcast_shape(inputs)
        values: list[np.ndarray] = [*inputs, *self.constants]
        scratch = self._scratch
        for index, (kernel, arguments, n_out, target) in enumerate(self.steps):
            args = [values[s] for s in arguments]
            if n_out != 1:
                values.extend(kernel.many(args, [None] * n_out))
                continue
            # Write into, by preference: the output's buffer, a temporary this step reads
            # last, or this step's buffer from the last call. Temporaries never escape.
            dead = self.dead_arguments[index]
            if target is not None:
                buffer = outs[target]
            elif dead is not None and _fits(values[dead], args, kernel.out_dtype):
                values.append(kernel(args, values[dead]))
                continue
            else:
                buffer = scratch[index]
            if buffer is not None and not _fits(buffer, args, kernel.out_dtype):
                buffer = None
            result = kernel(args, buffer)
            if target is None:
                scratch[index] = result
            values.append(result)
        results: list[np.ndarray] = []
        produced = self.nin + len(self.constants)
        for index, slot in enumerate(self.output_slots):
            value = values[slot]
            fresh = slot >= produced and all(r is not value for r in results)
            if value.shape != shape or not fresh:
                # Inputs, constants, repeated or broadcast results get their own array.
                value = np.array(np.broadcast_to(value, shape), dtype=self.output_types[index])
            results.append(value)
        return results


def _fits(buffer: np.ndarray, arguments: Sequence[np.ndarray], dtype: Any) -> bool:
    """Whether a step's result of ``dtype`` can be written into ``buffer``."""
    return (
        buffer.dtype == dtype
        and buffer.base is None
        and buffer.flags.writeable
        and buffer.shape == _broadcast_shape(arguments)
    )


def _broadcast_shape(arrays: Sequence[np.ndarray]) -> tuple[int, ...]:
    if not arrays:
        return ()
    shape = arrays[0].shape
    for array in arrays:
        if array.shape != shape:
            return np.broadcast_shapes(*(a.shape for a in arrays))
    return shape
