"""SciPy's own special functions, reached from generated C through function pointers.

For a few functions the 4-ulp test cannot be met by a helper of our own: SciPy's
results there carry the rounding of fitted coefficients (Lanczos' for ``gammainc``
near ``x = a``, Cephes' rational fit inside ``erfcinv``, Boost's ``ibeta`` for
``betainc``), and matching them would mean copying those tables. Instead, as for BLAS
(blas.py), ``scipy.special.cython_special`` exports each function as a capsule holding
its address: a unit whose loops call ``cg_sp_<name>`` declares the pointers below and
receives the addresses once, after it is loaded (``install``). The values are then
SciPy's own, bit for bit, and the loops stay in C.
"""

from __future__ import annotations

import functools
from typing import Any

from ccodegen.blas import capsule_addresses

FUNCTIONS = (
    # (C name, capsule in cython_special, C type, number of arguments)
    ("gammainc", "gammainc", "double", 2),
    ("gammaincc", "gammaincc", "double", 2),
    ("erfcinv", "erfcinv", "double", 1),
    ("betainc", "__pyx_fuse_0betainc", "double", 3),
    ("betaincf", "__pyx_fuse_1betainc", "float", 3),
)
"""Each takes Cython's extra ``int __pyx_skip_dispatch`` last (passed 0)."""

PREFIX = "cg_sp_"


def _declaration(name: str, ctype: str, arity: int) -> str:
    params = ", ".join(f"{ctype} a{k}" for k in range(arity))
    args = ", ".join(f"a{k}" for k in range(arity))
    types = ", ".join([ctype] * arity)
    call = f"{PREFIX}{name}_at({args}, 0)"
    return (
        f"static {ctype} (*{PREFIX}{name}_at)({types}, int);\n"
        f"static inline {ctype} {PREFIX}{name}({params}) {{ return {call}; }}\n"
    )


DECLARATIONS = (
    "".join(_declaration(name, ctype, arity) for name, _, ctype, arity in FUNCTIONS)
    + "void cg_set_special(uintptr_t *addresses) {\n"
    + "".join(
        f"    {PREFIX}{name}_at = ({ctype} (*)({', '.join([ctype] * arity)}, int))addresses[{k}];\n"
        for k, (name, _, ctype, arity) in enumerate(FUNCTIONS)
    )
    + "}\n"
)

CDEF = "void cg_set_special(uintptr_t *addresses);"


def used_by(code: str) -> bool:
    """Whether generated C calls one of these functions."""
    return PREFIX in code


@functools.cache
def addresses() -> tuple[int, ...]:
    """The address of each function of ``FUNCTIONS`` in SciPy."""
    from scipy.special import cython_special

    return capsule_addresses(cython_special.__pyx_capi__, tuple(c for _, c, _, _ in FUNCTIONS))


def install(module: Any) -> None:
    """Hand a loaded unit that declared ``cg_set_special`` SciPy's functions."""
    module.lib.cg_set_special(module.ffi.new("uintptr_t[]", list(addresses())))
