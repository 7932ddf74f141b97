"""The operators and methods of tensor variables, in one table: name -> function.

``tensorops.variable`` defines the variable classes without importing any op; this
module, above the ops and the NumPy-level functions, attaches ``METHODS`` to
``TensorOperators`` once, when ``tensorops`` is imported (as JAX attaches its array
methods to its tracer class). A method is the public function it names, with the
variable as the first argument (``x.sum(axis=0)`` is ``pt.sum(x, axis=0)``).

It also installs ``pt.stack`` for ``as_tensor``, which stacks lists holding variables
(``x + [y, z]``) but sits below the ops that stack.
"""

from __future__ import annotations

import math
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tensorops import basic, cumulative, reduction, ufuncs
from tensorops import math as tensor_math
from tensorops.creation import repeat
from tensorops.dimshuffle import DimShuffle, transpose
from tensorops.indexing import getitem
from tensorops.join import stack
from tensorops.products import dot, matmul
from tensorops.shape import flatten, reshape, squeeze
from tensorops.sizes import shape
from tensorops.sort import argsort, sort
from tensorops.variable import TensorOperators

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

Method = Callable[..., Any]


def _reflected(function: Method) -> Method:
    """The reflected operator: ``y.__radd__(x)`` is ``function(x, y)``."""

    def method(self: Any, other: Any) -> Any:
        return function(other, self)

    method.__name__ = f"reflected_{function.__name__}"
    return method


def _dimshuffle(self: TensorVariable, *pattern: Any) -> TensorVariable:
    """Reorder axes and add (``'x'``) or drop length-1 axes: ``x.dimshuffle(1, 'x', 0)``."""
    if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
        pattern = tuple(pattern[0])
    result: TensorVariable = DimShuffle(self.ndim, pattern)(self)
    return result


def _transpose(self: TensorVariable, *axes: Any) -> TensorVariable:
    """Permute axes (reversed when none are given), as ``np.transpose``."""
    if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (list, tuple))):
        axes = () if axes[0] is None else tuple(axes[0])
    return transpose(self, axes or None)


def _reshape(self: TensorVariable, *shape: Any, **kwargs: Any) -> TensorVariable:
    """``x.reshape(2, 3)`` or ``x.reshape((2, 3))``, as ``np.reshape``."""
    return reshape(self, shape[0] if len(shape) == 1 else shape, **kwargs)


def _copy(self: TensorVariable, name: str | None = None) -> TensorVariable:
    """A copy computed by the graph (the result never aliases this variable)."""
    result: TensorVariable = ufuncs.identity(self)
    result.name = name
    return result


def _size(self: TensorVariable) -> TensorVariable:
    """The number of elements: a constant when the static shape knows it."""
    static = self.type.shape
    if all(entry is not None for entry in static):
        known = basic.constant(
            math.prod(entry for entry in static if entry is not None), dtype="int64"
        )
        # A TensorConstant is not a TensorVariable subclass, but has its interface.
        return typing.cast("TensorVariable", known)
    return reduction.prod(shape(self))


# Where NumPy's method of a ufunc has a tensorops function, the error names it.
_INSTEAD = {
    ("add", "reduce"): "pt.sum", ("multiply", "reduce"): "pt.prod",
    ("maximum", "reduce"): "pt.max", ("minimum", "reduce"): "pt.min",
    ("logical_and", "reduce"): "pt.all", ("logical_or", "reduce"): "pt.any",
    ("add", "accumulate"): "pt.cumsum", ("multiply", "accumulate"): "pt.cumprod",
    ("multiply", "outer"): "pt.outer", ("add", "at"): "pt.inc_subtensor",
}  # fmt: skip

# Ufuncs that are not a row of the scalar table but have a tensorops function.
_UFUNC_FUNCTIONS: dict[np.ufunc, Method] = {np.matmul: matmul, np.positive: basic.as_tensor}


