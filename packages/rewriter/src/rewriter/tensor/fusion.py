"""Elementwise fusion: connected Elemwise nodes become one ``Elemwise(Composite)`` node.

One walk from the outputs towards the inputs. Each Elemwise node not yet fused
roots a region, which grows through its inputs' producers, consumers before
producers, while they are elementwise too. A producer whose result is also read
outside the region joins as an extra output of the Composite, when that cannot
create a cycle and its result has the region's shape. Regions stop at
non-elementwise ops, at ``max_inputs`` outer inputs and at ``max_nodes`` nodes,
so a pass costs about one visit per node, whatever the graph's size.
"""

from __future__ import annotations

import functools
import heapq
import time

import numpy as np

from graphcore import Apply, Constant, FunctionGraph, Variable
from rewriter.db import rewrite_db
from rewriter.engine.graph_rewriter import GraphRewriter
from rewriter.engine.report import RewriteReport
from tensorops.composite import Composite
from tensorops.elemwise import Elemwise
from tensorops.type import TensorType


def is_fusable(node: Apply) -> bool:
    """An elementwise node that may join a Composite (not one that already overwrites)."""
    return isinstance(node.op, Elemwise) and not node.op.inplace_pattern


def is_inner_constant(var: Variable) -> bool:
    """A single-valued constant: it goes inside the Composite instead of being an input."""
    return isinstance(var, Constant) and np.size(var.data) == 1


def broadcast_pattern(var: Variable) -> tuple[bool, ...]:
    """Which axes are known to have length 1 (only those broadcast, at build or run time)."""
    assert isinstance(var.type, TensorType)
    return tuple(length == 1 for length in var.type.shape)


class Region:
    """The nodes fused around one root, the variables they read from outside, and the
    variables the rest of the graph reads from them."""

    def __init__(self, root: Apply):
        self.root = root
        self.nodes: dict[Apply, None] = {root: None}  # ordered set
        self.inputs: dict[Variable, None] = dict.fromkeys(outer_inputs(root))
        self.extra_outputs: list[Variable] = []

    def inputs_with(self, producer: Apply) -> dict[Variable, None]:
        """The region's outer inputs once ``producer`` is inside."""
        merged = {var: None for var in self.inputs if var.owner is not producer}
        merged.update(dict.fromkeys(outer_inputs(producer)))
        return merged

    def outputs(self, fgraph: FunctionGraph) -> list[Variable]:
        """The root's results that anything reads, then the extra outputs."""
        read = [out for out in self.root.outputs if fgraph.clients.get(out)]
        return read + self.extra_outputs


def outer_inputs(node: Apply) -> list[Variable]:
    return [var for var in node.inputs if not is_inner_constant(var)]


