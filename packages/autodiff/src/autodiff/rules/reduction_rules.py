"""Gradients of reductions (sum, prod, mean, max, min; all/any and argmax/argmin are flat)
and of logsumexp, softmax and log_softmax."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient
from graphcore import Apply, Variable
from tensorops.reduction import ArgReduce, LogSoftmax, LogSumExp, Reduce, Softmax


def restore_reduced_axes(reduced: Any, axes: Sequence[int], keepdims: bool) -> Any:
    """``reduced`` (a reduction's output or gradient) with static length-1 axes where the
    reduction removed or kept axes, so that it broadcasts against the input."""
    if not axes:
        return reduced
    if keepdims:
        if all(reduced.type.shape[axis] == 1 for axis in axes):
            return reduced
        reduced = pt.squeeze(reduced, tuple(axes))
    return pt.expand_dims(reduced, tuple(axes))


def _spread(gradient: Any, x: Any) -> Any:
    """A gradient with length-1 reduced axes, repeated to the input's shape."""
    return pt.broadcast_to(gradient, pt.shape_tuple(x))


def _element_count(x: Any, axes: Sequence[int], dtype: str) -> Any:
    """How many elements each reduction over ``axes`` combines, in ``dtype``."""
    count: Any = 1
    for axis in axes:
        size = x.type.shape[axis]
        count = count * (size if size is not None else pt.Shape_i(axis)(x))
    return count if isinstance(count, int) else pt.cast(count, dtype)


def _prod_gradient(x: Any, g: Any, axes: Sequence[int]) -> Any:
    """d prod / d x_i = Π_{j≠i} x_j, split into its nonzero and its zero factors.

    Divisions only ever see nonzero values, and the zero factors are polynomials in
    x (not constants), so the gradient is exact at zeros and so are its derivatives.
    """
    is_zero = pt.eq(x, 0)
    safe_x = pt.switch(is_zero, 1.0, x)
    # Π over the nonzero x_j with j ≠ i
    nonzero_others = pt.prod(safe_x, axis=axes, keepdims=True) / safe_x
    # Π over the zero x_j: 1 without zeros, else 0 (but it varies with those x_j)
    zero_product = pt.prod(pt.switch(is_zero, x, 1.0), axis=axes, keepdims=True)
    # For a zero x_i, Π over the other zero x_j: 1 when alone, the other one when there
    # are two (their sum minus x_i), 0 for three or more (flat to first order).
    count = pt.sum(is_zero, axis=axes, keepdims=True)
    zero_sum = pt.sum(pt.switch(is_zero, x, 0.0), axis=axes, keepdims=True)
    other_zeros = pt.switch(pt.eq(count, 1), 1.0, pt.switch(pt.eq(count, 2), zero_sum - x, 0.0))
    return g * nonzero_others * pt.switch(is_zero, other_zeros, zero_product)


def _extreme_gradient(x: Any, z: Any, g: Any) -> Any:
    """Every position equal to the max (or min) gets the gradient, ties included."""
    return pt.switch(pt.eq(x, z), g, 0.0)


@register_gradient(Reduce)
def reduce_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """sum and mean spread the gradient; prod and max/min weight it; all/any pass none."""
    op: Any = node.op
    x: Any = node.inputs[0]
    if op.reduction in ("all", "any"):
        return [None]
    g = restore_reduced_axes(output_grads[0], op.axis, op.keepdims)
    if op.reduction == "sum":
        return [_spread(g, x)]
    if op.reduction == "mean":
        return [_spread(g / _element_count(x, op.axis, g.dtype), x)]
    if op.reduction == "prod":
        return [_prod_gradient(x, g, op.axis)]
    z = restore_reduced_axes(node.outputs[0], op.axis, op.keepdims)
    return [_extreme_gradient(x, z, g)]  # max, min


@register_gradient(ArgReduce)
def arg_reduce_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """An index does not change with small moves of the values: disconnected."""
    return [None]


@register_gradient(LogSumExp)
def logsumexp_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """d/dx_i log Σ exp(x) = exp(x_i - logsumexp(x)), the softmax weights."""
    op: Any = node.op
    x: Any = node.inputs[0]
    g = restore_reduced_axes(output_grads[0], op.axis, op.keepdims)
    z = restore_reduced_axes(node.outputs[0], op.axis, op.keepdims)
    return [g * pt.exp(x - z)]


@register_gradient(Softmax)
def softmax_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """y = softmax(x): dx = y (g - Σ g y) along the axes."""
    y: Any = node.outputs[0]
    op: Any = node.op
    g = output_grads[0]
    return [y * (g - pt.sum(g * y, axis=op.axis, keepdims=True))]


@register_gradient(LogSoftmax)
def log_softmax_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """y = log_softmax(x): dx = g - exp(y) Σ g along the axes."""
    op: Any = node.op
    g = output_grads[0]
    return [g - pt.exp(node.outputs[0]) * pt.sum(g, axis=op.axis, keepdims=True)]
