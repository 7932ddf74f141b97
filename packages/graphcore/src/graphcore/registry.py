"""``OpRegistry``: rules that other packages attach to op classes, found through the MRO.

Backends and transformations never live on the ops: gradients (autodiff), batching
rules, Python thunks (the linker), C emitters (ccodegen), CUDA kernels (cudagen)
each keep one registry and register a rule per op class, in the spirit of
``functools.singledispatch``. A rule registered for a base class serves its
subclasses unless one of them has its own.

A class may also hold a table of rows: rules under a *row key* (a scalar op's
name, a reduction's kind). The registry is told once how to read an op's row key
(``row_key(cls, key_of)``); a lookup then tries the op's own row before the
class-wide rule::

    c_code = OpRegistry("C code")
    c_code.row_key(Elemwise, lambda op: op.scalar_op.name)
    c_code.register(Elemwise, key="exp")(emit_exp)   # one row
    c_code.register(Elemwise)(emit_any_elemwise)     # the rest of the class
    c_code.lookup(Elemwise(exp))                      # -> emit_exp
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar, overload

Rule = TypeVar("Rule")
Default = TypeVar("Default")
KeyOf = Callable[[Any], Hashable]

_MISSING: Any = object()


class OpRegistry(Generic[Rule]):
    """Rules of one kind (``name`` says which, for errors), keyed by op class and row."""

    def __init__(self, name: str):
        self.name = name
        self._rules: dict[tuple[type, Hashable], Rule] = {}
        self._key_of: dict[type, KeyOf] = {}
        # (op class, row key) -> rule or None; cleared whenever a rule is registered.
        self._found: dict[tuple[type, Hashable], Rule | None] = {}

    def row_key(self, op_class: type, key_of: KeyOf) -> None:
        """Rows of ``op_class`` (and subclasses) are keyed by ``key_of(op)``."""
        self._key_of[op_class] = key_of
        self._found.clear()

    def register(self, op_class: type, key: Hashable = None) -> Callable[[Rule], Rule]:
        """Decorator: ``rule`` serves ``op_class`` (the row ``key`` of it, when given)."""
        if not isinstance(op_class, type):
            raise TypeError(
                f"{self.name} registry: register takes an op class, got {op_class!r} "
                f"of type {type(op_class).__name__}"
            )

        def add(rule: Rule) -> Rule:
            self._rules[(op_class, key)] = rule
            self._found.clear()
            return rule

        return add

    @overload
    def lookup(self, op: Any) -> Rule: ...

    @overload
    def lookup(self, op: Any, default: Default) -> Rule | Default: ...

    def lookup(self, op: Any, default: Any = _MISSING) -> Any:
        """The rule for ``op``: its row's, else its class's, walking the MRO; else
        ``default`` (a ``LookupError`` naming the op when no default is given)."""
        op_class = type(op)
        key = self._row_of(op)
        try:
            found = self._found[(op_class, key)]
        except KeyError:
            found = self._found[(op_class, key)] = self._search(op_class, key)
        except TypeError:  # an unhashable row key: no row can match it
            found = self._search(op_class, None)
        if found is not None:
            return found
        if default is _MISSING:
            raise LookupError(
                f"no {self.name} rule is registered for {op} (class {op_class.__name__}"
                + (f", row {key!r}" if key is not None else "")
                + ")"
            )
        return default

    def __contains__(self, op: Any) -> bool:
        return self.lookup(op, None) is not None

    def _row_of(self, op: Any) -> Hashable:
        for cls in type(op).__mro__:
            key_of = self._key_of.get(cls)
            if key_of is not None:
                return key_of(op)
        return None

    def _search(self, op_class: type, key: Hashable) -> Rule | None:
        for cls in op_class.__mro__:
            if key is not None and (cls, key) in self._rules:
                return self._rules[(cls, key)]
            if (cls, None) in self._rules:
                return self._rules[(cls, None)]
        return None

    def classes(self) -> list[type]:
        """The op classes with at least one rule, in registration order."""
        return list(dict.fromkeys(cls for cls, _ in self._rules))

    def rows(self, op_class: type) -> list[Hashable]:
        """The row keys registered directly on ``op_class``."""
        return [key for cls, key in self._rules if cls is op_class and key is not None]

    def __iter__(self) -> Iterator[tuple[type, Hashable]]:
        return iter(list(self._rules))

    def __repr__(self) -> str:
        return f"<OpRegistry {self.name!r}: {len(self._rules)} rules>"
