"""``pm.Deterministic`` and ``pm.Potential``: named expressions of a model."""

from __future__ import annotations

from typing import Any

from ppl.context import model_context
from tensorops.variable import TensorVariable


def Deterministic(name: str, var: Any, dims: Any = None, model: Any = None) -> TensorVariable:
    """Record ``var`` under ``name``: kept in traces, no term in the log density."""
    return model_context(model, f"pm.Deterministic({name!r}, ...)").add_deterministic(
        name, var, dims
    )


def Potential(name: str, var: Any, dims: Any = None, model: Any = None) -> TensorVariable:
    """Add ``var`` (summed) to the model's log density under ``name``."""
    return model_context(model, f"pm.Potential({name!r}, ...)").add_potential(name, var, dims)
