"""Vectorized formulas for scalar ops NumPy and SciPy lack, written for accuracy.

Each takes whole arrays (and ``out=`` where the last step can write into a reused
buffer); none loops over elements in Python.
"""

from __future__ import annotations

import numpy as np
import scipy.special

LN2 = float(np.log(2.0))


def softplus(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """log(1 + exp(x)) = log1p(exp(-|x|)) + max(x, 0): no overflow for large x."""
    tail = np.log1p(np.exp(-np.abs(x)))
    return np.add(tail, np.maximum(x, 0), out=out)


def log1mexp(x: np.ndarray) -> np.ndarray:
    """log(1 - exp(x)) for x <= 0, accurate at both ends (Mächler 2012).

    Near 0, 1 - exp(x) cancels: use log(-expm1(x)); far below, exp(x) is tiny and
    log1p(-exp(x)) keeps its digits. The switch point -ln 2 balances the two.
    """
    near_zero = x > -LN2
    # Each formula sees a harmless placeholder where the other one is used,
    # so no spurious warnings come from the branch that is discarded.
    close = np.log(-np.expm1(np.where(near_zero, x, -1.0)))
    far = np.log1p(-np.exp(np.where(near_zero, -1.0, x)))
    return np.where(near_zero, close, far)


def xlogx(x: np.ndarray) -> np.ndarray:
    """x * log(x), with 0 at x = 0."""
    return scipy.special.xlogy(x, x)


def identity(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A copy of x (never x itself: outputs must not alias inputs)."""
    if out is None:
        return np.array(x, copy=True)
    np.copyto(out, x)
    return out


def real(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The real part, as a new array (np.real returns a view)."""
    return identity(np.real(x), out)


def imag(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The imaginary part, as a new array (zeros for real inputs)."""
    return identity(np.imag(x), out)


def switch(condition: np.ndarray, if_true: np.ndarray, if_false: np.ndarray) -> np.ndarray:
    """Elementwise choice: ``if_true`` where ``condition`` is nonzero."""
    return np.where(condition, if_true, if_false)


def polygamma(n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The n-th derivative of digamma."""
    return scipy.special.polygamma(n, x)
