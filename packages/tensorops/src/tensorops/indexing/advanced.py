"""Advanced indexing (integer arrays, boolean masks): results are copies. Increments
accumulate over repeated indices, as ``np.add.at`` does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Apply, Op
from graphcore.graph.op import OutputStorage
from tensorops.indexing.basic import check_update_value, symbolic_result_shape
from tensorops.indexing.key import (
    ARRAY,
    Spec,
    check_index_inputs,
    describe_spec,
    numpy_key,
    static_result_shape,
)
from tensorops.opsupport import as_tensor_input, tensor_output
from tensorops.type import INTEGER_DTYPES


def _integer_vector(index: Any, op_name: str) -> Any:
    index = as_tensor_input(index, op_name)
    if index.type.ndim != 1 or index.type.dtype not in INTEGER_DTYPES:
        raise TypeError(f"{op_name}: the index must be an integer vector, got {index.type}")
    return index


class AdvancedSubtensor1(Op):
    """``x[indices]`` for an integer vector along the first axis (the common fast case)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is AdvancedSubtensor1

    def __hash__(self) -> int:
        return hash(AdvancedSubtensor1)

    def make_node(self, x: Any, indices: Any) -> Apply:
        x = as_tensor_input(x, "AdvancedSubtensor1")
        indices = _integer_vector(indices, "AdvancedSubtensor1")
        if x.type.ndim == 0:
            raise IndexError(f"AdvancedSubtensor1: cannot index the 0-d {x.type}")
        shape = (indices.type.shape[0], *x.type.shape[1:])
        return Apply(self, [x, indices], [tensor_output(x.type.dtype, shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, indices = inputs
        output_storage[0][0] = x[indices]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [(input_shapes[1][0], *input_shapes[0][1:])]


class AdvancedIncSubtensor1(Op):
    """``x`` with ``x[indices]`` (an integer vector on the first axis) set to or
    incremented by ``y``; repeated indices accumulate their increments."""

    __props__ = ("set_instead_of_inc", "inplace")

    def __init__(self, set_instead_of_inc: bool = False, inplace: bool = False):
        self.set_instead_of_inc = set_instead_of_inc
        self.inplace = inplace
        if inplace:
            self.destroy_map = {0: [0]}

    def make_inplace(self) -> AdvancedIncSubtensor1 | None:
        """The variant that overwrites ``x`` (the rewriter's inplace pass decides when)."""
        return None if self.inplace else AdvancedIncSubtensor1(self.set_instead_of_inc, True)

    def make_node(self, x: Any, y: Any, indices: Any) -> Apply:
        x = as_tensor_input(x, "AdvancedIncSubtensor1")
        y = as_tensor_input(y, "AdvancedIncSubtensor1")
        indices = _integer_vector(indices, "AdvancedIncSubtensor1")
        if x.type.ndim == 0:
            raise IndexError(f"AdvancedIncSubtensor1: cannot index the 0-d {x.type}")
        region = (indices.type.shape[0], *x.type.shape[1:])
        check_update_value("AdvancedIncSubtensor1", x, region, y)
        return Apply(self, [x, y, indices], [tensor_output(x.type.dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, y, indices = inputs
        out = x if self.inplace else x.copy()
        if self.set_instead_of_inc:
            out[indices] = y
        else:
            np.add.at(out, indices, y)
        output_storage[0][0] = out

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [input_shapes[0]]


class AdvancedSubtensor(Op):
    """``x[key]`` for any NumPy key holding integer arrays or boolean masks (a copy)."""

    __props__ = ("spec",)

    def __init__(self, spec: Spec):
        self.spec = tuple(spec)

    def __str__(self) -> str:
        return f"AdvancedSubtensor{{{describe_spec(self.spec)}}}"

    def make_node(self, x: Any, *index_inputs: Any) -> Apply:
        x = as_tensor_input(x, "AdvancedSubtensor")
        indices = [as_tensor_input(index, "AdvancedSubtensor") for index in index_inputs]
        check_index_inputs("AdvancedSubtensor", self.spec, indices)
        shape = static_result_shape(self.spec, x, indices)
        return Apply(self, [x, *indices], [tensor_output(x.type.dtype, shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, *values = inputs
        result = x[numpy_key(self.spec, values)]
        if ARRAY not in self.spec:
            # Only ints and slices: NumPy gives a view (or a scalar), and this op copies.
            result = np.array(result)
        output_storage[0][0] = result

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        shape = symbolic_result_shape(self.spec, input_shapes[0], node.inputs[1:], input_shapes[1:])
        return [tuple(shape)]


class AdvancedIncSubtensor(Op):
    """``x`` with ``x[key]`` (any key with arrays or masks) set to or incremented by ``y``;
    repeated indices accumulate their increments (``np.add.at``)."""

    __props__ = ("spec", "set_instead_of_inc", "inplace")

    def __init__(self, spec: Spec, set_instead_of_inc: bool = False, inplace: bool = False):
        self.spec = tuple(spec)
        self.set_instead_of_inc = set_instead_of_inc
        self.inplace = inplace
        if inplace:
            self.destroy_map = {0: [0]}

    def make_inplace(self) -> AdvancedIncSubtensor | None:
        """The variant that overwrites ``x`` (the rewriter's inplace pass decides when)."""
        if self.inplace:
            return None
        return AdvancedIncSubtensor(self.spec, self.set_instead_of_inc, True)

    def __str__(self) -> str:
        kind = "Set" if self.set_instead_of_inc else "Inc"
        suffix = "(inplace)" if self.inplace else ""
        return f"Advanced{kind}Subtensor{{{describe_spec(self.spec)}}}{suffix}"

    def make_node(self, x: Any, y: Any, *index_inputs: Any) -> Apply:
        x = as_tensor_input(x, "AdvancedIncSubtensor")
        y = as_tensor_input(y, "AdvancedIncSubtensor")
        indices = [as_tensor_input(index, "AdvancedIncSubtensor") for index in index_inputs]
        check_index_inputs("AdvancedIncSubtensor", self.spec, indices)
        region = static_result_shape(self.spec, x, indices)
        check_update_value("AdvancedIncSubtensor", x, region, y)
        return Apply(self, [x, y, *indices], [tensor_output(x.type.dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, y, *values = inputs
        out = x if self.inplace else x.copy()
        key = numpy_key(self.spec, values)
        if self.set_instead_of_inc:
            out[key] = y
        else:
            np.add.at(out, key, y)
        output_storage[0][0] = out

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [input_shapes[0]]
