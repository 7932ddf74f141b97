"""Gradients of the diagonal ops: reading a diagonal, building a matrix from one, and
overwriting one."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient
from graphcore import Apply, Variable
from tensorops.diagonal import AllocDiag, ExtractDiag, FillDiagonal


@register_gradient(ExtractDiag)
def extract_diag_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """The gradient written onto the same diagonal of zeros shaped like the input."""
    op: Any = node.op
    x: Any = node.inputs[0]
    g: Any = output_grads[0]
    # Put the two diagonal axes last, as the output has them.
    order = [a for a in range(x.ndim) if a not in (op.axis1, op.axis2)] + [op.axis1, op.axis2]
    planes: Any = pt.zeros_like(x).dimshuffle(*order)
    steps = pt.arange(pt.shape_tuple(g)[-1])
    rows, columns = steps + max(-op.offset, 0), steps + max(op.offset, 0)
    filled = pt.inc_subtensor(planes[..., rows, columns], g)
    return [filled.dimshuffle(*(order.index(a) for a in range(len(order))))]


@register_gradient(AllocDiag)
def alloc_diag_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """``v`` sits on diagonal ``offset``: its gradient is that diagonal of the gradient."""
    op: Any = node.op
    return [pt.diagonal(output_grads[0], op.offset)]


@register_gradient(FillDiagonal)
def fill_diagonal_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """``a`` keeps the gradient off the diagonal; the value gets the sum on it."""
    g = output_grads[0]
    off_diagonal = pt.fill_diagonal(g, 0)
    return [off_diagonal, pt.sum(g) - pt.sum(off_diagonal)]
