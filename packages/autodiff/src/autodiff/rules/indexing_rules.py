"""Gradients of indexing (``x[key]``) and of writing through it (set/inc_subtensor).

Reading scatters the gradient back into zeros with an increment, so repeated integer
indices accumulate. Writing passes ``x`` the gradient (with the written region zeroed
for a set) and passes the value the gradient of its region, summed over the axes
along which the value was broadcast.
"""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient
from autodiff.rules.elemwise import sum_to_shape
from graphcore import Apply, Op, Variable
from tensorops.indexing import (
    AdvancedIncSubtensor,
    AdvancedIncSubtensor1,
    AdvancedSubtensor,
    AdvancedSubtensor1,
    IncSubtensor,
    Nonzero,
    SliceLength,
    Subtensor,
)


def _reader_and_writer(op: Op, set_instead_of_inc: bool) -> tuple[Op, Op]:
    """The op reading the same region as ``op``, and one writing to it."""
    if isinstance(op, (Subtensor, IncSubtensor)):
        return Subtensor(op.spec), IncSubtensor(op.spec, set_instead_of_inc)
    if isinstance(op, (AdvancedSubtensor1, AdvancedIncSubtensor1)):
        return AdvancedSubtensor1(), AdvancedIncSubtensor1(set_instead_of_inc)
    assert isinstance(op, (AdvancedSubtensor, AdvancedIncSubtensor))
    return AdvancedSubtensor(op.spec), AdvancedIncSubtensor(op.spec, set_instead_of_inc)


@register_gradient(Subtensor)
@register_gradient(AdvancedSubtensor1)
@register_gradient(AdvancedSubtensor)
def subtensor_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """``x[key]``: the gradient added into zeros shaped like ``x`` at ``key``."""
    x, *indices = node.inputs
    _, increment = _reader_and_writer(node.op, set_instead_of_inc=False)
    scattered: Any = increment(pt.zeros_like(x), output_grads[0], *indices)
    return [scattered] + [None] * len(indices)


@register_gradient(IncSubtensor)
@register_gradient(AdvancedIncSubtensor1)
@register_gradient(AdvancedIncSubtensor)
def inc_subtensor_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """``x`` with ``x[key]`` set to (or incremented by) ``y``."""
    _, y, *indices = node.inputs
    g: Any = output_grads[0]
    op: Any = node.op
    setting: bool = op.set_instead_of_inc
    read, clear = _reader_and_writer(node.op, set_instead_of_inc=True)
    # Set: what was in x[key] is overwritten, so it gets no gradient. Increment: all of x.
    x_gradient = clear(g, pt.constant(0, dtype=g.dtype), *indices) if setting else g
    y_gradient = sum_to_shape(read(g, *indices), y)
    return [x_gradient, y_gradient] + [None] * len(indices)


@register_gradient(Nonzero)
@register_gradient(SliceLength)
def index_only_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Positions and lengths are integers: no gradient flows through them."""
    return [None] * len(node.inputs)
