"""Memory: a loop keeps only the entries of an output that are read.

When every reader of a stored output (a state or a mapped output) takes one of its
last ``k`` entries with constant indices (``out[-1]``, ``out[-k]``, ``out[-k:]``,
``out[-k:-j]``), the loop needs only those: ``info.store`` becomes the largest such
``k`` and the readers index the shorter output, which equals ``full[-store:]``. The
loop then allocates ``store`` entries (at least a state's initial ones, which its
taps read), not ``n_steps``.

``scan()`` returns a state as ``full[init:]`` (its initial entries cut off), so
``result[-1]`` is ``full[init:][-1]``; a reader is followed through that slice
(``full[c:]``, ``c`` constant): ``full[c:]`` is rebuilt from the short output (its
entries from ``c`` on that were kept), exact in every case, errors included. That
needs the loop's length, so in a loop with ``until`` constant indices read the short
output directly (equal whenever the index is valid) and slices keep the output whole.

Any other reader (the whole output, ``out[0]``, its shape, a gradient reading every
step, a graph output) keeps the output whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import tensorops as pt
from graphcore import Apply, FunctionGraph, Variable
from graphcore.fgraph import Client as Reader
from rewriter import rewrite_db
from scanloop.op import Scan
from scanloop.rewrites.each_scan import EachScan
from scanloop.rewrites.parts import MappedPart, ScanParts, StatePart
from tensorops.indexing import Subtensor
from tensorops.indexing.key import INT
from tensorops.shape_entries import as_int64_scalar, constant_int
from tensorops.sizes import Shape_i


def last_entries_read(reader: Apply | str, position: int) -> int | None:
    """How many trailing entries along the first axis ``reader`` reads of its input
    ``position``, when that is a constant: ``x[-k]``, ``x[-k:]`` or ``x[-k:-j]``."""
    if not (isinstance(reader, Apply) and isinstance(reader.op, Subtensor) and position == 0):
        return None
    spec = reader.op.spec
    if not spec:
        return None
    first, index = spec[0], reader.inputs[1:]
    if first == INT:
        value = constant_int(index[0])
        return -value if value is not None and value < 0 else None
    if not isinstance(first, tuple):  # a slice: ("slice", has_start, has_stop, has_step)
        return None
    has_start, has_stop, has_step = first[1:]
    if not has_start or has_step:
        return None
    start = constant_int(index[0])
    if start is None or start >= 0:
        return None
    if has_stop:
        stop = constant_int(index[1])
        if stop is None or stop >= 0:
            return None
    return -start


def cut_start(reader: Apply | str, position: int) -> int | None:
    """``c`` when ``reader`` is ``x[c:]`` of its input ``position``, ``c`` a constant >= 0."""
    if not (isinstance(reader, Apply) and isinstance(reader.op, Subtensor) and position == 0):
        return None
    if reader.op.spec != (("slice", True, False, False),):
        return None
    start = constant_int(reader.inputs[1])
    return start if start is not None and start >= 0 else None


def is_index(reader: Apply | str) -> bool:
    return isinstance(reader, Apply) and reader.op.spec[0] == INT  # type: ignore[attr-defined]


@dataclass
class Cut:
    """A reader ``full[start:]`` and its own readers, all reading trailing entries."""

    view: Apply
    start: int
    readers: list[Reader]


@dataclass
class Plan:
    """How many trailing entries an output needs, and who reads them."""

    needed: int = 0
    direct: list[Reader] = field(default_factory=list)
    cuts: list[Cut] = field(default_factory=list)


def plan_for(fgraph: FunctionGraph, full: Variable, as_while: bool) -> Plan | None:
    """The plan for a stored output, or None when some reader needs it whole."""
    plan = Plan()
    for reader, position in list(fgraph.clients.get(full, ())):
        count = last_entries_read(reader, position)
        if count is not None:
            plan.needed = max(plan.needed, count)
            plan.direct.append((reader, position))
            continue
        start = cut_start(reader, position)
        if start is None:
            return None
        assert isinstance(reader, Apply)
        readers = list(fgraph.clients.get(reader.outputs[0], ()))
        counts = [last_entries_read(r, p) for r, p in readers]
        if not readers or None in counts:
            return None
        if as_while and not all(is_index(r) for r, _ in readers):
            return None
        plan.needed = max(plan.needed, *(count for count in counts if count is not None))
        plan.cuts.append(Cut(reader, start, readers))
    return plan if plan.needed else None


def rewire(
    fgraph: FunctionGraph,
    plan: Plan,
    short: Variable,
    length: Callable[[int], Variable],
    reason: str,
    exact_cuts_need_length: bool,
) -> None:
    """Make the plan's readers read ``short`` (``full[-store:]``); ``length(c)`` is
    ``len(full[c:])``. A cut ``full[c:]`` is rebuilt from ``short`` (so ``full[c:][-k]``
    still raises IndexError when the loop ran fewer than ``k`` steps), except in a loop
    with ``until`` (``exact_cuts_need_length``: its length is not known), where indices
    read ``short`` directly and may return an initial entry instead of raising."""
    for reader, position in plan.direct:
        fgraph.change_node_input(reader, position, short, reason)
    for cut in plan.cuts:
        if exact_cuts_need_length and all(is_index(reader) for reader, _ in cut.readers):
            for reader, position in cut.readers:
                fgraph.change_node_input(reader, position, short, reason)
            continue
        # full[c:] holds the entries from c on; of those, short keeps the last
        # len(full) - c, from its position max(len(short) - (len(full) - c), 0).
        kept_from = pt.maximum(Shape_i(0)(short) - length(cut.start), 0)
        fgraph.replace(cut.view.outputs[0], short[kept_from:], reason)  # type: ignore[index]


class ScanStore(EachScan):
    """Sets ``info.store`` of each Scan output read only at its last entries."""

    def rewrite_node(self, fgraph: FunctionGraph, node: Apply) -> bool:
        op: Scan = node.op  # type: ignore[assignment]
        info = op.info
        parts = ScanParts.of(node)
        plans: dict[int, Plan] = {}
        pieces: list[StatePart | MappedPart] = [*parts.states, *parts.mapped]
        for k, piece in enumerate(pieces):
            if piece.store is None and piece.result is not None:
                plan = plan_for(fgraph, piece.result, info.as_while)
                if plan is not None:
                    plans[k] = plan
                    piece.store = plan.needed
        if not plans:
            return False
        news = parts.build()
        n_steps = as_int64_scalar(node.inputs[0], "n_steps")
        for k, plan in plans.items():
            initial = info.init_length(k) if k < info.n_states else 0

            def length(start: int, initial: int = initial) -> Variable:
                return n_steps if start == initial else n_steps + (initial - start)

            rewire(fgraph, plan, news[k], length, self.name, info.as_while)
        for old, new in zip(node.outputs, news, strict=True):
            if fgraph.clients.get(old):
                fgraph.replace(old, new, self.name)
        return True


scan_store = ScanStore("scan_store")

# After merging scans (1.5), so a merged loop's outputs are shortened too.
rewrite_db.register("scan_store", scan_store, "fast_run", "scan", position=1.6)
