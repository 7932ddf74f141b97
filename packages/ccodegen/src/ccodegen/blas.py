"""The BLAS that SciPy ships, reached from generated C through function pointers.

``scipy.linalg.cython_blas`` exports each routine as a capsule holding its address;
a translation unit that multiplies matrices receives those addresses once, after
it is loaded (``TABLE.install``, pointers.py). No BLAS library is linked, so whatever
BLAS SciPy was built with (OpenBLAS in the wheels) does the work, threads and all.
"""

from __future__ import annotations

from ccodegen.pointers import PointerTable

_TYPES = {"d": "double", "s": "float", "z": "double _Complex", "c": "float _Complex"}
_KINDS = ("gemm", "gemv", "dot")


def _typedefs() -> str:
    """Pointer types ``cg_gemm_<p>``, ``cg_gemv_<p>``, ``cg_dot_<p>`` for each precision."""
    lines = []
    for p, t in _TYPES.items():
        lines += [
            f"typedef void (*cg_gemm_{p})(char *, char *, int *, int *, int *, {t} *, {t} *, "
            f"int *, {t} *, int *, {t} *, {t} *, int *);",
            f"typedef void (*cg_gemv_{p})(char *, int *, int *, {t} *, {t} *, int *, {t} *, "
            f"int *, {t} *, {t} *, int *);",
            f"typedef {t} (*cg_dot_{p})(int *, {t} *, int *, {t} *, int *);",
        ]
    return "\n".join(lines) + "\n"


def _routine(kind: str, p: str) -> str:
    """SciPy's name for ``kind`` in precision ``p``: the complex dots are the unconjugated
    ``zdotu``/``cdotu`` (on x86-64 and arm64 a C99 complex result comes back as Cython's
    complex struct does)."""
    return f"{p}dotu" if kind == "dot" and p in "zc" else f"{p}{kind}"


_PAIRS = [(kind, p) for kind in _KINDS for p in _TYPES]

TABLE = PointerTable(
    setter="cg_set_blas",
    module="scipy.linalg.cython_blas",
    pointers=tuple((f"cg_{p}{kind}", f"cg_{kind}_{p}") for kind, p in _PAIRS),
    capsules=tuple(_routine(kind, p) for kind, p in _PAIRS),
)
"""Pointers ``cg_<p>gemm``, ``cg_<p>gemv``, ``cg_<p>dot`` for each precision ``p``."""

DECLARATIONS = _typedefs() + TABLE.definitions()
