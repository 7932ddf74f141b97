"""A Scan node taken apart into its pieces, and put back together.

Every structural rewrite of a loop (hoisting, dropping outputs, merging, storing
less) removes, adds or edits pieces: a sequence with its step input; a state with
its initial buffer, taps, step inputs and new entry; a mapped output; a carry; a
non-sequence. ``ScanParts`` lists them with their outer and step variables, so a
rewrite edits plain lists, and ``build`` makes the new node: its ``ScanInfo`` and
``InnerGraph`` follow from the lists (info.py gives the order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphcore import Apply, Mode, Variable, clone_get_equiv, graph_inputs
from scanloop.info import ScanInfo
from scanloop.inner import InnerGraph
from scanloop.op import Scan


@dataclass(eq=False)
class SeqPart:
    outer: Variable
    inner: Variable


@dataclass(eq=False)
class StatePart:
    initial: Variable
    taps: tuple[int, ...]
    inner_taps: list[Variable]
    new_entry: Variable
    store: int | None
    result: Variable | None = None  # the outer output this piece had before the rewrite


@dataclass(eq=False)
class MappedPart:
    entry: Variable
    store: int | None
    result: Variable | None = None


@dataclass(eq=False)
class CarryPart:
    initial: Variable
    inner: Variable
    next: Variable
    result: Variable | None = None


@dataclass(eq=False)
class NonSeqPart:
    outer: Variable
    inner: Variable


@dataclass(eq=False)
class ScanParts:
    n_steps: Variable
    seqs: list[SeqPart] = field(default_factory=list)
    states: list[StatePart] = field(default_factory=list)
    mapped: list[MappedPart] = field(default_factory=list)
    carries: list[CarryPart] = field(default_factory=list)
    non_seqs: list[NonSeqPart] = field(default_factory=list)
    condition: Variable | None = None
    truncate_gradient: int = -1
    name: str | None = None
    mode: str | Mode | None = None

    @classmethod
    def of(cls, node: Apply, fresh: bool = False) -> ScanParts:
        """The pieces of a Scan ``node``; ``fresh`` gives them a copy of the step's graph
        (to combine it with another step that may share its variables)."""
        op: Scan = node.op  # type: ignore[assignment]
        info, inner = op.info, op.inner
        step_in, step_out = list(inner.inputs), list(inner.outputs)
        if fresh:
            equiv: dict[Any, Any] = clone_get_equiv(step_in, step_out, copy_orphans=False)
            step_in = [equiv[var] for var in step_in]
            step_out = [equiv[var] for var in step_out]
        outer = node.inputs
        results = node.outputs
        parts = cls(
            n_steps=outer[0],
            condition=step_out[-1] if info.as_while else None,
            truncate_gradient=info.truncate_gradient,
            name=info.name,
            mode=op.mode,
        )
        for position, k in zip(info.outer_seqs, info.inner_seqs, strict=True):
            parts.seqs.append(SeqPart(outer[position], step_in[k]))
        for s, position in enumerate(info.outer_states):
            parts.states.append(
                StatePart(
                    outer[position],
                    info.state_taps[s],
                    [step_in[k] for k in info.inner_state_taps(s)],
                    step_out[s],
                    info.store[s],
                    results[s],
                )
            )
        for m in info.out_mapped:
            parts.mapped.append(MappedPart(step_out[m], info.store[m], results[m]))
        for position, k, out in zip(
            info.outer_carries, info.inner_carries, info.out_carries, strict=True
        ):
            parts.carries.append(
                CarryPart(outer[position], step_in[k], step_out[out], results[out])
            )
        for position, k in zip(info.outer_non_seqs, info.inner_non_seqs, strict=True):
            parts.non_seqs.append(NonSeqPart(outer[position], step_in[k]))
        return parts

    # ---- the step --------------------------------------------------------------------------

    def step_inputs(self) -> list[Variable]:
        return [
            *(seq.inner for seq in self.seqs),
            *(var for state in self.states for var in state.inner_taps),
            *(carry.inner for carry in self.carries),
            *(non_seq.inner for non_seq in self.non_seqs),
        ]

    def step_outputs(self) -> list[Variable]:
        return [
            *(state.new_entry for state in self.states),
            *(mapped.entry for mapped in self.mapped),
            *(carry.next for carry in self.carries),
            *([self.condition] if self.condition is not None else []),
        ]

    def set_step_outputs(self, outputs: list[Variable]) -> None:
        """Give the pieces new step outputs, in ``step_outputs``'s order."""
        it = iter(outputs)
        for state in self.states:
            state.new_entry = next(it)
        for mapped in self.mapped:
            mapped.entry = next(it)
        for carry in self.carries:
            carry.next = next(it)
        if self.condition is not None:
            self.condition = next(it)

    def drop_unused_non_seqs(self) -> bool:
        """Remove the non-sequences the step no longer reads; whether any was removed."""
        read = set(graph_inputs(self.step_outputs()))
        kept = [non_seq for non_seq in self.non_seqs if non_seq.inner in read]
        dropped = len(kept) != len(self.non_seqs)
        self.non_seqs = kept
        return dropped

    # ---- putting it back together -----------------------------------------------------------

    def info(self) -> ScanInfo:
        return ScanInfo(
            n_seqs=len(self.seqs),
            state_taps=tuple(state.taps for state in self.states),
            n_mapped=len(self.mapped),
            n_carries=len(self.carries),
            n_non_seqs=len(self.non_seqs),
            as_while=self.condition is not None,
            store=(
                *(state.store for state in self.states),
                *(mapped.store for mapped in self.mapped),
            ),
            truncate_gradient=self.truncate_gradient,
            name=self.name,
        )

    def build(self) -> list[Variable]:
        """The outputs of a new Scan node made of these pieces: states, mapped, carries."""
        op = Scan(self.info(), InnerGraph(self.step_inputs(), self.step_outputs()), self.mode)
        node = op.make_node(
            self.n_steps,
            *(seq.outer for seq in self.seqs),
            *(state.initial for state in self.states),
            *(carry.initial for carry in self.carries),
            *(non_seq.outer for non_seq in self.non_seqs),
        )
        return list(node.outputs)

    def replacements(self) -> dict[Variable, Variable]:
        """Build the new node and map each piece's old outer output to its new one."""
        outputs = self.build()
        pieces: list[Any] = [*self.states, *self.mapped, *self.carries]
        return {
            piece.result: new
            for piece, new in zip(pieces, outputs, strict=True)
            if piece.result is not None
        }
