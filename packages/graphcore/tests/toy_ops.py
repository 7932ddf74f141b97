"""Small ops for graphcore's tests: a float scalar type, an array type and a few ops."""

from __future__ import annotations

from typing import Any

import numpy as np

import graphcore as g


class FloatType(g.Type):
    """Python floats."""

    def filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> float:
        if isinstance(value, float):
            return value
        if isinstance(value, (int, np.integer, np.floating)) and not isinstance(value, bool):
            return float(value)
        raise TypeError(f"expected a float, got {value!r}")

    def __str__(self) -> str:
        return "float"


class ArrayType(g.Type):
    """float64 ndarrays of one rank."""

    __props__ = ("ndim",)

    def __init__(self, ndim: int):
        self.ndim = ndim

    def filter(
        self, value: Any, strict: bool = False, allow_downcast: bool | None = None
    ) -> np.ndarray:
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != self.ndim:
            raise TypeError(f"expected ndim {self.ndim}, got ndim {array.ndim}")
        return array

    def values_eq_approx(self, a: Any, b: Any) -> bool:
        return bool(np.allclose(a, b))

    def __str__(self) -> str:
        return f"Array{self.ndim}"


fscalar = FloatType()
vector = ArrayType(1)


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


class Binary(g.Op):
    """A binary op of a Python function, on any one type."""

    __props__ = ("name",)

    def __init__(self, name: str, fn: Any):
        self.name = name
        self.fn = fn

    def make_node(self, a: g.Variable, b: g.Variable) -> g.Apply:
        return g.Apply(self, [a, b], [a.type()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = node.outputs[0].type.filter(self.fn(*inputs))

    def __str__(self) -> str:
        return self.name


class Unary(Binary):
    def make_node(self, a: g.Variable) -> g.Apply:  # type: ignore[override]
        return g.Apply(self, [a], [a.type()])


add = Binary("Add", lambda a, b: a + b)
mul = Binary("Mul", lambda a, b: a * b)
log = Unary("Log", np.log)
exp = Unary("Exp", np.exp)


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
