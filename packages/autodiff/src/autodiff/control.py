"""Ops that are the identity on values and change only how gradients flow through."""

from __future__ import annotations

from typing import Any

from autodiff.registry import register_gradient
from autodiff.reverse import as_tensor_typed
from graphcore import Apply, Op, Variable


class GradientControl(Op):
    """Identity forward; subclasses say what happens to the gradient."""

    view_map = {0: [0]}  # noqa: RUF012 - the Op contract declares these as class attributes

    def make_node(self, x: Any) -> Apply:
        import tensorops as pt

        x = pt.as_tensor(x)
        return Apply(self, [x], [x.type()])

    def perform(self, node: Apply, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = inputs[0]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Any) -> list[Any]:
        return [input_shapes[0]]


class ZeroGrad(GradientControl):
    """Passes a zero gradient: the value is used, but treated as a constant of the same shape."""


class DisconnectedGrad(GradientControl):
    """Passes no gradient at all: what it is computed from counts as disconnected."""


class GradClip(GradientControl):
    __props__ = ("lower", "upper")

    def __init__(self, lower: float, upper: float):
        if lower > upper:
            raise ValueError(f"grad_clip: lower bound {lower} exceeds upper bound {upper}")
        self.lower = float(lower)
        self.upper = float(upper)


class GradScale(GradientControl):
    __props__ = ("multiplier",)

    def __init__(self, multiplier: float):
        self.multiplier = float(multiplier)


@register_gradient(ZeroGrad)
def _zero_grad(node: Apply, output_grads: list[Variable]) -> list[Variable]:
    import tensorops as pt

    return [pt.zeros_like(node.inputs[0])]


@register_gradient(DisconnectedGrad)
def _disconnected_grad(node: Apply, output_grads: list[Variable]) -> list[None]:
    return [None]


@register_gradient(GradClip)
def _grad_clip(node: Apply, output_grads: list[Variable]) -> list[Variable]:
    import tensorops as pt

    op = node.op
    assert isinstance(op, GradClip)
    return [pt.clip(output_grads[0], op.lower, op.upper)]


@register_gradient(GradScale)
def _grad_scale(node: Apply, output_grads: list[Variable]) -> list[Variable]:
    op = node.op
    assert isinstance(op, GradScale)
    return [as_tensor_typed(output_grads[0]) * op.multiplier]


def zero_grad(x: Any) -> Variable:
    """``x`` whose gradient is zero (the value still flows forward)."""
    return ZeroGrad()(x)


def disconnected_grad(x: Any) -> Variable:
    """``x`` with no gradient path: what it is computed from is disconnected from the cost."""
    return DisconnectedGrad()(x)


def grad_clip(x: Any, lower: float, upper: float) -> Variable:
    """``x`` whose gradient is clipped elementwise to [lower, upper] on the way back."""
    return GradClip(lower, upper)(x)


def grad_scale(x: Any, multiplier: float) -> Variable:
    """``x`` whose gradient is multiplied by ``multiplier`` on the way back."""
    return GradScale(multiplier)(x)
