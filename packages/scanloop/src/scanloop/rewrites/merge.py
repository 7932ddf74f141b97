"""Merging: loops of the same length become one loop computing both sets of outputs.

Two Scan nodes merge when they run the same ``n_steps`` (the same variable, or equal
constants: scans over the same sequences get the same one once ``merge1`` has run),
have the same step mode and gradient truncation, neither stops early (``until``
decides a length only at run time) nor carries values between steps (a random
generator: merging would interleave the two loops' draws), and neither depends on the
other. Sequences and non-sequences they share (the same outer variable) are read
once. States are allowed: each step computes both loops' new entries, which depend
only on their own loop's values. One loop walks the sequences once and pays the
per-step overhead once.
"""

from __future__ import annotations

import time
from typing import Any

from graphcore import Apply, Constant, FunctionGraph, Variable, clone_replace
from rewriter import GraphRewriter, RewriteReport, rewrite_db
from scanloop.op import Scan
from scanloop.rewrites.parts import ScanParts


def merge_key(node: Apply) -> tuple[Any, ...] | None:
    """Nodes with equal keys may merge; None for a node that may not."""
    op: Scan = node.op  # type: ignore[assignment]
    info = op.info
    if info.as_while or info.n_carries:
        return None
    n_steps = node.inputs[0]
    steps: Any = ("constant", int(n_steps.data)) if isinstance(n_steps, Constant) else n_steps
    return (steps, op.mode, info.truncate_gradient)


def depends_on(node: Apply, other: Apply) -> bool:
    """Whether ``node`` reads, directly or not, an output of ``other``."""
    stack = [var.owner for var in node.inputs if var.owner is not None]
    seen: set[Apply] = set()
    while stack:
        current = stack.pop()
        if current is other:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(var.owner for var in current.inputs if var.owner is not None)
    return False


def merged(first: Apply, second: Apply) -> ScanParts:
    """One loop doing both nodes' work: ``first``'s pieces, then ``second``'s."""
    parts = ScanParts.of(first, fresh=True)
    other = ScanParts.of(second, fresh=True)
    shared: dict[Variable, Variable] = {}
    seqs = {seq.outer: seq.inner for seq in parts.seqs}
    for seq in other.seqs:
        if seq.outer in seqs:
            shared[seq.inner] = seqs[seq.outer]
        else:
            parts.seqs.append(seq)
    non_seqs = {non_seq.outer: non_seq.inner for non_seq in parts.non_seqs}
    for non_seq in other.non_seqs:
        if non_seq.outer in non_seqs:
            shared[non_seq.inner] = non_seqs[non_seq.outer]
        else:
            parts.non_seqs.append(non_seq)
    if shared:
        other.set_step_outputs(clone_replace(other.step_outputs(), shared))
    parts.states += other.states
    parts.mapped += other.mapped
    names = [name for name in (parts.name, other.name) if name]
    parts.name = "+".join(names) or None
    return parts


class ScanMerge(GraphRewriter):
    """Merges the Scan nodes that may run as one loop."""

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        groups: dict[Any, list[Apply]] = {}
        for node in fgraph.toposort():
            if isinstance(node.op, Scan):
                report.visits += 1
                key = merge_key(node)
                if key is not None:
                    groups.setdefault(key, []).append(node)
        for nodes in groups.values():
            while len(nodes) > 1:
                first = nodes.pop(0)
                for second in list(nodes):
                    if depends_on(second, first) or depends_on(first, second):
                        continue
                    replacements = merged(first, second).replacements()
                    fgraph.replace_all(replacements.items(), reason=self.name)
                    report.applied[self.name] += 1
                    nodes.remove(second)
                    first = next(iter(replacements.values())).owner  # type: ignore[assignment]
                    assert first is not None
        report.most_visits_of_one_node = 1 if report.visits else 0
        report.seconds = time.perf_counter() - start
        return report


scan_merge = ScanMerge("scan_merge")

# After canonicalize (1) and the dead-output walk (1.4), before the memory rewrite (1.6).
rewrite_db.register("scan_merge", scan_merge, "fast_run", "scan", position=1.5)
