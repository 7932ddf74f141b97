"""``set_subtensor(x[key], y)`` and ``inc_subtensor(x[key], y)``: a new ``x`` with the
indexed region replaced by, or incremented by, ``y`` (broadcast to the region)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Variable
from tensorops import shape_entries as entries
from tensorops.indexing.advanced import (
    AdvancedIncSubtensor,
    AdvancedIncSubtensor1,
    AdvancedSubtensor,
    AdvancedSubtensor1,
)
from tensorops.indexing.basic import IncSubtensor, Subtensor
from tensorops.opsupport import as_tensor_input
from tensorops.type import TensorType

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable


def inc_subtensor(
    x: Any,
    y: Any,
    inplace: bool = False,
    set_instead_of_inc: bool = False,
    tolerate_inplace_aliasing: bool = False,
) -> TensorVariable:
    """The array indexed by ``x`` (the result of ``a[key]``) with ``a[key] += y``.

    Repeated integer indices add every increment, as ``np.add.at``. ``inplace`` lets the
    result overwrite ``a`` (only safe when nothing else reads ``a``; rewrites decide that).
    """
    owner = x.owner if isinstance(x, Variable) else None
    op = owner.op if owner is not None else None
    if not isinstance(op, (Subtensor, AdvancedSubtensor1, AdvancedSubtensor)):
        name = "set_subtensor" if set_instead_of_inc else "inc_subtensor"
        raise TypeError(
            f"{name} expects the result of indexing, such as a[1:3] or a[[0, 2]], got {x!r}"
        )
    assert owner is not None
    base, *indices = owner.inputs
    value = _update_value(base, y)
    if isinstance(op, Subtensor):
        return IncSubtensor(op.spec, set_instead_of_inc, inplace)(base, value, *indices)
    if isinstance(op, AdvancedSubtensor1):
        return AdvancedIncSubtensor1(set_instead_of_inc, inplace)(base, value, *indices)
    return AdvancedIncSubtensor(op.spec, set_instead_of_inc, inplace)(base, value, *indices)


def set_subtensor(
    x: Any, y: Any, inplace: bool = False, tolerate_inplace_aliasing: bool = False
) -> TensorVariable:
    """The array indexed by ``x`` (the result of ``a[key]``) with ``a[key] = y``."""
    return inc_subtensor(x, y, inplace, set_instead_of_inc=True)


def _update_value(base: Variable, y: Any) -> TensorVariable:
    """``y`` in the dtype of ``base``: values must convert without loss, symbolic values
    must cast safely (a float into an integer array is refused)."""
    dtype = base.type.dtype  # type: ignore[attr-defined]
    if not isinstance(y, Variable):
        array = np.asarray(y)
        try:
            converted = TensorType(dtype, (None,) * array.ndim).filter(y)
        except TypeError as error:
            raise TypeError(f"the value {y!r} does not fit x of dtype {dtype}: {error}") from None
        return entries.tensor_constant(converted)
    value = as_tensor_input(y, "set_subtensor")
    if value.type.dtype == dtype:
        return value
    if not np.can_cast(value.type.dtype, dtype, casting="safe"):
        raise TypeError(
            f"the value {value} of dtype {value.type.dtype} cannot be written into x of dtype "
            f"{dtype} without loss; cast it first"
        )
    return entries.cast(value, dtype)
