"""Batching rules, one per op class, on one ``OpRegistry``, and the fallback for ops
without one.

A batching rule rebuilds one node for inputs of which some carry a new leading batch
axis (``vectorize.vectorize_graph`` calls it; ``vectorize_rules`` registers the rules
of tensorops' ops). An op without a rule gets ``LoopOverBatch``: correct, but a Python
loop at run time calling the op's ``perform`` once per batch entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphcore import Apply, Op, Variable
from graphcore.graph.op import OutputStorage
from graphcore.registry import OpRegistry

BatchRule = Callable[[Apply, list[Any], list[bool]], Sequence[Variable]]
"""``rule(node, inputs, batched) -> outputs``: ``inputs`` are the new inputs of ``node``,
``batched[i]`` says whether input ``i`` has the leading batch axis. An output with one
more axis than the original is batched; one with as many is not (a shape)."""

batch_rules: OpRegistry[BatchRule] = OpRegistry("batching")


def register_batch_rule(op_class: type) -> Callable[[BatchRule], BatchRule]:
    """Decorator: ``rule`` batches every op of ``op_class`` (and its subclasses)."""
    return batch_rules.register(op_class)


def batch_rule(op: Op) -> BatchRule | None:
    """The batching rule for ``op``'s class or nearest base class, or None."""
    return batch_rules.lookup(op, None)


class LoopOverBatch(Op):
    """The fallback batching: run ``node``'s op once per entry of the batch axis and stack
    the results (``batched[i]``: whether input ``i`` carries the batch axis)."""

    def __init__(self, node: Apply, batched: Sequence[bool]):
        self.node = node
        self.batched = tuple(batched)

    def __str__(self) -> str:
        return f"LoopOverBatch{{{self.node.op}}}"

    def make_node(self, *inputs: Any) -> Apply:
        from tensorops.type import TensorType

        originals: list[Any] = list(self.node.outputs)
        outputs = [
            TensorType(out.type.dtype, (None, *out.type.shape)).make_variable() for out in originals
        ]
        return Apply(self, list(inputs), outputs)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        size = next(len(x) for x, flag in zip(inputs, self.batched, strict=True) if flag)
        op = self.node.op
        results: list[list[Any]] = [[] for _ in node.outputs]
        for entry in range(size):
            items = [x[entry] if flag else x for x, flag in zip(inputs, self.batched, strict=True)]
            cells: OutputStorage = [[None] for _ in node.outputs]
            if op.lazy:
                op.perform_lazy(self.node, items.__getitem__, cells)
            else:
                op.perform(self.node, items, cells)
            for collected, cell in zip(results, cells, strict=True):
                collected.append(np.asarray(cell[0]))
        outputs: list[Any] = list(node.outputs)
        for cell, out, collected in zip(output_storage, outputs, results, strict=True):
            if collected:
                cell[0] = np.stack(collected).astype(out.type.dtype, copy=False)
            else:
                empty = tuple(0 if n is None else n for n in out.type.shape)
                cell[0] = np.zeros(empty, dtype=out.type.dtype)


def loop_over_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    """The fallback rule: a ``LoopOverBatch`` node."""
    return list(LoopOverBatch(node, batched).make_node(*inputs).outputs)
