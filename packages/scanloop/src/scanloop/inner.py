"""``InnerGraph``: a scan's step as an immutable graph, equal and hashed by structure.

A ``Scan`` op is data (DESIGN.md), so its step is kept as inputs and outputs that
no one rewrites in place: passes that change the step (rewriting it, removing an
unused output) build a new ``InnerGraph``. Two steps built separately from the same
expressions compare equal, so merging finds equal scans.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphcore import Constant, FunctionGraph, SharedVariable, Variable, io_toposort


class InnerGraph:
    """The step ``outputs`` computed from ``inputs`` (and constants only)."""

    __slots__ = ("_hash", "_key", "inputs", "outputs")

    inputs: tuple[Variable, ...]
    outputs: tuple[Variable, ...]

    def __init__(self, inputs: Sequence[Variable], outputs: Sequence[Variable]):
        self.inputs = tuple(inputs)
        self.outputs = tuple(outputs)
        self._key = _structure(self.inputs, self.outputs)
        self._hash = hash(self._key)

    def fgraph(self) -> FunctionGraph:
        """A fresh, mutable copy of the step (to rewrite or link)."""
        return FunctionGraph(list(self.inputs), list(self.outputs), clone=True)

    def nodes(self) -> list[Any]:
        return io_toposort(self.inputs, self.outputs)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InnerGraph) and (self is other or self._key == other._key)

    def __hash__(self) -> int:
        return self._hash

    def __getstate__(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "outputs": self.outputs}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.inputs, self.outputs = state["inputs"], state["outputs"]
        self._key = _structure(self.inputs, self.outputs)
        self._hash = hash(self._key)

    def __repr__(self) -> str:
        return f"<InnerGraph {len(self.inputs)} inputs, {len(self.outputs)} outputs>"


def _structure(inputs: tuple[Variable, ...], outputs: tuple[Variable, ...]) -> tuple[Any, ...]:
    """Input types, then each node as (op, where its inputs come from), then the outputs."""
    where: dict[Variable, tuple[Any, ...]] = {var: ("in", k) for k, var in enumerate(inputs)}
    nodes = []
    for index, node in enumerate(io_toposort(inputs, outputs)):
        sources = []
        for var in node.inputs:
            if var not in where:
                where[var] = _root(var)
            sources.append(where[var])
        nodes.append((node.op, tuple(sources)))
        for k, out in enumerate(node.outputs):
            where[out] = ("node", index, k)
    ends = []
    for var in outputs:
        if var not in where:
            where[var] = _root(var)
        ends.append(where[var])
    return (tuple(var.type for var in inputs), tuple(nodes), tuple(ends))


def _root(var: Variable) -> tuple[Any, ...]:
    if isinstance(var, Constant):
        return ("constant", var.signature())
    if isinstance(var, SharedVariable):
        raise ValueError(
            f"a scan step may not read the shared variable {var} directly; scan() makes it "
            "an input of the step"
        )
    raise ValueError(
        f"a scan step reads {var}, which is not one of its inputs; scan() makes every "
        "outer value the step reads an input of the step"
    )
