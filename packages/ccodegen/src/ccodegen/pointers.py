"""Function pointers a translation unit receives from SciPy after it is loaded.

SciPy's Cython modules (``cython_blas``, ``cython_lapack``, ``cython_special``) export
each routine as a capsule in ``__pyx_capi__`` holding its address. A unit that calls
some of them declares one pointer variable per routine and a setter ``cg_set_<name>``
taking every address in one array; ``install`` reads the addresses once per process
and calls the setter. blas.py, lapack.py and special.py each describe one table.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def capsule_addresses(capi: dict[str, Any], names: Sequence[str]) -> tuple[int, ...]:
    """The address held by the capsule of each of ``names`` in a Cython ``__pyx_capi__``."""
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.py_object]
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return tuple(int(get_pointer(capi[name], get_name(capi[name]))) for name in names)


@dataclass(frozen=True)
class PointerTable:
    """The pointers ``(C variable, C pointer type)`` set from the capsules ``capsules`` of
    the Cython module ``module``, in the same order, by the C function ``setter``."""

    setter: str
    module: str
    pointers: tuple[tuple[str, str], ...]
    capsules: tuple[str, ...]

    def __post_init__(self) -> None:
        assert len(self.pointers) == len(self.capsules), "one capsule per pointer"

    @property
    def cdef(self) -> str:
        return f"void {self.setter}(uintptr_t *addresses);"

    def definitions(self) -> str:
        """C declaring the pointer variables and defining the setter."""
        lines = [f"static {ctype} {name};" for name, ctype in self.pointers]
        lines.append(self.cdef.rstrip(";") + " {")
        lines += [
            f"    {name} = ({ctype})addresses[{k}];"
            for k, (name, ctype) in enumerate(self.pointers)
        ]
        lines.append("}")
        return "\n".join(lines) + "\n"

    def addresses(self) -> tuple[int, ...]:
        """The address of each capsule (read once per process)."""
        return _addresses(self.module, self.capsules)

    def install(self, module: Any) -> None:
        """Hand a loaded unit that declared this table its addresses."""
        getattr(module.lib, self.setter)(module.ffi.new("uintptr_t[]", list(self.addresses())))


@functools.cache
def _addresses(module: str, capsules: tuple[str, ...]) -> tuple[int, ...]:
    return capsule_addresses(importlib.import_module(module).__pyx_capi__, capsules)
