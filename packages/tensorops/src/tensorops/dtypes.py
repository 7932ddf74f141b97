"""Dtype rules as NumPy 2 has them: promotion, with Python numbers as weak scalars (NEP 50),
and the result dtypes of sums, means and LAPACK calls."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from tensorops.type import COMPLEX_DTYPES, DISCRETE_DTYPES, FLOAT_DTYPES, normalize_dtype

PythonScalar = bool | int | float | complex

_REAL_OF_COMPLEX = {"complex64": "float32", "complex128": "float64"}


def is_python_scalar(value: Any) -> bool:
    """Whether ``value`` is a Python number (weak under NEP 50), not a NumPy scalar."""
    return type(value) in (bool, int, float, complex)


def upcast(*dtypes: Any) -> str:
    """The dtype NumPy gives to an operation on arrays of these dtypes."""
    if not dtypes:
        raise ValueError("upcast needs at least one dtype")
    return _upcast_names(tuple(normalize_dtype(d) for d in dtypes))


@functools.cache
def _upcast_names(names: tuple[str, ...]) -> str:
    """Promotion of dtype names, cached: graph building asks the same few questions often."""
    return str(np.result_type(*(np.dtype(name) for name in names)))


def weak_scalar_dtype(strong_dtypes: list[str], value: PythonScalar, default: str) -> str:
    """The dtype a Python number takes next to arrays of ``strong_dtypes``.

    NumPy 2 keeps the arrays' dtype when the number's kind fits it (``int8 + 1`` is
    int8, ``float32 + 1.5`` is float32); a number too large for that dtype is kept
    in ``default`` instead of wrapping around (NumPy would raise).
    """
    if not strong_dtypes:
        return default
    candidate = np.result_type(*(np.dtype(d) for d in strong_dtypes), value)
    if candidate.kind in "biu" and type(value) is int:
        info = np.iinfo(candidate) if candidate.kind != "b" else None
        if info is None or not info.min <= value <= info.max:
            return upcast(*strong_dtypes, default)
    return str(candidate)


def as_float(dtype: str) -> str:
    """Integers and booleans become float64; floats and complex numbers stay."""
    return "float64" if dtype in DISCRETE_DTYPES else dtype


def real_of(dtype: str) -> str:
    """The real dtype of a complex dtype; other dtypes unchanged."""
    return _REAL_OF_COMPLEX.get(dtype, dtype)


def true_div_dtype(*dtypes: str) -> str:
    """True division: integers give float64, float32 stays float32."""
    return as_float(upcast(*dtypes))


def is_complex(dtype: str) -> bool:
    return dtype in COMPLEX_DTYPES


def accumulating_dtype(dtype: str) -> str:
    """NumPy's sum/prod dtype: bool and narrow ints widen to the platform's 64-bit ints."""
    if dtype == "bool" or dtype in ("int8", "int16", "int32"):
        return "int64"
    if dtype in ("uint8", "uint16", "uint32"):
        return "uint64"
    return dtype


def floating_dtype(dtype: str) -> str:
    """NumPy's mean dtype: float and complex inputs keep theirs, the rest become float64."""
    return dtype if dtype in FLOAT_DTYPES or dtype in COMPLEX_DTYPES else "float64"


def linalg_dtype(dtype: str) -> str:
    """The dtype LAPACK works in: integers become float64, float16 float32 (NumPy refuses
    float16); float32, float64 and complex dtypes stay."""
    if dtype == "float16":
        return "float32"
    if dtype in ("float32", "float64", "complex64", "complex128"):
        return dtype
    return "float64"
