"""Distances between floats in units in the last place, for the C-against-NumPy checks."""

from __future__ import annotations

import numpy as np

MISMATCH = np.iinfo(np.uint64).max
"""The distance of a NaN or an infinity from anything but itself."""


def _ordinal(values: np.ndarray) -> np.ndarray:
    """Each float's position in the ordered sequence of floats of its dtype (0 for ±0)."""
    signed = {4: np.int32, 8: np.int64}[values.dtype.itemsize]
    bits = values.view(signed).astype(np.int64)
    magnitude = bits & np.int64(np.iinfo(signed).max)
    return np.where(bits < 0, -magnitude, magnitude)


def ulp_distance(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """How many floats of the expected dtype lie between ``got`` and ``expected``, per element.

    Complex numbers are as far apart as their further parts. NaN is at distance 0 from
    NaN; an infinity at distance 0 from the same infinity; otherwise either of them is at
    distance ``MISMATCH`` from everything.
    """
    expected = np.asarray(expected)
    got = np.asarray(got).astype(expected.dtype)
    if expected.dtype.kind == "c":  # the further of the two parts
        return np.maximum(
            ulp_distance(got.real, expected.real), ulp_distance(got.imag, expected.imag)
        )
    a, b = _ordinal(got), _ordinal(expected)
    same_side = (a >= 0) == (b >= 0)
    with np.errstate(over="ignore"):
        across = np.abs(a).astype(np.uint64) + np.abs(b).astype(np.uint64)
        distance = np.where(same_side, np.abs(a - b).astype(np.uint64), across)
    finite = np.isfinite(got) & np.isfinite(expected)
    both_nan = np.isnan(got) & np.isnan(expected)
    same_infinity = np.isinf(got) & (got == expected)
    distance = np.where(finite, distance, MISMATCH)
    return np.where(both_nan | same_infinity, np.uint64(0), distance)


def worst(got: np.ndarray, expected: np.ndarray, inputs: list[np.ndarray], count: int = 8) -> str:
    """The points furthest apart, one a line, for an assertion message."""
    if np.asarray(expected).dtype.kind in "fc":
        distance = ulp_distance(got, expected).reshape(-1)
    else:
        distance = (np.asarray(got) != np.asarray(expected)).astype(np.uint64).reshape(-1)
    order = np.argsort(distance, kind="stable")[::-1][:count]
    lines = []
    for i in order:
        arguments = ", ".join(repr(x.reshape(-1)[i].item()) for x in inputs)
        if distance[i] == 0:
            break
        far = "NaN/inf mismatch" if distance[i] == MISMATCH else f"{int(distance[i])} ulp"
        lines.append(
            f"  f({arguments}) = {got.reshape(-1)[i].item()!r}, NumPy "
            f"{expected.reshape(-1)[i].item()!r}: {far}"
        )
    return "\n".join(lines)
