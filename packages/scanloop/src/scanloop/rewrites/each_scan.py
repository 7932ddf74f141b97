"""``EachScan``: a graph rewriter visiting every Scan node of a graph once, in order."""

from __future__ import annotations

import time

from graphcore import Apply, FunctionGraph
from rewriter import GraphRewriter, RewriteReport
from scanloop.op import Scan


class EachScan(GraphRewriter):
    """Calls ``rewrite_node(fgraph, node)`` (True when it changed the graph) on each Scan
    node, once, and reports the visits."""

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        for node in fgraph.toposort():
            if isinstance(node.op, Scan):
                report.visits += 1
                if self.rewrite_node(fgraph, node):
                    report.applied[self.name] += 1
        report.most_visits_of_one_node = 1 if report.visits else 0
        report.seconds = time.perf_counter() - start
        return report

    def rewrite_node(self, fgraph: FunctionGraph, node: Apply) -> bool:
        raise NotImplementedError(f"{type(self).__name__} must define rewrite_node")
