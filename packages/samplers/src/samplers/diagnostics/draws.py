"""Checking draw arrays and laying them out as (variables, chains, draws) for batched math."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
Estimate = Any
"""np.float64 for draws (chains, draws), an ndarray of ``shape`` for (chains, draws, *shape).

Typed Any: which of the two comes back depends on the array's rank, which types do not carry.
"""

MIN_DRAWS = 4
"""Fewest draws per chain that split chains, ranks and autocorrelations make sense for."""

_REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floats


def as_float_array(data: ArrayLike, name: str) -> FloatArray:
    """``data`` as a float64 array, or a TypeError naming ``name`` when it holds no real numbers."""
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be an array of real numbers; got {type(data).__name__}"
        ) from error
    if array.dtype.kind not in _REAL_KINDS:
        raise TypeError(
            f"{name} must hold real numbers (bool, int or float); "
            f"got an array of dtype {array.dtype} from {type(data).__name__}"
        )
    return array.astype(np.float64, copy=False)


def as_draws(
    data: ArrayLike, name: str = "data", min_draws: int = MIN_DRAWS
) -> tuple[FloatArray, tuple[int, ...]]:
    """Check ``data`` of shape (chains, draws, *shape), or (draws,) for one chain.

    Returns the draws laid out as (variables, chains, draws), where the variables are
    the C-ordered components of ``shape``, together with ``shape`` itself.
    """
    array = as_float_array(data, name)
    if array.ndim == 0:
        raise ValueError(
            f"{name} must have shape (chains, draws, *shape) or (draws,); got a scalar"
        )
    if array.ndim == 1:
        array = array[np.newaxis, :]
    n_chains, n_draws, *shape = array.shape
    if n_chains < 1:
        raise ValueError(f"{name} must hold at least one chain; got shape {array.shape}")
    if n_draws < min_draws:
        raise ValueError(
            f"{name} needs at least {min_draws} draws per chain (axis 1 of (chains, draws, ...)); "
            f"got shape {array.shape}, that is {n_draws} draws"
        )
    n_variables = int(np.prod(shape, dtype=np.int64))
    columns = array.reshape(n_chains, n_draws, n_variables)
    return np.ascontiguousarray(columns.transpose(2, 0, 1)), tuple(shape)


def restore(values: FloatArray, shape: tuple[int, ...]) -> Estimate:
    """Per-variable results (variables, ...) back in the variable's own ``shape``."""
    reshaped = values.reshape(shape + values.shape[1:])
    if reshaped.ndim == 0:
        return np.float64(reshaped[()])
    return reshaped


def per_variable(
    data: ArrayLike,
    name: str,
    estimator: Callable[[FloatArray], FloatArray],
    min_draws: int = MIN_DRAWS,
) -> Estimate:
    """Apply a batched ``estimator`` over (variables, chains, draws) and reshape its result.

    Variables whose draws contain NaN get NaN, as ArviZ gives them.
    """
    draws, shape = as_draws(data, name, min_draws)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.asarray(estimator(draws), dtype=np.float64)
    has_nan = np.isnan(draws).any(axis=(1, 2))
    values[has_nan] = np.nan
    return restore(values, shape)
