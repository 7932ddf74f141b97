"""The ``Scan`` op: a loop over a step graph, as data.

The op holds its ``ScanInfo`` and ``InnerGraph`` and nothing else; the step is linked
when a program is (``thunk.py`` for the Python backend), so its kernels and buffers
belong to that program.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphcore import (
    Apply,
    FunctionGraph,
    Op,
    Variable,
    ancestors,
    clone_replace,
    python_program,
)
from graphcore.compile.modes import Mode
from graphcore.graph.op import OutputStorage
from scanloop.info import ScanInfo
from scanloop.inner import InnerGraph
from scanloop.loop import run_scan
from tensorops import TensorType
from tensorops import shape_entries as entries
from tensorops.basic import as_tensor
from tensorops.sizes import Shape, Shape_i, shape_of


class Scan(Op):
    """``Scan(info, inner, mode)(n_steps, *sequences, *states, *carries, *non_seqs)``.

    ``mode`` names the compile mode of the step when it runs on the Python backend
    (None: the Python VM); under ccodegen the whole loop is C when every step op has C.
    """

    __props__ = ("info", "inner", "mode")

    def __init__(self, info: ScanInfo, inner: InnerGraph, mode: str | Mode | None = None):
        if len(inner.inputs) != info.n_inner_inputs:
            raise ValueError(
                f"Scan: the step has {len(inner.inputs)} inputs, the info expects "
                f"{info.n_inner_inputs}"
            )
        if len(inner.outputs) != info.n_inner_outputs:
            raise ValueError(
                f"Scan: the step has {len(inner.outputs)} outputs, the info expects "
                f"{info.n_inner_outputs}"
            )
        self.info = info
        self.inner = inner
        self.mode = mode

    @property
    def inner_outputs(self) -> tuple[Variable, ...]:
        """The step's outputs (``dprint`` prints them under "Inner graphs")."""
        return self.inner.outputs

    @property
    def label(self) -> str:
        return f"scan {self.info.name!r}" if self.info.name else "scan"

    def __str__(self) -> str:
        return f"Scan{{{self.info.name}}}" if self.info.name else "Scan"

    # ---- building -------------------------------------------------------------------------

    def make_node(self, *inputs: Any) -> Apply:
        info = self.info
        if len(inputs) != info.n_outer_inputs:
            raise ValueError(
                f"{self.label}: expected {info.n_outer_inputs} outer inputs, got {len(inputs)}"
            )
        n_steps = as_tensor(inputs[0])
        if not (
            isinstance(n_steps.type, TensorType)
            and n_steps.type.ndim == 0
            and n_steps.type.dtype.startswith(("int", "uint"))
        ):
            raise TypeError(f"{self.label}: n_steps must be an integer scalar, got {n_steps.type}")
        outer = [n_steps, *(_as_variable(value) for value in inputs[1:])]
        inner_in = self.inner.inputs
        for position, k in zip(info.outer_seqs, info.inner_seqs, strict=True):
            _check_entries(self.label, f"sequence {k}", outer[position], inner_in[k].type)
        for s, position in enumerate(info.outer_states):
            for k in info.inner_state_taps(s):
                _check_entries(
                    self.label, f"initial value of output {s}", outer[position], inner_in[k].type
                )
        for position, k in zip(info.outer_carries, info.inner_carries, strict=True):
            _check_same(self.label, f"carried value {k}", outer[position], inner_in[k].type)
        for position, k in zip(info.outer_non_seqs, info.inner_non_seqs, strict=True):
            outer[position] = _check_same(
                self.label, f"non-sequence {position}", outer[position], inner_in[k].type
            )
        outputs: list[Variable] = []
        inner_out = self.inner.outputs
        for position in [*info.out_states, *info.out_mapped]:
            entry: Any = inner_out[position].type
            outputs.append(TensorType(entry.dtype, (None, *entry.shape)).make_variable())
        for position in info.out_carries:
            outputs.append(inner_out[position].type.make_variable())
        return Apply(self, outer, outputs)

    # ---- running --------------------------------------------------------------------------

    def mapped_types(self) -> list[tuple[str, tuple[int | None, ...]]]:
        """Each mapped output's entry dtype and static shape."""
        types: list[Any] = [self.inner.outputs[p].type for p in self.info.out_mapped]
        return [(t.dtype, t.shape) for t in types]

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        """Stateless: links the step for this call (the Python thunk links it once)."""
        program = python_program(self.inner.fgraph(), None)
        results = run_scan(self.info, program.call, inputs, self.label, self.mapped_types())
        for cell, value in zip(output_storage, results, strict=True):
            cell[0] = value

    # ---- shapes ---------------------------------------------------------------------------

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        info = self.info
        entry_shapes = self._entry_shapes(node)
        if info.as_while:
            raise NotImplementedError(
                f"{self.label}: the length of a loop with until is known only when it runs"
            )
        n_steps = node.inputs[0]
        shapes: list[Any] = []
        for position in [*info.out_states, *info.out_mapped]:
            length: Any = n_steps
            if position < info.n_states:
                length = entries.add(
                    entries.as_entry(n_steps, "n_steps"), info.init_length(position)
                )
            store = info.store[position]
            if store is not None:
                length = entries.minimum(entries.as_entry(length, "length"), store)
            shapes.append((length, *entry_shapes[position]))
        shapes += [input_shapes[position] for position in info.outer_carries]
        return shapes

    def _entry_shapes(self, node: Apply) -> list[tuple[Any, ...]]:
        """Each stored output entry's shape, from the step's shapes: an entry of a sequence
        or a state has the outer value's shape less its first axis, a carry or
        non-sequence the outer value's shape. NotImplementedError when an entry's shape
        depends on the values the loop computes."""
        info = self.info
        inner_in = self.inner.inputs
        entry_of: dict[Variable, Variable] = {}  # inner input -> outer value holding entries
        for position, k in zip(info.outer_seqs, info.inner_seqs, strict=True):
            entry_of[inner_in[k]] = node.inputs[position]
        for s, position in enumerate(info.outer_states):
            for k in info.inner_state_taps(s):
                entry_of[inner_in[k]] = node.inputs[position]
        same: dict[Variable, Variable] = {}
        for position, k in zip(info.outer_carries, info.inner_carries, strict=True):
            same[inner_in[k]] = node.inputs[position]
        for position, k in zip(info.outer_non_seqs, info.inner_non_seqs, strict=True):
            same[inner_in[k]] = node.inputs[position]
        loop_values = set(entry_of) | {inner_in[k] for k in info.inner_carries}
        result = []
        for position in [*info.out_states, *info.out_mapped]:
            shape = list(shape_of(self.inner.outputs[position]))
            replace = dict(same)
            for var in ancestors(shape):
                found = _outer_shape(var, entry_of)
                if found is not None:
                    replace[var] = found
            if _reads_values(shape, loop_values, set(replace)):
                raise NotImplementedError(
                    f"{self.label}: the shape of output {position} depends on values the loop "
                    "computes"
                )
            result.append(tuple(clone_replace(shape, replace)))
        return result


