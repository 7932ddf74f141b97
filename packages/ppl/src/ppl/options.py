"""Keyword arguments a function does not support are refused, not dropped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def refuse_unknown(owner: str, options: Mapping[str, Any]) -> None:
    """Raise a ``TypeError`` naming ``owner`` and each keyword of ``options`` (what a
    ``**kwargs`` collected): an option PyMC or ArviZ has and we do not must not be
    ignored silently."""
    if options:
        raise TypeError(f"{owner} does not support the keyword(s) {sorted(options)}")
