"""Public elementwise functions and the NumPy-level math built from the ops.

``pt.exp``, ``pt.add``, ``pt.eq``... are generated in ``tensorops.ufuncs``, one per row
of the scalar table, and re-exported here. The rest composes ops of several families:
``where``, ``round``, ``isclose``/``allclose``, ``var``/``std``, ``diff``, ``outer``,
``batched_dot`` and ``nonzero``.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tensorops import reduction, ufuncs
from tensorops.basic import as_tensor, constant
from tensorops.indexing import Nonzero, getitem
from tensorops.join import stack
from tensorops.opsupport import AxisArg, as_tensor_input, normalize_axes, normalize_axis
from tensorops.products import matmul, tensordot
from tensorops.shape import flatten
from tensorops.shape_entries import product
from tensorops.type import COMPLEX_DTYPES
from tensorops.ufuncs import (  # noqa: F401 (the public path of these names)
    ALIASES,
    ElementwiseFunction,
    cast,
    elementwise_function,
    python_name,
)

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

globals().update(ufuncs.FUNCTIONS)

if TYPE_CHECKING:
    # The generated names, for type checkers.
    def __getattr__(name: str) -> ElementwiseFunction: ...


# --- choices, rounding, closeness ---------------------------------------------------------


def where(condition: Any, if_true: Any = None, if_false: Any = None) -> Any:
    """``np.where``: an elementwise choice, or with one argument the indices of nonzeros."""
    if if_true is None and if_false is None:
        return nonzero(condition)
    if if_true is None or if_false is None:
        raise TypeError("where: give both if_true and if_false, or neither")
    return ufuncs.switch(condition, if_true, if_false)


def round(x: Any, mode: str = "half_to_even") -> TensorVariable:
    """Round to the nearest integer value: ties to even (NumPy) or away from zero."""
    if mode == "half_to_even":
        return ufuncs.round(x)
    if mode == "half_away_from_zero":
        x = as_tensor(x)
        magnitude = ufuncs.floor(ufuncs.abs(x) + 0.5)
        return ufuncs.mul(ufuncs.sign(x), magnitude)
    raise ValueError(f"round: mode must be 'half_to_even' or 'half_away_from_zero', got {mode!r}")


def isclose(
    a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> TensorVariable:
    """``np.isclose``: |a - b| <= atol + rtol |b|, infinities equal only to themselves."""
    a, b = as_tensor(a), as_tensor(b)
    finite = ufuncs.and_(ufuncs.isfinite(a), ufuncs.isfinite(b))
    near = ufuncs.and_(finite, ufuncs.le(ufuncs.abs(a - b), atol + rtol * ufuncs.abs(b)))
    result = ufuncs.or_(near, ufuncs.eq(a, b))
    if equal_nan:
        both_nan = ufuncs.and_(ufuncs.isnan(a), ufuncs.isnan(b))
        result = ufuncs.or_(result, both_nan)
    return result


def allclose(
    a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> TensorVariable:
    """``np.allclose``: whether every element is close."""
    return reduction.all(isclose(a, b, rtol, atol, equal_nan))


# --- statistics ---------------------------------------------------------------------------


def var(x: Any, axis: AxisArg = None, ddof: int = 0, keepdims: bool = False) -> TensorVariable:
    """Variance over ``axis``: ``sum(|x - mean|²) / (n - ddof)``, as ``np.var``."""
    tensor = as_tensor_input(x, "var")
    axes = normalize_axes(axis, tensor.type.ndim, "var")
    centered = tensor - reduction.mean(tensor, axes, keepdims=True)
    if tensor.type.dtype in COMPLEX_DTYPES:
        centered = builtins.abs(centered)
    squared_mean = reduction.mean(centered * centered, axes, keepdims=keepdims)
    if ddof == 0:
        return squared_mean
    # mean divides by n; rescale by n / (n - ddof) to divide by n - ddof instead.
    count = cast(_element_count(tensor, axes), squared_mean.type.dtype)
    result: TensorVariable = squared_mean * (count / (count - ddof))
    return result


def std(x: Any, axis: AxisArg = None, ddof: int = 0, keepdims: bool = False) -> TensorVariable:
    """Standard deviation: the square root of ``var``."""
    return ufuncs.sqrt(var(x, axis, ddof=ddof, keepdims=keepdims))


def _element_count(tensor: TensorVariable, axes: Sequence[int]) -> Any:
    """How many elements each reduction over ``axes`` sees (an int64 scalar variable)."""
    static = [tensor.type.shape[a] for a in axes]
    if builtins.all(entry is not None for entry in static):
        return constant(math.prod(entry for entry in static if entry is not None), dtype="int64")
    return product([tensor.shape[axis] for axis in axes])


# --- differences and products ---------------------------------------------------------------


def diff(x: Any, n: int = 1, axis: int = -1) -> TensorVariable:
    """The ``n``-th forward difference along ``axis``: ``x[1:] - x[:-1]``, ``n`` times."""
    tensor = as_tensor_input(x, "diff")
    axis = normalize_axis(axis, tensor.type.ndim, "diff")
    if n < 0:
        raise ValueError(f"diff: the order n must be non-negative, got {n}")
    before = (slice(None),) * axis
    for _ in range(n):
        tensor = tensor[(*before, slice(1, None))] - tensor[(*before, slice(None, -1))]
    return tensor


def outer(a: Any, b: Any) -> TensorVariable:
    """``np.outer``: every element of ``a`` times every element of ``b`` (inputs flattened)."""
    a, b = as_tensor_input(a, "outer"), as_tensor_input(b, "outer")
    flat_a = a if a.type.ndim == 1 else flatten(a)
    flat_b = b if b.type.ndim == 1 else flatten(b)
    return tensordot(flat_a, flat_b, axes=0)


def batched_dot(a: Any, b: Any) -> TensorVariable:
    """``dot(a[i], b[i])`` for each ``i`` of the shared first axis (ranks 2 or 3 each)."""
    a, b = as_tensor_input(a, "batched_dot"), as_tensor_input(b, "batched_dot")
    if a.type.ndim not in (2, 3) or b.type.ndim not in (2, 3):
        raise ValueError(
            f"batched_dot takes inputs of rank 2 or 3 (batch axis first), got ranks "
            f"{a.type.ndim} and {b.type.ndim}"
        )
    # A batch of vectors becomes a batch of rows (first input) or columns (second), so the
    # product is one batched matmul; the added axis is dropped from the result.
    rows = a if a.type.ndim == 3 else a.dimshuffle(0, "x", 1)
    columns = b if b.type.ndim == 3 else b.dimshuffle(0, 1, "x")
    result = matmul(rows, columns)
    keep = [0]
    if a.type.ndim == 3:
        keep.append(1)
    if b.type.ndim == 3:
        keep.append(2)
    if len(keep) == 3:
        return result
    squeezed: TensorVariable = result.dimshuffle(*keep)
    return squeezed


# --- nonzero positions --------------------------------------------------------------------


def nonzero(a: Any, return_matrix: bool = False) -> Any:
    """``np.nonzero``: a tuple of index vectors, one per axis (a matrix of them with
    ``return_matrix``, as Theano offered)."""
    outputs = Nonzero()(a)
    positions = tuple(outputs) if isinstance(outputs, list) else (outputs,)
    return stack(list(positions)) if return_matrix else positions


def flatnonzero(a: Any) -> TensorVariable:
    """``np.flatnonzero``: positions of the nonzero entries of the flattened tensor."""
    a = as_tensor_input(a, "flatnonzero")
    return nonzero(flatten(a) if a.type.ndim != 1 else a)[0]


def nonzero_values(a: Any) -> TensorVariable:
    """The nonzero entries of the flattened tensor, in order."""
    a = as_tensor_input(a, "nonzero_values")
    return getitem(flatten(a), flatnonzero(a))


_COMPOSED = [
    "allclose", "batched_dot", "cast", "diff", "flatnonzero", "isclose", "nonzero",
    "nonzero_values", "outer", "std", "var", "where",
]  # fmt: skip
__all__ = list(_COMPOSED)
__all__.extend(sorted(set(ufuncs.FUNCTIONS) - set(_COMPOSED)))
