"""Small ops for the rewriter's tests: a float type, an array type and ops made of lambdas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import graphcore as g
from graphcore.testing import (
    ArrayType,
    Binary,
    FloatType,
    Unary,
    add,
    exp,
    fscalar,
    log,
    log1p,
    mul,
    neg,
    sub,
    vector,
)


class Noise(Unary):
    """Pretends to draw at random: must never be folded."""

    fold_constants = False


noise = Noise("Noise", lambda a: a + 0.5)


class SmallOnly(Unary):
    """Folds only when its input is small: the per-node form of ``fold_constants``."""

    def fold_constants(self, fgraph: g.FunctionGraph, node: g.Apply) -> bool:
        return abs(node.inputs[0].data) < 10  # type: ignore[attr-defined]


small_only = SmallOnly("SmallOnly", lambda a: a * 10)


class AddInplace(Binary):
    """``a += b``: overwrites its first input."""

    destroy_map = {0: [0]}  # noqa: RUF012


add_inplace = AddInplace("AddInplace", lambda a, b: a.__iadd__(b))


class View(Unary):
    """Returns its input itself: a view."""

    view_map = {0: [0]}  # noqa: RUF012


view = View("View", lambda a: a)


class Split(g.Op):
    """Two outputs: half and double of the input."""

    def make_node(self, a: g.Variable) -> g.Apply:
        return g.Apply(self, [a], [a.type(), a.type()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = inputs[0] / 2
        output_storage[1][0] = inputs[0] * 2


split = Split()


def const(value: float, name: str | None = None) -> g.Constant:
    return fscalar.make_constant(value, name)


def op_names(fgraph: g.FunctionGraph) -> list[str]:
    """The ops left in the graph, in topological order."""
    return [str(node.op) for node in fgraph.toposort()]


def fast_run(*extra: str) -> g.Mode:
    return g.Mode(linker="py", optimizer=g.RewriteQuery(include=("fast_run", *extra)))


NO_REWRITES = g.Mode(linker="py", optimizer=None)


@contextmanager
def registered(database: Any, name: str, rewriter: Any, *tags: str, **kwargs: Any) -> Iterator[Any]:
    """Register for the duration of a test, so the shared database stays as it was."""
    database.register(name, rewriter, *tags, **kwargs)
    try:
        yield rewriter
    finally:
        database.unregister(name)


def run(fgraph: g.FunctionGraph, *values: Any) -> Any:
    """The graph's (first) output for ``values`` of its inputs, computed without rewrites."""
    compiled = g.function(
        list(fgraph.inputs), fgraph.outputs[0], mode=NO_REWRITES, on_unused_input="ignore"
    )
    return compiled(*values)


__all__ = [
    "NO_REWRITES",
    "AddInplace",
    "ArrayType",
    "Binary",
    "FloatType",
    "Noise",
    "SmallOnly",
    "Split",
    "Unary",
    "View",
    "add",
    "add_inplace",
    "const",
    "exp",
    "fast_run",
    "fscalar",
    "log",
    "log1p",
    "mul",
    "neg",
    "noise",
    "op_names",
    "registered",
    "run",
    "small_only",
    "split",
    "sub",
    "vector",
    "view",
]
