"""Thunks: one node bound to its storage cells, ready to run with no arguments.

A linker turns each node into a thunk and runs them in order. How the Python
backend runs a node is a rule on ``python_thunks``: by default the op's
``perform``; a package whose ops gain from per-node state (a kernel bound to
dtypes, scratch buffers reused between calls) registers a ``ThunkMaker`` for its
op class. The state then lives in the thunk, that is in the linked program, and
never on the op or the node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphcore.graph.apply import Apply
from graphcore.registry import OpRegistry

Cell = list[Any]
"""One variable's storage: a one-element list that lives as long as the program."""

Thunk = Callable[[], None]
"""Reads the node's input cells, writes its output cells."""

ThunkMaker = Callable[[Apply, list[Cell], list[Cell]], Thunk]
"""``maker(node, input_cells, output_cells) -> thunk``."""

python_thunks: OpRegistry[ThunkMaker] = OpRegistry("Python thunk")


def perform_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """The op's ``perform`` on the cells' current values."""
    perform = node.op.perform

    def thunk() -> None:
        perform(node, [cell[0] for cell in input_cells], output_cells)

    return thunk


def python_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """The Python backend's thunk for ``node``: its registered maker's, else ``perform``."""
    maker = python_thunks.lookup(node.op, perform_thunk)
    return maker(node, input_cells, output_cells)
