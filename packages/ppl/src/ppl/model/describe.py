"""The model as text: one line per variable, the way PyMC prints a model."""

from __future__ import annotations

from typing import Any

from ppl.model.variables import distribution_text


def model_text(model: Any) -> str:
    """``mu ~ Normal(0, 2)`` lines, then deterministics and potentials."""
    rows: list[tuple[str, str]] = []
    for rv in model.basic_RVs:
        rows.append((str(rv.name), f"~ {distribution_text(rv)}"))
    for var in model.deterministics:
        rows.append((str(var.name), "~ Deterministic(f())"))
    for var in model.potentials:
        rows.append((str(var.name), "~ Potential(f())"))
    if not rows:
        return "<empty model>"
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.rjust(width)} {text}" for name, text in rows)
