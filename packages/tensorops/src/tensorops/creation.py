"""Making tensors: filled (alloc, zeros, ones, full, *_like, empty), ranges (arange),
matrices (eye, tri, tril, triu, diag), and repetition (tile, repeat).

The ops live below, in ``tensorops.creation_ops`` and ``tensorops.diagonal``; this module
adds the NumPy functions built from them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Variable, config
from tensorops import shape_entries as entries
from tensorops.creation_ops import (
    Alloc,
    AllocEmpty,
    ARange,
    Eye,
    Repeat,
    Tri,
    alloc,
    arange,
    empty,
    eye,
    shape_arg_entries,
    tri,
)
from tensorops.diagonal import AllocDiag, ExtractDiag, FillDiagonal, diag, diagonal, fill_diagonal
from tensorops.opsupport import as_tensor_input, normalize_axis
from tensorops.shape import flatten, reshape, shape_padleft, shape_tuple
from tensorops.type import TensorType, normalize_dtype

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "ARange",
    "Alloc",
    "AllocDiag",
    "AllocEmpty",
    "ExtractDiag",
    "Eye",
    "FillDiagonal",
    "Repeat",
    "Tri",
    "alloc",
    "arange",
    "diag",
    "diagonal",
    "empty",
    "eye",
    "fill_diagonal",
    "full",
    "full_like",
    "identity_like",
    "ones",
    "ones_like",
    "repeat",
    "tile",
    "tri",
    "tril",
    "triu",
    "zeros",
    "zeros_like",
]


def _fill_value(fill_value: Any, dtype: Any) -> TensorVariable:
    """The fill value as a scalar tensor of ``dtype`` (Python floats default to floatX)."""
    if isinstance(fill_value, Variable):
        value = as_tensor_input(fill_value, "full")
        if dtype is not None and value.type.dtype != normalize_dtype(dtype):
            return entries.cast(value, normalize_dtype(dtype))
        return value
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        dtype = config.floatX if kind == "f" else ("int64" if kind in "iu" else None)
    array = np.asarray(fill_value, dtype=None if dtype is None else normalize_dtype(dtype))
    return entries.tensor_constant(array)


def full(shape: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """``np.full``: a tensor of ``shape`` filled with ``fill_value``."""
    return alloc(_fill_value(fill_value, dtype), *shape_arg_entries(shape))


def zeros(shape: Any, dtype: Any = None) -> TensorVariable:
    """``np.zeros``; the dtype defaults to floatX."""
    return full(shape, 0, normalize_dtype(dtype))


def ones(shape: Any, dtype: Any = None) -> TensorVariable:
    """``np.ones``; the dtype defaults to floatX."""
    return full(shape, 1, normalize_dtype(dtype))


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> TensorVariable:
    """A tensor shaped like ``x`` filled with ``fill_value`` (of ``x``'s dtype by default)."""
    x = as_tensor_input(x, "full_like")
    return alloc(_fill_value(fill_value, dtype or x.type.dtype), *shape_tuple(x))


def zeros_like(x: Any, dtype: Any = None) -> TensorVariable:
    """Zeros shaped like ``x``."""
    return full_like(x, 0, dtype)


def ones_like(x: Any, dtype: Any = None) -> TensorVariable:
    """Ones shaped like ``x``."""
    return full_like(x, 1, dtype)


def identity_like(x: Any, dtype: Any = None) -> TensorVariable:
    """The identity pattern of a matrix shaped like ``x`` (of ``x``'s dtype by default)."""
    x = as_tensor_input(x, "identity_like")
    if x.type.ndim != 2:
        raise ValueError(f"identity_like: expected a matrix, got {x.type}")
    rows, columns = shape_tuple(x)
    return Eye(dtype or x.type.dtype)(rows, columns, 0)


def _triangle_mask(x: Variable, k: Any) -> TensorVariable:
    rows, columns = shape_tuple(x)[-2:] if x.type.ndim >= 2 else shape_tuple(x) * 2  # type: ignore[attr-defined]
    return tri(rows, columns, k, dtype="bool")


def tril(m: Any, k: Any = 0) -> TensorVariable:
    """``np.tril``: ``m`` with the values above the ``k``-th diagonal set to 0."""
    x = as_tensor_input(m, "tril")
    return entries.switch(_triangle_mask(x, k), x, np.zeros((), dtype=x.type.dtype))


def triu(m: Any, k: Any = 0) -> TensorVariable:
    """``np.triu``: ``m`` with the values below the ``k``-th diagonal set to 0."""
    x = as_tensor_input(m, "triu")
    below = _triangle_mask(x, entries.add(entries.as_entry(k, "triu: k"), -1))
    return entries.switch(below, np.zeros((), dtype=x.type.dtype), x)


def tile(x: Any, reps: Any) -> TensorVariable:
    """``np.tile``: ``x`` repeated ``reps[i]`` times along each axis.

    Built from ops that already exist: each axis gets a new axis in front of it,
    ``alloc`` repeats along those, and a reshape merges each pair.
    """
    x = as_tensor_input(x, "tile")
    rep_list = shape_arg_entries(reps)
    ndim = max(x.type.ndim, len(rep_list))
    rep_list = [1] * (ndim - len(rep_list)) + rep_list
    rep_entries = [entries.as_entry(rep, "tile: reps") for rep in rep_list]
    if x.type.ndim < ndim:
        x = shape_padleft(x, ndim - x.type.ndim)
    sizes = shape_tuple(x)
    if all(rep == 1 for rep in rep_entries):
        return x
    pattern: list[Any] = []
    spread_shape: list[Any] = []
    for axis, (rep, size) in enumerate(zip(rep_entries, sizes, strict=True)):
        if rep != 1:
            pattern.append("x")
            spread_shape.append(rep)
        pattern.append(axis)
        spread_shape.append(size)
    spread = alloc(x.dimshuffle(*pattern), *spread_shape)
    return reshape(
        spread, [entries.multiply(rep, size) for rep, size in zip(rep_entries, sizes, strict=True)]
    )


def repeat(x: Any, repeats: Any, axis: int | None = None) -> TensorVariable:
    """``np.repeat``: with ``axis=None`` the flattened ``x`` is repeated."""
    x = as_tensor_input(x, "repeat")
    if axis is None:
        x = flatten(x)
        axis = 0
    if not isinstance(repeats, Variable):
        repeats = np.asarray(repeats)
        if repeats.dtype.kind not in "iu":
            raise TypeError(f"repeat: repeats must be integers, got {repeats!r}")
        repeats = TensorType("int64", repeats.shape).make_constant(repeats.astype("int64"))
    return Repeat(normalize_axis(axis, x.type.ndim, "repeat"))(x, repeats)
