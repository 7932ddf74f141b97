"""Node rewriters: look at one node, propose replacements for its outputs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

from graphcore import Apply, FunctionGraph, Op, Variable

Replacement: TypeAlias = (
    Sequence[Variable | None] | Mapping[Variable, Variable] | Literal[False] | None
)
"""What ``transform`` returns: nothing (``None``/``False``), one new variable per output
of the node (``None`` keeps that output), or ``{old: new}`` for any variables."""

Track: TypeAlias = Op | type[Op]
Tracks: TypeAlias = Track | Iterable[Track] | None


def normalize_tracks(tracks: Tracks) -> tuple[Track, ...] | None:
    """``tracks`` as a tuple of op instances and op classes, or ``None`` for every op."""
    if tracks is None:
        return None
    items = [tracks] if isinstance(tracks, (Op, type)) else list(tracks)
    for item in items:
        if not (isinstance(item, Op) or (isinstance(item, type) and issubclass(item, Op))):
            raise TypeError(
                f"a rewriter tracks op instances or Op subclasses (or None for all ops), "
                f"got {item!r}"
            )
    return tuple(items)


class NodeRewriter:
    """Rewrites one node at a time; engines call it only on nodes whose op it tracks.

    ``tracks`` lists op instances (matched by ``==``) and op classes (matched by
    ``isinstance``); ``None`` means every op. ``depth`` is how many levels of the
    graph ``transform`` inspects (the node is level 1, its inputs' owners level 2);
    the equilibrium uses it to know which nodes to revisit after a change below them.
    """

    def __init__(self, tracks: Tracks = None, name: str | None = None, depth: int = 2):
        self.tracks = normalize_tracks(tracks)
        self.name = name or type(self).__name__
        self.depth = depth

    def transform(self, fgraph: FunctionGraph, node: Apply) -> Replacement:
        """Replacements for ``node``'s outputs, or ``None`` when the rewrite does not apply."""
        raise NotImplementedError(f"{type(self).__name__} must define transform")

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


TransformFunction: TypeAlias = Callable[[FunctionGraph, Apply], Replacement]


class FunctionNodeRewriter(NodeRewriter):
    """A node rewriter whose ``transform`` is a plain function (see ``node_rewriter``)."""

    def __init__(
        self, function: TransformFunction, tracks: Tracks, name: str | None, depth: int
    ) -> None:
        super().__init__(tracks, name or getattr(function, "__name__", None), depth)
        self.function = function
        self.__wrapped__ = function
        self.__doc__ = function.__doc__

    def transform(self, fgraph: FunctionGraph, node: Apply) -> Replacement:
        return self.function(fgraph, node)


def node_rewriter(
    tracks: Tracks, *, name: str | None = None, depth: int = 2
) -> Callable[[TransformFunction], FunctionNodeRewriter]:
    """Decorator: ``@node_rewriter([log])`` turns ``def f(fgraph, node)`` into a NodeRewriter."""
    checked = normalize_tracks(tracks)

    def decorate(function: TransformFunction) -> FunctionNodeRewriter:
        return FunctionNodeRewriter(function, checked, name, depth)

    return decorate


def replacement_pairs(node: Apply, result: Any) -> list[tuple[Variable, Variable]]:
    """The ``(old, new)`` pairs a ``transform`` result asks for, without no-op pairs."""
    if isinstance(result, Mapping):
        pairs = list(result.items())
    elif isinstance(result, Variable):
        raise TypeError(
            "transform must return a list of variables (one per output) or a dict, "
            f"not a single variable ({result})"
        )
    else:
        news = list(result)
        if len(news) != len(node.outputs):
            raise ValueError(
                f"transform returned {len(news)} replacements for the {len(node.outputs)} "
                f"outputs of {node.op}"
            )
        pairs = list(zip(node.outputs, news, strict=True))
    return [(old, new) for old, new in pairs if new is not None and new is not old]
