"""Small pieces shared by the ops: input conversion, axis checks, output creation and
storage, and static shape arithmetic."""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from graphcore import Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops.basic import as_tensor
from tensorops.type import TensorType

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

AxisArg = int | Sequence[int] | None


def as_tensor_input(value: Any, op_name: str) -> TensorVariable:
    """``value`` as a tensor variable (lists, arrays and numbers become constants)."""
    variable = as_tensor(value)
    if not isinstance(variable.type, TensorType):
        raise TypeError(f"{op_name}: expected a tensor, got {value!r} of type {variable.type}")
    return variable


def tensor_output(dtype: Any, shape: Iterable[int | None]) -> TensorVariable:
    """A fresh output variable of the given dtype and static shape."""
    variable: TensorVariable = TensorType(dtype, tuple(shape)).make_variable()
    return variable


def tensor_type(var: Variable) -> TensorType:
    """The type of a variable known to be a tensor (as an op's own inputs and outputs are)."""
    assert isinstance(var.type, TensorType)
    return var.type


def normalize_axis(axis: int, ndim: int, op_name: str) -> int:
    """``axis`` as a non-negative int, or an AxisError naming the axis and the rank."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op_name}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        valid = f"{-ndim}..{ndim - 1}" if ndim else "none (the input is 0-d)"
        raise np.exceptions.AxisError(
            f"{op_name}: axis {int(axis)} is out of range for an input with ndim {ndim} "
            f"(valid axes: {valid})"
        )
    return int(axis) % ndim


def normalize_axes(axis: AxisArg, ndim: int, op_name: str) -> tuple[int, ...]:
    """``axis`` (None, an int or a sequence) as a sorted tuple of distinct non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, Variable):
        raise TypeError(f"{op_name}: axis must be known when the graph is built, got {axis}")
    if isinstance(axis, (int, np.integer)):
        return (normalize_axis(axis, ndim, op_name),)
    axes = [normalize_axis(entry, ndim, op_name) for entry in axis]
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op_name}: duplicate axes in {tuple(axis)}")
    return tuple(sorted(axes))


def store(output_storage: OutputStorage, index: int, value: Any, dtype: Any) -> None:
    """Put ``value`` in output cell ``index`` as an array of exactly ``dtype``.

    NumPy hands back scalars for 0-d results and sometimes other dtypes (float64 for a
    float32 LAPACK call); ``np.asarray(..., dtype)`` converts without copying when it can.
    """
    output_storage[index][0] = np.asarray(value, dtype=dtype)


def reduced_shape(shape: Sequence[Any], axes: Sequence[int], keepdims: bool) -> tuple[Any, ...]:
    """The shape after reducing ``axes``: dropped, or kept with length 1."""
    if keepdims:
        return tuple(1 if axis in axes else entry for axis, entry in enumerate(shape))
    return tuple(entry for axis, entry in enumerate(shape) if axis not in axes)


def static_product(entries: Iterable[int | None]) -> int | None:
    """The product of static sizes, None when any is unknown (0 wins: a zero size is known)."""
    items = list(entries)
    if any(entry == 0 for entry in items):
        return 0
    if any(entry is None for entry in items):
        return None
    return functools.reduce(operator.mul, items, 1)


def describe_shape(shape: Sequence[int | None]) -> str:
    """A static shape as text, ``?`` for unknown sizes: ``(3, ?)``."""
    text = ", ".join("?" if entry is None else str(entry) for entry in shape)
    return f"({text},)" if len(shape) == 1 else f"({text})"


class ValueOp(Op):
    """An op equal to every op of its class with the same ``__props__`` (even none):
    two ``Det()`` merge as one, where a plain ``Op`` without props compares by identity."""

    __props__: ClassVar[tuple[str, ...] | None] = ()
