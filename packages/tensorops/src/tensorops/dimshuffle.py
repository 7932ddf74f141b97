"""DimShuffle: reorder axes, insert length-1 axes ('x'), drop length-1 axes; a view."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from graphcore import Apply, Op
from tensorops.basic import as_tensor
from tensorops.type import TensorType
from tensorops.variable import TensorVariable

if TYPE_CHECKING:
    from graphcore import FunctionGraph
    from graphcore.graph.op import OutputStorage

__all__ = ["DimShuffle", "transpose"]

Order = tuple[int | str, ...]


class DimShuffle(Op):
    """``DimShuffle(2, (1, 'x', 0))``: output axis k is input axis ``new_order[k]``,
    or a new length-1 axis for ``'x'``. Input axes left out must have length 1."""

    __props__ = ("input_ndim", "new_order")
    view_map = {0: [0]}  # noqa: RUF012 (the Op contract declares it per class)

    def __init__(self, input_ndim: int, new_order: Sequence[int | str]):
        order: list[int | str] = []
        for entry in new_order:
            if entry == "x":
                order.append("x")
            elif isinstance(entry, int) and not isinstance(entry, bool) and 0 <= entry < input_ndim:
                order.append(int(entry))
            else:
                raise ValueError(
                    f"DimShuffle: {entry!r} in {tuple(new_order)} is neither 'x' nor an axis "
                    f"of a {input_ndim}-d input"
                )
        kept = [entry for entry in order if entry != "x"]
        if len(set(kept)) != len(kept):
            raise ValueError(f"DimShuffle: an axis appears twice in {tuple(new_order)}")
        self.input_ndim = int(input_ndim)
        self.new_order: Order = tuple(order)
        self.dropped = tuple(axis for axis in range(input_ndim) if axis not in kept)
        # Kept axes in their new order, then the dropped ones (length 1, reshaped away).
        self.transposition = tuple(int(a) for a in kept) + self.dropped

    def __str__(self) -> str:
        order = self.new_order
        kept = [entry for entry in order if entry != "x"]
        new_axes = [k for k, entry in enumerate(order) if entry == "x"]
        if not new_axes and not self.dropped:
            return f"Transpose{{axes={list(order)}}}"
        if kept == sorted(kept) and not self.dropped:
            return (
                f"ExpandDims{{axis={new_axes[0]}}}"
                if len(new_axes) == 1
                else f"ExpandDims{{axes={new_axes}}}"
            )
        if kept == sorted(kept) and not new_axes:
            dropped = list(self.dropped)
            return (
                f"DropDims{{axis={dropped[0]}}}"
                if len(dropped) == 1
                else f"DropDims{{axes={dropped}}}"
            )
        return f"DimShuffle{{order={list(order)}}}"

    def make_node(self, x: Any) -> Apply:
        x = as_tensor(x)
        if x.ndim != self.input_ndim:
            raise TypeError(
                f"{self}: expected a {self.input_ndim}-d input, got {x} of type {x.type}"
            )
        for axis in self.dropped:
            if x.type.shape[axis] != 1:
                raise ValueError(
                    f"{self}: cannot drop axis {axis} of {x} ({x.type}): its length is not known "
                    "to be 1 (use specify_shape or squeeze with that axis)"
                )
        shape = tuple(1 if entry == "x" else x.type.shape[entry] for entry in self.new_order)
        return Apply(self, [x], [TensorType(x.dtype, shape).make_variable()])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x = inputs[0]
        shape = tuple(1 if entry == "x" else x.shape[entry] for entry in self.new_order)
        # Transposing and adding or removing length-1 axes never copies: a view.
        output_storage[0][0] = x.transpose(self.transposition).reshape(shape)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        (shape,) = input_shapes
        return [tuple(1 if entry == "x" else shape[entry] for entry in self.new_order)]


def transpose(x: Any, axes: Sequence[int] | None = None) -> TensorVariable:
    """Permute the axes (reverse them when ``axes`` is None), as ``np.transpose``."""
    x = as_tensor(x)
    if axes is None:
        axes = tuple(reversed(range(x.ndim)))
    normalized = tuple(_axis(a, x.ndim, "transpose") for a in axes)
    if sorted(normalized) != list(range(x.ndim)):
        raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of {x.ndim} axes")
    if normalized == tuple(range(x.ndim)):
        return x
    return DimShuffle(x.ndim, normalized)(x)


def _axis(axis: int, ndim: int, who: str) -> int:
    if not -ndim <= axis < ndim:
        raise ValueError(f"{who}: axis {axis} is out of range for {ndim} dimensions")
    return axis % ndim
