"""Small types and ops for testing graph machinery without tensors (graphcore's own
tests, and packages such as rewriter that work on any ops)."""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from graphcore.graph.apply import Apply
from graphcore.graph.op import Op
from graphcore.graph.type import Type
from graphcore.graph.variable import Variable


class FloatType(Type):
    """Python floats (0-d arrays and NumPy numbers are converted)."""

    def filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> float:
        if isinstance(value, (float, int, np.integer, np.floating)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, np.ndarray) and value.ndim == 0:
            return float(value)
        raise TypeError(f"expected a float, got {value!r}")

    def __str__(self) -> str:
        return "float"


class ArrayType(Type):
    """float64 ndarrays of one rank."""

    __props__ = ("ndim",)

    def __init__(self, ndim: int):
        self.ndim = ndim

    def filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != self.ndim:
            raise TypeError(f"expected ndim {self.ndim}, got ndim {array.ndim}")
        return array

    def value_key(self, value: Any) -> Any:
        return (value.shape, value.tobytes())

    def values_eq_approx(self, a: Any, b: Any) -> bool:
        return bool(np.allclose(a, b))

    def __str__(self) -> str:
        return f"Array{self.ndim}"


class Binary(Op):
    """``fn(a, b)`` on any one type; the output has the first input's type."""

    __props__ = ("name",)

    def __init__(self, name: str, fn: Any):
        self.name = name
        self.fn = fn

    def make_node(self, a: Variable, b: Variable) -> Apply:
        return Apply(self, [a, b], [a.type()])

    def perform(self, node: Apply, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = node.outputs[0].type.filter(self.fn(*inputs))

    def __str__(self) -> str:
        return self.name


class Unary(Binary):
    """``fn(a)``; the output has the input's type."""

    def make_node(self, a: Variable) -> Apply:  # type: ignore[override]
        return Apply(self, [a], [a.type()])


fscalar = FloatType()
vector = ArrayType(1)
add = Binary("Add", operator.add)
mul = Binary("Mul", operator.mul)
sub = Binary("Sub", operator.sub)
log = Unary("Log", np.log)
exp = Unary("Exp", np.exp)
log1p = Unary("Log1p", np.log1p)
neg = Unary("Neg", operator.neg)
