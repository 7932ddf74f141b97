"""The stack of ``with pm.Model():`` blocks (one per thread)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_local = threading.local()


def _stack() -> list[Any]:
    if not hasattr(_local, "models"):
        _local.models = []
    stack: list[Any] = _local.models
    return stack


def push(model: Any) -> None:
    _stack().append(model)


def pop(model: Any) -> None:
    stack = _stack()
    if not stack or stack[-1] is not model:
        raise RuntimeError("model contexts were exited out of order")
    stack.pop()


@contextlib.contextmanager
def outside_models() -> Iterator[None]:
    """No model in context inside the block: a worker process forked from inside a
    ``with pm.Model():`` block inherits that block, and a model built there must not
    become its submodel."""
    stack = _stack()
    saved = stack[:]
    stack.clear()
    try:
        yield
    finally:
        stack[:] = saved


def current_model() -> Any | None:
    """The innermost model of the ``with`` blocks being executed, or None."""
    stack = _stack()
    return stack[-1] if stack else None


class NoModelError(TypeError):
    """A distribution was created with a name outside a ``with pm.Model():`` block."""


def model_context(model: Any = None, error: str | None = None) -> Any:
    """``model`` if given, else the innermost ``with`` block's model."""
    found = model if model is not None else current_model()
    if found is None:
        what = error or "this call"
        raise NoModelError(
            f"{what} needs a model: write it inside 'with pm.Model():', pass model=..., "
            "or use .dist(...) for a variable that belongs to no model"
        )
    return found
