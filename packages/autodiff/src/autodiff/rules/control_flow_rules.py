"""Gradients of the lazy ``ifelse``: each branch gets the gradient when it is the one
taken, zeros otherwise, chosen by the same condition (so only one side is computed)."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient
from graphcore import Apply, Variable
from tensorops.ifelse import IfElse


def _zeros_shaped_like(value: Any) -> Any:
    """Zeros of ``value``'s shape, inferred from what ``value`` is computed from, so that
    the branch not taken is still not computed."""
    return pt.zeros(pt.shape_of(value), dtype=value.dtype)


@register_gradient(IfElse)
def ifelse_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Condition: disconnected; then-values ``ifelse(c, g, 0)``, else-values ``ifelse(c, 0, g)``."""
    op: Any = node.op
    n_outs: int = op.n_outs
    condition = node.inputs[0]
    then_values = node.inputs[1 : 1 + n_outs]
    else_values = node.inputs[1 + n_outs :]
    then_zeros = [_zeros_shaped_like(value) for value in then_values]
    else_zeros = [_zeros_shaped_like(value) for value in else_values]
    gradients = list(output_grads)
    chosen = pt.ifelse(condition, gradients + else_zeros, then_zeros + gradients)
    return [None, *chosen[:n_outs], *chosen[n_outs:]]