def _array_ufunc(self: Any, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """NumPy's hook for ufuncs on our variables (``np.exp(x)``, ``np.ones(3) + x``): build
    the same elementwise op the tensorops function builds.

    ``==`` and ``!=`` stay identity here too: NumPy routes ``array == x`` through
    ``np.equal``, and variables compare by identity (use ``pt.eq`` for elementwise).
    """
    name = getattr(ufunc, "__name__", str(ufunc))
    if ufunc is np.equal or ufunc is np.not_equal:
        same = len(inputs) == 2 and inputs[0] is inputs[1]
        return same if ufunc is np.equal else not same
    if method != "__call__":
        instead = _INSTEAD.get((name, method), "the tensorops functions (pt.sum, pt.cumsum, ...)")
        raise TypeError(
            f"numpy.{name}.{method} does not work on symbolic tensors; use {instead}, "
            "or evaluate the graph first"
        )
    if "out" in kwargs:
        raise TypeError(
            f"numpy.{name}: out= cannot hold a symbolic result (a new variable, not an array), "
            f"nor can an array updated in place (a += x); assign instead: y = np.{name}(...), "
            "a = a + x"
        )
    if kwargs:
        raise TypeError(
            f"numpy.{name}: the keyword arguments {sorted(kwargs)} do not work on symbolic "
            "tensors; cast with x.astype(dtype) or choose elements with pt.switch"
        )
    function = ufuncs.UFUNC_ROWS.get(ufunc) or _UFUNC_FUNCTIONS.get(ufunc)
    if function is None:
        raise TypeError(
            f"numpy.{name} has no tensorops counterpart for symbolic tensors; build the "
            "expression from tensorops functions (import tensorops as pt; pt.exp, pt.switch, "
            "...) or evaluate the graph first"
        )
    return function(*inputs)


METHODS: dict[str, Any] = {
    # arithmetic
    "__add__": ufuncs.add, "__radd__": _reflected(ufuncs.add),
    "__sub__": ufuncs.sub, "__rsub__": _reflected(ufuncs.sub),
    "__mul__": ufuncs.mul, "__rmul__": _reflected(ufuncs.mul),
    "__truediv__": ufuncs.true_div, "__rtruediv__": _reflected(ufuncs.true_div),
    "__floordiv__": ufuncs.int_div, "__rfloordiv__": _reflected(ufuncs.int_div),
    "__mod__": ufuncs.mod, "__rmod__": _reflected(ufuncs.mod),
    "__pow__": ufuncs.pow, "__rpow__": _reflected(ufuncs.pow),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__neg__": ufuncs.neg, "__abs__": ufuncs.abs,
    # comparisons (== and != stay identity)
    "__lt__": ufuncs.lt, "__le__": ufuncs.le, "__gt__": ufuncs.gt, "__ge__": ufuncs.ge,
    # bitwise
    "__and__": ufuncs.and_, "__rand__": _reflected(ufuncs.and_),
    "__or__": ufuncs.or_, "__ror__": _reflected(ufuncs.or_),
    "__xor__": ufuncs.xor, "__rxor__": _reflected(ufuncs.xor),
    "__invert__": ufuncs.invert,
    "__lshift__": ufuncs.left_shift, "__rlshift__": _reflected(ufuncs.left_shift),
    "__rshift__": ufuncs.right_shift, "__rrshift__": _reflected(ufuncs.right_shift),
    # indexing and NumPy's hook
    "__getitem__": getitem,
    "__array_ufunc__": _array_ufunc,
    # attributes
    "shape": property(shape),
    "size": property(_size),
    "T": property(_transpose),
    "real": property(ufuncs.real),
    "imag": property(ufuncs.imag),
    # shape manipulation
    "dimshuffle": _dimshuffle,
    "transpose": _transpose,
    "squeeze": squeeze,
    "reshape": _reshape,
    "flatten": flatten,
    "ravel": flatten,
    "astype": ufuncs.cast,
    "copy": _copy,
    "repeat": repeat,
    # math
    "dot": dot,
    "clip": ufuncs.clip,
    "round": ufuncs.round,
    "conj": ufuncs.conj,
    "sum": reduction.sum,
    "prod": reduction.prod,
    "mean": reduction.mean,
    "var": tensor_math.var,
    "std": tensor_math.std,
    "max": reduction.max,
    "min": reduction.min,
    "argmax": reduction.argmax,
    "argmin": reduction.argmin,
    "all": reduction.all,
    "any": reduction.any,
    "cumsum": cumulative.cumsum,
    "cumprod": cumulative.cumprod,
    "sort": sort,
    "argsort": argsort,
}  # fmt: skip


def attach(cls: type = TensorOperators) -> None:
    """Give ``cls`` (and so every tensor variable class) the methods of the table."""
    for name, member in METHODS.items():
        setattr(cls, name, member)


attach()
basic.install_stack(stack)
