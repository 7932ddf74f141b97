"""The seam graphcore calls (``build``), and ``rewrite_graph`` for users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from graphcore import (
    Constant,
    FunctionGraph,
    RewriteQuery,
    SharedVariable,
    Variable,
    clone_get_equiv,
    graph_inputs,
)
from rewriter.db import rewrite_db
from rewriter.engine.graph_rewriter import GraphRewriter


def build(query: RewriteQuery) -> GraphRewriter:
    """The ``graphcore.rewrites`` entry point: the default database's rewriter for a mode."""
    import rewriter.tensor  # noqa: F401 - registers the tensor rules on first use

    return rewrite_db.query(query.include, query.exclude, query.require)


@overload
def rewrite_graph(
    outputs: Sequence[Variable],
    include: Sequence[str] = ...,
    exclude: Sequence[str] = ...,
    require: Sequence[str] = ...,
    clone: bool = ...,
) -> list[Variable]: ...


@overload
def rewrite_graph(
    outputs: Variable,
    include: Sequence[str] = ...,
    exclude: Sequence[str] = ...,
    require: Sequence[str] = ...,
    clone: bool = ...,
) -> Variable: ...


def rewrite_graph(
    outputs: Variable | Sequence[Variable],
    include: Sequence[str] = ("canonicalize",),
    exclude: Sequence[str] = (),
    require: Sequence[str] = (),
    clone: bool = True,
) -> Variable | list[Variable]:
    """``outputs`` rewritten by the rewrites tagged ``include`` (canonicalize by default).

    The result is built on the same input variables. With ``clone=True`` the
    given graph is left untouched; with ``clone=False`` its nodes are rewired
    in place, which is cheaper but changes what the given outputs compute from.
    """
    listed = [outputs] if isinstance(outputs, Variable) else list(outputs)
    inputs = [
        var for var in graph_inputs(listed) if not isinstance(var, (Constant, SharedVariable))
    ]
    if clone:
        equiv = clone_get_equiv(inputs, listed, copy_inputs=False, copy_orphans=False)
        cloned = [equiv[var] for var in listed]
        listed = [var for var in cloned if isinstance(var, Variable)]
    fgraph = FunctionGraph(inputs, listed, clone=False)
    build(RewriteQuery(include=tuple(include), exclude=tuple(exclude), require=tuple(require)))
    rewrite_db.query(include, exclude, require)(fgraph)
    return fgraph.outputs[0] if isinstance(outputs, Variable) else list(fgraph.outputs)
