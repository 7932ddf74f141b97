"""The LAPACK that SciPy ships, reached from generated C through function pointers.

As with the BLAS (blas.py), ``scipy.linalg.cython_lapack`` exports each routine as a
capsule holding its address; a unit that solves or factors matrices declares the
pointers below and receives the addresses once, after it is loaded (``install``). The
routines are the ones ``scipy.linalg`` calls, so results agree with it to rounding.
"""

from __future__ import annotations

import functools
from typing import Any

from ccodegen.blas import capsule_addresses

PREFIXES = ("d", "s")
STEMS = ("gesv", "posv", "sysv", "trtrs", "potrf", "potrs")
ROUTINES = tuple(prefix + stem for stem in STEMS for prefix in PREFIXES)


def _typedefs(prefix: str, real: str) -> str:
    """The Fortran calling convention of each stem (every argument by address)."""
    return f"""
typedef void (*cg_gesv_{prefix})(int *, int *, {real} *, int *, int *, {real} *, int *, int *);
typedef void (*cg_posv_{prefix})(char *, int *, int *, {real} *, int *, {real} *, int *, int *);
typedef void (*cg_sysv_{prefix})(char *, int *, int *, {real} *, int *, int *, {real} *, int *,
                                 {real} *, int *, int *);
typedef void (*cg_trtrs_{prefix})(char *, char *, char *, int *, int *, {real} *, int *,
                                  {real} *, int *, int *);
typedef void (*cg_potrf_{prefix})(char *, int *, {real} *, int *, int *);
typedef void (*cg_potrs_{prefix})(char *, int *, int *, {real} *, int *, {real} *, int *, int *);
"""


DECLARATIONS = (
    _typedefs("d", "double")
    + _typedefs("s", "float")
    + "".join(f"static cg_{stem}_{p} cg_{p}{stem};\n" for stem in STEMS for p in PREFIXES)
    + "void cg_set_lapack(uintptr_t *addresses) {\n"
    + "".join(
        f"    cg_{p}{stem} = (cg_{stem}_{p})addresses[{k}];\n"
        for k, (stem, p) in enumerate((stem, p) for stem in STEMS for p in PREFIXES)
    )
    + "}\n"
)

CDEF = "void cg_set_lapack(uintptr_t *addresses);"


@functools.cache
def addresses() -> tuple[int, ...]:
    """The address of each routine of ``ROUTINES`` in SciPy's LAPACK."""
    from scipy.linalg import cython_lapack

    return capsule_addresses(cython_lapack.__pyx_capi__, ROUTINES)


def install(module: Any) -> None:
    """Hand a loaded unit that declared ``cg_set_lapack`` SciPy's LAPACK routines."""
    module.lib.cg_set_lapack(module.ffi.new("uintptr_t[]", list(addresses())))
