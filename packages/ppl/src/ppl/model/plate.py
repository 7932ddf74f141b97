"""``model.to_graphviz()``: the plate diagram of a model.

One node per named variable (free random variables as ellipses, observed ones filled
grey, deterministics as boxes, potentials as octagons, data as rounded boxes), an edge
from each variable to those computed from it, and variables of the same dims (or
shape) grouped in one plate labelled with them. ``ModelGraph.source`` is the Graphviz
text; ``render(filename)`` writes it through graphcore's ``write_dot``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphcore import Variable, write_dot
from ppl.model.variables import distribution_text


@dataclass(frozen=True)
class ModelGraph:
    """A model's plate diagram as Graphviz source."""

    source: str

    def render(self, filename: str | os.PathLike[str]) -> Path:
        """Write ``filename`` (.dot, or .png/.svg/.pdf when Graphviz is installed)."""
        return write_dot(self.source, filename)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/vnd.graphviz": self.source}

    def __str__(self) -> str:
        return self.source


def _quote(text: str) -> str:
    """A Graphviz string: backslashes and quotes escaped, line breaks as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _kind(model: Any, var: Variable) -> tuple[str, str]:
    """(label suffix, Graphviz style) of a named variable."""
    if var in model.observed_RVs:
        return distribution_text(var), "shape=ellipse, style=filled, fillcolor=gray"
    if var in model.free_RVs:
        return distribution_text(var), "shape=ellipse"
    if var in model.deterministics:
        return "Deterministic", "shape=box"
    if var in model.potentials:
        return "Potential", "shape=octagon, style=filled, fillcolor=white"
    return "Data", "shape=box, style=rounded"


def _plate_label(model: Any, name: str, var: Variable) -> str:
    dims = model.named_vars_to_dims.get(name)
    shape = getattr(var.type, "shape", ())
    if dims:
        parts = []
        for axis, dim in enumerate(dims):
            length = model.dim_length(dim) if dim is not None else None
            if length is None and axis < len(shape):
                length = shape[axis]
            parts.append(f"{dim} ({length})" if dim is not None else str(length))
        return " x ".join(parts)
    if not shape:
        return ""
    return " x ".join(str(s) if s is not None else "?" for s in shape)


def _parents(model: Any, var: Variable, named: dict[Variable, str]) -> set[str]:
    """The named variables ``var`` is computed from directly (not through another)."""
    found: set[str] = set()
    inputs = list(var.owner.inputs) if var.owner is not None else []
    stack, seen = inputs, set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        if current in named and current is not var:
            found.add(named[current])
            continue
        if current.owner is not None:
            stack.extend(current.owner.inputs)
    return found


def model_graph(model: Any, var_names: Any = None, formatting: str = "plain") -> ModelGraph:
    named = {var: name for name, var in model.named_vars.items()}
    chosen = set(var_names) if var_names is not None else set(model.named_vars)
    plates: dict[str, list[str]] = {}
    lines = ["digraph {"]
    for name, var in model.named_vars.items():
        if name not in chosen:
            continue
        suffix, style = _kind(model, var)
        label = f"{name}\n~\n{suffix}"
        plates.setdefault(_plate_label(model, name, var), []).append(
            f"\t\t{_quote(name)} [label={_quote(label)} {style}]"
        )
    for index, (label, nodes) in enumerate(plates.items()):
        if label:
            lines.append(f"\tsubgraph cluster{index} {{")
            lines.extend(nodes)
            lines.append(f"\t\tlabel={_quote(label)} labeljust=r labelloc=b style=rounded")
            lines.append("\t}")
        else:
            lines.extend(node[1:] for node in nodes)
    for name, var in model.named_vars.items():
        if name not in chosen:
            continue
        sources = _parents(model, var, named)
        if var in model.observed_RVs:
            data = model.rvs_to_values.get(var)
            if data is not None and data in named:
                sources.add(named[data])
        for source in sorted(sources & chosen):
            lines.append(f"\t{_quote(source)} -> {_quote(name)}")
    lines.append("}")
    return ModelGraph("\n".join(lines) + "\n")
