"""Tensor variables: graph variables with NumPy's operators, attributes and methods.

Methods build graph nodes through the tensorops modules that own each operation;
those are imported inside the methods because they import this module themselves.
``==`` stays identity (variables are dictionary keys); elementwise equality is
``pt.eq``.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from graphcore import Constant, Variable
from tensorops.type import TensorType

if TYPE_CHECKING:
    Operand = Any


def _math() -> Any:
    """The elementwise functions (imported late: tensorops.math imports this module)."""
    from tensorops import math as tensor_math

    return tensor_math


class TensorOperators:
    """Operators and NumPy-style methods shared by tensor variables, constants and shared."""

    __slots__ = ()
    # Make NumPy hand ``array + x`` back to our reflected operators.
    __array_ufunc__ = None
    __array_priority__ = 1000

    type: TensorType

    # -- arithmetic ---------------------------------------------------------
    def __add__(self, other: Operand) -> TensorVariable:
        return _math().add(self, other)

    def __radd__(self, other: Operand) -> TensorVariable:
        return _math().add(other, self)

    def __sub__(self, other: Operand) -> TensorVariable:
        return _math().sub(self, other)

    def __rsub__(self, other: Operand) -> TensorVariable:
        return _math().sub(other, self)

    def __mul__(self, other: Operand) -> TensorVariable:
        return _math().mul(self, other)

    def __rmul__(self, other: Operand) -> TensorVariable:
        return _math().mul(other, self)

    def __truediv__(self, other: Operand) -> TensorVariable:
        return _math().true_div(self, other)

    def __rtruediv__(self, other: Operand) -> TensorVariable:
        return _math().true_div(other, self)

    def __floordiv__(self, other: Operand) -> TensorVariable:
        return _math().int_div(self, other)

    def __rfloordiv__(self, other: Operand) -> TensorVariable:
        return _math().int_div(other, self)

    def __mod__(self, other: Operand) -> TensorVariable:
        return _math().mod(self, other)

    def __rmod__(self, other: Operand) -> TensorVariable:
        return _math().mod(other, self)

    def __pow__(self, other: Operand) -> TensorVariable:
        return _math().pow(self, other)

    def __rpow__(self, other: Operand) -> TensorVariable:
        return _math().pow(other, self)

    def __matmul__(self, other: Operand) -> TensorVariable:
        from tensorops.products import matmul

        return matmul(self, other)

    def __rmatmul__(self, other: Operand) -> TensorVariable:
        from tensorops.products import matmul

        return matmul(other, self)

    def __neg__(self) -> TensorVariable:
        return _math().neg(self)

    def __pos__(self) -> TensorOperators:
        return self

    def __abs__(self) -> TensorVariable:
        return _math().abs(self)

    # -- comparisons (== and != stay identity) ---------------------------------
    def __lt__(self, other: Operand) -> TensorVariable:
        return _math().lt(self, other)

    def __le__(self, other: Operand) -> TensorVariable:
        return _math().le(self, other)

    def __gt__(self, other: Operand) -> TensorVariable:
        return _math().gt(self, other)

    def __ge__(self, other: Operand) -> TensorVariable:
        return _math().ge(self, other)

    # -- bitwise --------------------------------------------------------------
    def __and__(self, other: Operand) -> TensorVariable:
        return _math().and_(self, other)

    def __rand__(self, other: Operand) -> TensorVariable:
        return _math().and_(other, self)

    def __or__(self, other: Operand) -> TensorVariable:
        return _math().or_(self, other)

    def __ror__(self, other: Operand) -> TensorVariable:
        return _math().or_(other, self)

    def __xor__(self, other: Operand) -> TensorVariable:
        return _math().xor(self, other)

    def __rxor__(self, other: Operand) -> TensorVariable:
        return _math().xor(other, self)

    def __invert__(self) -> TensorVariable:
        return _math().invert(self)

    def __lshift__(self, other: Operand) -> TensorVariable:
        return _math().left_shift(self, other)

    def __rlshift__(self, other: Operand) -> TensorVariable:
        return _math().left_shift(other, self)

    def __rshift__(self, other: Operand) -> TensorVariable:
        return _math().right_shift(self, other)

    def __rrshift__(self, other: Operand) -> TensorVariable:
        return _math().right_shift(other, self)

    # -- attributes -----------------------------------------------------------
    @property
    def ndim(self) -> int:
        return self.type.ndim

    @property
    def dtype(self) -> str:
        return self.type.dtype

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return self.type.broadcastable

    @property
    def shape(self) -> TensorVariable:
        from tensorops.shape import shape

        return shape(self)

    @property
    def size(self) -> TensorVariable:
        from tensorops.basic import constant
        from tensorops.reduction import prod

        static = self.type.shape
        if all(entry is not None for entry in static):
            known = constant(
                math.prod(entry for entry in static if entry is not None), dtype="int64"
            )
            # A TensorConstant is not a TensorVariable subclass, but has its interface.
            return typing.cast(TensorVariable, known)
        return prod(self.shape)

    @property
    def T(self) -> TensorVariable:
        return self.transpose()

    @property
    def real(self) -> TensorVariable:
        return _math().real(self)

    @property
    def imag(self) -> TensorVariable:
        return _math().imag(self)

    def __len__(self) -> int:
        return self._static_length()

    def __iter__(self) -> Iterator[TensorVariable]:
        length = self._static_length()  # raises now, not at the first next()
        return (self[index] for index in range(length))

    def _static_length(self) -> int:
        if self.ndim == 0:
            raise TypeError(f"len() of unsized object: {self} is a 0-d tensor")
        length = self.type.shape[0]
        if length is None:
            raise TypeError(
                f"the length of {self} ({self.type}) is not known until the function runs; "
                "use x.shape[0] for a symbolic length"
            )
        return length

    def __getitem__(self, key: Any) -> TensorVariable:
        from tensorops.indexing import getitem

        return getitem(self, key)

    # -- shape manipulation ---------------------------------------------------
    def dimshuffle(self, *pattern: Any) -> TensorVariable:
        """Reorder axes and add (``'x'``) or drop length-1 axes: ``x.dimshuffle(1, 'x', 0)``."""
        from tensorops.dimshuffle import DimShuffle

        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = tuple(pattern[0])
        return DimShuffle(self.ndim, pattern)(self)

    def transpose(self, *axes: Any) -> TensorVariable:
        """Permute axes (reversed when none are given), as ``np.transpose``."""
        from tensorops.dimshuffle import transpose

        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (list, tuple))):
            axes = () if axes[0] is None else tuple(axes[0])
        return transpose(self, axes or None)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> TensorVariable:
        from tensorops.shape import squeeze

        return squeeze(self, axis)

    def reshape(self, *shape: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.shape import reshape

        target = shape[0] if len(shape) == 1 else shape
        return reshape(self, target, **kwargs)

    def flatten(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.shape import flatten

        return flatten(self, *args, **kwargs)

    def ravel(self) -> TensorVariable:
        return self.flatten()

    def astype(self, dtype: Any) -> TensorVariable:
        from tensorops.basic import cast

        return cast(self, dtype)

    def copy(self, name: str | None = None) -> TensorVariable:
        """A copy computed by the graph (the result never aliases this variable)."""
        result: TensorVariable = _math().identity(self)
        result.name = name
        return result

    def repeat(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.creation import repeat

        return repeat(self, *args, **kwargs)

    # -- math methods -----------------------------------------------------------
    def dot(self, other: Operand) -> TensorVariable:
        from tensorops.products import dot

        return dot(self, other)

    def clip(self, low: Operand, high: Operand) -> TensorVariable:
        return _math().clip(self, low, high)

    def round(self) -> TensorVariable:
        return _math().round(self)

    def conj(self) -> TensorVariable:
        return _math().conj(self)

    def sum(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import sum as sum_

        return sum_(self, *args, **kwargs)

    def prod(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import prod

        return prod(self, *args, **kwargs)

    def mean(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import mean

        return mean(self, *args, **kwargs)

    def var(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import var

        return var(self, *args, **kwargs)

    def std(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import std

        return std(self, *args, **kwargs)

    def max(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import max as max_

        return max_(self, *args, **kwargs)

    def min(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import min as min_

        return min_(self, *args, **kwargs)

    def argmax(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import argmax

        return argmax(self, *args, **kwargs)

    def argmin(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import argmin

        return argmin(self, *args, **kwargs)

    def all(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import all as all_

        return all_(self, *args, **kwargs)

    def any(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.reduction import any as any_

        return any_(self, *args, **kwargs)

    def cumsum(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.cumulative import cumsum

        return cumsum(self, *args, **kwargs)

    def cumprod(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.cumulative import cumprod

        return cumprod(self, *args, **kwargs)

    def sort(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.sort import sort

        return sort(self, *args, **kwargs)

    def argsort(self, *args: Any, **kwargs: Any) -> TensorVariable:
        from tensorops.sort import argsort

        return argsort(self, *args, **kwargs)


class TensorVariable(TensorOperators, Variable):
    """A symbolic n-dimensional array."""

    __slots__ = ()
    type: TensorType


class TensorConstant(TensorOperators, Constant):
    """A tensor whose value is fixed when the graph is built.

    ``weak`` marks a constant made from a Python number: like NumPy 2 (NEP 50),
    operations give it the dtype of the arrays it meets (``int8_vector + 1`` is int8).
    """

    __slots__ = ("weak",)
    type: TensorType

    def __init__(self, type: TensorType, data: Any, name: str | None = None, weak: bool = False):
        super().__init__(type, data, name)
        self.weak = weak

    def clone(self, name: str | None = None) -> TensorConstant:
        return TensorConstant(self.type, self.data, self.name if name is None else name, self.weak)

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        if self.data.ndim == 0:
            return str(self.data.item())
        return super().__str__()


TensorType.variable_type = TensorVariable
TensorType.constant_type = TensorConstant
