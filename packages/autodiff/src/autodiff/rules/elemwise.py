"""The one gradient rule of ``Elemwise`` (table rows and fused ``Composite`` programs),
and ``sum_to_shape``, which undoes broadcasting on the way back."""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import GradEntry, register_gradient, undefined
from autodiff.reverse import grad, is_discrete
from autodiff.rules.scalar_derivatives import Point, Undefined, partials_of
from graphcore import Apply, Variable
from tensorops.composite import Composite
from tensorops.elemwise import Elemwise


def sum_to_shape(gradient: Any, like: Any, runtime_broadcast: bool = True) -> Any:
    """``gradient`` summed over the axes along which ``like`` was broadcast to its shape.

    Leading axes that ``like`` lacks are summed away; axes where ``like`` has static
    length 1 are summed with keepdims. With ``runtime_broadcast``, an axis of ``like``
    whose length is only known at run time is summed when it turns out to be 1 there
    (NumPy broadcast it: alloc, assignment into a region). Elemwise refuses such
    broadcasting, so its rule passes False.
    """
    extra = gradient.ndim - like.ndim
    if extra > 0:
        gradient = pt.sum(gradient, axis=tuple(range(extra)))
    like_shape = like.type.shape
    static = tuple(
        axis for axis, size in enumerate(like_shape) if size == 1 and gradient.type.shape[axis] != 1
    )
    if static:
        gradient = pt.sum(gradient, axis=static, keepdims=True)
    if not runtime_broadcast:
        return gradient
    for axis, size in enumerate(like_shape):
        if size is None and gradient.type.shape[axis] != 1:
            # Lazy choice: the summed gradient has length 1 along the axis, the other not.
            is_one = pt.eq(pt.Shape_i(axis)(like), 1)
            gradient = pt.ifelse(is_one, pt.sum(gradient, axis=axis, keepdims=True), gradient)
    return gradient


@register_gradient(Elemwise)
def elemwise_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """Each input's partial from the derivative table, summed back to the input's shape."""
    op: Any = node.op
    scalar_op = op.scalar_op
    if isinstance(scalar_op, Composite):
        return composite_gradient(node, output_grads)
    partials = partials_of(scalar_op)
    point = Point(node.inputs, node.outputs[0], output_grads[0])
    result: list[GradEntry] = []
    for position, (inp, partial) in enumerate(zip(node.inputs, partials, strict=True)):
        if is_discrete(inp):
            result.append(None)
            continue
        entry = partial(point)
        if isinstance(entry, Undefined):
            result.append(undefined(node, position, entry.reason))
        elif entry is None:
            result.append(None)
        else:
            result.append(sum_to_shape(pt.as_tensor(entry), inp, runtime_broadcast=False))
    return result


def composite_gradient(node: Apply, output_grads: list[Variable]) -> list[GradEntry]:
    """A fused program differentiated through its steps, by the same table.

    The steps are rebuilt as Elemwise nodes on the node's (array) inputs, then reverse
    mode runs over them with the node's output gradients as known gradients.
    """
    op: Any = node.op
    composite: Composite = op.scalar_op
    values: list[Variable] = [*node.inputs, *(pt.constant(c) for c in composite.constants)]
    for step in composite.steps:
        values.append(Elemwise(step.op)(*(values[slot] for slot in step.arguments)))
    known: dict[Variable, Variable] = {}
    for slot, gradient in zip(composite.output_slots, output_grads, strict=True):
        outer = values[slot]
        # An output may cover fewer axes than the node's broadcast result.
        shaped = sum_to_shape(pt.as_tensor(gradient), outer, runtime_broadcast=False)
        known[outer] = shaped if outer not in known else known[outer] + shaped
    # A variable given twice gets its whole gradient once, at its first position.
    targets = list(dict.fromkeys(inp for inp in node.inputs if not is_discrete(inp)))
    found = grad(
        None, targets, known_grads=known, disconnected_inputs="ignore", return_disconnected="None"
    )
    pending = dict(zip(targets, found, strict=True))
    result: list[GradEntry] = []
    for inp in node.inputs:
        gradient = pending.pop(inp, None)
        result.append(None if gradient is None else sum_to_shape(gradient, inp, False))
    return result
