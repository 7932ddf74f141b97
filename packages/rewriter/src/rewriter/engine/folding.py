"""Constant folding: a node whose inputs are all constants becomes constants."""

from __future__ import annotations

from typing import Any

from graphcore import Apply, Constant, FunctionGraph, Variable
from rewriter.engine.node_rewriter import node_rewriter


def may_fold(fgraph: FunctionGraph, node: Apply) -> bool:
    """Whether the op lets its node be folded.

    Ops opt out with ``fold_constants = False`` (random ops, allocations too big
    to keep as constants) or decide per node with a method
    ``fold_constants(self, fgraph, node) -> bool``. Ops that overwrite an input
    never fold: the constant they would overwrite is shared.
    """
    op = node.op
    if op.destroy_map:
        return False
    policy = getattr(op, "fold_constants", True)
    if callable(policy):
        return bool(policy(fgraph, node))
    return bool(policy)


def evaluate(node: Apply, constants: list[Constant]) -> list[Any]:
    """Run the node's op on its inputs' data (``constants``, in input order), in Python."""
    data = [constant.data for constant in constants]
    storage: list[list[Any]] = [[None] for _ in node.outputs]
    op = node.op
    if op.lazy:
        op.perform_lazy(node, data.__getitem__, storage)
    else:
        op.perform(node, data, storage)
    return [cell[0] for cell in storage]


@node_rewriter(None, depth=1)
def constant_folding(fgraph: FunctionGraph, node: Apply) -> list[Variable] | None:
    """Replace the outputs of a node of constants by their values, computed now.

    A node that fails to compute is left alone: the error belongs to run time,
    where it is reported with the op and the shapes.
    """
    constants = [var for var in node.inputs if isinstance(var, Constant)]
    if len(constants) != len(node.inputs) or not may_fold(fgraph, node):
        return None
    try:
        values = evaluate(node, constants)
        return [
            out.type.make_constant(value) for out, value in zip(node.outputs, values, strict=True)
        ]
    except Exception:
        return None
