"""Shapes: reading them (``x.shape``, ``shape_of``), asserting them (``specify_shape``)
and changing them without touching values (reshape, flatten, new or dropped axes,
broadcasting).

The ops live below, in ``tensorops.sizes`` (Shape, Shape_i) and ``tensorops.shape_ops``
(SpecifyShape, Reshape); this module adds the NumPy functions built from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Variable
from tensorops import shape_entries as entries
from tensorops.creation_ops import alloc
from tensorops.opsupport import as_tensor_input, normalize_axis
from tensorops.shape_ops import Reshape, SpecifyShape, reshape, specify_shape
from tensorops.sizes import Shape, Shape_i, shape, shape_of, shape_tuple, vector_entries

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "Reshape",
    "Shape",
    "Shape_i",
    "SpecifyShape",
    "broadcast_arrays",
    "broadcast_to",
    "expand_dims",
    "flatten",
    "reshape",
    "shape",
    "shape_of",
    "shape_padaxis",
    "shape_padleft",
    "shape_padright",
    "shape_tuple",
    "specify_shape",
    "squeeze",
]


def flatten(x: Any, ndim: int = 1) -> TensorVariable:
    """``x`` with its trailing axes merged so that ``ndim`` axes remain."""
    x = as_tensor_input(x, "flatten")
    if not 1 <= ndim <= max(x.type.ndim, 1):
        raise ValueError(f"flatten: ndim must be between 1 and {max(x.type.ndim, 1)}, got {ndim}")
    kept = shape_tuple(x)[: ndim - 1]
    return reshape(x, (*kept, -1))


def _dimshuffle(x: TensorVariable, pattern: Sequence[int | str]) -> TensorVariable:
    return x.dimshuffle(*pattern)


def shape_padleft(x: Any, n_ones: int = 1) -> TensorVariable:
    """``x`` with ``n_ones`` new axes of length 1 on the left."""
    x = as_tensor_input(x, "shape_padleft")
    return _dimshuffle(x, ["x"] * n_ones + list(range(x.type.ndim)))


def shape_padright(x: Any, n_ones: int = 1) -> TensorVariable:
    """``x`` with ``n_ones`` new axes of length 1 on the right."""
    x = as_tensor_input(x, "shape_padright")
    return _dimshuffle(x, list(range(x.type.ndim)) + ["x"] * n_ones)


def shape_padaxis(x: Any, axis: int) -> TensorVariable:
    """``x`` with a new axis of length 1 at ``axis`` (``np.expand_dims`` for one axis)."""
    return expand_dims(x, axis)


def expand_dims(x: Any, axis: int | Sequence[int]) -> TensorVariable:
    """``np.expand_dims``: new axes of length 1 at the given positions of the result."""
    x = as_tensor_input(x, "expand_dims")
    axes: list[int] = [int(axis)] if isinstance(axis, (int, np.integer)) else list(axis)
    out_ndim = x.type.ndim + len(axes)
    new_axes = {normalize_axis(a, out_ndim, "expand_dims") for a in axes}
    if len(new_axes) != len(axes):
        raise ValueError(f"expand_dims: repeated axis in {axes}")
    remaining = iter(range(x.type.ndim))
    return _dimshuffle(x, ["x" if a in new_axes else next(remaining) for a in range(out_ndim)])


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> TensorVariable:
    """``np.squeeze``: drop axes of length 1 (all statically known ones when ``axis`` is None).

    An axis whose size is only known at run time is checked then (``specify_shape``).
    """
    x = as_tensor_input(x, "squeeze")
    if axis is None:
        axes = {a for a, size in enumerate(x.type.shape) if size == 1}
    else:
        listed: list[int] = [int(axis)] if isinstance(axis, (int, np.integer)) else list(axis)
        axes = {normalize_axis(a, x.type.ndim, "squeeze") for a in listed}
    for a in axes:
        if x.type.shape[a] not in (None, 1):
            raise ValueError(f"squeeze: axis {a} of {x.type} has length {x.type.shape[a]}, not 1")
    if any(x.type.shape[a] is None for a in axes):
        x = specify_shape(x, [1 if a in axes else None for a in range(x.type.ndim)])
    return _dimshuffle(x, [a for a in range(x.type.ndim) if a not in axes])


def broadcast_to(x: Any, shape: Any) -> TensorVariable:
    """``np.broadcast_to``: ``x`` repeated along new or length-1 axes to ``shape``."""
    x = as_tensor_input(x, "broadcast_to")
    if isinstance(shape, Variable) and shape.type.ndim == 1:  # type: ignore[attr-defined]
        shape = vector_entries(shape)
    elif entries.is_int(shape) or isinstance(shape, Variable):
        shape = (shape,)
    return alloc(x, *shape)


def broadcast_arrays(*tensors: Any) -> list[TensorVariable]:
    """``np.broadcast_arrays``: every tensor broadcast to their common shape."""
    inputs = [as_tensor_input(tensor, "broadcast_arrays") for tensor in tensors]
    entries.static_broadcast(*(tensor.type.shape for tensor in inputs))
    common = entries.broadcast_shapes(*(shape_tuple(tensor) for tensor in inputs))
    static_common = entries.static_entries(common)
    return [
        tensor
        if tensor.type.ndim == len(common)
        and tensor.type.shape == static_common
        and None not in static_common
        else broadcast_to(tensor, common)
        for tensor in inputs
    ]
