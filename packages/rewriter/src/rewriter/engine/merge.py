"""Merging: equal constants become one, and nodes applying equal ops to the same inputs too."""

from __future__ import annotations

import time
from typing import Any

from graphcore import Apply, Constant, FunctionGraph, Variable
from rewriter.engine.aliasing import is_destroyed
from rewriter.engine.graph_rewriter import GraphRewriter
from rewriter.engine.node_rewriter import node_rewriter
from rewriter.engine.report import RewriteReport


def same_input(a: Variable, b: Variable) -> bool:
    """One variable, or two constants of equal type and value."""
    if a is b:
        return True
    return isinstance(a, Constant) and isinstance(b, Constant) and a.signature() == b.signature()


def _mergeable(fgraph: FunctionGraph, kept: Apply, dropped: Apply) -> bool:
    # Merging gives ``kept``'s outputs the readers of ``dropped``'s; if something
    # overwrites them, those readers would see the overwritten value.
    if kept.op.destroy_map or dropped.op.destroy_map:
        return False
    return not any(is_destroyed(fgraph, out) for out in [*kept.outputs, *dropped.outputs])


class MergeRewriter(GraphRewriter):
    """Common subexpressions in one linear pass.

    In topological order, a node whose (op, inputs) was seen before is replaced
    by the earlier node; inputs are merged before their readers are looked at, so
    one pass merges whole duplicated subgraphs. Constants count as equal by
    ``Constant.signature()``; the equal constants left are made one at the end.
    Nodes are keyed by their constants' values rather than merging the constants
    first, because dropping a node from a constant's long reader list costs
    that list's length.
    """

    def __init__(self, name: str | None = "merge"):
        super().__init__(name)

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        nodes = fgraph.toposort()
        signatures: dict[int, Any] = {}
        seen: dict[tuple[Any, ...], Apply] = {}
        for node in nodes:
            if node not in fgraph.apply_nodes:
                continue
            report.visits += 1
            try:
                key = (node.op, tuple(_input_key(var, signatures) for var in node.inputs))
                earlier = seen.setdefault(key, node)
            except TypeError:  # an op with unhashable props is never merged
                continue
            if earlier is not node and _mergeable(fgraph, earlier, node):
                for old, new in zip(node.outputs, earlier.outputs, strict=True):
                    fgraph.replace(old, new, reason=self.name)
                report.applied["merge nodes"] += 1
        self._merge_constants(fgraph, report)
        report.most_visits_of_one_node = 1 if report.visits else 0
        report.seconds = time.perf_counter() - start
        return report

    def _merge_constants(self, fgraph: FunctionGraph, report: RewriteReport) -> None:
        constants = [var for var in fgraph.outputs if isinstance(var, Constant)]
        for node in fgraph.toposort():
            constants.extend(var for var in node.inputs if isinstance(var, Constant))
        first: dict[Any, Constant] = {}
        for constant in dict.fromkeys(constants):
            try:
                kept = first.setdefault(constant.signature(), constant)
            except TypeError:  # a value without a hashable key stays as it is
                continue
            if kept is not constant:
                fgraph.replace(constant, kept, reason=self.name)
                report.applied["merge constants"] += 1


def _input_key(var: Variable, signatures: dict[int, Any]) -> Any:
    """A variable's identity, or for a constant its value: what makes two inputs equal."""
    if not isinstance(var, Constant):
        return id(var)
    key = signatures.get(id(var))
    if key is None:
        try:
            signature = var.signature()
            hash(signature)
            key = ("constant", signature)
        except TypeError:
            key = id(var)
        signatures[id(var)] = key
    return key


@node_rewriter(None, depth=1)
def merge_equal_nodes(fgraph: FunctionGraph, node: Apply) -> dict[Variable, Variable] | None:
    """Inside an equilibrium: replace ``node`` by an equal node reading the same inputs.

    Candidates are the readers of the input with the fewest readers, so the
    cost stays small even when one variable feeds thousands of nodes.
    """
    probes = [var for var in node.inputs if not isinstance(var, Constant)]
    if not probes or node.op.destroy_map:
        return None
    probe = min(probes, key=lambda var: len(fgraph.clients[var]))
    for other, _position in fgraph.clients[probe]:
        if other is node or not isinstance(other, Apply) or other.op != node.op:
            continue
        if len(other.inputs) != len(node.inputs):
            continue
        same = all(same_input(a, b) for a, b in zip(other.inputs, node.inputs, strict=True))
        if same and _mergeable(fgraph, other, node):
            return dict(zip(node.outputs, other.outputs, strict=True))
    return None
