"""Shape entries: a size is a Python int when known at build time, else a symbolic
int64 scalar. The helpers here convert to and from that form and do the little
arithmetic that shape inference needs, folding ints so known sizes stay known."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Constant, Variable
from tensorops import ufuncs
from tensorops.type import INTEGER_DTYPES, TensorType

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

ShapeEntry = int | Variable
"""One size: an int when known, else a symbolic int64 scalar."""

INT64_SCALAR = TensorType("int64", ())


def int64_constant(value: int) -> TensorVariable:
    """A constant int64 scalar."""
    return INT64_SCALAR.make_constant(np.asarray(value, dtype="int64"))  # type: ignore[return-value]


def tensor_constant(array: np.ndarray) -> TensorVariable:
    """A constant tensor of exactly ``array``'s dtype and shape."""
    return TensorType(array.dtype, array.shape).make_constant(array)  # type: ignore[return-value]


def is_int(value: Any) -> bool:
    """A Python or NumPy integer (booleans excluded)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def constant_int(value: Any) -> int | None:
    """The integer ``value`` stands for when it is known at build time, else None.

    Knows ints, 0-d integer constants, and ``Shape_i`` of an axis whose size is static.
    """
    if is_int(value):
        return int(value)
    if not isinstance(value, Variable) or not isinstance(value.type, TensorType):
        return None
    if value.type.ndim != 0 or value.type.dtype not in INTEGER_DTYPES:
        return None
    if isinstance(value, Constant):
        return int(value.data)
    owner = value.owner
    # By name: Shape_i is defined in tensorops.sizes, a layer above this module.
    if owner is not None and type(owner.op).__name__ == "Shape_i":
        static: tuple[int | None, ...] = owner.inputs[0].type.shape  # type: ignore[attr-defined]
        return static[owner.op.i]  # type: ignore[attr-defined]
    return None


def as_int64_scalar(value: Any, what: str) -> TensorVariable:
    """``value`` (an int or a symbolic integer scalar) as an int64 scalar variable."""
    known = constant_int(value)
    if known is not None:
        return int64_constant(known)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iu":
        return int64_constant(int(value))
    if not isinstance(value, Variable):
        raise TypeError(f"{what} must be an integer or a symbolic integer scalar, got {value!r}")
    if not isinstance(value.type, TensorType) or value.type.ndim != 0:
        raise TypeError(f"{what} must be a scalar, got {value} of type {value.type}")
    if value.type.dtype not in INTEGER_DTYPES:
        raise TypeError(
            f"{what} must have an integer dtype, got {value} of dtype {value.type.dtype}"
        )
    if value.type.dtype == "int64":
        return value  # type: ignore[return-value]
    return cast(value, "int64")


def as_entry(value: Any, what: str) -> ShapeEntry:
    """``value`` as a shape entry: an int when known, else an int64 scalar variable."""
    known = constant_int(value)
    return known if known is not None else as_int64_scalar(value, what)


def entry_variable(entry: Any) -> TensorVariable:
    """A shape entry as a variable (ints become int64 constants)."""
    return as_int64_scalar(entry, "a shape entry")


def static_entries(entries: Sequence[Any]) -> tuple[int | None, ...]:
    """The static sizes of shape entries (None where only known at run time)."""
    return tuple(constant_int(entry) for entry in entries)


def add(left: ShapeEntry, right: ShapeEntry) -> ShapeEntry:
    """``left + right``, an int when both are known."""
    if is_int(left) and is_int(right):
        return int(left) + int(right)  # type: ignore[arg-type]
    if is_int(left) and int(left) == 0:  # type: ignore[arg-type]
        return right
    if is_int(right) and int(right) == 0:  # type: ignore[arg-type]
        return left
    return entry_variable(left) + entry_variable(right)


def total(entries: Sequence[ShapeEntry]) -> ShapeEntry:
    """The sum of shape entries."""
    result: ShapeEntry = 0
    for entry in entries:
        result = add(result, entry)
    return result


def multiply(left: ShapeEntry, right: ShapeEntry) -> ShapeEntry:
    """``left * right``, an int when both are known."""
    if is_int(left) and is_int(right):
        return int(left) * int(right)  # type: ignore[arg-type]
    if is_int(left) and int(left) == 1:  # type: ignore[arg-type]
        return right
    if is_int(right) and int(right) == 1:  # type: ignore[arg-type]
        return left
    return entry_variable(left) * entry_variable(right)


def product(entries: Sequence[ShapeEntry]) -> ShapeEntry:
    """The product of shape entries."""
    result: ShapeEntry = 1
    for entry in entries:
        result = multiply(result, entry)
    return result


def floor_divide(left: ShapeEntry, right: ShapeEntry) -> ShapeEntry:
    """``left // right``, an int when both are known."""
    if is_int(left) and is_int(right):
        return int(left) // int(right)  # type: ignore[arg-type]
    if is_int(right) and int(right) == 1:  # type: ignore[arg-type]
        return left
    return entry_variable(left) // entry_variable(right)


