"""Loop-invariant hoisting: step work that reads only non-sequences and constants is
computed once, before the loop, and passed in as a new non-sequence.

A step node is invariant when every input is a non-sequence, a constant or an
invariant node's output. Nodes with effects stay in the loop: one that overwrites
an input, and one whose outputs are not all tensors (a random draw, which also
returns the next generator; it reads a carry anyway, and a carry is never
invariant). Of the invariant values, the ones the rest of the step reads (or the
step returns) become inputs; non-sequences the step then no longer reads are
dropped.
"""

from __future__ import annotations

from graphcore import Apply, Constant, FunctionGraph, Variable, clone_replace, io_toposort
from rewriter import node_rewriter, register_canonicalize
from scanloop.op import Scan
from scanloop.rewrites.parts import NonSeqPart, ScanParts
from tensorops import TensorType


def has_effects(node: Apply) -> bool:
    """Whether moving ``node`` out of the loop could change what the loop does."""
    return bool(node.op.destroy_map) or not all(
        isinstance(out.type, TensorType) for out in node.outputs
    )


def invariant_values(parts: ScanParts) -> list[Variable]:
    """The invariant values the loop-dependent part of the step reads, in step order."""
    invariant: set[Variable] = {non_seq.inner for non_seq in parts.non_seqs}
    computed: set[Variable] = set()
    outputs = parts.step_outputs()
    nodes = io_toposort(parts.step_inputs(), outputs)
    for node in nodes:
        if has_effects(node):
            continue
        if all(var in invariant or isinstance(var, Constant) for var in node.inputs):
            invariant.update(node.outputs)
            computed.update(node.outputs)
    frontier: dict[Variable, None] = {}
    for node in nodes:
        if node.outputs[0] in computed:
            continue
        frontier.update((var, None) for var in node.inputs if var in computed)
    frontier.update((var, None) for var in outputs if var in computed)
    return list(frontier)


@register_canonicalize("scan", name="scan_hoist_invariants")
@node_rewriter([Scan])
def scan_hoist_invariants(fgraph: FunctionGraph, node: Apply) -> dict[Variable, Variable] | None:
    """Compute the step's loop-invariant values once, outside the loop."""
    op: Scan = node.op  # type: ignore[assignment]
    if any(step_node.op.destroy_map for step_node in op.inner.nodes()):
        return None  # an overwritten invariant value would be overwritten outside too
    parts = ScanParts.of(node)
    hoisted = invariant_values(parts)
    if hoisted:
        outside = clone_replace(hoisted, {part.inner: part.outer for part in parts.non_seqs})
        placeholders = {var: var.type.make_variable(var.name) for var in hoisted}
        parts.set_step_outputs(clone_replace(parts.step_outputs(), placeholders))
        parts.non_seqs += [
            NonSeqPart(value, placeholders[var])
            for var, value in zip(hoisted, outside, strict=True)
        ]
    dropped = parts.drop_unused_non_seqs()
    if not hoisted and not dropped:
        return None
    return parts.replacements()
