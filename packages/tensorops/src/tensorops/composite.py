"""Composite: a fused program of scalar ops, declared as plain data.

``Elemwise(Composite(...))`` is what elementwise fusion produces. A Composite is a
straight-line program over numbered *slots*: the inputs (``0 .. nin-1``), then its
single-valued constants, then one slot per step, in order. Step ``k`` applies a row
of the scalar op table to earlier slots and writes slot ``step_slot(k)``; the
outputs name slots. Walking ``steps`` in order is running the program.

Nothing here runs it: the Python backend binds the steps to kernels and buffers
when a node is linked (``tensorops.elemwise_thunk``), ``Elemwise.perform`` walks
them statelessly, and a C backend can walk them through its expression table.
The text is rendered only when printed, naming each value read more than once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from graphcore import Constant, Variable, io_toposort
from tensorops.scalar_ops import SCALAR_OPS, ScalarOp, cast_op
from tensorops.type import TensorType

INLINE_TEXT = 60
"""Longest text of a value printed inside its reader's text instead of on its own line."""

SHORT_TEXT = 80
"""Length of ``str(composite)``, the one-line form ``dprint`` shows."""


class Step(NamedTuple):
    """One instruction: the scalar op ``op`` applied to the values of ``arguments`` (slots)."""

    op: ScalarOp
    arguments: tuple[int, ...]


class Composite:
    """``Composite([x, y], [exp(x) + y, x * y])``: a scalar op computing several outputs.

    Built from a graph of elementwise nodes on the ``inputs`` (usually 0-d), in time
    linear in the graph's size: shared values stay shared, equal steps are computed
    once, nested Composites are inlined, constants become slots. ``declare`` builds
    one from the data directly. Immutable; equal and hashed by value.
    """

    __slots__ = (
        "_hash",
        "_key",
        "_last_reads",
        "_text",
        "constants",
        "differentiable",
        "input_dtypes",
        "nin",
        "nout",
        "output_slots",
        "output_types",
        "slot_dtypes",
        "steps",
    )

    name = "composite"
    symbol = None

    input_dtypes: tuple[str, ...]
    constants: tuple[np.ndarray, ...]
    steps: tuple[Step, ...]
    output_slots: tuple[int, ...]
    slot_dtypes: tuple[str, ...]
    output_types: tuple[str, ...]
    nin: int
    nout: int
    differentiable: bool
    _key: tuple[Any, ...]
    _hash: int
    _last_reads: dict[int, int]
    _text: str | None

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        self._set(*_declaration_of_graph(inputs, outputs))

    @classmethod
    def declare(
        cls,
        input_dtypes: Sequence[str],
        steps: Iterable[tuple[ScalarOp, Sequence[int]]],
        constants: Sequence[Any],
        output_slots: Sequence[int],
    ) -> Composite:
        """The Composite of this program: ``steps`` are (scalar op, argument slots) pairs,
        ``constants`` single values (their dtypes count)."""
        composite = cls.__new__(cls)
        composite._set(
            tuple(str(np.dtype(d)) for d in input_dtypes),
            tuple(_as_constant(value) for value in constants),
            tuple(Step(op, tuple(arguments)) for op, arguments in steps),
            tuple(output_slots),
        )
        return composite

    def _set(
        self,
        input_dtypes: tuple[str, ...],
        constants: tuple[np.ndarray, ...],
        steps: tuple[Step, ...],
        output_slots: tuple[int, ...],
        slot_dtypes: tuple[str, ...] | None = None,
    ) -> None:
        if slot_dtypes is None:
            slot_dtypes = _slot_dtypes(input_dtypes, constants, steps)
        if any(not 0 <= slot < len(slot_dtypes) for slot in output_slots):
            raise ValueError(f"Composite: output slots {output_slots} out of range")
        last_reads: dict[int, int] = {}
        for index, step in enumerate(steps):
            for slot in step.arguments:
                last_reads[slot] = index
        setattr_ = object.__setattr__
        setattr_(self, "input_dtypes", input_dtypes)
        setattr_(self, "constants", constants)
        setattr_(self, "steps", steps)
        setattr_(self, "output_slots", output_slots)
        setattr_(self, "slot_dtypes", slot_dtypes)
        setattr_(self, "output_types", tuple(slot_dtypes[s] for s in output_slots))
        setattr_(self, "nin", len(input_dtypes))
        setattr_(self, "nout", len(output_slots))
        setattr_(self, "differentiable", all(step.op.differentiable for step in steps))
        setattr_(self, "_last_reads", last_reads)
        key = (input_dtypes, tuple(_constant_key(c) for c in constants), steps, output_slots)
        setattr_(self, "_key", key)
        setattr_(self, "_hash", hash(key))
        setattr_(self, "_text", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Composite is immutable (setting {name!r})")

    # -- value semantics ------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, Composite) and other._hash == self._hash and other._key == self._key
        )

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        steps = tuple((_row_reference(step.op), step.arguments) for step in self.steps)
        return _restore, (self.input_dtypes, steps, self.constants, self.output_slots)

    def __copy__(self) -> Composite:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Composite:
        return self

    # -- queries (for rewriters, gradients and backends) ------------------------
    @property
    def first_step_slot(self) -> int:
        """The slot of step 0: inputs and constants come before."""
        return self.nin + len(self.constants)

    def step_slot(self, step: int) -> int:
        """The slot step ``step`` writes."""
        return self.first_step_slot + step

    def step_of(self, slot: int) -> int | None:
        """The step writing ``slot``; None for an input or a constant."""
        step = slot - self.first_step_slot
        return step if step >= 0 else None

    def last_reader(self, slot: int) -> int | None:
        """The last step reading ``slot``; None when no step reads it."""
        return self._last_reads.get(slot)

    def writer_of(self, output: int) -> int | None:
        """The step whose result is output ``output`` and which writes it into the output's
        buffer; None when the output is an input or a constant, or repeats an earlier
        output (those are copied once the program has run)."""
        slot = self.output_slots[output]
        if slot in self.output_slots[:output]:
            return None
        return self.step_of(slot)

    # -- the scalar op interface used by Elemwise --------------------------------
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

    def expression(self, arguments: Sequence[str]) -> str:
        return f"{self}({', '.join(arguments)})"

    # -- printing ----------------------------------------------------------------
    def render(self) -> str:
        """The whole program: ``Composite{t0 = (i0 * i0); t1 = (t0 * t0); (t1 + i1)}``.

        A value read more than once, or whose text is long, is named once (``t0 = ...``)
        and referred to by name, so the text grows with the number of steps.
        """
        if self._text is not None:
            return self._text
        reads = [0] * len(self.slot_dtypes)
        for step in self.steps:
            for slot in step.arguments:
                reads[slot] += 1
        for slot in self.output_slots:
            reads[slot] += 1
        texts = [f"i{i}" for i in range(self.nin)]
        texts += [_constant_text(c) for c in self.constants]
        lines: list[str] = []
        for index, step in enumerate(self.steps):
            text = step.op.expression([texts[slot] for slot in step.arguments])
            if reads[self.step_slot(index)] > 1 or len(text) > INLINE_TEXT:
                name = f"t{len(lines)}"
                lines.append(f"{name} = {text}")
                text = name
            texts.append(text)
        lines.append(", ".join(texts[slot] for slot in self.output_slots))
        text = "Composite{" + "; ".join(lines) + "}"
        object.__setattr__(self, "_text", text)
        return text

    def __str__(self) -> str:
        text = self.render()
        return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 4] + "...}"

    __repr__ = __str__