class ElementwiseFusion(GraphRewriter):
    """Fuses trees and chains of Elemwise nodes into ``Elemwise(Composite)`` nodes."""

    def __init__(
        self,
        max_inputs: int = 32,
        max_nodes: int = 512,
        search_budget: int = 512,
        name: str = "fuse_elementwise",
    ):
        super().__init__(name)
        self.max_inputs = max_inputs
        self.max_nodes = max_nodes
        # How many nodes one cycle check may visit before it gives up (and refuses).
        self.search_budget = search_budget

    def rewrite(self, fgraph: FunctionGraph) -> RewriteReport:
        report = RewriteReport(self.name)
        start = time.perf_counter()
        order = fgraph.toposort()
        position = {node: index for index, node in enumerate(order)}
        claimed: set[Apply] = set()
        for root in reversed(order):
            report.visits += 1
            if root in claimed or root not in fgraph.apply_nodes or not is_fusable(root):
                continue
            region = self.grow(fgraph, root, position, claimed)
            claimed.update(region.nodes)
            if len(region.nodes) > 1 and replace_region(fgraph, region):
                report.applied[self.name] += 1
        report.most_visits_of_one_node = 1 if report.visits else 0
        report.seconds = time.perf_counter() - start
        return report

    def grow(
        self,
        fgraph: FunctionGraph,
        root: Apply,
        position: dict[Apply, int],
        claimed: set[Apply],
    ) -> Region:
        """The largest region around ``root`` this walk finds, consumers decided first."""
        region = Region(root)
        # Latest first: every reader of a candidate inside the graph comes later in the
        # order, so by the time a candidate is popped its readers are decided.
        heap: list[tuple[int, int, Apply]] = []
        queued: set[Apply] = set()

        def offer(node: Apply) -> None:
            for var in node.inputs:
                producer = var.owner
                if (
                    producer is not None
                    and producer in position
                    and producer not in queued
                    and producer not in claimed
                    and is_fusable(producer)
                ):
                    queued.add(producer)
                    heapq.heappush(heap, (-position[producer], id(producer), producer))

        offer(root)
        while heap and len(region.nodes) < self.max_nodes:
            _, _, producer = heapq.heappop(heap)
            outside = outside_readers(fgraph, region, producer)
            inputs = region.inputs_with(producer)
            if len(inputs) > self.max_inputs:
                continue
            if outside and not self.extra_outputs_fit(fgraph, region, producer, outside):
                continue
            region.nodes[producer] = None
            region.inputs = inputs
            region.extra_outputs.extend(
                out for out in producer.outputs if any(r in outside for r, _ in reads(fgraph, out))
            )
            offer(producer)
        return region

    def extra_outputs_fit(
        self,
        fgraph: FunctionGraph,
        region: Region,
        producer: Apply,
        outside: set[Apply | str],
    ) -> bool:
        """Whether ``producer``'s results can leave the Composite as extra outputs.

        The Composite computes every output at the region's shape, so each must have
        the root's broadcast pattern; and no outside reader may lead back into the
        region, or the fused node would depend on itself.
        """
        pattern = broadcast_pattern(region.root.outputs[0])
        if any(broadcast_pattern(out) != pattern for out in producer.outputs):
            return False
        readers = [reader for reader in outside if isinstance(reader, Apply)]
        return not self.reaches(fgraph, readers, region.root)

    def reaches(self, fgraph: FunctionGraph, starts: list[Apply], target: Apply) -> bool:
        """Whether ``target`` depends on any of ``starts`` (True when the search runs long)."""
        stack = list(starts)
        seen: set[Apply] = set(stack)
        while stack:
            node = stack.pop()
            if node is target:
                return True
            if len(seen) > self.search_budget:
                return True
            for out in node.outputs:
                for reader, _ in reads(fgraph, out):
                    if isinstance(reader, Apply) and reader not in seen:
                        seen.add(reader)
                        stack.append(reader)
        return False


def outside_readers(fgraph: FunctionGraph, region: Region, producer: Apply) -> set[Apply | str]:
    """The readers of ``producer``'s results that are not in the region (``"output"`` too)."""
    return {
        reader
        for out in producer.outputs
        for reader, _ in reads(fgraph, out)
        if reader not in region.nodes
    }


def reads(fgraph: FunctionGraph, var: Variable) -> list[tuple[Apply | str, int]]:
    return list(fgraph.clients.get(var, ()))


def replace_region(fgraph: FunctionGraph, region: Region) -> bool:
    """Put one ``Elemwise(Composite)`` node in place of the region; whether it was done."""
    inputs = list(region.inputs)
    if not inputs:
        return False  # only constants: folding's business, and no input would give the shape
    outputs = region.outputs(fgraph)
    inner: dict[Variable, Variable] = {}
    for var in inputs:
        inner[var] = scalar_like(var)
    # The scalar graph: each node again, on 0-d stand-ins for the outer variables. Nodes
    # joined latest first (see ``grow``), so the reverse is a topological order.
    for node in reversed(list(region.nodes)):
        arguments = [inner.get(var, var) for var in node.inputs]
        copies = [scalar_like(out) for out in node.outputs]
        copy = Apply(node.op, arguments, copies)
        inner.update(zip(node.outputs, copy.outputs, strict=True))
    composite = Composite([inner[var] for var in inputs], [inner[out] for out in outputs])
    fused = Elemwise(composite).make_node(*inputs)
    fused.tag.trace = region.root.tag.trace
    for old, new in zip(outputs, fused.outputs, strict=True):
        if old.type.convert_variable(new) is None:
            return False
    for old, new in zip(outputs, fused.outputs, strict=True):
        fgraph.replace(old, new, reason="fuse_elementwise")
    return True


def scalar_like(var: Variable) -> Variable:
    assert isinstance(var.type, TensorType)
    return scalar_type(var.type.dtype).make_variable()


@functools.cache
def scalar_type(dtype: str) -> TensorType:
    return TensorType(dtype, ())


fuse_elementwise = ElementwiseFusion()

# After the fusion phase's own node rules (position 4), before inplace (5).
rewrite_db.register(
    "fuse_elementwise", fuse_elementwise, "fast_run", "fusion", "elemwise_fusion", position=4.5
)
