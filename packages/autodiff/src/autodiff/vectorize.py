"""Vectorizing a graph: the same computation for a whole batch at once, along a new
leading axis.

``vectorize_graph(outputs, {u: U})`` rebuilds the graph between ``u`` and ``outputs``
with ``U`` (``u`` with one more, leading, axis) in place of ``u``: every node that
depends on ``u`` is rebuilt by its op's batching rule (one registry, keyed by op
class, in ``batching``; the rules in ``vectorize_rules``), the others are kept.
``jacobian`` uses it to evaluate a vector-Jacobian product for every row of the
identity in one graph.

An op without a rule gets ``LoopOverBatch``: correct, but a Python loop at run time
calling the op's ``perform`` once per batch entry (in the rules module's docstring:
which ops that is).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from autodiff import vectorize_rules  # noqa: F401 - registers the rules of tensorops' ops
from autodiff.batching import (
    BatchRule,
    LoopOverBatch,
    batch_rule,
    batch_rules,
    loop_over_batch,
    register_batch_rule,
)
from graphcore import Variable, io_toposort

__all__ = [
    "BatchRule",
    "LoopOverBatch",
    "batch_rule",
    "batch_rules",
    "loop_over_batch",
    "register_batch_rule",
    "vectorize_graph",
]


def vectorize_graph(
    outputs: Variable | Sequence[Variable], replacements: Mapping[Variable, Variable]
) -> Any:
    """``outputs`` computed for a batch: each key of ``replacements`` is replaced by its
    value, which has one more (leading) axis. Every output gets that axis; outputs that
    do not depend on a replaced variable are repeated along it."""
    import tensorops as pt

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
