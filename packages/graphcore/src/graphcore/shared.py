"""Shared variables: named state that compiled functions read and update in place."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from graphcore.graph.type import Type, generic
from graphcore.graph.variable import Variable


class Container:
    """One storage cell for a value of a type; compiled functions read it without copying."""

    __slots__ = ("name", "storage", "type")

    def __init__(self, type: Type, value: Any, name: str | None = None):
        self.type = type
        self.name = name
        self.storage: list[Any] = [value]

    @property
    def value(self) -> Any:
        return self.storage[0]

    @value.setter
    def value(self, new: Any) -> None:
        self.storage[0] = new


class SharedVariable(Variable):
    """A variable with a value that lives between calls, shared by every function using it."""

    __slots__ = ("container", "default_update")

    def __init__(
        self,
        type: Type,
        value: Any,
        name: str | None = None,
        strict: bool = False,
        allow_downcast: bool | None = None,
        borrow: bool = False,
    ):
        super().__init__(type, None, None, name)
        if not borrow:
            value = copy.deepcopy(value)
        filtered = self._filter(value, strict=strict, allow_downcast=allow_downcast)
        self.container = Container(type, filtered, name)
        self.default_update: Variable | None = None

    def _filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        try:
            return self.type.filter(value, strict=strict, allow_downcast=allow_downcast)
        except TypeError as error:
            raise TypeError(f"shared variable {self.name or self}: {error}") from None

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> Any:
        """The current value; a copy unless ``borrow`` (then later updates may change it)."""
        value = self.container.value
        return value if borrow else copy.deepcopy(value)

    def set_value(self, new_value: Any, borrow: bool = False) -> None:
        """Replace the value (checked against the type; copied unless ``borrow``)."""
        if not borrow:
            new_value = copy.deepcopy(new_value)
        self.container.value = self._filter(new_value)

    def clone(self, name: str | None = None) -> SharedVariable:
        """A variable of the same type sharing this one's storage."""
        twin = type(self).__new__(type(self))
        Variable.__init__(twin, self.type, None, None, self.name if name is None else name)
        twin.container = self.container
        twin.default_update = self.default_update
        return twin

    def __str__(self) -> str:
        return self.name if self.name is not None else f"<shared {self.type}>"


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
