"""Vectorizing a graph: the same computation for a whole batch at once, along a new
leading axis.

``vectorize_graph(outputs, {u: U})`` rebuilds the graph between ``u`` and ``outputs``
with ``U`` (``u`` with one more, leading, axis) in place of ``u``: every node that
depends on ``u`` is rebuilt by its op's batching rule (one registry, keyed by op
class, in ``vectorize_rules``), the others are kept. ``jacobian`` uses it to evaluate
a vector-Jacobian product for every row of the identity in one graph.

An op without a rule gets ``LoopOverBatch``: correct, but a Python loop at run time
calling the op's ``perform`` once per batch entry (in the rules module's docstring:
which ops that is).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from graphcore import Apply, Op, Variable, io_toposort
from graphcore.graph.op import OutputStorage

BatchRule = Callable[[Apply, list[Any], list[bool]], Sequence[Variable]]
"""``rule(node, inputs, batched) -> outputs``: ``inputs`` are the new inputs of ``node``,
``batched[i]`` says whether input ``i`` has the leading batch axis. An output with one
more axis than the original is batched; one with as many is not (a shape)."""

_batch_rules: dict[type, BatchRule] = {}


def register_batch_rule(op_class: type) -> Callable[[BatchRule], BatchRule]:
    """Decorator: ``rule`` batches every op of ``op_class`` (and its subclasses)."""

    def register(rule: BatchRule) -> BatchRule:
        _batch_rules[op_class] = rule
        return rule

    return register


def batch_rule(op: Op) -> BatchRule | None:
    """The batching rule for ``op``'s class or nearest base class, or None."""
    for cls in type(op).__mro__:
        if cls in _batch_rules:
            return _batch_rules[cls]
    return None


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


def vectorize_graph(
    outputs: Variable | Sequence[Variable], replacements: Mapping[Variable, Variable]
) -> Any:
    """``outputs`` computed for a batch: each key of ``replacements`` is replaced by its
    value, which has one more (leading) axis. Every output gets that axis; outputs that
    do not depend on a replaced variable are repeated along it."""
    import tensorops as pt
    from autodiff import vectorize_rules  # noqa: F401 - registers the rules

    targets = [outputs] if isinstance(outputs, Variable) else list(outputs)
    if not replacements:
        raise ValueError("vectorize_graph: give at least one replacement")
    loose: dict[Any, Any] = dict(replacements)
    for old, new in loose.items():
        if new.ndim != old.ndim + 1:
            raise ValueError(
                f"vectorize_graph: the replacement of {old} ({old.type}) must have one more "
                f"axis, got {new.type}"
            )
    new_of: dict[Variable, Variable] = {
        old: _cast_like(pt.as_tensor(new), old) for old, new in replacements.items()
    }
    batched: set[Variable] = set(new_of)
    for node in io_toposort(list(replacements), targets):
        flags = [inp in batched for inp in node.inputs]
        if not any(inp in new_of for inp in node.inputs):
            continue
        inputs = [new_of.get(inp, inp) for inp in node.inputs]
        if not any(flags):
            rebuilt = list(node.op.make_node(*inputs).outputs)
        else:
            rule = batch_rule(node.op) or loop_over_batch
            rebuilt = list(rule(node, inputs, flags))
        news: list[Any] = rebuilt
        olds: list[Any] = list(node.outputs)
        for old, new in zip(olds, news, strict=True):
            if new.ndim == old.ndim + 1:
                new_of[old] = _keep_static_shape(new, old)
                batched.add(old)
            else:
                new_of[old] = new
    size = pt.shape_tuple(next(iter(new_of.values())))[0]
    results = []
    for target in targets:
        if target in batched:
            results.append(new_of[target])
        else:
            value = new_of.get(target, target)
            results.append(pt.alloc(value, size, *pt.shape_tuple(value)))
    return results[0] if isinstance(outputs, Variable) else results


def _cast_like(new: Any, old: Any) -> Any:
    import tensorops as pt

    dtype = old.type.dtype
    return new if new.dtype == dtype else pt.cast(new, dtype)


def _keep_static_shape(new: Any, old: Any) -> Any:
    """``new`` with the static sizes of ``old`` after the batch axis: a length-1 axis must
    stay known as such, or elementwise ops downstream would refuse to broadcast it."""
    import tensorops as pt

    wanted = (None, *old.type.shape)
    have = new.type.shape
    if all(w is None or w == h for w, h in zip(wanted, have, strict=True)):
        return new
    return pt.specify_shape(
        new, [w if h is None else None for w, h in zip(wanted, have, strict=True)]
    )
