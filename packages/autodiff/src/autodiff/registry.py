"""Gradient rules, one per op class, on one ``OpRegistry`` (rules live here, not on the ops).

A rule is ``rule(node, output_grads) -> input_grads``: given the gradients of the
cost with respect to ``node.outputs`` (disconnected tensor outputs get zeros; outputs
that are not tensors, like a random generator, get None),
it returns one entry per input of ``node``: a variable, ``None`` when the input does
not influence the outputs (an index, a shape), or ``undefined(...)`` when the
derivative does not exist (the index of argmax); asking for that one is an error.
Other packages register rules for their own ops the same way. A rule registered for a
class serves its subclasses (through the MRO) unless one of them has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphcore import Apply, Op, Variable
from graphcore.registry import OpRegistry


@dataclass(frozen=True)
class UndefinedGrad:
    """The derivative of an op's output with respect to one input does not exist."""

    op: Op
    position: int
    reason: str


GradEntry = Variable | UndefinedGrad | None
GradientRule = Callable[[Apply, list[Any]], Sequence[GradEntry]]

gradients: OpRegistry[GradientRule] = OpRegistry("gradient")


def register_gradient(op_class: type) -> Callable[[GradientRule], GradientRule]:
    """Decorator: ``rule`` differentiates every op of ``op_class`` (and its subclasses)."""
    return gradients.register(op_class)


def undefined(node: Apply, position: int, reason: str) -> UndefinedGrad:
    return UndefinedGrad(node.op, position, reason)


def gradient_rule(op: Op) -> GradientRule | None:
    """The rule for ``op``: registered for its class or a base class, else the op's own
    ``L_op``/``grad`` method (ops ported from PyTensor keep working), else None."""
    rule = gradients.lookup(op, None)
    if rule is not None:
        return rule
    if hasattr(op, "L_op"):
        return lambda node, grads: op.L_op(node.inputs, node.outputs, grads)
    if hasattr(op, "grad"):
        return lambda node, grads: op.grad(node.inputs, grads)
    return None


def registered_op_classes() -> list[type[Any]]:
    """The op classes with a registered gradient rule, in registration order."""
    return gradients.classes()
