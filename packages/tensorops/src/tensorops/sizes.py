"""Sizes as graph values: ``Shape`` and ``Shape_i`` read them, ``shape_of`` infers them from
the ops' ``infer_shape`` without running the graph, and ``MakeVector`` packs them into a
shape vector (``reshape(x, (n, 3))``) that ``vector_entries`` reads back.

Ops take and give shapes here in the form of ``tensorops.shape_entries``: an int where a
size is known when the graph is built, else a symbolic int64 scalar.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Constant, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, tensor_output
from tensorops.type import INTEGER_DTYPES, TensorType, normalize_dtype

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "MakeVector",
    "Shape",
    "Shape_i",
    "make_vector",
    "shape",
    "shape_of",
    "shape_tuple",
    "shape_vector",
    "vector_entries",
]


class Shape(Op):
    """``x.shape`` as an int64 vector."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Shape

    def __hash__(self) -> int:
        return hash(Shape)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "Shape")
        return Apply(self, [x], [tensor_output("int64", (x.type.ndim,))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.array(inputs[0].shape, dtype="int64").reshape(-1)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(len(input_shapes[0]),)]


class Shape_i(Op):  # noqa: N801 (the Theano/PyTensor name)
    """``x.shape[i]`` as an int64 scalar."""

    __props__ = ("i",)

    def __init__(self, i: int):
        self.i = int(i)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "Shape_i")
        if not 0 <= self.i < x.type.ndim:
            raise ValueError(f"Shape_i: axis {self.i} is out of range for {x.type}")
        return Apply(self, [x], [tensor_output("int64", ())])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.array(inputs[0].shape[self.i], dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [()]


_shape = Shape()


def shape(x: Any) -> TensorVariable:
    """The shape of ``x`` as a symbolic int64 vector (``x.shape``)."""
    return _shape(as_tensor_input(x, "shape"))


def shape_tuple(x: Any) -> tuple[entries.ShapeEntry, ...]:
    """The shape of ``x`` entry by entry: ints where static, else ``Shape_i`` of ``x``."""
    x = as_tensor_input(x, "shape_tuple")
    return tuple(
        size if size is not None else Shape_i(axis)(x) for axis, size in enumerate(x.type.shape)
    )


def shape_of(var: Variable) -> tuple[Variable, ...]:
    """The shape of ``var`` as int64 scalars computed by the ops' ``infer_shape`` up the graph,
    so it is known without running the op that makes ``var``."""
    return tuple(entries.entry_variable(size) for size in _infer_shapes(var)[var])


def _infer_shapes(target: Variable) -> dict[Variable, tuple[Any, ...]]:
    """Shape entries of ``target`` and its tensor ancestors, dependencies first (no recursion)."""
    known: dict[Variable, tuple[Any, ...]] = {}
    stack: list[Variable] = [target]
    while stack:
        var = stack[-1]
        if var in known:
            stack.pop()
            continue
        node = var.owner
        if node is None or not isinstance(var.type, TensorType):
            stack.pop()
            known[var] = _fallback_shape(var)
            continue
        missing = [
            inp for inp in node.inputs if inp not in known and isinstance(inp.type, TensorType)
        ]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        input_shapes = [known.get(inp) for inp in node.inputs]
        try:
            inferred = node.op.infer_shape(None, node, input_shapes)
        except NotImplementedError:
            inferred = [_fallback_shape(out) for out in node.outputs]
        for out, out_shape in zip(node.outputs, inferred, strict=True):
            if isinstance(out.type, TensorType):
                known[out] = _prefer_static(out, out_shape)
    return known


def _fallback_shape(var: Variable) -> tuple[Any, ...]:
    if not isinstance(var.type, TensorType):
        return ()
    return shape_tuple(var)


def _prefer_static(var: Variable, inferred: Sequence[Any]) -> tuple[Any, ...]:
    static = var.type.shape  # type: ignore[attr-defined]
    if len(inferred) != len(static):
        raise ValueError(
            f"{var.owner.op}: infer_shape gave {len(inferred)} sizes "  # type: ignore[union-attr]
            f"for an output of ndim {len(static)}"
        )
    return tuple(
        known if known is not None else entries.as_entry(size, f"{var.owner.op} infer_shape")  # type: ignore[union-attr]
        for known, size in zip(static, inferred, strict=True)
    )


class MakeVector(Op):
    """Scalars into a vector ``[a, b, c]`` of one dtype (also how symbolic shapes are built)."""

    __props__ = ("dtype",)

    def __init__(self, dtype: Any = "int64"):
        self.dtype = normalize_dtype(dtype)

    def make_node(self, *scalars: Any) -> Apply:
        inputs = [as_tensor_input(scalar, "MakeVector") for scalar in scalars]
        for position, scalar in enumerate(inputs):
            if scalar.type.ndim != 0:
                raise TypeError(f"MakeVector: input {position} must be a scalar, got {scalar.type}")
            if not np.can_cast(scalar.type.dtype, self.dtype):
                raise TypeError(
                    f"MakeVector: input {position} of dtype {scalar.type.dtype} cannot be "
                    f"safely stored as {self.dtype}"
                )
        return Apply(self, inputs, [tensor_output(self.dtype, (len(inputs),))])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        output_storage[0][0] = np.array(inputs, dtype=self.dtype).reshape(len(inputs))

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(len(node.inputs),)]


def vector_entries(vector: Variable, length: int | None = None) -> list[Any]:
    """The entries of a vector of known (static or given) length: ints where known, else
    symbolic scalars.

    Reads through constants and ``MakeVector``, so ``reshape(x, (n, 3))`` keeps its 3.
    """
    length = vector.type.shape[0] if length is None else length  # type: ignore[attr-defined]
    if isinstance(vector, Constant):
        return [int(value) for value in vector.data]
    if vector.owner is not None and isinstance(vector.owner.op, MakeVector):
        return [entries.as_entry(scalar, "a vector entry") for scalar in vector.owner.inputs]
    if length is None:
        raise ValueError(f"the length of the vector {vector} must be known when the graph is built")
    # Indexing reads ``x.shape[i]`` as Shape_i(i)(x), so sizes stay known where they are.
    tensor = typing.cast("TensorVariable", vector)
    return [tensor[position] for position in range(length)]


def shape_vector(shape: Any, what: str) -> TensorVariable:
    """A shape given as ints, symbolic scalars or a symbolic vector, as an int64 vector."""
    if isinstance(shape, Variable):
        if not isinstance(shape.type, TensorType) or shape.type.dtype not in INTEGER_DTYPES:
            raise TypeError(f"{what} must be integers, got {shape} of type {shape.type}")
        if shape.type.ndim == 0:
            return make_vector([shape])
        if shape.type.ndim != 1:
            raise TypeError(f"{what} must be a vector of sizes, got {shape.type}")
        if shape.type.dtype != "int64":
            return entries.cast(shape, "int64")
        return shape  # type: ignore[return-value]
    if entries.is_int(shape):
        shape = (shape,)
    sizes = [entries.as_int64_scalar(size, what) for size in shape]
    if all(isinstance(size, Constant) for size in sizes):
        values = np.array([int(size.data) for size in sizes], dtype="int64")  # type: ignore[attr-defined]
        return entries.tensor_constant(values)
    return make_vector(sizes)


def make_vector(scalars: Sequence[Any], dtype: Any = "int64") -> TensorVariable:
    """A vector from scalars (ints or symbolic int scalars by default)."""
    return MakeVector(dtype)(*scalars)
