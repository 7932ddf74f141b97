"""NumPy indexing of tensors: ``x[key]`` and writing through it (set/inc_subtensor)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphcore import Variable
from tensorops import shape_entries as entries
from tensorops.indexing.advanced import (
    AdvancedIncSubtensor,
    AdvancedIncSubtensor1,
    AdvancedSubtensor,
    AdvancedSubtensor1,
)
from tensorops.indexing.basic import IncSubtensor, SliceLength, Subtensor
from tensorops.indexing.key import ARRAY, INT, parse_key
from tensorops.indexing.nonzero import Nonzero
from tensorops.indexing.update import inc_subtensor, set_subtensor
from tensorops.opsupport import as_tensor_input
from tensorops.sizes import Shape, Shape_i

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

__all__ = [
    "AdvancedIncSubtensor",
    "AdvancedIncSubtensor1",
    "AdvancedSubtensor",
    "AdvancedSubtensor1",
    "IncSubtensor",
    "Nonzero",
    "SliceLength",
    "Subtensor",
    "getitem",
    "inc_subtensor",
    "set_subtensor",
]


def getitem(x: Any, key: Any) -> TensorVariable:
    """``x[key]`` with NumPy's rules; an out-of-range index raises IndexError when the
    function runs."""
    x = as_tensor_input(x, "indexing")
    spec, indices = parse_key(x, key)
    if ARRAY not in spec:
        shape_entry = _shape_entry(x, spec, indices)
        if shape_entry is not None:
            return shape_entry
        return Subtensor(spec)(x, *indices)
    if spec == (ARRAY,) and indices[0].type.ndim == 1 and indices[0].type.dtype != "bool":  # type: ignore[attr-defined]
        return AdvancedSubtensor1()(x, indices[0])
    return AdvancedSubtensor(spec)(x, *indices)


def _shape_entry(
    x: Variable, spec: tuple[Any, ...], indices: list[Variable]
) -> TensorVariable | None:
    """``a.shape[i]`` with a known ``i``: ``Shape_i`` (or the static size) instead of indexing."""
    if spec != (INT,) or x.owner is None or not isinstance(x.owner.op, Shape):
        return None
    position = entries.constant_int(indices[0])
    array = x.owner.inputs[0]
    ndim = array.type.ndim  # type: ignore[attr-defined]
    if position is None or not -ndim <= position < ndim:
        return None
    axis = position % ndim
    size = array.type.shape[axis]  # type: ignore[attr-defined]
    return entries.int64_constant(size) if size is not None else Shape_i(axis)(array)
