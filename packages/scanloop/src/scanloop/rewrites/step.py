"""Step rewriting: each loop's step is rewritten with the rewrites of the compile it is
part of (canonicalize, stabilize, specialize, fusion, inplace), so the step runs
fused loops, on the C backend too.

Once per compile, not once per visit: a graph rewriter in the sequence database,
after specialize (3) and before fusion (4), walks the Scan nodes once and gives each
a new ``Scan`` whose ``InnerGraph`` is the rewritten step. The step runs the very
query of the outer compile (FAST_RUN: everything; FAST_COMPILE: its cheap subset),
or the query of the scan's own ``mode=`` when one was given. A scan nested in the
step is rewritten by the same query, run on the step. Rewritten steps are cached by
(step, query, database version): steps equal by structure rewrite once per process,
and a rewritten step maps to itself, so compiling a rewritten graph again costs a
lookup.

The graph rewriter learns the query through the database: ``QueryEntry`` is a
database entry whose ``query`` builds a graph rewriter for the query it is given.

In-place protection: the step's inputs are views of the loop's ring buffers and
sequences, so no rewrite may overwrite them. The step is rewritten as a
``FunctionGraph`` whose inputs are roots with no ``mutable_inputs``, and the inplace
pass (``can_destroy``) overwrites a root only when it is a declared mutable input or
a replaced shared value; a step has neither. After rewriting, any step input
overwritten anyway (directly or through a view) is an error, not a silent
corruption of the loop's state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from graphcore import Apply, FunctionGraph, RewriteQuery, get_mode
from graphcore.compile.modes import rewrite_pipeline
from rewriter import GraphRewriter, RewriteDatabase, is_destroyed, rewrite_db
from scanloop.inner import InnerGraph
from scanloop.op import Scan
from scanloop.rewrites.each_scan import EachScan

_CACHE_LIMIT = 256
_rewritten: dict[tuple[InnerGraph, RewriteQuery, int], InnerGraph] = {}


def rewritten_step(inner: InnerGraph, query: RewriteQuery) -> InnerGraph:
    """``inner`` rewritten by ``query``'s rewrites (cached)."""
    key = (inner, query, rewrite_db.version)
    found = _rewritten.get(key)
    if found is not None:
        return found
    fgraph = inner.fgraph()
    rewrite_pipeline(query)(fgraph)
    check_inputs_intact(fgraph)
    found = InnerGraph(fgraph.inputs, fgraph.outputs)
    if len(_rewritten) >= _CACHE_LIMIT:
        _rewritten.clear()
    _rewritten[key] = found
    _rewritten[(found, query, rewrite_db.version)] = found
    return found


def check_inputs_intact(fgraph: FunctionGraph) -> None:
    """Raise when a rewritten step overwrites one of its inputs."""
    for position, var in enumerate(fgraph.inputs):
        if is_destroyed(fgraph, var):
            raise RuntimeError(
                f"rewriting a scan step made it overwrite its input {position} ({var}), which "
                "is a view of the loop's buffers; an inplace rewrite ignored can_destroy"
            )


class StepRewriter(EachScan):
    """Rewrites the step of every Scan node of a graph with one query."""

    def __init__(self, query: RewriteQuery, name: str = "scan_step"):
        super().__init__(name)
        self.query = query

    def rewrite_node(self, fgraph: FunctionGraph, node: Apply) -> bool:
        op: Scan = node.op  # type: ignore[assignment]
        query = self.query if op.mode is None else get_mode(op.mode).optimizer
        if query is None:
            return False
        inner = rewritten_step(op.inner, query)
        if inner is op.inner or inner == op.inner:
            return False
        new = Scan(op.info, inner, op.mode).make_node(*node.inputs)
        fgraph.replace_all(zip(node.outputs, new.outputs, strict=True), reason=self.name)
        return True


class QueryEntry(RewriteDatabase):
    """A database entry holding no rules: queried, it builds ``make(query)``, a graph
    rewriter that knows the query of the compile it runs in."""

    def __init__(self, name: str, make: Callable[[RewriteQuery], GraphRewriter]):
        super().__init__(name)
        self.make = make

    def _check(self, name: str, rewriter: Any) -> None:
        raise TypeError(f"{self.name} holds no rewriters; it builds one per query")

    def _assemble(
        self,
        entries: list[Any],
        include: Iterable[str],
        exclude: Iterable[str],
        require: Iterable[str],
    ) -> GraphRewriter:
        query = RewriteQuery(
            include=tuple(sorted(include)),
            exclude=tuple(sorted(exclude)),
            require=tuple(sorted(require)),
        )
        return self.make(query)


# After specialize (3), before fusion (4): the outer graph's fusion then sees the new
# nodes, and the step goes through its own fusion and inplace.
rewrite_db.register(
    "scan_step",
    QueryEntry("scan_step", StepRewriter),
    "fast_run",
    "fast_compile",
    "scan",
    position=3.9,
)
