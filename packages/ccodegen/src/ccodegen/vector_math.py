"""Vectorized libm through glibc's libmvec: declarations that let loops call SIMD ``exp``.

GCC vectorizes a loop that calls ``exp`` only when it knows ``exp`` has SIMD versions
(glibc declares them under ``-ffast-math`` alone, which would also give up NaN and
infinity handling). Declaring the versions ourselves, for the functions whose every
ISA variant this machine's libmvec exports, keeps IEEE semantics everywhere else.
libmvec's functions are accurate to a few ulp (tests hold them to 4 ulp of NumPy).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

UNARY = (
    "exp", "exp2", "exp10", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
    "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf",
    "cbrt",
)  # fmt: skip
BINARY = ("atan2", "hypot", "pow")

# x86-64 vector ABI: ISA letter and lanes of a double, of a float.
ISAS = (("b", 2, 4), ("c", 4, 8), ("d", 4, 8), ("e", 8, 16))


@functools.cache
def declarations() -> str:
    """C redeclaring each libm function that has every SIMD variant with ``__simd__``."""
    library = _libmvec()
    if library is None:
        return "/* no libmvec: loops calling libm stay scalar */\n"
    lines = []
    for name, arity in [(n, 1) for n in UNARY] + [(n, 2) for n in BINARY]:
        marks = "v" * arity
        for suffix, c_type, lanes_of in (("", "double", 1), ("f", "float", 2)):
            symbols = [f"_ZGV{isa}N{lanes[lanes_of - 1]}{marks}_{name}{suffix}"
                       for isa, *lanes in ISAS]  # fmt: skip
            if all(hasattr(library, symbol) for symbol in symbols):
                parameters = ", ".join([c_type] * arity)
                lines.append(
                    f"extern {c_type} {name}{suffix}({parameters}) "
                    f'__attribute__((__simd__("notinbranch")));'
                )
    return "\n".join(lines) + "\n"


def _libmvec() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("mvec") or "libmvec.so.1"
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None