def maximum(left: ShapeEntry, right: ShapeEntry) -> ShapeEntry:
    """``max(left, right)``, an int when both are known."""
    if is_int(left) and is_int(right):
        return max(int(left), int(right))  # type: ignore[arg-type]
    return elementwise("maximum")(entry_variable(left), entry_variable(right))


def minimum(left: ShapeEntry, right: ShapeEntry) -> ShapeEntry:
    """``min(left, right)``, an int when both are known."""
    if is_int(left) and is_int(right):
        return min(int(left), int(right))  # type: ignore[arg-type]
    return elementwise("minimum")(entry_variable(left), entry_variable(right))


def cast(value: Variable, dtype: str) -> TensorVariable:
    """``value`` converted to ``dtype`` (an elementwise cast)."""
    return ufuncs.cast(value, dtype)


def elementwise(name: str) -> Any:
    """The elementwise function ``name`` (``"maximum"``, ``"eq"``...) of the scalar table."""
    return ufuncs.FUNCTIONS[name]


def switch(condition: Any, if_true: Any, if_false: Any) -> TensorVariable:
    """Elementwise choice between two values."""
    return elementwise("switch")(condition, if_true, if_false)


def broadcast_entry(entries: Sequence[ShapeEntry]) -> ShapeEntry:
    """The size NumPy broadcasting gives to one axis whose input sizes are ``entries``.

    A known size other than 1 decides (valid inputs must agree with it); sizes known
    to be 1 drop out; among unknown sizes the first that is not 1 at run time wins.
    """
    unknown: list[Variable] = []
    for entry in entries:
        known = constant_int(entry)
        if known is not None and known != 1:
            return known
        if known is None:
            assert isinstance(entry, Variable)
            if not any(entry is seen for seen in unknown):
                unknown.append(entry)
    if not unknown:
        return 1
    result: Variable = unknown[0]
    for entry in unknown[1:]:
        result = switch(elementwise("eq")(result, 1), entry, result)
    return result


def broadcast_shapes(*shapes: Sequence[ShapeEntry]) -> tuple[ShapeEntry, ...]:
    """The broadcast shape of several shapes, aligned on the right as NumPy does."""
    ndim = max((len(shape) for shape in shapes), default=0)
    result = []
    for axis in range(ndim):
        column = [
            shape[axis - ndim + len(shape)] for shape in shapes if axis - ndim + len(shape) >= 0
        ]
        result.append(broadcast_entry(column))
    return tuple(result)


def static_broadcast(*shapes: Sequence[int | None]) -> tuple[int | None, ...]:
    """The static broadcast shape (None where not known), refusing known mismatches."""
    ndim = max((len(shape) for shape in shapes), default=0)
    result: list[int | None] = []
    for axis in range(ndim):
        column = [
            shape[axis - ndim + len(shape)] for shape in shapes if axis - ndim + len(shape) >= 0
        ]
        known = {size for size in column if size is not None and size != 1}
        if len(known) > 1:
            raise ValueError(f"shapes {[tuple(s) for s in shapes]} cannot be broadcast together")
        if known:
            result.append(known.pop())
        elif any(size is None for size in column):
            result.append(None)
        else:
            result.append(1)
    return tuple(result)
