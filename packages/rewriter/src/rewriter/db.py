"""The rewrite database: rewriters registered by name and tags, queried per compile mode.

The default database runs the phases in DESIGN.md's order, each phase an
equilibrium over the node rewriters registered for it (one engine for all):

    merge1 (0) → canonicalize (1) → stabilize (2) → specialize (3)
    → fusion (4) → inplace (5) → merge2 (6)

Query semantics, the same at every level: an entry's tags include its name;
an entry is left out when it has an ``exclude`` tag or lacks a ``require`` tag;
otherwise it is taken when it has an ``include`` tag, and a sub-database also
when it would take any of its own entries. ``register_canonicalize`` and its
siblings tag a rule ``"fast_run"`` and the phase's name, so FAST_RUN takes it
and ``include=("canonicalize",)`` too; add ``"fast_compile"`` for the few cheap
rules FAST_COMPILE should run. A phase whose chosen rules are all tagged
``"cleanup"`` does not run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar, overload

from rewriter.engine.dispatch import OnError
from rewriter.engine.equilibrium import EquilibriumGraphRewriter
from rewriter.engine.folding import constant_folding
from rewriter.engine.graph_rewriter import (
    GraphRewriter,
    SequentialGraphRewriter,
    as_graph_rewriter,
)
from rewriter.engine.merge import MergeRewriter, merge_equal_nodes
from rewriter.engine.node_rewriter import NodeRewriter

Registered: TypeAlias = "GraphRewriter | NodeRewriter | RewriteDatabase"
Tags: TypeAlias = Iterable[str]


@dataclass(frozen=True)
class Entry:
    name: str
    rewriter: Any
    tags: frozenset[str]
    position: float
    order: int


class RewriteDatabase:
    """Rewriters by name with tags and positions; ``query`` assembles the chosen ones."""

    def __init__(self, name: str):
        self.name = name
        self._entries: dict[str, Entry] = {}
        self._changes = 0
        self._cache: dict[tuple[Any, ...], GraphRewriter] = {}

    def register(
        self, name: str, rewriter: Registered, *tags: str, position: float | None = None
    ) -> Registered:
        """Add ``rewriter`` as ``name``; it runs at ``position`` (default: after the rest)."""
        if name in self._entries:
            raise ValueError(f"{self.name} already has a rewriter named {name!r}")
        self._check(name, rewriter)
        if position is None:
            position = max((e.position for e in self._entries.values()), default=-1.0) + 1
        self._entries[name] = Entry(
            name, rewriter, frozenset((*tags, name)), float(position), self._changes
        )
        self._changes += 1
        return rewriter

    def unregister(self, name: str) -> None:
        if name not in self._entries:
            raise KeyError(f"{self.name} has no rewriter named {name!r}")
        del self._entries[name]
        self._changes += 1

    def _check(self, name: str, rewriter: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _check")

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __getitem__(self, name: str) -> Any:
        return self._entries[name].rewriter

    def names(self) -> list[str]:
        return [entry.name for entry in self._ordered()]

    def tags_of(self, name: str) -> frozenset[str]:
        return self._entries[name].tags

    def _ordered(self) -> list[Entry]:
        return sorted(self._entries.values(), key=lambda e: (e.position, e.order))

    @property
    def version(self) -> int:
        """Changes so far, sub-databases included: a query is reused until this moves."""
        subs = (
            e.rewriter.version
            for e in self._entries.values()
            if isinstance(e.rewriter, RewriteDatabase)
        )
        return self._changes + sum(subs)

    def selected(self, include: Tags = (), exclude: Tags = (), require: Tags = ()) -> list[Entry]:
        """The entries a query takes, in order."""
        wanted, unwanted, needed = set(include), set(exclude), set(require)
        chosen = []
        for entry in self._ordered():
            if entry.tags & unwanted or not needed <= entry.tags:
                continue
            sub = entry.rewriter
            if entry.tags & wanted or (
                isinstance(sub, RewriteDatabase) and sub.selected(wanted, unwanted, needed)
            ):
                chosen.append(entry)
        return chosen

    def query(self, include: Tags = (), exclude: Tags = (), require: Tags = ()) -> GraphRewriter:
        """One graph rewriter running the entries the query takes."""
        key = (frozenset(include), frozenset(exclude), frozenset(require), self.version)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) > 64:
                self._cache.clear()
            entries = self.selected(include, exclude, require)
            found = self._cache[key] = self._assemble(entries, key[0], key[1], key[2])
        return found

    def _assemble(
        self, entries: list[Entry], include: Tags, exclude: Tags, require: Tags
    ) -> GraphRewriter:
        raise NotImplementedError(f"{type(self).__name__} must define _assemble")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: {', '.join(self.names())}>"


class SequenceDatabase(RewriteDatabase):
    """Runs its entries one after the other, by position; entries may be databases."""

    def _check(self, name: str, rewriter: Any) -> None:
        if not isinstance(rewriter, (GraphRewriter, NodeRewriter, RewriteDatabase)):
            raise TypeError(
                f"{self.name}: {name!r} must be a GraphRewriter, a NodeRewriter or a "
                f"RewriteDatabase, got {rewriter!r}"
            )

    def _assemble(
        self, entries: list[Entry], include: Tags, exclude: Tags, require: Tags
    ) -> GraphRewriter:
        steps = []
        for entry in entries:
            sub = entry.rewriter
            if isinstance(sub, RewriteDatabase):
                steps.append(sub.query(include, exclude, require))
            else:
                steps.append(as_graph_rewriter(sub))
        return SequentialGraphRewriter(*steps, name=self.name)


class EquilibriumDatabase(RewriteDatabase):
    """Node rewriters applied together until none fires; position orders who tries first.

    Entries tagged ``"cleanup"`` (merging, folding) run only beside another rule:
    alone they would redo, over the whole graph, what an earlier phase finished.
    """

    def __init__(self, name: str, on_error: OnError = "warn", **options: Any):
        super().__init__(name)
        self.on_error = on_error
        self.options = options

    def _check(self, name: str, rewriter: Any) -> None:
        if not isinstance(rewriter, NodeRewriter):
            raise TypeError(
                f"{self.name}: {name!r} must be a NodeRewriter (an equilibrium rewrites node by "
                f"node; register graph rewriters in the sequence around it), got {rewriter!r}"
            )

    def _assemble(
        self, entries: list[Entry], include: Tags, exclude: Tags, require: Tags
    ) -> GraphRewriter:
        if all("cleanup" in entry.tags for entry in entries):
            entries = []
        return EquilibriumGraphRewriter(
            [entry.rewriter for entry in entries],
            name=self.name,
            on_error=self.on_error,
            **self.options,
        )


NodeRewriterT = TypeVar("NodeRewriterT", bound=NodeRewriter)


class PhaseRegistrar:
    """``register_<phase>(rewriter, *tags, name=, position=)``, also usable as a decorator.

    ``@register_stabilize`` and ``@register_stabilize("fast_compile", name="x")``
    both work on a NodeRewriter (for example one made by ``@node_rewriter``).
    """

    def __init__(self, database: RewriteDatabase, phase: str):
        self.database = database
        self.phase = phase

    @overload
    def __call__(
        self,
        rewriter: NodeRewriterT,
        *tags: str,
        name: str | None = None,
        position: float | None = None,
    ) -> NodeRewriterT: ...

    @overload
    def __call__(
        self,
        rewriter: str | None = None,
        *tags: str,
        name: str | None = None,
        position: float | None = None,
    ) -> Callable[[NodeRewriterT], NodeRewriterT]: ...

    def __call__(
        self,
        rewriter: Any = None,
        *tags: str,
        name: str | None = None,
        position: float | None = None,
    ) -> Any:
        if rewriter is None or isinstance(rewriter, str):
            more = tags if rewriter is None else (rewriter, *tags)

            def decorate(inner: NodeRewriterT) -> NodeRewriterT:
                self(inner, *more, name=name, position=position)
                return inner

            return decorate
        self.database.register(
            name or rewriter.name, rewriter, "fast_run", self.phase, *tags, position=position
        )
        return rewriter


# ---- the default database ------------------------------------------------------------------

rewrite_db = SequenceDatabase("rewrites")
canonicalize_db = EquilibriumDatabase("canonicalize")
stabilize_db = EquilibriumDatabase("stabilize")
specialize_db = EquilibriumDatabase("specialize")
fusion_db = EquilibriumDatabase("fusion")
inplace_db = EquilibriumDatabase("inplace")

rewrite_db.register(
    "merge1", MergeRewriter("merge1"), "fast_run", "fast_compile", "merge", position=0
)
rewrite_db.register("canonicalize", canonicalize_db, "fast_run", "fast_compile", position=1)
rewrite_db.register("stabilize", stabilize_db, "fast_run", position=2)
rewrite_db.register("specialize", specialize_db, "fast_run", position=3)
rewrite_db.register("fusion", fusion_db, "fast_run", position=4)
rewrite_db.register("inplace", inplace_db, "fast_run", position=5)
rewrite_db.register(
    "merge2", MergeRewriter("merge2"), "fast_run", "fast_compile", "merge", position=6
)

register_canonicalize = PhaseRegistrar(canonicalize_db, "canonicalize")
register_stabilize = PhaseRegistrar(stabilize_db, "stabilize")
register_specialize = PhaseRegistrar(specialize_db, "specialize")
register_fusion = PhaseRegistrar(fusion_db, "fusion")
register_inplace = PhaseRegistrar(inplace_db, "inplace")

# Merging and folding expose more rewrites, so every simplifying phase runs them;
# canonicalize's copies are in the FAST_COMPILE subset, the later ones tidy up after
# the phase's own rules (and are skipped when it has none).
register_canonicalize(merge_equal_nodes, "fast_compile", "merge", position=-2)
register_canonicalize(constant_folding, "fast_compile", position=-1)
for _register in (register_stabilize, register_specialize):
    _register(merge_equal_nodes, "merge", "cleanup", position=-2)
    _register(constant_folding, "cleanup", position=-1)
