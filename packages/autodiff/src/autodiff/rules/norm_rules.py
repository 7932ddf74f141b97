"""The gradient of ``norm``: each order is rebuilt from differentiable pieces (abs, sums,
max, sqrt, singular values) and differentiated through them, so ties at a max and the
kinks of abs behave as those pieces' rules say."""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorops as pt
from autodiff.registry import register_gradient
from autodiff.rules.product_rules import tensors
from graphcore import Apply
from tensorops.nlinalg import Norm


def _vector_norm(x: Any, order: Any, axis: int) -> Any:
    """‖x‖_p along one axis: max / min |x| for ±inf, the count of nonzeros for 0."""
    if order == np.inf:
        return pt.max(abs(x), axis=axis)
    if order == -np.inf:
        return pt.min(abs(x), axis=axis)
    if order == 0:
        return pt.sum(pt.cast(pt.neq(x, 0), x.dtype), axis=axis)
    if order == 1:
        return pt.sum(abs(x), axis=axis)
    if order is None or order == 2:
        return pt.sqrt(pt.sum(x * x, axis=axis))
    return pt.sum(abs(x) ** order, axis=axis) ** (1.0 / order)


def _singular_values(x: Any, rows: int, columns: int) -> Any:
    """The singular values of the matrices in the (rows, columns) planes, last axis."""
    others = [axis for axis in range(x.ndim) if axis not in (rows, columns)]
    return pt.nlinalg.svd(pt.transpose(x, [*others, rows, columns]), compute_uv=False)


def _matrix_norm(x: Any, order: Any, rows: int, columns: int) -> Any:
    """Frobenius, nuclear, spectral (±2) and the max/min row or column sums (±1, ±inf)."""
    if order is None or order == "fro":
        return pt.sqrt(pt.sum(x * x, axis=(rows, columns)))
    if order in ("nuc", 2, -2):
        values = _singular_values(x, rows, columns)
        if order == "nuc":
            return pt.sum(values, axis=-1)
        return pt.max(values, axis=-1) if order == 2 else pt.min(values, axis=-1)
    summed, kept = (rows, columns) if order in (1, -1) else (columns, rows)
    sums = pt.sum(abs(x), axis=summed)
    kept -= int(summed < kept)
    return pt.max(sums, axis=kept) if order in (1, np.inf) else pt.min(sums, axis=kept)


def norm_expression(x: Any, op: Norm) -> Any:
    """``op``'s norm of ``x`` without keepdims, from differentiable pieces."""
    axes = tuple(range(x.ndim)) if op.axis is None else op.axis
    if op.ord is None and op.axis is None:
        return pt.sqrt(pt.sum(x * x))
    if len(axes) == 1:
        return _vector_norm(x, op.ord, axes[0])
    return _matrix_norm(x, op.ord, axes[0], axes[1])


@register_gradient(Norm)
def norm_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    from autodiff.reverse import grad

    op = node.op
    assert isinstance(op, Norm)
    (x,) = tensors(node.inputs)
    (g,) = output_grads
    value = norm_expression(x, op)
    if op.keepdims:
        axes = tuple(range(x.ndim)) if op.axis is None else tuple(sorted(op.axis))
        g = g.dimshuffle(*[axis for axis in range(x.ndim) if axis not in axes])
    return [grad(None, x, known_grads={value: g}, disconnected_inputs="ignore")]
