"""The LAPACK that SciPy ships, reached from generated C through function pointers.

As with the BLAS (blas.py), ``scipy.linalg.cython_lapack`` exports each routine as a
capsule holding its address; a unit that solves or factors matrices declares the
pointers below and receives the addresses once, after it is loaded (``TABLE.install``,
pointers.py). The
routines are the ones ``scipy.linalg`` calls, so results agree with it to rounding.
"""

from __future__ import annotations

from ccodegen.pointers import PointerTable

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


TABLE = PointerTable(
    setter="cg_set_lapack",
    module="scipy.linalg.cython_lapack",
    pointers=tuple((f"cg_{p}{stem}", f"cg_{stem}_{p}") for stem in STEMS for p in PREFIXES),
    capsules=ROUTINES,
)

DECLARATIONS = _typedefs("d", "double") + _typedefs("s", "float") + TABLE.definitions()
