"""Inplace: an op overwrites an input's buffer when nothing else will read that buffer.

Which buffers may be overwritten is ``can_destroy``'s answer (engine/aliasing.py):
only an intermediate result (or a view of one) whose one reader is the op, or a
mutable input, or a shared value the call replaces by an update; never a
constant, another input, a shared value kept, or a result also returned.

Which ops can overwrite, two ways:

- ``Elemwise`` (Composite included): for each output, the first input of the
  output's dtype and shape that may be destroyed goes in ``inplace_pattern``.
- Any other op offering ``make_inplace(self) -> Op | None``: the variant that
  overwrites the inputs its ``destroy_map`` names, with the same inputs and
  output types, or None when there is none (``IncSubtensor`` and its advanced
  siblings, ``RandomVariable``). It is used when every input it names may be
  destroyed.

One walk over the nodes, after fusion; an equilibrium would find nothing more,
since each decision only depends on who reads a variable.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

from graphcore import Apply, FunctionGraph, Op, Variable
from rewriter.db import rewrite_db
from rewriter.engine.aliasing import can_destroy
from rewriter.engine.graph_rewriter import GraphRewriter
from rewriter.engine.report import RewriteReport
from tensorops.composite import Composite
from tensorops.elemwise import Elemwise
from tensorops.type import TensorType


def can_hold(source: Variable, result: Variable) -> bool:
    """Whether ``source``'s buffer has the dtype and the shape of ``result`` (as Elemwise
    requires of an overwritten input: no axis it would broadcast)."""
    given, wanted = source.type, result.type
    if not (isinstance(given, TensorType) and isinstance(wanted, TensorType)):
        return False
    if given.dtype != wanted.dtype or given.ndim != wanted.ndim:
        return False
    return 1 not in given.shape or given.shape == wanted.shape


def composite_allows(scalar_op: object, output: int, position: int) -> bool:
    """Whether a Composite's program may write output ``output`` over input ``position``.

    With one output the last step writes it, after every read. With several, the
    step writing ``output`` must be the last to read that input, and no output may
    be the input itself (it is copied at the end, from the overwritten buffer).
    """
    if not isinstance(scalar_op, Composite) or scalar_op.nout == 1:
        return True
    if position in scalar_op.output_slots:
        return False
    writer = scalar_op.writer_of(output)
    if writer is None:
        return False  # the output is copied from elsewhere: nothing would be overwritten
    last = scalar_op.last_reader(position)
    return last is None or last <= writer


def elemwise_inplace(fgraph: FunctionGraph, node: Apply) -> Op | None:
    """``node``'s Elemwise with an ``inplace_pattern``, or None when no input may be overwritten."""
    op = node.op
    assert isinstance(op, Elemwise)
    pattern: dict[int, int] = {}
    for output, result in enumerate(node.outputs):
        if not fgraph.clients.get(result):
            continue
        for position, source in enumerate(node.inputs):
            if (
                position not in pattern.values()
                and can_hold(source, result)
                and composite_allows(op.scalar_op, output, position)
                and can_destroy(fgraph, source, node)
            ):
                pattern[output] = position
                break
    return Elemwise(op.scalar_op, pattern) if pattern else None


def offered_inplace(fgraph: FunctionGraph, node: Apply) -> Op | None:
    """The op's own inplace variant, when every input it would overwrite may be."""
    make_inplace = getattr(node.op, "make_inplace", None)
    if make_inplace is None:
        return None
    variant = make_inplace()
    if variant is None or not variant.destroy_map:
        return None
    overwritten = {position for inputs in variant.destroy_map.values() for position in inputs}
    if all(can_destroy(fgraph, node.inputs[position], node) for position in overwritten):
        return variant
    return None


def inplace_variant(fgraph: FunctionGraph, node: Apply) -> Op | None:
    if node.op.destroy_map:
        return None
    if isinstance(node.op, Elemwise):
        return elemwise_inplace(fgraph, node)
    return offered_inplace(fgraph, node)


class InplaceRewriter(GraphRewriter):
    """Makes every op that can overwrite an input, and may, do so."""

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        for node in fgraph.toposort():
            report.visits += 1
            variant = inplace_variant(fgraph, node)
            if variant is None:
                continue
            # Same inputs, same output types: built directly, not re-derived by make_node.
            new = Apply(
                variant, node.inputs, [out.type.make_variable(out.name) for out in node.outputs]
            )
            new.tag = SimpleNamespace(**vars(node.tag))
            for old, out in zip(node.outputs, new.outputs, strict=True):
                fgraph.replace(old, out, reason=self.name)
            report.applied[self.name] += 1
        report.most_visits_of_one_node = 1 if report.visits else 0
        report.seconds = time.perf_counter() - start
        return report


make_inplace = InplaceRewriter("make_inplace")

# After the inplace phase's own node rules (position 5), before the last merge (6).
rewrite_db.register("make_inplace", make_inplace, "fast_run", "inplace", position=5.5)
