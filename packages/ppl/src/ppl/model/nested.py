"""Containers of nested models: what a submodel registers, every model above it sees.

``pm.Model(name="group")`` inside another model keeps its own lists (its
``free_RVs`` are the variables declared in its ``with`` block), and each addition
is passed up to the parent's container, so the root holds the whole model, as
PyMC's nested models do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, SupportsIndex, TypeVar

Key = TypeVar("Key")
Value = TypeVar("Value")
Item = TypeVar("Item")

_MISSING: Any = object()


class NestedList(list[Item]):
    """A list whose additions are also made to ``parent`` (a ``NestedList`` or None)."""

    def __init__(self, parent: NestedList[Item] | None = None):
        super().__init__()
        self.parent = parent

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle's default for a list subclass adds the items before ``parent`` exists.
        return (_restored_list, (self.parent, list(self)))

    def append(self, item: Item) -> None:
        super().append(item)
        if self.parent is not None:
            self.parent.append(item)

    def extend(self, items: Iterable[Item]) -> None:
        for item in items:
            self.append(item)

    def insert(self, index: SupportsIndex, item: Item) -> None:
        raise TypeError("a model's variables keep the order they were declared in")


class NestedDict(dict[Key, Value]):
    """A dict whose entries set or removed are also set or removed in ``parent``."""

    def __init__(self, parent: NestedDict[Key, Value] | None = None):
        super().__init__()
        self.parent = parent

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle's default for a dict subclass sets the entries before ``parent`` exists.
        return (_restored, (self.parent, dict(self)))

    def __setitem__(self, key: Key, value: Value) -> None:
        super().__setitem__(key, value)
        if self.parent is not None:
            self.parent[key] = value

    def __delitem__(self, key: Key) -> None:
        super().__delitem__(key)
        if self.parent is not None and key in self.parent:
            del self.parent[key]

    def pop(self, key: Key, default: Any = _MISSING) -> Any:
        if self.parent is not None:
            self.parent.pop(key, None)
        if default is _MISSING:
            return super().pop(key)
        return super().pop(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key: Key, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]


def _restored(parent: NestedDict[Any, Any] | None, entries: dict[Any, Any]) -> NestedDict[Any, Any]:
    """A pickled NestedDict: its entries, set without passing them to ``parent`` again."""
    restored: NestedDict[Any, Any] = NestedDict(parent)
    dict.update(restored, entries)
    return restored


def _restored_list(parent: NestedList[Any] | None, items: list[Any]) -> NestedList[Any]:
    """A pickled NestedList: its items, added without passing them to ``parent`` again."""
    restored: NestedList[Any] = NestedList(parent)
    list.extend(restored, items)
    return restored
