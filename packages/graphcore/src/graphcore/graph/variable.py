"""Variables: the edges of a graph, symbolic values with a type."""

from __future__ import annotations

import copy
import itertools
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphcore.graph.apply import Apply
    from graphcore.graph.type import Type

_next_id = itertools.count()


class Variable:
    """A symbolic value of a ``Type``: a graph input (``owner is None``) or an op's output.

    Equality is identity: ``x == y`` compares variables, not values. Python control
    flow on a variable is refused, because its value is not known until run time.
    """

    __slots__ = ("__weakref__", "_eval_cache", "auto_name", "index", "name", "owner", "tag", "type")

    def __init__(
        self,
        type: Type,
        owner: Apply | None = None,
        index: int | None = None,
        name: str | None = None,
    ):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.auto_name = f"_v{next(_next_id)}"
        self.tag = SimpleNamespace()
        self._eval_cache: dict[tuple[Variable, ...], Any] | None = None

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        if self.owner is not None:
            return f"{self.owner.op}.{self.index}"
        return f"<{self.type}>"

    def __repr__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        raise TypeError(
            f"the truth value of the symbolic variable {self} is not known until the function "
            "runs, so Python control flow (if, while, and, or, not) cannot use it; use "
            "switch(cond, a, b) for an elementwise choice or ifelse(cond, a, b) for a lazy one"
        )

    def clone(self, name: str | None = None) -> Variable:
        """A new root variable of the same type (and name unless another is given)."""
        copy = type(self).__new__(type(self))
        Variable.__init__(copy, self.type, None, None, self.name if name is None else name)
        copy.tag = SimpleNamespace(**vars(self.tag))
        return copy

    if TYPE_CHECKING:
        # Attached by graphcore.compile.evaluate, which needs the compiler.
        def eval(
            self, inputs_to_values: dict[Variable, Any] | None = None, **kwargs: Any
        ) -> Any: ...


class Constant(Variable):
    """A variable whose value is fixed when the graph is built."""

    __slots__ = ("data",)

    def __init__(self, type: Type, data: Any, name: str | None = None):
        super().__init__(type, None, None, name)
        self.data = type.filter(data)

    def signature(self) -> tuple[Any, ...]:
        """What makes two constants interchangeable: their type and their value."""
        return (self.type, self.type.value_key(self.data))

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        text = str(self.data)
        return text if len(text) <= 20 else text[:17] + "..."

    def clone(self, name: str | None = None) -> Constant:
        return type(self)(self.type, self.data, self.name if name is None else name)


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
        except (TypeError, ValueError) as error:
            raise type(error)(
                f"shared variable {self.name or self} (type {self.type}): {error}"
            ) from None

    def get_value(self, borrow: bool = False, return_internal_type: bool = False) -> Any:
        """The current value; a copy unless ``borrow`` (then later updates may change it)."""
        value = self.container.value
        # A value a backend keeps elsewhere (cudagen: on the GPU) is copied here on demand.
        if not return_internal_type and hasattr(value, "host_value"):
            value = value.host_value()
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
