"""Rebuilding a graph node by node, with some nodes replaced.

``rebuild(outputs, replace_node)`` walks the graph of ``outputs`` in topological order;
for each node ``replace_node(node, new_inputs)`` returns the new outputs, or None to
keep the op (rebuilt on the new inputs when any of them changed). Unlike a
``clone_replace`` of single variables, a replacement may itself read variables that
are replaced: everything is seen through the map built so far.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphcore import Apply, Variable, io_toposort

NodeReplacer = Callable[[Apply, list[Variable]], Sequence[Variable] | None]


def rebuild(
    outputs: Sequence[Variable],
    replace_node: NodeReplacer | None = None,
    givens: Mapping[Variable, Variable] | None = None,
) -> list[Variable]:
    """``outputs`` rebuilt with ``givens`` substituted and nodes swapped by ``replace_node``."""
    new_of: dict[Variable, Variable] = dict(givens or {})
    for node in io_toposort(list(new_of), list(outputs)):
        inputs = [new_of.get(inp, inp) for inp in node.inputs]
        replaced = replace_node(node, inputs) if replace_node is not None else None
        if replaced is None:
            if all(new is old for new, old in zip(inputs, node.inputs, strict=True)):
                continue
            replaced = node.op.make_node(*inputs).outputs
        for old, new in zip(node.outputs, replaced, strict=True):
            if new is not old:
                new_of[old] = new
    return [new_of.get(out, out) for out in outputs]


def substitute(outputs: Sequence[Variable], givens: Mapping[Variable, Any]) -> list[Variable]:
    """``outputs`` with each key of ``givens`` replaced by its value (rebuilt, not cloned)."""
    return rebuild(outputs, None, givens)
