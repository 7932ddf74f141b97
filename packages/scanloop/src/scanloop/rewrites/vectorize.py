"""Vectorizing: a loop whose steps are independent becomes one batched computation.

A Scan with no states, no carries and no ``until`` only maps its sequences' entries
to its outputs' entries, so the step can run on all entries at once: autodiff's
``vectorize_graph`` rebuilds it with each sequence (cut to ``n_steps`` entries) in
place of its entry, and non-sequences broadcast. The seed's polynomial,
``scan(lambda c, p, v: c * v**p, sequences=[coefficients, arange(1000)],
non_sequences=x)``, becomes ``coefficients[:n] * x ** arange(1000)[:n]``.

Declined when a step op has no batching rule (``vectorize_graph`` would put a
``LoopOverBatch``, a Python loop, in its place), and when the graph does not show
that every sequence has ``n_steps`` entries: the loop reports a short sequence,
and a slice would silently cut the result instead.
"""

from __future__ import annotations

from autodiff.vectorize import LoopOverBatch, vectorize_graph
from graphcore import Apply, Constant, FunctionGraph, Variable, clone_replace, io_toposort
from rewriter import node_rewriter, register_canonicalize
from scanloop.op import Scan
from scanloop.rewrites.parts import ScanParts
from tensorops import TensorType
from tensorops.elemwise import Elemwise
from tensorops.sizes import Shape_i


def at_most_length(n_steps: Variable, seq: Variable) -> bool:
    """Whether ``n_steps <= len(seq)`` follows from the graph: ``n_steps`` is the length of
    ``seq``, a constant within its static length, or a minimum of which some term (a
    maximum of which every term) is such; scan() builds the minimum of its sequences'
    lengths (each in a ``maximum(length, 0)``)."""
    length = seq.type.shape[0]  # type: ignore[attr-defined]
    if isinstance(n_steps, Constant):
        value = int(n_steps.data)
        return value <= 0 or (length is not None and value <= length)
    owner = n_steps.owner
    if owner is None:
        return False
    if isinstance(owner.op, Shape_i):
        return owner.op.i == 0 and owner.inputs[0] is seq
    if not isinstance(owner.op, Elemwise):
        return False
    name = owner.op.scalar_op.name
    if name == "minimum":
        return any(at_most_length(var, seq) for var in owner.inputs)
    if name == "maximum":
        return all(at_most_length(var, seq) for var in owner.inputs)
    if name == "cast_int64":
        return at_most_length(owner.inputs[0], seq)
    return False


def cut_to(seq: Variable, n_steps: Variable) -> Variable:
    """``seq[:n_steps]``, or ``seq`` when ``n_steps`` is its length."""
    owner = n_steps.owner
    if owner is not None and owner.op == Shape_i(0) and owner.inputs[0] is seq:
        return seq
    return seq[:n_steps]  # type: ignore[index]


def batched_step(parts: ScanParts) -> list[Variable] | None:
    """The mapped outputs for all steps at once, or None when some op cannot be batched."""
    batches = {
        seq.inner: TensorType(seq.inner.type.dtype, (None, *seq.inner.type.shape)).make_variable()  # type: ignore[attr-defined]
        for seq in parts.seqs
    }
    entries = [piece.entry for piece in parts.mapped]
    try:
        results = list(vectorize_graph(entries, batches))
    except (NotImplementedError, TypeError, ValueError):
        return None
    roots = [*batches.values(), *(non_seq.inner for non_seq in parts.non_seqs)]
    if any(isinstance(node.op, LoopOverBatch) for node in io_toposort(roots, results)):
        return None
    outer: dict[Variable, Variable] = {
        batch: cut_to(seq.outer, parts.n_steps)
        for seq, batch in zip(parts.seqs, batches.values(), strict=True)
    }
    outer.update({non_seq.inner: non_seq.outer for non_seq in parts.non_seqs})
    return clone_replace(results, outer)


@register_canonicalize("scan", name="scan_vectorize")
@node_rewriter([Scan])
def scan_vectorize(fgraph: FunctionGraph, node: Apply) -> list[Variable] | None:
    """Replace a loop of independent steps by its batched step."""
    op: Scan = node.op  # type: ignore[assignment]
    info = op.info
    if info.n_states or info.n_carries or info.as_while or not info.n_seqs:
        return None
    if any(step_node.op.destroy_map for step_node in op.inner.nodes()):
        return None
    parts = ScanParts.of(node)
    if not all(at_most_length(parts.n_steps, seq.outer) for seq in parts.seqs):
        return None
    results = batched_step(parts)
    if results is None:
        return None
    for k, piece in enumerate(parts.mapped):
        if piece.store is not None:
            results[k] = results[k][-piece.store :]  # type: ignore[index]
    return results
