"""``ScanInfo``: how a ``Scan`` node's outer and inner values line up, as plain data.

The outer inputs of a scan are, in order::

    n_steps, sequences..., state initial buffers..., carry initial values..., non-sequences...

and its outer outputs::

    states..., mapped outputs..., carries' final values...

- a *sequence* is read one entry per step along its first axis (sequence taps are
  made into several sequences by ``scan()``, so each has tap 0 here);
- a *state* is a recurrent output with taps (``-1`` for the usual single prior
  value; ``(-2, -1)`` for a Fibonacci). Its initial buffer holds ``-min(taps)``
  entries, and its outer output is the initial entries followed by one entry per
  step (or only the last ``store`` of them, see below);
- a *mapped* output is computed each step and not fed back (``None`` in
  ``outputs_info``): its outer output has one entry per step;
- a *carry* is a value passed from step to step of which only the final one is
  kept: a shared variable updated by the body (a random generator);
- *non-sequences* are the same at every step.

The inner graph's inputs are the sequences' entries, then each state's taps (in
ascending order, state by state), then the carries, then the non-sequences; its
outputs are each state's new entry, the mapped outputs, the carries' next values
and, for a loop with ``until``, a last boolean output that stops it.

``store[k]`` (one per state and mapped output) is None to keep every entry, or the
number of trailing entries kept (the memory rewrite sets it when only the last
steps are read): the output is then ``full_output[-store:]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ScanInfo:
    n_seqs: int = 0
    state_taps: tuple[tuple[int, ...], ...] = ()
    n_mapped: int = 0
    n_carries: int = 0
    n_non_seqs: int = 0
    as_while: bool = False
    store: tuple[int | None, ...] = ()
    truncate_gradient: int = -1
    name: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for taps in self.state_taps:
            if not taps or any(tap >= 0 for tap in taps) or list(taps) != sorted(set(taps)):
                raise ValueError(
                    f"scan: state taps must be distinct negative ints in ascending order, "
                    f"got {taps}"
                )
        if not self.store:
            object.__setattr__(self, "store", (None,) * (self.n_states + self.n_mapped))
        if len(self.store) != self.n_states + self.n_mapped:
            raise ValueError(
                f"scan: store has {len(self.store)} entries for "
                f"{self.n_states + self.n_mapped} stored outputs"
            )

    # ---- counts ------------------------------------------------------------------------

    @property
    def n_states(self) -> int:
        return len(self.state_taps)

    def init_length(self, state: int) -> int:
        """Entries of state ``state``'s initial buffer: the largest lag it reads."""
        return -self.state_taps[state][0]

    @property
    def n_outer_inputs(self) -> int:
        return 1 + self.n_seqs + self.n_states + self.n_carries + self.n_non_seqs

    @property
    def n_inner_inputs(self) -> int:
        return self.n_seqs + sum(map(len, self.state_taps)) + self.n_carries + self.n_non_seqs

    @property
    def n_inner_outputs(self) -> int:
        return self.n_states + self.n_mapped + self.n_carries + int(self.as_while)

    # ---- outer input positions -----------------------------------------------------------

    @property
    def outer_seqs(self) -> range:
        return range(1, 1 + self.n_seqs)

    @property
    def outer_states(self) -> range:
        start = 1 + self.n_seqs
        return range(start, start + self.n_states)

    @property
    def outer_carries(self) -> range:
        start = 1 + self.n_seqs + self.n_states
        return range(start, start + self.n_carries)

    @property
    def outer_non_seqs(self) -> range:
        start = 1 + self.n_seqs + self.n_states + self.n_carries
        return range(start, start + self.n_non_seqs)

    # ---- inner input positions -----------------------------------------------------------

    @property
    def inner_seqs(self) -> range:
        return range(self.n_seqs)

    def inner_state_taps(self, state: int) -> range:
        """Inner input positions of state ``state``'s taps, in ascending tap order."""
        start = self.n_seqs + sum(len(taps) for taps in self.state_taps[:state])
        return range(start, start + len(self.state_taps[state]))

    @property
    def inner_carries(self) -> range:
        start = self.n_seqs + sum(map(len, self.state_taps))
        return range(start, start + self.n_carries)

    @property
    def inner_non_seqs(self) -> range:
        start = self.n_seqs + sum(map(len, self.state_taps)) + self.n_carries
        return range(start, start + self.n_non_seqs)

    # ---- output positions (outer and inner alike) -------------------------------------------

    @property
    def out_states(self) -> range:
        return range(self.n_states)

    @property
    def out_mapped(self) -> range:
        return range(self.n_states, self.n_states + self.n_mapped)

    @property
    def out_carries(self) -> range:
        start = self.n_states + self.n_mapped
        return range(start, start + self.n_carries)

    def with_store(self, store: tuple[int | None, ...]) -> ScanInfo:
        return replace(self, store=store)
