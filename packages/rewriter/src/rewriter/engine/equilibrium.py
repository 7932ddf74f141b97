"""The equilibrium: apply node rewriters until none fires, revisiting only what changed."""

from __future__ import annotations

import time
import warnings
from collections import Counter, deque
from collections.abc import Sequence
from typing import Any

from graphcore import Apply, FunctionGraph, Variable
from rewriter.engine.dispatch import OnError, RewriterIndex, apply_node_rewriter
from rewriter.engine.graph_rewriter import GraphRewriter
from rewriter.engine.node_rewriter import NodeRewriter
from rewriter.engine.report import RewriteBudgetWarning, RewriteReport


class ChangeTracker:
    """An fgraph feature that collects the nodes a rewrite may have made rewritable again.

    A node is marked when it is imported or one of its inputs changes. Rewriters
    look ``lookahead`` levels below the node they rewrite, so the readers of a
    changed node (and their readers, up to ``lookahead`` levels) are marked too.
    So is the last reader of a computed variable that drops to one reader: a
    pattern refuses to absorb a node whose output is read twice, and may match now.
    """

    def __init__(self, lookahead: int):
        self.lookahead = lookahead
        self.pending: set[Apply] = set()
        self.fresh: list[Apply] = []
        self.changed_by: dict[Apply, str] = {}
        self.fgraph: FunctionGraph | None = None

    def on_attach(self, fgraph: FunctionGraph) -> None:
        self.fgraph = fgraph

    def on_detach(self, fgraph: FunctionGraph) -> None:
        self.fgraph = None

    def mark(self, node: Apply) -> None:
        if node not in self.pending:
            self.pending.add(node)
            self.fresh.append(node)

    def _mark_readers(self, var: Variable, levels: int) -> None:
        assert self.fgraph is not None
        frontier = [var]
        for _ in range(levels):
            next_frontier: list[Variable] = []
            for current in frontier:
                for reader, _position in self.fgraph.clients.get(current, ()):
                    if isinstance(reader, Apply):
                        self.mark(reader)
                        next_frontier.extend(reader.outputs)
            frontier = next_frontier

    def on_import(self, fgraph: FunctionGraph, node: Apply, reason: Any) -> None:
        self.mark(node)

    def on_change_input(
        self,
        fgraph: FunctionGraph,
        node: Apply | str,
        position: int,
        old: Variable,
        new: Variable,
        reason: Any,
    ) -> None:
        if isinstance(node, Apply):
            self.mark(node)
            self.changed_by[node] = str(reason)
            for out in node.outputs:
                self._mark_readers(out, self.lookahead)
        self._lost_a_reader(old, None)

    def on_prune(self, fgraph: FunctionGraph, node: Apply, reason: Any) -> None:
        for var in node.inputs:
            self._lost_a_reader(var, node)

    def _lost_a_reader(self, var: Variable, leaving: Apply | None) -> None:
        # Only one reader left matters; roots are never absorbed into a pattern, and
        # a constant read by thousands of nodes must not mark them all each time.
        # A pruned node is announced before it leaves its inputs' readers: skip it.
        assert self.fgraph is not None
        if self.lookahead == 0 or var.owner is None:
            return
        readers = len(self.fgraph.clients.get(var, ()))
        if leaving is not None:
            readers -= sum(1 for inp in leaving.inputs if inp is var)
        if readers == 1:
            self._mark_readers(var, self.lookahead)

    def take_fresh(self) -> list[Apply]:
        fresh, self.fresh = self.fresh, []
        return fresh


class EquilibriumGraphRewriter(GraphRewriter):
    """Applies node rewriters until none fires on any node: a fixed point.

    A worklist holds the nodes imported or changed since they were last visited
    (an fgraph feature hears of them), so the cost follows what changes, not the
    size of the graph times the number of passes. Nodes a rewrite creates or
    touches are visited next, before the rest of the list: local cascades finish
    while their nodes are fresh. Two budgets stop a rewrite loop: each node is
    visited at most ``max_visits_per_node`` times, and all visits together at
    most ``visits_per_node`` times the graph's starting size (plus a margin for
    small graphs); running out warns with the rewriters that kept firing.
    """

    def __init__(
        self,
        rewriters: Sequence[NodeRewriter],
        name: str | None = None,
        max_visits_per_node: int = 16,
        visits_per_node: int = 16,
        on_error: OnError = "raise",
    ):
        super().__init__(name)
        self.index = RewriterIndex(rewriters)
        self.max_visits_per_node = max_visits_per_node
        self.visits_per_node = visits_per_node
        self.on_error = on_error

    @property
    def rewriters(self) -> list[NodeRewriter]:
        return self.index.rewriters

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        if not self.index.rewriters:
            return report
        start = time.perf_counter()
        tracker = ChangeTracker(lookahead=max(self.index.depth - 1, 0))
        fgraph.attach_feature(tracker)
        try:
            self._run(fgraph, tracker, report)
        finally:
            fgraph.remove_feature(tracker)
        report.seconds = time.perf_counter() - start
        return report

    def _run(self, fgraph: FunctionGraph, tracker: ChangeTracker, report: RewriteReport) -> None:
        queue = deque(fgraph.toposort())
        tracker.pending.update(queue)
        budget = self.visits_per_node * len(queue) + 256
        visits: Counter[Apply] = Counter()
        worn_out: dict[Apply, None] = {}  # ordered set
        live = fgraph.apply_nodes
        for_op = self.index.for_op
        while queue:
            node = queue.popleft()
            tracker.pending.discard(node)
            if node not in live:
                continue
            if visits[node] >= self.max_visits_per_node:
                worn_out[node] = None
                continue
            if report.visits >= budget:
                report.stopped_early = True
                self._warn_budget(report, budget)
                break
            visits[node] += 1
            report.visits += 1
            for rewriter in for_op(node.op):
                if apply_node_rewriter(fgraph, rewriter, node, self.on_error):
                    report.applied[rewriter.name] += 1
                    if node in live:  # changed in place: it may be rewritable again
                        tracker.mark(node)
                        tracker.changed_by[node] = rewriter.name
                    break
            fresh = tracker.take_fresh()
            if fresh:
                queue.extendleft(reversed(fresh))
        report.most_visits_of_one_node = max(visits.values(), default=0)
        if worn_out:
            report.stopped_early = True
            node = next(iter(worn_out))
            culprit = tracker.changed_by.get(node, "an unknown rewriter")
            warnings.warn(
                f"{self.name}: {len(worn_out)} node(s) reached the limit of "
                f"{self.max_visits_per_node} visits, e.g. {node}, which {culprit} kept changing; "
                "the graph is left as it was then",
                RewriteBudgetWarning,
                stacklevel=4,
            )

    def _warn_budget(self, report: RewriteReport, budget: int) -> None:
        busiest = ", ".join(
            f"{name} ({count} times)" for name, count in report.applied.most_common(3)
        )
        warnings.warn(
            f"{self.name}: stopped after {report.visits} node visits (the budget for this graph "
            f"is {budget}), before reaching a fixed point; the rewriters that kept firing: "
            f"{busiest or 'none'}",
            RewriteBudgetWarning,
            stacklevel=5,
        )
