"""Shared variables: named state that compiled functions read and update in place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphcore.graph.type import generic
from graphcore.graph.variable import Container, SharedVariable, Variable

__all__ = ["Container", "SharedVariable", "shared", "shared_constructor"]


SharedConstructor = Callable[..., SharedVariable]
_constructors: list[SharedConstructor] = []


def shared_constructor(constructor: SharedConstructor) -> SharedConstructor:
    """Register a constructor that ``shared`` tries first (the newest first).

    A constructor returns a ``SharedVariable`` or raises ``TypeError`` when the
    value is not one it handles.
    """
    _constructors.insert(0, constructor)
    return constructor


def shared(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    **kwargs: Any,
) -> SharedVariable:
    """A shared variable holding ``value``, of the type that fits it.

    Installed packages register their constructors (arrays become tensors,
    NumPy generators become random-state variables); anything else is held as a
    generic Python object.
    """
    if isinstance(value, Variable):
        raise TypeError(
            f"shared: the value must be a concrete value, got the symbolic variable {value}"
        )
    for constructor in _constructors:
        try:
            return constructor(
                value,
                name=name,
                strict=strict,
                allow_downcast=allow_downcast,
                borrow=borrow,
                **kwargs,
            )
        except TypeError:
            continue
    if kwargs:
        raise TypeError(f"shared: no constructor accepts the arguments {sorted(kwargs)}")
    return SharedVariable(generic, value, name, strict, allow_downcast, borrow)
