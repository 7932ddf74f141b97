"""Basic indexing (ints, slices, None): ``Subtensor`` returns a view, ``IncSubtensor``
sets or increments that region of a copy of ``x``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Apply, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.indexing.key import (
    ARRAY,
    Spec,
    check_index_inputs,
    describe_spec,
    numpy_key,
    result_shape,
    static_result_shape,
)
from tensorops.opsupport import as_tensor_input, describe_shape, tensor_output


class SliceLength(Op):
    """``len(range(n)[start:stop:step])`` as an int64 scalar, for parts only known at run time."""

    __props__ = ("has_start", "has_stop", "has_step")

    def __init__(self, has_start: bool, has_stop: bool, has_step: bool):
        self.has_start = has_start
        self.has_stop = has_stop
        self.has_step = has_step

    def make_node(self, size: Any, *parts: Any) -> Apply:
        scalars = [entries.as_int64_scalar(value, "SliceLength") for value in (size, *parts)]
        if len(parts) != self.has_start + self.has_stop + self.has_step:
            raise ValueError(
                f"{self}: expected {self.has_start + self.has_stop + self.has_step} parts"
            )
        return Apply(self, scalars, [tensor_output("int64", ())])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        size, *given = (int(value) for value in inputs)
        parts = iter(given)
        bounds = [
            next(parts) if flag else None for flag in (self.has_start, self.has_stop, self.has_step)
        ]
        output_storage[0][0] = np.array(len(range(*slice(*bounds).indices(size))), dtype="int64")

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [()]


def slice_length(size: Any, parts: list[Variable | None]) -> Any:
    """The length of a slice of an axis of ``size``: an int when everything is known."""
    known = [None if part is None else entries.constant_int(part) for part in parts]
    size_known = entries.constant_int(size)
    if size_known is not None and all(
        k is not None or p is None for k, p in zip(known, parts, strict=True)
    ):
        return len(range(*slice(*known).indices(size_known)))
    if parts == [None, None, None]:
        return size
    flags = [part is not None for part in parts]
    return SliceLength(*flags)(size, *(part for part in parts if part is not None))


def symbolic_result_shape(
    spec: Spec,
    x_shape: Sequence[Any],
    index_inputs: Sequence[Variable],
    index_shapes: Sequence[Any],
) -> list[Any]:
    """The shape of ``x[key]`` as shape entries, for ``infer_shape``."""

    def array_shape(number: int, index: Variable) -> Sequence[Any]:
        if index.type.dtype == "bool":  # type: ignore[attr-defined]
            count = entries.constant_int(index.data.sum()) if hasattr(index, "data") else None
            if count is not None:
                return (count,)
            return (entries.cast(as_tensor_input(index, "indexing").sum(), "int64"),)
        return index_shapes[number]

    return result_shape(
        spec, x_shape, index_inputs, slice_length, array_shape, entries.broadcast_shapes
    )


class Subtensor(Op):
    """``x[key]`` for keys of ints, slices and None: a view of ``x``."""

    __props__ = ("spec",)
    view_map = {0: [0]}  # noqa: RUF012

    def __init__(self, spec: Spec):
        if ARRAY in spec:
            raise ValueError(
                "Subtensor takes ints, slices and None; arrays go to AdvancedSubtensor"
            )
        self.spec = tuple(spec)

    def make_node(self, x: Any, *index_inputs: Any) -> Apply:
        x = as_tensor_input(x, "Subtensor")
        indices = [as_tensor_input(index, "Subtensor") for index in index_inputs]
        check_index_inputs("Subtensor", self.spec, indices)
        shape = static_result_shape(self.spec, x, indices)
        return Apply(self, [x, *indices], [tensor_output(x.type.dtype, shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, *values = inputs
        # The trailing Ellipsis makes even a full integer key give a 0-d view, not a scalar.
        output_storage[0][0] = x[(*numpy_key(self.spec, values), Ellipsis)]

    def __str__(self) -> str:
        return f"Subtensor{{{describe_spec(self.spec)}}}"

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        shape = symbolic_result_shape(self.spec, input_shapes[0], node.inputs[1:], input_shapes[1:])
        return [tuple(shape)]


def check_update_value(
    op_name: str, x: Variable, region_shape: Sequence[int | None], y: Variable
) -> None:
    """Refuse a value that cannot be written into ``x[key]``: wrong dtype, too many axes,
    or static sizes that do not broadcast."""
    if y.type.dtype != x.type.dtype:  # type: ignore[attr-defined]
        raise TypeError(
            f"{op_name}: the value's dtype {y.type.dtype} must be the dtype of x ({x.type.dtype})"  # type: ignore[attr-defined]
        )
    y_shape = y.type.shape  # type: ignore[attr-defined]
    if len(y_shape) > len(region_shape):
        raise ValueError(
            f"{op_name}: a value of shape {describe_shape(y_shape)} has more axes than the "
            f"indexed region {describe_shape(region_shape)}"
        )
    for size, region in zip(reversed(y_shape), reversed(region_shape), strict=False):
        if size is not None and region is not None and size not in (1, region):
            raise ValueError(
                f"{op_name}: a value of shape {describe_shape(y_shape)} does not broadcast to "
                f"the indexed region {describe_shape(region_shape)}"
            )


class IncSubtensor(Op):
    """``x`` with ``x[key]`` set to ``y`` (``set_instead_of_inc``) or incremented by it.

    ``y`` broadcasts to the region. Without ``inplace`` the result is a new array;
    with it (a rewrite's choice) ``x`` itself is overwritten.
    """

    __props__ = ("spec", "set_instead_of_inc", "inplace")

    def __init__(self, spec: Spec, set_instead_of_inc: bool = False, inplace: bool = False):
        if ARRAY in spec:
            raise ValueError(
                "IncSubtensor takes ints, slices and None; arrays go to AdvancedIncSubtensor"
            )
        self.spec = tuple(spec)
        self.set_instead_of_inc = set_instead_of_inc
        self.inplace = inplace
        if inplace:
            self.destroy_map = {0: [0]}

    def make_inplace(self) -> IncSubtensor | None:
        """The variant that overwrites ``x`` (the rewriter's inplace pass decides when)."""
        return None if self.inplace else IncSubtensor(self.spec, self.set_instead_of_inc, True)

    def __str__(self) -> str:
        kind = "Set" if self.set_instead_of_inc else "Inc"
        return f"{kind}Subtensor{{{describe_spec(self.spec)}}}" + (
            "(inplace)" if self.inplace else ""
        )

    def make_node(self, x: Any, y: Any, *index_inputs: Any) -> Apply:
        x = as_tensor_input(x, "IncSubtensor")
        y = as_tensor_input(y, "IncSubtensor")
        indices = [as_tensor_input(index, "IncSubtensor") for index in index_inputs]
        check_index_inputs("IncSubtensor", self.spec, indices)
        check_update_value("IncSubtensor", x, static_result_shape(self.spec, x, indices), y)
        return Apply(self, [x, y, *indices], [tensor_output(x.type.dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x, y, *values = inputs
        out = x if self.inplace else x.copy()
        key = (*numpy_key(self.spec, values), Ellipsis)
        if self.set_instead_of_inc:
            out[key] = y
        else:
            out[key] += y
        output_storage[0][0] = out

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [input_shapes[0]]
