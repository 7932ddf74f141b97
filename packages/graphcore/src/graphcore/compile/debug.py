"""DebugMode's linker: runs the Python backend with per-node checks, and every other
installed backend beside it, and raises at the first disagreement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from graphcore.compile.linkers import available_linkers, make_linker
from graphcore.compile.program import CallLayout, CellProgram, Program, copy_value
from graphcore.compile.thunks import Cell, Thunk
from graphcore.compile.vm import python_program
from graphcore.fgraph import FunctionGraph
from graphcore.graph.apply import Apply
from graphcore.graph.variable import Constant, Variable


class DebugModeError(AssertionError):
    """An op broke its contract, or two backends disagree."""


def checked_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """``node.op.perform`` on the cells, wrapped in checks of the op's contract."""
    op = node.op
    destroyed = {i for inputs in op.destroy_map.values() for i in inputs}
    viewed = {i for inputs in op.view_map.values() for i in inputs}

    def thunk() -> None:
        inputs = [cell[0] for cell in input_cells]
        before = [copy_value(value) for value in inputs]
        op.perform(node, inputs, output_cells)
        for position, (old, new) in enumerate(zip(before, inputs, strict=True)):
            if position in destroyed or not isinstance(old, np.ndarray):
                continue
            if not np.array_equal(old, new, equal_nan=True):
                raise DebugModeError(
                    f"{op} (built at {node.location()}) changed its input {position} "
                    "without declaring it in destroy_map"
                )
        for index, (var, cell) in enumerate(zip(node.outputs, output_cells, strict=True)):
            value = cell[0]
            if not var.type.is_valid_value(value):
                raise DebugModeError(
                    f"{op} (built at {node.location()}) returned for output {index} a value "
                    f"that is not a valid {var.type}: {type(value).__name__} "
                    f"{getattr(value, 'dtype', '')} {getattr(value, 'shape', '')}"
                )
            if index in op.view_map or index in op.destroy_map or not isinstance(value, np.ndarray):
                continue
            for position, inp in enumerate(inputs):
                if position in viewed or position in destroyed:
                    continue
                if isinstance(inp, np.ndarray) and np.shares_memory(value, inp):
                    raise DebugModeError(
                        f"{op} (built at {node.location()}): output {index} shares memory "
                        f"with input {position} without declaring it in view_map"
                    )

    return thunk


class DebugLinker:
    """Checked Python run, then every other installed backend (priority 0 or more) on a
    copy, outputs compared."""

    name: ClassVar[str] = "debug"
    priority: ClassVar[int] = -1

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> Program:
        checked = python_program(fgraph, layout, checked_thunk)
        others: list[tuple[str, Program]] = []
        for name in available_linkers(min_priority=0):
            if name == "py":
                continue
            twin, _ = fgraph.clone_get_equiv()
            others.append((name, make_linker(name).link(twin, CallLayout.fresh(twin))))
        if not others:
            return checked
        return ComparedProgram(fgraph, checked, others)


class ComparedProgram:
    """Runs the checked Python program, then each other backend on copies of the same
    inputs, and raises at the first output on which they disagree."""

    def __init__(
        self, fgraph: FunctionGraph, checked: CellProgram, others: list[tuple[str, Program]]
    ):
        self.fgraph = fgraph
        self.checked = checked
        self.others = others
        self.storage = checked.storage

    def call(self, args: Sequence[Any]) -> list[Any]:
        # Every input's value as this call sees it: the arguments, then shared state.
        values = [*args, *(cell[0] for cell in self.checked.input_cells[len(args) :])]
        snapshots = [[copy_value(value) for value in values] for _ in range(len(self.others) + 1)]
        outputs = self.checked.call(args)
        for (name, program), inputs in zip(self.others, snapshots, strict=False):
            theirs = program.call(inputs)
            for position, (var, mine, other) in enumerate(
                zip(self.fgraph.outputs, outputs, theirs, strict=True)
            ):
                if not _same(var, mine, other):
                    where = first_disagreeing_node(self.fgraph, snapshots[-1], name)
                    raise DebugModeError(
                        f"output {position} ({var}) differs between the Python backend "
                        f"and the {name!r} backend:\n  py: {mine!r}\n  {name}: {other!r}"
                        + (f"\n{where}" if where else "")
                    )
        return outputs

    def free(self) -> None:
        self.checked.free()
        for _, program in self.others:
            program.free()


def _same(var: Variable, mine: Any, other: Any) -> bool:
    return bool(getattr(var.type, "values_eq_approx", var.type.values_eq)(mine, other))


def first_disagreeing_node(fgraph: FunctionGraph, inputs: Sequence[Any], name: str) -> str:
    """Which node first computes something else on backend ``name`` than in Python: each
    node in order is run alone on both, from the Python values of its inputs."""
    values: dict[Variable, Any] = dict(zip(fgraph.inputs, inputs, strict=True))
    for node in fgraph.toposort():
        if node.op.lazy:
            return ""
        arguments = [var.data if isinstance(var, Constant) else values[var] for var in node.inputs]
        cells: list[Cell] = [[None] for _ in node.outputs]
        node.op.perform(node, [copy_value(a) for a in arguments], cells)
        variable_inputs = [
            var for var in dict.fromkeys(node.inputs) if not isinstance(var, Constant)
        ]
        alone = FunctionGraph(variable_inputs, node.outputs, clone=True)
        program = make_linker(name).link(alone, CallLayout.fresh(alone))
        theirs = program.call([copy_value(values[var]) for var in variable_inputs])
        for index, (var, cell, other) in enumerate(zip(node.outputs, cells, theirs, strict=True)):
            if not _same(var, cell[0], other):
                return (
                    f"the first node that disagrees is {node.op} (built at {node.location()}), "
                    f"output {index}:\n  py: {cell[0]!r}\n  {name}: {other!r}"
                )
            values[var] = cell[0]
    return ""