def _outer_shape(var: Variable, entry_of: dict[Variable, Variable]) -> Variable | None:
    """For ``Shape_i(axis)(entry)`` or ``Shape(entry)`` of a sequence or state entry, the
    same lengths read from the outer value (one axis further)."""
    node = var.owner
    if node is None or node.inputs[0] not in entry_of:
        return None
    outer = entry_of[node.inputs[0]]
    if isinstance(node.op, Shape_i):
        return Shape_i(node.op.i + 1)(outer)  # type: ignore[no-any-return,unused-ignore]
    if isinstance(node.op, Shape):
        return Shape()(outer)[1:]  # type: ignore[no-any-return,unused-ignore]
    return None


def _reads_values(
    shape: Sequence[Variable], loop_values: set[Variable], replaced: set[Variable]
) -> bool:
    """Whether the shape graph reads a loop value other than through its shape."""
    stack = list(shape)
    seen: set[Variable] = set()
    while stack:
        var = stack.pop()
        if var in seen or var in replaced:
            continue
        seen.add(var)
        if var in loop_values:
            return True
        if var.owner is None:
            continue
        if isinstance(var.owner.op, (Shape, Shape_i)):
            continue
        stack.extend(var.owner.inputs)
    return False


def _as_variable(value: Any) -> Variable:
    return value if isinstance(value, Variable) else as_tensor(value)


def _check_entries(label: str, what: str, outer: Variable, entry_type: Any) -> None:
    """``outer`` must hold entries of ``entry_type`` along its first axis."""
    outer_type: Any = outer.type
    if not isinstance(outer_type, TensorType) or not isinstance(entry_type, TensorType):
        raise TypeError(f"{label}: the {what} must be a tensor, got {outer_type}")
    if outer_type.ndim != entry_type.ndim + 1 or outer_type.dtype != entry_type.dtype:
        raise TypeError(
            f"{label}: the {what} is {outer_type}, but the step reads entries of type "
            f"{entry_type} from it (expected {entry_type.ndim + 1}-d {entry_type.dtype})"
        )


def _check_same(label: str, what: str, outer: Variable, inner_type: Any) -> Variable:
    converted = inner_type.convert_variable(outer)
    if converted is None:
        raise TypeError(f"{label}: the {what} is {outer.type}, but the step expects {inner_type}")
    return converted  # type: ignore[no-any-return,unused-ignore]
