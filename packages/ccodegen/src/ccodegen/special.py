"""SciPy's own special functions, reached from generated C through function pointers.

For a few functions the 4-ulp test cannot be met by a helper of our own: SciPy's
results there carry the rounding of fitted coefficients (Lanczos' for ``gammainc``
near ``x = a``, Cephes' rational fit inside ``erfcinv``, Boost's ``ibeta`` for
``betainc``), and matching them would mean copying those tables. Instead, as for BLAS
(blas.py), ``scipy.special.cython_special`` exports each function as a capsule holding
its address: a unit whose loops call ``cg_sp_<name>`` declares the pointers below and
receives the addresses once, after it is loaded (``TABLE.install``, pointers.py). The
values are then SciPy's own, bit for bit, and the loops stay in C.
"""

from __future__ import annotations

from ccodegen.pointers import PointerTable

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


def _typedef(name: str, ctype: str, arity: int) -> str:
    """The pointer type ``cg_sp_<name>_fn`` (Cython's ``int __pyx_skip_dispatch`` last)."""
    return f"typedef {ctype} (*{PREFIX}{name}_fn)({', '.join([ctype] * arity)}, int);\n"


def _wrapper(name: str, ctype: str, arity: int) -> str:
    """``cg_sp_<name>``, calling the pointer ``cg_sp_<name>_at`` with Cython's extra 0."""
    params = ", ".join(f"{ctype} a{k}" for k in range(arity))
    args = ", ".join(f"a{k}" for k in range(arity))
    return (
        f"static inline {ctype} {PREFIX}{name}({params}) "
        f"{{ return {PREFIX}{name}_at({args}, 0); }}\n"
    )


TABLE = PointerTable(
    setter="cg_set_special",
    module="scipy.special.cython_special",
    pointers=tuple((f"{PREFIX}{name}_at", f"{PREFIX}{name}_fn") for name, _, _, _ in FUNCTIONS),
    capsules=tuple(capsule for _, capsule, _, _ in FUNCTIONS),
)

DECLARATIONS = (
    "".join(_typedef(name, ctype, arity) for name, _, ctype, arity in FUNCTIONS)
    + TABLE.definitions()
    + "".join(_wrapper(name, ctype, arity) for name, _, ctype, arity in FUNCTIONS)
)


def used_by(code: str) -> bool:
    """Whether generated C calls one of these functions."""
    return PREFIX in code
