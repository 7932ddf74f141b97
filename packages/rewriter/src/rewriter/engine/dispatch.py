"""Finding the node rewriters that track an op, and applying one to a node."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal, TypeAlias

from graphcore import Apply, FunctionGraph, Op
from rewriter.engine.node_rewriter import NodeRewriter, replacement_pairs
from rewriter.engine.report import RewriteErrorWarning

OnError: TypeAlias = Literal["raise", "warn", "ignore"]

_CACHE_LIMIT = 10_000


class RewriterIndex:
    """The rewriters to try on an op, in their given order, looked up once per distinct op."""

    def __init__(self, rewriters: Sequence[NodeRewriter]):
        self.rewriters = list(rewriters)
        self._for_all: list[int] = []
        self._by_op: dict[Op, list[int]] = {}
        self._by_class: dict[type, list[int]] = {}
        for position, rewriter in enumerate(self.rewriters):
            if not isinstance(rewriter, NodeRewriter):
                raise TypeError(f"expected a NodeRewriter, got {rewriter!r}")
            if rewriter.tracks is None:
                self._for_all.append(position)
                continue
            for track in rewriter.tracks:
                if isinstance(track, type):
                    self._by_class.setdefault(track, []).append(position)
                else:
                    self._by_op.setdefault(track, []).append(position)
        self._cache: dict[Op, list[NodeRewriter]] = {}

    def for_op(self, op: Op) -> list[NodeRewriter]:
        try:
            return self._cache[op]
        except KeyError:
            pass
        except TypeError:  # an op with unhashable props: look it up every time
            return self._lookup(op)
        if len(self._cache) > _CACHE_LIMIT:
            self._cache.clear()
        found = self._cache[op] = self._lookup(op)
        return found

    def _lookup(self, op: Op) -> list[NodeRewriter]:
        positions = set(self._for_all)
        try:
            positions.update(self._by_op.get(op, ()))
        except TypeError:
            positions.update(p for o, ps in self._by_op.items() if o == op for p in ps)
        for cls in type(op).__mro__:
            positions.update(self._by_class.get(cls, ()))
        return [self.rewriters[p] for p in sorted(positions)]

    @property
    def depth(self) -> int:
        """The deepest look any of the rewriters takes below the node it rewrites."""
        return max((rewriter.depth for rewriter in self.rewriters), default=1)


def apply_node_rewriter(
    fgraph: FunctionGraph, rewriter: NodeRewriter, node: Apply, on_error: OnError = "raise"
) -> bool:
    """Run ``rewriter`` on ``node`` and make the replacements; whether anything changed.

    Every replacement is checked before the first is made, so a rewrite that
    breaks a type changes nothing. Errors raise, warn or pass silently per ``on_error``.
    """
    try:
        result = rewriter.transform(fgraph, node)
        if result is None or result is False:
            return False
        pairs = replacement_pairs(node, result)
        for old, new in pairs:
            if old.type.convert_variable(new) is None:
                raise TypeError(
                    f"replacing {old} (type {old.type}) by {new} (type {new.type}) changes the "
                    "type; a rewrite must keep types"
                )
    except Exception as error:
        if on_error == "raise":
            error.add_note(f"while rewriter {rewriter.name} rewrote {node}")
            raise
        if on_error == "warn":
            warnings.warn(
                f"rewriter {rewriter.name} failed on {node} ({type(error).__name__}: {error}); "
                "the node is left as it was",
                RewriteErrorWarning,
                stacklevel=2,
            )
        return False
    for old, new in pairs:
        fgraph.replace(old, new, reason=rewriter.name)
    return bool(pairs)
