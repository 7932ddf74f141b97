"""Gradients of running sums and products (``cumsum``, ``cumprod``) along an axis."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import register_gradient
from autodiff.rules.product_rules import tensors
from graphcore import Apply
from tensorops.cumulative import CumOp


def _reversed(x: Any, axis: int) -> Any:
    return x[(slice(None),) * axis + (slice(None, None, -1),)]


def reverse_cumsum(x: Any, axis: int) -> Any:
    """Sums from the end: out_i = Σ_{j >= i} x_j along ``axis``."""
    return _reversed(pt.cumsum(_reversed(x, axis), axis=axis), axis)


@register_gradient(CumOp)
def cumulative_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """cumsum: y_i = Σ_{j<=i} x_j, so x̄_j = Σ_{i>=j} ȳ_i (a reversed cumsum).

    cumprod: y_i = Π_{j<=i} x_j, so x̄_j = Σ_{i>=j} ȳ_i y_i / x_j. This division form is
    exact where no input is zero; at a zero input it gives nan or inf.
    """
    op = node.op
    assert isinstance(op, CumOp)
    (x,) = tensors(node.inputs)
    (g,) = output_grads
    axis = 0 if op.axis is None else op.axis
    if op.mode == "cumsum":
        gradient = reverse_cumsum(g, axis)
    else:
        flat_x = x.flatten() if op.axis is None else x
        gradient = reverse_cumsum(g * tensors(node.outputs)[0], axis) / flat_x
    if op.axis is None:
        gradient = pt.reshape(gradient, pt.shape(x), ndim=x.ndim)
    return [gradient]
