"""How a compiled function's inputs and outputs are declared: ``In`` and ``Out``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphcore.graph.variable import Variable

_NO_VALUE = object()


@dataclass
class In:
    """A function input with options.

    - ``value``: a default used when the call omits this input.
    - ``name``: the keyword the input is given by (default: the variable's name).
    - ``update``: an expression whose value replaces this input's stored value
      after each call (the input then keeps state between calls, like a shared
      variable private to the function); needs a ``value``.
    - ``mutable``: the function may overwrite the array passed in.
    """

    variable: Variable
    value: Any = _NO_VALUE
    name: str | None = None
    update: Variable | None = None
    mutable: bool = False
    strict: bool = False
    allow_downcast: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.variable, Variable):
            raise TypeError(
                f"In: expected a symbolic variable, got {self.variable!r} "
                f"of type {type(self.variable).__name__}"
            )
        if self.name is None:
            self.name = self.variable.name
        if self.update is not None and not self.has_value:
            raise ValueError(f"In({self.name}): an input with an update needs a value")

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE


@dataclass
class Out:
    """A function output; ``borrow=True`` returns the function's own buffer without a copy
    (faster, but the next call may overwrite it)."""

    variable: Variable
    borrow: bool = False
