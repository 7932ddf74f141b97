"""Graph rewriters: the base class, a sequence of them, and a single walk over the nodes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Literal, TypeAlias

from graphcore import FunctionGraph
from rewriter.engine.dispatch import OnError, RewriterIndex, apply_node_rewriter
from rewriter.engine.node_rewriter import NodeRewriter
from rewriter.engine.report import RewriteReport

Order: TypeAlias = Literal["in_to_out", "out_to_in"]


class GraphRewriter:
    """Rewrites a whole ``FunctionGraph`` in place; ``rewriter(fgraph)`` runs it."""

    def __init__(self, name: str | None = None):
        self.name = name or type(self).__name__

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        raise NotImplementedError(f"{type(self).__name__} must define rewrite")

    def __call__(self, fgraph: FunctionGraph) -> RewriteReport:
        return self.rewrite(fgraph)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def as_graph_rewriter(rewriter: GraphRewriter | NodeRewriter) -> GraphRewriter:
    """A graph rewriter as it is; a node rewriter as one walk over the graph."""
    if isinstance(rewriter, GraphRewriter):
        return rewriter
    if isinstance(rewriter, NodeRewriter):
        return WalkingGraphRewriter([rewriter], name=rewriter.name)
    raise TypeError(f"expected a GraphRewriter or a NodeRewriter, got {rewriter!r}")


class SequentialGraphRewriter(GraphRewriter):
    """Runs graph rewriters one after the other (node rewriters as one walk each)."""

    def __init__(self, *rewriters: GraphRewriter | NodeRewriter, name: str | None = None):
        super().__init__(name)
        self.rewriters = [as_graph_rewriter(rewriter) for rewriter in rewriters]

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        for rewriter in self.rewriters:
            report.parts.append(rewriter.rewrite(fgraph))
        report.seconds = time.perf_counter() - start
        return report


class WalkingGraphRewriter(GraphRewriter):
    """One pass over the nodes in topological order (or its reverse).

    Each node present when the pass started gets the first rewriter that fires on
    it; nodes the pass creates are not visited (an equilibrium does that).
    """

    def __init__(
        self,
        rewriters: NodeRewriter | Sequence[NodeRewriter],
        order: Order = "in_to_out",
        on_error: OnError = "raise",
        name: str | None = None,
    ):
        super().__init__(name)
        if order not in ("in_to_out", "out_to_in"):
            raise ValueError(f"order must be 'in_to_out' or 'out_to_in', got {order!r}")
        listed = [rewriters] if isinstance(rewriters, NodeRewriter) else list(rewriters)
        self.index = RewriterIndex(listed)
        self.order = order
        self.on_error = on_error

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        nodes = fgraph.toposort()
        if self.order == "out_to_in":
            nodes.reverse()
        for node in nodes:
            if node not in fgraph.apply_nodes:  # pruned by an earlier rewrite of this pass
                continue
            report.visits += 1
            for rewriter in self.index.for_op(node.op):
                if apply_node_rewriter(fgraph, rewriter, node, self.on_error):
                    report.applied[rewriter.name] += 1
                    break
        report.most_visits_of_one_node = 1 if report.visits else 0
        report.seconds = time.perf_counter() - start
        return report
