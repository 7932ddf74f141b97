"""DebugMode's linker: runs the Python backend with per-node checks, and every other
installed backend beside it, and raises at the first disagreement."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphcore.compile.thunks import Cell, Thunk
from graphcore.compile.vm import LinkedGraph, PythonLinker, thunk_program
from graphcore.fgraph import FunctionGraph
from graphcore.graph.apply import Apply


class DebugModeError(AssertionError):
    """An op broke its contract, or two backends disagree."""


def _snapshot(value: Any) -> Any:
    """An independent copy: arrays copied, other state (a random generator) deep-copied."""
    return value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)


def checked_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """``node.op.perform`` on the cells, wrapped in checks of the op's contract."""
    op = node.op
    destroyed = {i for inputs in op.destroy_map.values() for i in inputs}
    viewed = {i for inputs in op.view_map.values() for i in inputs}

    def thunk() -> None:
        inputs = [cell[0] for cell in input_cells]
        before = [_snapshot(value) for value in inputs]
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
    """Checked Python run, then every other installed linker on a copy, outputs compared."""

    name = "debug"

    def link(self, fgraph: FunctionGraph, input_cells: Sequence[Cell] | None = None) -> LinkedGraph:
        from graphcore.compile.modes import available_linkers, make_linker

        checked = PythonLinker().link(fgraph, input_cells)
        order = fgraph.toposort()
        if not any(node.op.lazy for node in order):
            checked.run = thunk_program(order, checked.storage, checked_thunk)
        others = []
        for name in available_linkers():
            if name in {"py", "debug"}:
                continue
            copy, _ = fgraph.clone_get_equiv()
            others.append((name, make_linker(name).link(copy, None)))
        if not others:
            return checked
        run_checked = checked.run

        def run() -> None:
            inputs = [cell[0] for cell in checked.input_cells]
            run_checked()
            for name, linked in others:
                for cell, value in zip(linked.input_cells, inputs, strict=True):
                    cell[0] = _snapshot(value)
                linked.run()
                for position, (var, mine, theirs) in enumerate(
                    zip(fgraph.outputs, checked.output_cells, linked.output_cells, strict=True)
                ):
                    same = getattr(var.type, "values_eq_approx", var.type.values_eq)
                    if not same(mine[0], theirs[0]):
                        raise DebugModeError(
                            f"output {position} ({var}) differs between the Python backend "
                            f"and the {name!r} backend:\n  py: {mine[0]!r}\n  {name}: {theirs[0]!r}"
                        )

        checked.run = run
        return checked
