"""The BLAS that SciPy ships, reached from generated C through function pointers.

``scipy.linalg.cython_blas`` exports each routine as a capsule holding its address;
a translation unit that multiplies matrices receives those addresses once, after
it is loaded (``install``). No BLAS library is linked, so whatever BLAS SciPy was
built with (OpenBLAS in the wheels) does the work, threads and all.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

ROUTINES = (
    "dgemm", "sgemm", "zgemm", "cgemm",
    "dgemv", "sgemv", "zgemv", "cgemv",
    "ddot", "sdot", "zdotu", "cdotu",
)  # fmt: skip
"""The routines a unit receives, in the order of ``cg_set_blas``'s parameters."""

_TYPES = {"d": "double", "s": "float", "z": "double _Complex", "c": "float _Complex"}


def _declarations() -> str:
    """Pointer types and variables ``cg_<p>gemm``, ``cg_<p>gemv``, ``cg_<p>dot`` for each
    precision (the complex dots are the unconjugated ``zdotu``/``cdotu``; on x86-64 and
    arm64 a C99 complex result comes back as Cython's complex struct does), and
    ``cg_set_blas`` setting them."""
    lines = []
    for p, t in _TYPES.items():
        lines += [
            f"typedef void (*cg_gemm_{p})(char *, char *, int *, int *, int *, {t} *, {t} *, "
            f"int *, {t} *, int *, {t} *, {t} *, int *);",
            f"typedef void (*cg_gemv_{p})(char *, int *, int *, {t} *, {t} *, int *, {t} *, "
            f"int *, {t} *, {t} *, int *);",
            f"typedef {t} (*cg_dot_{p})(int *, {t} *, int *, {t} *, int *);",
            f"static cg_gemm_{p} cg_{p}gemm; static cg_gemv_{p} cg_{p}gemv; "
            f"static cg_dot_{p} cg_{p}dot;",
        ]
    names = [f"{kind}_{p}" for kind in ("gemm", "gemv", "dot") for p in _TYPES]
    lines.append(CDEF.rstrip(";") + " {")
    lines += [f"    cg_{p}{kind} = (cg_{kind}_{p}){kind}_{p};" for kind, p in
              (name.split("_") for name in names)]  # fmt: skip
    lines.append("}")
    return "\n".join(lines) + "\n"


CDEF = (
    "void cg_set_blas("
    + ", ".join(f"uintptr_t {kind}_{p}" for kind in ("gemm", "gemv", "dot") for p in _TYPES)
    + ");"
)

DECLARATIONS = _declarations()


def capsule_addresses(capi: dict[str, Any], names: tuple[str, ...]) -> tuple[int, ...]:
    """The address held by the capsule of each of ``names`` in a Cython ``__pyx_capi__``."""
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return tuple(int(get_pointer(capi[name], get_name(capi[name]))) for name in names)


@functools.cache
def addresses() -> tuple[int, ...]:
    """The address of each routine of ``ROUTINES`` in SciPy's BLAS."""
    from scipy.linalg import cython_blas

    return capsule_addresses(cython_blas.__pyx_capi__, ROUTINES)


def install(module: Any) -> None:
    """Hand a loaded unit that declared ``cg_set_blas`` SciPy's BLAS routines."""
    module.lib.cg_set_blas(*addresses())
