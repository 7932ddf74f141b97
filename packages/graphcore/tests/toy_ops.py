"""Small ops for graphcore's tests: a float scalar type, an array type and a few ops."""

from __future__ import annotations

from typing import Any

import numpy as np

import graphcore as g
from graphcore.testing import (
    ArrayType,
    Binary,
    FloatType,
    Unary,
    add,
    exp,
    fscalar,
    log,
    mul,
    vector,
)


@g.shared_constructor
def float_shared(value: Any, name: str | None = None, **kwargs: Any) -> g.SharedVariable:
    if not isinstance(value, float):
        raise TypeError("not a float")
    return g.SharedVariable(fscalar, value, name, borrow=kwargs.get("borrow", False))


@g.shared_constructor
def array_shared(value: Any, name: str | None = None, **kwargs: Any) -> g.SharedVariable:
    if not isinstance(value, np.ndarray):
        raise TypeError("not an array")
    return g.SharedVariable(ArrayType(value.ndim), value, name, borrow=kwargs.get("borrow", False))


class VectorDouble(g.Op):
    """2 * x into a reused buffer; counts how often it ran and how often it reused."""

    def __init__(self) -> None:
        self.calls = 0
        self.reused = 0

    def make_node(self, x: g.Variable) -> g.Apply:
        return g.Apply(self, [x], [vector()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        self.calls += 1
        (x,) = inputs
        cell = output_storage[0]
        if isinstance(cell[0], np.ndarray) and cell[0].shape == x.shape:
            self.reused += 1
            np.multiply(x, 2.0, out=cell[0])
        else:
            cell[0] = x * 2.0


class Explode(g.Op):
    """Raises when run: shows a branch was evaluated."""

    def make_node(self, x: g.Variable) -> g.Apply:
        return g.Apply(self, [x], [x.type()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        raise RuntimeError("this branch must not run")


class LazyChoice(g.Op):
    """``then if cond > 0 else other``, computing only the branch it takes."""

    lazy = True

    def make_node(self, cond: g.Variable, then: g.Variable, other: g.Variable) -> g.Apply:
        return g.Apply(self, [cond, then, other], [then.type()])

    def perform_lazy(self, node: g.Apply, compute_input: Any, output_storage: Any) -> None:
        output_storage[0][0] = compute_input(1) if compute_input(0) > 0 else compute_input(2)


class InplaceLiar(g.Op):
    """Overwrites its input without declaring it: DebugMode must catch this."""

    def make_node(self, x: g.Variable) -> g.Apply:
        return g.Apply(self, [x], [vector()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        inputs[0] += 1.0
        output_storage[0][0] = inputs[0].copy()


class ViewOf(g.Op):
    """Returns its input itself: an output that aliases the input (declared in view_map)."""

    __props__ = ()
    view_map = {0: [0]}  # noqa: RUF012

    def make_node(self, x: g.Variable) -> g.Apply:
        return g.Apply(self, [x], [x.type()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = inputs[0]


__all__ = [
    "ArrayType",
    "Binary",
    "Explode",
    "FloatType",
    "InplaceLiar",
    "LazyChoice",
    "Unary",
    "VectorDouble",
    "ViewOf",
    "add",
    "array_shared",
    "exp",
    "float_shared",
    "fscalar",
    "log",
    "mul",
    "vector",
]
