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

ROUTINES = ("dgemm", "sgemm", "dgemv", "sgemv", "ddot", "sdot")

DECLARATIONS = """
typedef void (*cg_gemm_d)(char *, char *, int *, int *, int *, double *, double *, int *,
                          double *, int *, double *, double *, int *);
typedef void (*cg_gemm_s)(char *, char *, int *, int *, int *, float *, float *, int *,
                          float *, int *, float *, float *, int *);
typedef void (*cg_gemv_d)(char *, int *, int *, double *, double *, int *, double *, int *,
                          double *, double *, int *);
typedef void (*cg_gemv_s)(char *, int *, int *, float *, float *, int *, float *, int *,
                          float *, float *, int *);
typedef double (*cg_dot_d)(int *, double *, int *, double *, int *);
typedef float (*cg_dot_s)(int *, float *, int *, float *, int *);
static cg_gemm_d cg_dgemm; static cg_gemm_s cg_sgemm;
static cg_gemv_d cg_dgemv; static cg_gemv_s cg_sgemv;
static cg_dot_d cg_ddot; static cg_dot_s cg_sdot;
void cg_set_blas(uintptr_t dgemm, uintptr_t sgemm, uintptr_t dgemv, uintptr_t sgemv,
                 uintptr_t ddot, uintptr_t sdot) {
    cg_dgemm = (cg_gemm_d)dgemm; cg_sgemm = (cg_gemm_s)sgemm;
    cg_dgemv = (cg_gemv_d)dgemv; cg_sgemv = (cg_gemv_s)sgemv;
    cg_ddot = (cg_dot_d)ddot; cg_sdot = (cg_dot_s)sdot;
}
"""

CDEF = (
    "void cg_set_blas(uintptr_t dgemm, uintptr_t sgemm, uintptr_t dgemv, uintptr_t sgemv, "
    "uintptr_t ddot, uintptr_t sdot);"
)


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
