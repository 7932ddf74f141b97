"""Gradients of tensor products: ``dot`` (ranks 0 to 2), ``matmul`` (batched, broadcast),
``tensordot`` (any axes); ``outer``, ``inner`` and ``batched_dot`` are built from these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import tensorops as pt
from autodiff.registry import register_gradient
from graphcore import Apply, Variable
from tensorops.products import Dot, MatMul, TensorDot


def tensors(variables: Sequence[Variable]) -> list[Any]:
    """Graph variables typed as tensors (their methods come from tensorops)."""
    return list(variables)


def matrix_transpose(x: Any) -> Any:
    """``x`` with its last two axes swapped (a stack of transposes)."""
    order = [*range(x.ndim - 2), x.ndim - 1, x.ndim - 2]
    return x.dimshuffle(*order)


def sum_to_batch(gradient: Any, target: Any, core_ndim: int) -> Any:
    """Sum ``gradient`` over the batch axes that ``target`` was broadcast along.

    Both end in ``core_ndim`` axes that match; ``gradient`` may have more leading batch
    axes, and it has the full length where ``target`` has a static length of 1.
    """
    extra = gradient.ndim - target.ndim
    if extra > 0:
        gradient = pt.sum(gradient, axis=tuple(range(extra)))
    target_shape = target.type.shape
    broadcast = tuple(
        axis
        for axis in range(target.ndim - core_ndim)
        if target_shape[axis] == 1 and gradient.type.shape[axis] != 1
    )
    if broadcast:
        gradient = pt.sum(gradient, axis=broadcast, keepdims=True)
    return gradient


def _column(x: Any) -> Any:
    return x.dimshuffle(0, "x")


def _row(x: Any) -> Any:
    return x.dimshuffle("x", 0)


@register_gradient(Dot)
def dot_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """out = a · b for ranks <= 2: each case is a product with the other operand."""
    a, b = tensors(node.inputs)
    (g,) = output_grads
    ranks = (a.ndim, b.ndim)
    if ranks[0] == 0:
        return [pt.sum(g * b), g * a]
    if ranks[1] == 0:
        return [g * b, pt.sum(g * a)]
    if ranks == (1, 1):  # out = Σ a_i b_i
        return [g * b, g * a]
    if ranks == (2, 1):  # out_i = Σ_j a_ij b_j
        return [_column(g) * _row(b), pt.dot(a.T, g)]
    if ranks == (1, 2):  # out_j = Σ_i a_i b_ij
        return [pt.dot(b, g), _column(a) * _row(g)]
    return [pt.dot(g, b.T), pt.dot(a.T, g)]


@register_gradient(MatMul)
def matmul_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """out = A @ B on the last two axes: Ā = Ḡ Bᵀ, B̄ = Aᵀ Ḡ, summed over broadcast batches.

    A 1-d ``a`` is a row (a 1-d ``b`` a column) whose axis is absent from ``out``; the
    gradient puts it back, multiplies, and drops it again.
    """
    a, b = tensors(node.inputs)
    (g,) = output_grads
    ndim_a, ndim_b = a.ndim, b.ndim
    rows = a.dimshuffle("x", 0) if ndim_a == 1 else a
    columns = b.dimshuffle(0, "x") if ndim_b == 1 else b
    full = g
    if ndim_a == 1:
        full = pt.expand_dims(full, full.ndim - (0 if ndim_b == 1 else 1))
    if ndim_b == 1:
        full = pt.expand_dims(full, full.ndim)
    grad_rows = sum_to_batch(pt.matmul(full, matrix_transpose(columns)), rows, 2)
    grad_columns = sum_to_batch(pt.matmul(matrix_transpose(rows), full), columns, 2)
    grad_a = grad_rows.dimshuffle(1) if ndim_a == 1 else grad_rows
    grad_b = grad_columns.dimshuffle(0) if ndim_b == 1 else grad_columns
    return [grad_a, grad_b]


@register_gradient(TensorDot)
def tensordot_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """out[free_a, free_b] = Σ_c a[free_a, c] b[c, free_b]: contract Ḡ with the other operand
    over its free axes, then put the axes back in the operand's order."""
    a, b = tensors(node.inputs)
    (g,) = output_grads
    op = node.op
    assert isinstance(op, TensorDot)
    axes_a, axes_b = op.axes
    free_a = [axis for axis in range(a.ndim) if axis not in axes_a]
    free_b = [axis for axis in range(b.ndim) if axis not in axes_b]
    g_free_a = list(range(len(free_a)))
    g_free_b = list(range(len(free_a), len(free_a) + len(free_b)))
    # Ḡ · b over free_b leaves (free_a, b's contracted axes in b's order), named in a's axes.
    grad_a = pt.tensordot(g, b, axes=(g_free_b, free_b))
    by_b_order = sorted(range(len(axes_b)), key=lambda i: axes_b[i])
    a_axes_of_result = free_a + [axes_a[i] for i in by_b_order]
    grad_a = pt.transpose(grad_a, [a_axes_of_result.index(axis) for axis in range(a.ndim)])
    # a · Ḡ over free_a leaves (a's contracted axes in a's order, free_b), named in b's axes.
    grad_b = pt.tensordot(a, g, axes=(free_a, g_free_a))
    by_a_order = sorted(range(len(axes_a)), key=lambda i: axes_a[i])
    b_axes_of_result = [axes_b[i] for i in by_a_order] + free_b
    grad_b = pt.transpose(grad_b, [b_axes_of_result.index(axis) for axis in range(b.ndim)])
    return [grad_a, grad_b]
