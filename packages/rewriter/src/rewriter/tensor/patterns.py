"""Shared handles for the tensor rules: the elementwise ops they match and build, and
helpers that read constants and keep a replacement's dtype and broadcast shape."""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from graphcore import Apply, Constant, FunctionGraph, Variable
from rewriter.engine.node_rewriter import Replacement
from rewriter.engine.pattern import Bindings, PatternNodeRewriter
from tensorops.creation import alloc
from tensorops.elemwise import Elemwise
from tensorops.math import cast
from tensorops.scalar_ops import scalar_op
from tensorops.shape import Shape_i, specify_shape
from tensorops.type import TensorType
from tensorops.variable import TensorVariable


def elementwise(name: str) -> Elemwise:
    """The graph op applying the table's row ``name`` (equal to the one ``pt.<name>`` uses)."""
    return Elemwise(scalar_op(name))


add = elementwise("add")
sub = elementwise("sub")
mul = elementwise("mul")
true_div = elementwise("true_div")
neg = elementwise("neg")
pow = elementwise("pow")
reciprocal = elementwise("reciprocal")
exp = elementwise("exp")
expm1 = elementwise("expm1")
log = elementwise("log")
log1p = elementwise("log1p")
log1mexp = elementwise("log1mexp")
sigmoid = elementwise("sigmoid")
softplus = elementwise("softplus")
sqrt = elementwise("sqrt")
sqr = elementwise("sqr")
abs = elementwise("abs")
switch = elementwise("switch")

FLOATS = ("float16", "float32", "float64")


def tensor_type(var: Variable) -> TensorType:
    """The type of a tensor variable (every variable the tensor rules look at)."""
    assert isinstance(var.type, TensorType)
    return var.type


def is_float(var: Variable) -> bool:
    return isinstance(var.type, TensorType) and var.type.dtype in FLOATS


def all_float(*variables: Variable) -> bool:
    return all(is_float(var) for var in variables)


def constant_like(value: Any, like: Variable) -> TensorVariable:
    """``value`` as a constant of ``like``'s dtype, with length-1 axes up to ``like``'s rank,
    so that it broadcasts against ``like`` without changing its shape."""
    like_type = tensor_type(like)
    data = np.asarray(value, dtype=like_type.dtype)
    data = data.reshape((1,) * (like_type.ndim - data.ndim) + data.shape)
    return TensorType(data.dtype, data.shape).make_constant(data)  # type: ignore[return-value]


def constant_value(var: Variable) -> Any:
    """The one number every element of a non-empty constant equals, else None."""
    if not isinstance(var, Constant):
        return None
    data = np.asarray(var.data)
    if data.size == 0 or data.dtype.kind not in "biufc":
        return None
    first = data.flat[0]
    if data.size > 1 and not np.all(data == first):
        return None
    return first.item()


def is_constant(var: Variable, number: float) -> bool:
    """Whether ``var`` is a constant equal to ``number`` everywhere."""
    found = constant_value(var)
    return found is not None and bool(found == number)


OpT = TypeVar("OpT")


def op_of(node: Apply, cls: type[OpT]) -> OpT:
    """``node.op`` as the class a rewriter tracks (for the type checker; the engine ensures it)."""
    op = node.op
    assert isinstance(op, cls)
    return op


def owner_with(var: Variable, op: Any) -> Apply | None:
    """``var``'s node when ``op`` made it (an op instance, or an Op class), else None."""
    node = var.owner
    if node is None:
        return None
    if isinstance(op, type):
        return node if isinstance(node.op, op) else None
    return node if node.op == op else None


def elemwise_shape(node: Apply) -> list[Any]:
    """The output shape of an Elemwise node, entry by entry: the static size where known,
    else ``Shape_i`` of an input that has the full length on that axis (one exists, since
    only axes of static length 1 broadcast)."""
    out_type = tensor_type(node.outputs[0])
    shape: list[Any] = []
    for axis, size in enumerate(out_type.shape):
        if size is not None:
            shape.append(size)
            continue
        carrier = next(var for var in node.inputs if tensor_type(var).shape[axis] != 1)
        shape.append(Shape_i(axis)(carrier))
    return shape


def keep_type(new: Variable, node: Apply, index: int = 0) -> Variable:
    """``new`` made to stand for output ``index`` of the Elemwise ``node``: cast to its dtype,
    given its rank, and broadcast (with alloc) along axes where ``new`` has length 1 and
    the output may not, so no replacement loses a dimension the other inputs gave.
    Sizes the output knows statically and ``new`` does not are asserted with
    ``specify_shape`` (``ones(3) * x`` -> ``x`` of length 3), so the type is kept."""
    out_type = tensor_type(node.outputs[index])
    new_type = tensor_type(new)
    if new_type.dtype != out_type.dtype:
        new = cast(new, out_type.dtype)
    missing = out_type.ndim - new_type.ndim
    if missing > 0:
        new = new.dimshuffle(*(["x"] * missing), *range(new_type.ndim))  # type: ignore[attr-defined]
    shape = tensor_type(new).shape
    if any(mine == 1 and theirs != 1 for mine, theirs in zip(shape, out_type.shape, strict=True)):
        new = alloc(new, *elemwise_shape(node))
    shape = tensor_type(new).shape
    if any(
        mine is None and theirs is not None
        for mine, theirs in zip(shape, out_type.shape, strict=True)
    ):
        new = specify_shape(new, out_type.shape)
    return new


def other_input(node: Apply, var: Variable) -> Variable:
    """The input of a binary node that is not at ``var``'s position (the second when both)."""
    first, second = node.inputs
    return second if first is var else first


def _floats_only(fgraph: FunctionGraph, bindings: Bindings) -> bool:
    return all_float(*bindings.values())


class FloatPattern(PatternNodeRewriter):
    """A pattern rule for real floating-point graphs: every bound variable is a float,
    numbers become constants broadcastable against their neighbours, inner nodes may
    have other readers (accuracy is the point, not saving a node), and the result is
    cast and broadcast to the matched output's type by ``keep_type``."""

    def __init__(self, in_pattern: Any, out_pattern: Any, name: str, **options: Any):
        options.setdefault("allow_multiple_clients", True)
        options.setdefault("condition", _floats_only)
        super().__init__(in_pattern, out_pattern, make_constant=constant_like, name=name, **options)

    def transform(self, fgraph: FunctionGraph, node: Apply) -> Replacement:
        root = node.outputs[0]
        for bindings in self.match(fgraph, root):
            new = self.build(fgraph, self.out_pattern, bindings, root)
            if new is None:
                continue
            if isinstance(node.op, Elemwise):
                new = keep_type(new, node)
            if root.type.convert_variable(new) is not None:
                return {root: new}
        return None
