"""Joining and splitting tensors: scalars into a vector, concatenate, stack, split.

The ops live below, in ``tensorops.join_ops`` (Join, Split) and ``tensorops.sizes``
(MakeVector); this module adds the NumPy functions that stack along new axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tensorops.join_ops import Join, Split, concatenate, join, split, with_common_dtype
from tensorops.opsupport import as_tensor_input, normalize_axis
from tensorops.shape import expand_dims, shape_padleft
from tensorops.sizes import MakeVector, make_vector, shape_vector, vector_entries  # noqa: F401 (importers use this path)

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "Join",
    "MakeVector",
    "Split",
    "concatenate",
    "hstack",
    "join",
    "make_vector",
    "split",
    "stack",
    "vstack",
]


def stack(tensors: Sequence[Any], axis: int = 0) -> TensorVariable:
    """``np.stack``: tensors of one shape joined along a new axis."""
    inputs = with_common_dtype([as_tensor_input(tensor, "stack") for tensor in tensors])
    if not inputs:
        raise ValueError("stack needs at least one tensor")
    ndim = inputs[0].type.ndim
    axis = normalize_axis(axis, ndim + 1, "stack")
    if ndim == 0:
        return make_vector(inputs, inputs[0].type.dtype)
    return Join(axis)(*(expand_dims(tensor, axis) for tensor in inputs))


def _at_least(tensor: TensorVariable, ndim: int) -> TensorVariable:
    """``np.atleast_1d`` / ``np.atleast_2d``: new axes on the left."""
    rank = tensor.type.ndim
    return tensor if rank >= ndim else shape_padleft(tensor, ndim - rank)


def vstack(tensors: Sequence[Any]) -> TensorVariable:
    """``np.vstack``: tensors made at least 2-d, joined along axis 0."""
    inputs = [_at_least(as_tensor_input(tensor, "vstack"), 2) for tensor in tensors]
    return concatenate(inputs, 0)


def hstack(tensors: Sequence[Any]) -> TensorVariable:
    """``np.hstack``: vectors joined end to end, other tensors along axis 1."""
    inputs = [_at_least(as_tensor_input(tensor, "hstack"), 1) for tensor in tensors]
    return concatenate(inputs, 0 if inputs and inputs[0].type.ndim == 1 else 1)
