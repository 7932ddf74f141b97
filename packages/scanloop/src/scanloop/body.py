"""Calling the user's step function and reading what it returns.

A step function returns, as in Theano: its outputs (one variable or a list), or a
tuple mixing them with a dict of shared-variable updates and ``until(condition)``,
in any order: ``outputs``, ``(outputs, updates)``, ``(outputs, until(c))``,
``(outputs, updates, until(c))``, ``updates``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphcore import SharedVariable, Variable
from tensorops.basic import as_tensor


class until:  # noqa: N801 - Theano's name
    """``return outputs, until(condition)``: stop after the step where ``condition`` holds."""

    def __init__(self, condition: Any):
        condition = as_tensor(condition)
        if getattr(condition.type, "ndim", None) != 0:
            raise TypeError(f"until: the condition must be a scalar, got {condition.type}")
        self.condition = condition

    def __repr__(self) -> str:
        return f"until({self.condition})"


@dataclass
class StepResult:
    outputs: list[Variable | None]
    updates: dict[SharedVariable, Variable]
    condition: Variable | None


def where_defined(fn: Callable[..., Any]) -> str:
    """``name (file:line)`` of the step function, for error messages."""
    name = getattr(fn, "__name__", type(fn).__name__)
    try:
        source = inspect.getsourcefile(fn) or "?"
        line = inspect.getsourcelines(fn)[1]
    except (OSError, TypeError):
        return name
    return f"{name} ({source}:{line})"


def call_step(fn: Callable[..., Any], args: list[Any]) -> StepResult:
    """Call ``fn(*args)`` and sort what it returns into outputs, updates and condition."""
    returned = fn(*args)
    updates: dict[SharedVariable, Variable] = {}
    condition: Variable | None = None
    outputs: Any = None
    parts = list(returned) if isinstance(returned, tuple) and _is_mixed(returned) else [returned]
    for part in parts:
        if isinstance(part, until):
            condition = part.condition
        elif isinstance(part, Mapping):
            updates.update(_updates(part, fn))
        elif _is_pairs(part):
            updates.update(_updates(dict(part), fn))
        else:
            if outputs is not None:
                raise ValueError(
                    f"scan: the step function {where_defined(fn)} returned outputs twice in "
                    f"{returned!r}; return outputs, an updates dict and until(...) at most once "
                    "each"
                )
            outputs = part
    if outputs is None:
        listed: list[Any] = []
    elif isinstance(outputs, (list, tuple)):
        listed = list(outputs)
    else:
        listed = [outputs]
    return StepResult(
        [_as_output(value, fn, k) for k, value in enumerate(listed)], updates, condition
    )


def _is_mixed(returned: tuple[Any, ...]) -> bool:
    """Whether a tuple mixes outputs with updates or a condition (else it is all outputs)."""
    return any(isinstance(part, (until, Mapping)) or _is_pairs(part) for part in returned)


def _is_pairs(part: Any) -> bool:
    return (
        isinstance(part, list)
        and bool(part)
        and all(
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], SharedVariable)
            for item in part
        )
    )


def _updates(part: Mapping[Any, Any], fn: Callable[..., Any]) -> dict[SharedVariable, Variable]:
    updates = {}
    for target, value in part.items():
        if not isinstance(target, SharedVariable):
            raise TypeError(
                f"scan: the step function {where_defined(fn)} returned an update of {target!r}, "
                "which is not a shared variable"
            )
        updates[target] = value if isinstance(value, Variable) else target.type.make_constant(value)
    return updates


def _as_output(value: Any, fn: Callable[..., Any], k: int) -> Variable | None:
    if value is None:
        return None
    try:
        return value if isinstance(value, Variable) else as_tensor(value)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"scan: output {k} of the step function {where_defined(fn)} is {value!r}, which is "
            f"not a symbolic value: {error}"
        ) from None
