"""``Variable.eval``: compile (once, cached on the variable) and run a variable's graph.

Attached to ``Variable`` here rather than defined on it, so that the graph layer
never imports the compiler.
"""

from __future__ import annotations

from typing import Any

from graphcore.compile.function import function
from graphcore.graph.variable import Variable


def evaluate(
    self: Variable, inputs_to_values: dict[Variable, Any] | None = None, **kwargs: Any
) -> Any:
    """Compute this variable's value, given values for the inputs it depends on.

    The compiled function is cached on the variable, keyed by the inputs given,
    so repeated evaluation costs one call. Intermediate variables may be given
    too: the graph is cut there. Shared variables' default updates are not
    applied, so a random variable's ``eval`` returns the same value each time.
    """
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


Variable.eval = evaluate  # type: ignore[method-assign]
