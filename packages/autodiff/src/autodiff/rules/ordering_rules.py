"""Gradients of sorting: ``sort`` passes each output's gradient back to the input element
it came from; ``argsort`` has an integer output and passes nothing."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import register_gradient
from autodiff.rules.product_rules import tensors
from graphcore import Apply
from tensorops.sort import SortOp


def take_along_axis(values: Any, indices: Any, axis: int) -> Any:
    """``np.take_along_axis``: ``values`` gathered by integer ``indices`` along ``axis``."""
    sizes = pt.shape_tuple(indices)
    ndim = indices.ndim
    key = []
    for position in range(ndim):
        if position == axis:
            key.append(indices)
            continue
        # arange over this axis, with length-1 axes elsewhere: the index grids broadcast.
        order: list[int | str] = ["x"] * ndim
        order[position] = 0
        key.append(pt.arange(sizes[position]).dimshuffle(*order))
    return values[tuple(key)]


@register_gradient(SortOp)
def sort_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """y = x[perm] along the axis, so x̄ = ȳ[perm⁻¹] with perm⁻¹ = argsort(perm).

    Ties have no derivative; the gradient then follows the order argsort gives them.
    """
    op = node.op
    assert isinstance(op, SortOp)
    (x,) = tensors(node.inputs)
    if op.mode == "argsort":
        return [None]
    (g,) = output_grads
    order = pt.argsort(x, axis=op.axis, kind=op.kind)
    inverse = pt.argsort(order, axis=-1 if op.axis is None else op.axis, kind="stable")
    if op.axis is None:
        return [pt.reshape(g[inverse], pt.shape(x), ndim=x.ndim)]
    return [take_along_axis(g, inverse, op.axis)]
