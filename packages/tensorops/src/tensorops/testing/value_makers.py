"""Value makers for op-table rows: ``rng -> ndarray`` functions for the usual kinds of
inputs (uniform floats, small integers, booleans, well-conditioned matrices)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tensorops.testing.case import ValueMaker

Shape = tuple[int, ...]


def uniform(
    shape: Shape, dtype: Any = "float64", low: float = -1.0, high: float = 1.0
) -> ValueMaker:
    """Floats drawn uniformly from ``[low, high)``."""
    return lambda rng: rng.uniform(low, high, size=shape).astype(dtype)


def positive(shape: Shape, dtype: Any = "float64") -> ValueMaker:
    """Floats in ``[0.5, 2)``: away from zero, for products and logarithms."""
    return uniform(shape, dtype, 0.5, 2.0)


def integers(shape: Shape, dtype: Any = "int64", low: int = -5, high: int = 6) -> ValueMaker:
    """Integers drawn uniformly from ``[low, high)``."""
    return lambda rng: rng.integers(low, high, size=shape).astype(dtype)


def booleans(shape: Shape, probability: float = 0.5) -> ValueMaker:
    """Booleans, true with ``probability``."""
    return lambda rng: rng.uniform(size=shape) < probability


def shifted(maker: ValueMaker, offset: float) -> ValueMaker:
    """Another maker's values plus ``offset`` (large offsets probe overflow)."""
    return lambda rng: maker(rng) + offset


def fixed(value: Any) -> ValueMaker:
    """Always the same value (an edge case such as all ``-inf``)."""
    return lambda rng: np.array(value)


def well_conditioned(n: int, batch: Shape = (), dtype: Any = "float64") -> ValueMaker:
    """Square matrices ``g + n I`` with ``g`` standard normal: diagonally dominated, so far
    from singular (condition numbers of a few)."""

    def make(rng: np.random.Generator) -> np.ndarray:
        return (rng.normal(size=(*batch, n, n)) + n * np.eye(n)).astype(dtype)

    return make


def positive_definite(n: int, batch: Shape = (), dtype: Any = "float64") -> ValueMaker:
    """Symmetric positive definite matrices ``g gᵀ + n I``."""

    def make(rng: np.random.Generator) -> np.ndarray:
        g = rng.normal(size=(*batch, n, n))
        return (g @ np.swapaxes(g, -1, -2) + n * np.eye(n)).astype(dtype)

    return make


def triangular(n: int, lower: bool, dtype: Any = "float64") -> ValueMaker:
    """Well-conditioned lower (or upper) triangular matrices."""

    def make(rng: np.random.Generator) -> np.ndarray:
        full = rng.normal(size=(n, n)) + n * np.eye(n)
        return (np.tril(full) if lower else np.triu(full)).astype(dtype)

    return make


def contraction(n: int, dtype: Any = "float64") -> ValueMaker:
    """Matrices with spectral radius below 0.5 (stable for Lyapunov equations)."""

    def make(rng: np.random.Generator) -> np.ndarray:
        g = rng.normal(size=(n, n))
        return (0.5 * g / np.abs(np.linalg.eigvals(g)).max() * 0.9).astype(dtype)

    return make
