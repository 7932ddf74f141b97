"""Sorting along an axis: ``sort`` (the values) and ``argsort`` (the int64 order)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply
from graphcore.graph.op import OutputStorage
from tensorops.opsupport import (
    ValueOp,
    as_tensor_input,
    normalize_axis,
    static_product,
    store,
    tensor_output,
    tensor_type,
)
from tensorops.shape_entries import product

if TYPE_CHECKING:
    from graphcore.fgraph import FunctionGraph
    from tensorops.variable import TensorVariable

__all__ = ["SORT_KINDS", "SortOp", "argsort", "sort"]

SORT_KINDS = ("quicksort", "mergesort", "heapsort", "stable")


class SortOp(ValueOp):
    """``np.sort`` (``mode="sort"``) or ``np.argsort`` (``mode="argsort"``) along ``axis``;
    axis None sorts the flattened array."""

    __props__ = ("mode", "axis", "kind")

    def __init__(self, mode: str, axis: int | None, kind: str = "quicksort"):
        if mode not in ("sort", "argsort"):
            raise ValueError(f"SortOp mode must be 'sort' or 'argsort', got {mode!r}")
        if kind not in SORT_KINDS:
            raise ValueError(f"{mode}: kind must be one of {SORT_KINDS}, got {kind!r}")
        self.mode = mode
        self.axis = None if axis is None else int(axis)
        self.kind = kind

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, self.mode)
        if self.axis is None:
            shape: tuple[int | None, ...] = (static_product(x.type.shape),)
        else:
            normalize_axis(self.axis, x.type.ndim, self.mode)
            shape = x.type.shape
        dtype = x.type.dtype if self.mode == "sort" else "int64"
        return Apply(self, [x], [tensor_output(dtype, shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        function: Any = np.sort if self.mode == "sort" else np.argsort
        value = function(inputs[0], axis=self.axis, kind=self.kind)
        store(output_storage, 0, value, tensor_type(node.outputs[0]).dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        if self.axis is None:
            return [(product(list(input_shapes[0])),)]
        return [tuple(input_shapes[0])]


def _sort(mode: str, x: Any, axis: int | None, kind: str) -> TensorVariable:
    tensor = as_tensor_input(x, mode)
    if axis is not None:
        axis = normalize_axis(axis, tensor.type.ndim, mode)
    result: TensorVariable = SortOp(mode, axis, kind)(tensor)
    return result


def sort(x: Any, axis: int | None = -1, kind: str = "quicksort") -> TensorVariable:
    """The values sorted along ``axis`` (default the last; None flattens), as ``np.sort``."""
    return _sort("sort", x, axis, kind)


def argsort(x: Any, axis: int | None = -1, kind: str = "quicksort") -> TensorVariable:
    """The int64 indices that sort ``x`` along ``axis``, as ``np.argsort``."""
    return _sort("argsort", x, axis, kind)
