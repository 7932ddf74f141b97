"""The link seam: what a linker returns (a ``Program``) and the storage plan it follows.

``Function`` does the slow, backend-independent work of a call (keywords, defaults,
filtering, shared-variable updates) and hands positional argument values to
``program.call(args)``, which returns the value of every output of the graph. A
backend is free to run the graph as it likes (a VM over thunks, one foreign call)
as long as it follows the ``StoragePlan`` made once at link time: which outputs
are copied before they are handed out, and which cells are emptied after a call so
that no op reuses a buffer the caller now owns.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from graphcore.compile.thunks import Cell
from graphcore.fgraph import FunctionGraph
from graphcore.graph.variable import Variable


@runtime_checkable
class Program(Protocol):
    """A linked graph, ready to run.

    A program may also have ``raw_floats``, the argument positions it reads from a Python
    float as well as from a 0-d float64 array; ``Function`` then passes such floats
    through unconverted (ccodegen's whole-C programs do; without it every argument is
    filtered to its type)."""

    def call(self, args: Sequence[Any]) -> list[Any]:
        """Run on ``args`` (the first ``len(args)`` graph inputs, already filtered) and
        return the value of every graph output, in order."""
        ...

    def free(self) -> None:
        """Drop the buffers kept for reuse between calls."""
        ...


class Linker(Protocol):
    """Turns a rewritten graph into a ``Program``. ``priority`` ranks installed linkers:
    the highest is what ``"auto"`` (``FAST_RUN``) picks."""

    name: ClassVar[str]
    priority: ClassVar[int]

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> Program: ...


@dataclass(frozen=True)
class CallLayout:
    """How a call maps onto cells: one cell per graph input, of which the first
    ``n_args`` are filled from ``call(args)`` and the rest (a shared variable's
    container) are read as they are; ``borrow`` per graph output: whether the caller
    accepts the program's own buffer, which the next call may overwrite."""

    input_cells: tuple[Cell, ...]
    n_args: int
    borrow: tuple[bool, ...]

    @classmethod
    def fresh(cls, fgraph: FunctionGraph) -> CallLayout:
        """Every input an argument, nothing borrowed."""
        cells = tuple([None] for _ in fgraph.inputs)
        return cls(cells, len(cells), (False,) * len(fgraph.outputs))


@dataclass(frozen=True)
class StoragePlan:
    """Per graph output whether it is copied on the way out; the variables whose cells
    are emptied after each call. Every other cell keeps its value for reuse."""

    copy_outputs: tuple[bool, ...]
    cleared: tuple[Variable, ...]

    @classmethod
    def for_graph(cls, fgraph: FunctionGraph, borrow: Sequence[bool]) -> StoragePlan:
        outputs = fgraph.outputs
        # A returned value that is graph state (a root, a view) or was already returned
        # at an earlier position (an output that is also an update) gets its own array.
        copies = tuple(
            not borrow[i] and (_may_alias(var) or var in outputs[:i])
            for i, var in enumerate(outputs)
        )
        # A computed output handed to the caller must not be reused by its op next call,
        # unless the caller borrowed it; nor may a buffer an output overwrote in place.
        cleared = [
            var
            for i, var in enumerate(outputs)
            if var.owner is not None and not (borrow[i] and outputs.count(var) == 1)
        ]
        cleared += [var for var in _overwritten_by(outputs) if var not in cleared]
        return cls(copies, tuple(dict.fromkeys(cleared)))


class CellProgram:
    """A program whose graph runs as ``run()`` over one cell per variable."""

    def __init__(
        self,
        fgraph: FunctionGraph,
        storage: dict[Variable, Cell],
        run: Callable[[], None],
        layout: CallLayout,
    ):
        self.fgraph = fgraph
        self.storage = storage
        self.run = run
        self.layout = layout
        self.plan = StoragePlan.for_graph(fgraph, layout.borrow)
        self.input_cells = [storage[var] for var in fgraph.inputs]
        self.output_cells = [storage[var] for var in fgraph.outputs]
        self._arg_cells = self.input_cells[: layout.n_args]
        self._copies = [i for i, needs_copy in enumerate(self.plan.copy_outputs) if needs_copy]
        self._cleared = [storage[var] for var in self.plan.cleared if var in storage]

    def call(self, args: Sequence[Any]) -> list[Any]:
        for cell, value in zip(self._arg_cells, args):  # noqa: B905 - Function checked the count
            cell[0] = value
        self.run()
        outputs = [cell[0] for cell in self.output_cells]
        for position in self._copies:
            outputs[position] = copy_value(outputs[position])
        for cell in self._cleared:
            cell[0] = None
        return outputs

    def free(self) -> None:
        for var, cell in self.storage.items():
            if var.owner is not None:
                cell[0] = None


def copy_value(value: Any) -> Any:
    """An independent copy of a value: arrays copied, other objects deep-copied."""
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)


def _may_alias(var: Variable) -> bool:
    """Whether this output's cell could hold state the program keeps: a root or a view."""
    if var.owner is None:
        return True
    return var.index in var.owner.op.view_map


def _overwritten_by(outputs: list[Variable]) -> list[Variable]:
    """Computed variables whose buffer an output may be because an op overwrote it in place
    (directly, or through views); a plain view as output is copied on return instead."""
    found: list[Variable] = []
    stack = [(var, False) for var in outputs]
    seen: set[tuple[Variable, bool]] = set()
    while stack:
        var, overwritten = stack.pop()
        node = var.owner
        if node is None or (var, overwritten) in seen:
            continue
        seen.add((var, overwritten))
        if overwritten:
            found.append(var)
        op, index = node.op, var.index or 0
        for position in op.destroy_map.get(index, ()):
            stack.append((node.inputs[position], True))
        for position in op.view_map.get(index, ()):
            stack.append((node.inputs[position], overwritten))
    return found
