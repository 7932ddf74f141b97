"""Types: what values a variable may hold, and how raw values are coerced to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from graphcore.graph.variable import Constant, Variable


class Type:
    """Base of all types. Equality and hashing follow ``__props__``, as for ops.

    Subclasses implement ``filter``; the rest has sensible defaults.
    """

    __props__: ClassVar[tuple[str, ...]] = ()
    variable_type: ClassVar[type[Variable]] = Variable
    constant_type: ClassVar[type[Constant]] = Constant

    def filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        """Return ``value`` in this type's internal form, or raise ``TypeError``.

        The message says what was expected and what came; ``function`` adds
        which input it was.
        """
        raise NotImplementedError(f"{type(self).__name__} must define filter")

    def common_value(self) -> tuple[type, Callable[[Any], Any]] | None:
        """The Python type most calls pass for this type, and how to convert a value of
        exactly that type (``(float, numpy.array)`` for a float64 scalar); compiled
        functions test for it before calling ``filter``. None: always ``filter``."""
        return None

    def is_valid_value(self, value: Any) -> bool:
        try:
            self.filter(value, strict=True)
        except (TypeError, ValueError):
            return False
        return True

    def values_eq(self, a: Any, b: Any) -> bool:
        return bool(a == b)

    def value_key(self, value: Any) -> Any:
        """A hashable key equal for equal values (used to merge equal constants)."""
        return value

    def make_variable(self, name: str | None = None) -> Variable:
        return self.variable_type(self, None, None, name)

    def make_constant(self, value: Any, name: str | None = None) -> Constant:
        return self.constant_type(self, value, name)

    def __call__(self, name: str | None = None) -> Variable:
        return self.make_variable(name)

    def convert_variable(self, var: Variable) -> Variable | None:
        """``var`` as a variable of this type if that is possible without computation."""
        return var if var.type == self else None

    def _props(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__props__)

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self) -> int:
        return hash((type(self), self._props()))

    def __repr__(self) -> str:
        return str(self)


class GenericType(Type):
    """Any Python object; the type of shared state that is not an array."""

    def filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        return value

    def value_key(self, value: Any) -> Any:
        return id(value)

    def __str__(self) -> str:
        return "Generic"


generic = GenericType()