Declaration = tuple[
    tuple[str, ...], tuple[np.ndarray, ...], tuple[Step, ...], tuple[int, ...], tuple[str, ...]
]
"""Input dtypes, constants, steps, output slots, slot dtypes."""


def _declaration_of_graph(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> Declaration:
    """Input dtypes, constants, steps, output slots and slot dtypes of a scalar graph.

    One pass over the nodes: each value gets one slot however often it is read.
    """
    nodes = io_toposort(inputs, outputs)
    slots: dict[Variable, int] = {}
    for position, var in enumerate(inputs):
        slots.setdefault(var, position)
    input_dtypes = tuple(_dtype_of(v) for v in inputs)
    # Constants first (their slots precede the steps'): the graph's roots, and the
    # constants of nested Composites.
    constant_slots: dict[tuple[str, bytes], int] = {}
    constants: list[np.ndarray] = []

    def constant_slot(value: np.ndarray) -> int:
        key = _constant_key(value)
        if key not in constant_slots:
            constant_slots[key] = len(inputs) + len(constants)
            constants.append(value)
        return constant_slots[key]

    produced = {out for node in nodes for out in node.outputs}
    for var in [v for node in nodes for v in node.inputs] + list(outputs):
        if var not in slots and var not in produced:
            slots[var] = constant_slot(_constant_of(var))
    for node in nodes:
        scalar_op = _scalar_op_of(node.op)
        if isinstance(scalar_op, Composite):
            for value in scalar_op.constants:
                constant_slot(value)
    slot_dtypes = list(input_dtypes) + [str(c.dtype) for c in constants]
    steps: list[Step] = []
    known: dict[Step, int] = {}  # equal steps are computed once

    def add_step(op: ScalarOp, arguments: tuple[int, ...]) -> int:
        step = Step(op, arguments)
        slot = known.get(step)
        if slot is None:
            slot = known[step] = len(slot_dtypes)
            slot_dtypes.append(_step_dtype(op, tuple(slot_dtypes[a] for a in arguments)))
            steps.append(step)
        return slot

    for node in nodes:
        scalar_op = _scalar_op_of(node.op)
        arguments = tuple(slots[v] for v in node.inputs)
        if isinstance(scalar_op, Composite):
            results = _inline(scalar_op, arguments, constant_slot, add_step)
        else:
            results = [add_step(scalar_op, arguments)]
        for out, slot in zip(node.outputs, results, strict=True):
            if _dtype_of(out) != slot_dtypes[slot]:
                raise TypeError(
                    f"Composite: {node.op} gives {slot_dtypes[slot]} on inputs of dtypes "
                    f"{[slot_dtypes[a] for a in arguments]}, but its output is {out.type}"
                )
            slots[out] = slot
    output_slots = tuple(slots[v] for v in outputs)
    return input_dtypes, tuple(constants), tuple(steps), output_slots, tuple(slot_dtypes)


def _inline(
    nested: Composite, arguments: tuple[int, ...], constant_slot: Any, add_step: Any
) -> list[int]:
    """Add a nested Composite's steps on the slots ``arguments``; its output slots."""
    local = list(arguments) + [constant_slot(value) for value in nested.constants]
    for step in nested.steps:
        local.append(add_step(step.op, tuple(local[a] for a in step.arguments)))
    return [local[slot] for slot in nested.output_slots]


def _dtype_of(var: Variable) -> str:
    if not isinstance(var.type, TensorType):
        raise TypeError(f"Composite: {var} is not a tensor (its type is {var.type})")
    return var.type.dtype


def _scalar_op_of(op: Any) -> ScalarOp | Composite:
    """The scalar op of an elementwise node's op (Elemwise), or a TypeError."""
    scalar_op = getattr(op, "scalar_op", None)
    if not isinstance(scalar_op, ScalarOp | Composite) or getattr(op, "inplace_pattern", None):
        raise TypeError(f"Composite: {op} is not an elementwise scalar op")
    return scalar_op


def _slot_dtypes(
    input_dtypes: tuple[str, ...], constants: tuple[np.ndarray, ...], steps: tuple[Step, ...]
) -> tuple[str, ...]:
    dtypes = list(input_dtypes) + [str(c.dtype) for c in constants]
    for index, step in enumerate(steps):
        if not isinstance(step.op, ScalarOp):
            raise TypeError(f"Composite: step {index} applies {step.op!r}, not a scalar op row")
        if any(not 0 <= slot < len(dtypes) for slot in step.arguments):
            raise ValueError(
                f"Composite: step {index} reads slots {step.arguments}; "
                f"only slots below {len(dtypes)} are computed before it"
            )
        dtypes.append(_step_dtype(step.op, tuple(dtypes[slot] for slot in step.arguments)))
    return tuple(dtypes)


@functools.lru_cache(maxsize=4096)
def _step_dtype(op: ScalarOp, dtypes: tuple[str, ...]) -> str:
    if len(dtypes) != op.nin:
        raise TypeError(f"Composite: {op} takes {op.nin} arguments, got {len(dtypes)}")
    op.check_inputs(dtypes)
    return op.output_dtypes(dtypes)[0]


def _constant_of(var: Variable) -> np.ndarray:
    if not isinstance(var, Constant):
        raise ValueError(f"Composite: the outputs depend on {var}, which is not an input")
    return _as_constant(var.data)


def _as_constant(value: Any) -> np.ndarray:
    data = np.asarray(value)
    if data.size != 1:
        raise ValueError(
            f"Composite: constant {value!r} has shape {data.shape}; only single values fuse"
        )
    data = np.array(data.reshape(()))  # owned, so freezing it freezes no one else's array
    data.flags.writeable = False
    return data


def _constant_key(value: np.ndarray) -> tuple[str, bytes]:
    """Equal constants: same dtype, same bytes (so nan equals nan, and 0.0 is not -0.0)."""
    return value.dtype.str, value.tobytes()


def _constant_text(value: np.ndarray) -> str:
    return str(value.item())


def _row_reference(op: ScalarOp) -> ScalarOp | str:
    """What a pickle holds for a step's op: a table row's name, or the op itself."""
    if SCALAR_OPS.get(op.name) is op:
        return op.name
    if op.name.startswith("cast_") and cast_op(op.name.removeprefix("cast_")) == op:
        return op.name
    return op


def _row(reference: ScalarOp | str) -> ScalarOp:
    if not isinstance(reference, str):
        return reference
    if reference in SCALAR_OPS:
        return SCALAR_OPS[reference]
    return cast_op(reference.removeprefix("cast_"))


def _restore(
    input_dtypes: tuple[str, ...],
    steps: tuple[tuple[ScalarOp | str, tuple[int, ...]], ...],
    constants: tuple[np.ndarray, ...],
    output_slots: tuple[int, ...],
) -> Composite:
    """Unpickle: table rows by name (so a cast's local function never has to pickle)."""
    return Composite.declare(
        input_dtypes, [(_row(ref), arguments) for ref, arguments in steps], constants, output_slots
    )
