"""Variables: the edges of a graph, symbolic values with a type."""

from __future__ import annotations

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

    def eval(self, inputs_to_values: dict[Variable, Any] | None = None, **kwargs: Any) -> Any:
        """Compute this variable's value, given values for the inputs it depends on.

        The compiled function is cached on the variable, keyed by the inputs given,
        so repeated evaluation costs one call. Intermediate variables may be given
        too: the graph is cut there. Shared variables' default updates are not
        applied, so a random variable's ``eval`` returns the same value each time.
        """
        from graphcore.compile.function import function

        given = dict(inputs_to_values or {})
        for key in given:
            if not isinstance(key, Variable):
                raise TypeError(
                    f"eval: the keys of inputs_to_values must be variables, got {key!r} "
                    f"of type {type(key).__name__}"
                )
        inputs = tuple(sorted(given, key=lambda v: v.auto_name))
        if self._eval_cache is None:
            self._eval_cache = {}
        compiled = self._eval_cache.get(inputs)
        if compiled is None:
            compiled = function(
                list(inputs), self, on_unused_input="ignore", no_default_updates=True, **kwargs
            )
            self._eval_cache[inputs] = compiled
        return compiled(*(given[v] for v in inputs))


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
