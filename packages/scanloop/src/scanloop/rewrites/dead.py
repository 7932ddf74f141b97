"""Dead outputs: a loop stops computing what nobody reads.

A mapped output whose outer result has no reader is removed. A state or a carry
with no reader is removed too, unless the step still reads its prior values to
compute an output that stays (or the stopping condition): then it must keep
running. Non-sequences only the removed outputs read are dropped with them.

The rule runs in canonicalize, where each Scan node is visited when it appears,
and once more as a walk after it, for readers that canonicalize removed later
(an equilibrium does not revisit a node when one of its outputs loses a reader).
"""

from __future__ import annotations

from typing import Any

from graphcore import Apply, FunctionGraph, Variable, graph_inputs
from rewriter import node_rewriter, register_canonicalize, rewrite_db
from scanloop.op import Scan
from scanloop.rewrites.parts import CarryPart, ScanParts, StatePart


def is_read(fgraph: FunctionGraph, var: Variable | None) -> bool:
    return var is not None and bool(fgraph.clients.get(var))


def fed_back(piece: StatePart | CarryPart) -> list[Variable]:
    """The step inputs through which a state or carry reaches the next step."""
    return piece.inner_taps if isinstance(piece, StatePart) else [piece.inner]


@register_canonicalize("scan", name="scan_dead_outputs")
@node_rewriter([Scan])
def scan_dead_outputs(fgraph: FunctionGraph, node: Apply) -> dict[Variable, Variable] | None:
    """Remove the outputs of a Scan node that nothing reads, and what only they needed."""
    parts = ScanParts.of(node)
    mapped = [piece for piece in parts.mapped if is_read(fgraph, piece.result)]
    recurrent: list[Any] = [*parts.states, *parts.carries]
    kept = [piece for piece in recurrent if is_read(fgraph, piece.result)]
    while True:  # keep whatever a kept output reads through the step, until nothing changes
        ends = [piece.entry for piece in mapped]
        ends += [piece.new_entry if isinstance(piece, StatePart) else piece.next for piece in kept]
        ends += [parts.condition] if parts.condition is not None else []
        read = set(graph_inputs(ends))
        needed = [
            piece
            for piece in recurrent
            if piece not in kept and any(var in read for var in fed_back(piece))
        ]
        if not needed:
            break
        kept += needed
    if len(mapped) == len(parts.mapped) and len(kept) == len(recurrent):
        return None
    if not mapped and not kept:
        return None  # nothing read at all: the node leaves the graph by itself
    parts.mapped = mapped
    parts.states = [piece for piece in parts.states if piece in kept]
    parts.carries = [piece for piece in parts.carries if piece in kept]
    parts.drop_unused_non_seqs()
    return parts.replacements()


# After canonicalize (1), before merging scans (1.5).
rewrite_db.register("scan_dead_outputs_walk", scan_dead_outputs, "fast_run", "scan", position=1.4)
