"""What a graph rewriter did: visits, rewrites applied by name, time; and its warnings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


class RewriteBudgetWarning(RuntimeWarning):
    """An equilibrium stopped before a fixed point: some rewriter kept firing."""


class RewriteErrorWarning(RuntimeWarning):
    """A node rewriter raised; the node was left as it was."""


@dataclass
class RewriteReport:
    """Counts of one graph rewriter's run; ``parts`` holds the reports of sub-rewriters."""

    name: str
    seconds: float = 0.0
    visits: int = 0
    applied: Counter[str] = field(default_factory=Counter)
    most_visits_of_one_node: int = 0
    stopped_early: bool = False
    parts: list[RewriteReport] = field(default_factory=list)

    @property
    def total_applied(self) -> int:
        return sum(self.applied.values()) + sum(part.total_applied for part in self.parts)

    def summary(self, indent: int = 0) -> str:
        """One line per rewriter: time, visits and what fired, most frequent first."""
        fired = ", ".join(f"{name} x{count}" for name, count in self.applied.most_common())
        line = (
            f"{' ' * indent}{self.name}: {self.seconds * 1e3:.2f} ms, {self.visits} visits"
            + (f", {fired}" if fired else "")
            + (" (stopped early)" if self.stopped_early else "")
        )
        return "\n".join([line, *(part.summary(indent + 2) for part in self.parts)])
