"""Running sums and products along an axis (``cumsum``, ``cumprod``); ``diff`` is in
``tensorops.math``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply
from graphcore.graph.op import OutputStorage
from tensorops.dtypes import accumulating_dtype
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

__all__ = ["CUMULATIVES", "CumOp", "cumprod", "cumsum"]

CUMULATIVES: dict[str, Callable[..., Any]] = {"cumsum": np.cumsum, "cumprod": np.cumprod}


class CumOp(ValueOp):
    """``np.cumsum`` or ``np.cumprod`` along ``axis``; axis None runs over the flattened array."""

    __props__ = ("mode", "axis")

    def __init__(self, mode: str, axis: int | None):
        if mode not in CUMULATIVES:
            raise ValueError(f"unknown cumulative op {mode!r}; known: {sorted(CUMULATIVES)}")
        self.mode = mode
        self.axis = None if axis is None else int(axis)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, self.mode)
        if self.axis is None:
            shape: tuple[int | None, ...] = (static_product(x.type.shape),)
        else:
            normalize_axis(self.axis, x.type.ndim, self.mode)
            shape = x.type.shape
        return Apply(self, [x], [tensor_output(accumulating_dtype(x.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        dtype = tensor_type(node.outputs[0]).dtype
        value = CUMULATIVES[self.mode](inputs[0], axis=self.axis, dtype=dtype)
        store(output_storage, 0, value, dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        if self.axis is None:
            return [(product(list(input_shapes[0])),)]
        return [tuple(input_shapes[0])]

    def __str__(self) -> str:
        return f"{self.mode.capitalize()}{{axis={self.axis}}}"


def _cumulative(mode: str, x: Any, axis: int | None) -> TensorVariable:
    tensor = as_tensor_input(x, mode)
    if axis is not None:
        axis = normalize_axis(axis, tensor.type.ndim, mode)
    result: TensorVariable = CumOp(mode, axis)(tensor)
    return result


def cumsum(x: Any, axis: int | None = None) -> TensorVariable:
    """Running sum along ``axis``; axis None flattens first, as ``np.cumsum``."""
    return _cumulative("cumsum", x, axis)


def cumprod(x: Any, axis: int | None = None) -> TensorVariable:
    """Running product along ``axis``; axis None flattens first, as ``np.cumprod``."""
    return _cumulative("cumprod", x, axis)
