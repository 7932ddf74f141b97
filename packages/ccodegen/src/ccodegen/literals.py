"""Exact C literals of NumPy values: hexadecimal floats, suffixed integers."""

from __future__ import annotations

import math


def literal(value: complex | float | int | bool, dtype: str) -> str:
    """An exact C literal of a value: hexadecimal floats, suffixed integers, CMPLX pairs."""
    if dtype.startswith("complex"):
        part = "float32" if dtype == "complex64" else "float64"
        make = "CMPLXF" if dtype == "complex64" else "CMPLX"
        number = complex(value)
        return f"{make}({literal(number.real, part)}, {literal(number.imag, part)})"
    assert not isinstance(value, complex), f"a complex value of dtype {dtype}"
    if dtype.startswith("float"):
        value = float(value)
        if math.isnan(value):
            return "NAN"
        if math.isinf(value):
            return "INFINITY" if value > 0 else "-INFINITY"
        text = value.hex()
        return f"{text}f" if dtype == "float32" else text
    if dtype == "bool":
        return "1" if value else "0"
    if dtype == "uint64":
        return f"{int(value)}ULL"
    if dtype == "int64" and int(value) == -(2**63):
        return "INT64_MIN"
    return f"{int(value)}LL"
