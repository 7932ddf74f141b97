"""The loop itself, in Python: buffers, taps, the stopping condition.

``run_scan`` is what a ``Scan`` node computes, given a ``step`` that maps the inner
inputs' values to the inner outputs' values (a linked inner graph). Other backends
(ccodegen's C loop) follow the same buffer layout, described in info.py: entry ``j``
of a state (initial entries first) lives at ``buffer[j % len(buffer)]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphcore.compile.program import copy_value
from scanloop.info import ScanInfo

Step = Callable[[list[Any]], Sequence[Any]]


def run_scan(
    info: ScanInfo,
    step: Step,
    inputs: Sequence[Any],
    label: str,
    mapped_types: Sequence[tuple[str, tuple[int | None, ...]]],
) -> list[Any]:
    """The outer outputs of a scan over the outer ``inputs`` (info.py gives the order).
    ``mapped_types`` (each mapped output's entry dtype and static shape) shape a mapped
    output when no step ran: its unknown lengths are 0, as in every backend."""
    n_steps = _n_steps(inputs[0], label)
    seqs = [inputs[i] for i in info.outer_seqs]
    for k, seq in enumerate(seqs):
        if np.ndim(seq) == 0 or len(seq) < n_steps:
            length = 0 if np.ndim(seq) == 0 else len(seq)
            raise ValueError(
                f"{label}: n_steps is {n_steps}, but sequence {k} has only {length} entries "
                "(a sequence must have at least n_steps entries)"
            )
    states = [
        _StateBuffer.start(inputs[position], info.init_length(s), n_steps, info.store[s], label, s)
        for s, position in enumerate(info.outer_states)
    ]
    mapped: list[_MappedBuffer] = [
        _MappedBuffer(n_steps, info.store[info.n_states + m]) for m in range(info.n_mapped)
    ]
    carries = [inputs[i] for i in info.outer_carries]
    non_seqs = [inputs[i] for i in info.outer_non_seqs]
    done = n_steps
    for t in range(n_steps):
        args: list[Any] = [seq[t, ...] for seq in seqs]
        for s, state in enumerate(states):
            args += [state.read(t, tap) for tap in info.state_taps[s]]
        args += carries
        args += non_seqs
        try:
            outs = step(args)
        except Exception as error:
            error.add_note(f"{label}: at step {t}")
            raise
        for s, state in enumerate(states):
            state.write(t, outs[s], label, s)
        for m, buffer in enumerate(mapped):
            buffer.write(t, outs[info.n_states + m], label, info.n_states + m)
        carries = [outs[position] for position in info.out_carries]
        if info.as_while and bool(outs[-1]):
            done = t + 1
            break
    results: list[Any] = [state.result(done) for state in states]
    for buffer, (dtype, shape) in zip(mapped, mapped_types, strict=True):
        if buffer.data is None:
            buffer.data = np.empty((0, *(length or 0 for length in shape)), dtype=dtype)
    results += [buffer.result(done) for buffer in mapped]
    # With no step, a carry's final value is its initial one: a copy, since the caller
    # may overwrite what it is given (a random generator it replaces).
    results += [copy_value(value) if done == 0 else value for value in carries]
    return results


def _n_steps(value: Any, label: str) -> int:
    n_steps = int(value)
    if n_steps < 0:
        raise ValueError(f"{label}: n_steps must be at least 0, got {n_steps}")
    return n_steps


class _StateBuffer:
    """A state's entries: the initial ones, then one per step, in a ring of ``len(data)``."""

    def __init__(self, data: np.ndarray, init_length: int, keep: int | None):
        self.data = data
        self.init_length = init_length
        self.keep = keep

    @classmethod
    def start(
        cls, init: Any, init_length: int, n_steps: int, store: int | None, label: str, s: int
    ) -> _StateBuffer:
        init = np.asarray(init)
        if init.ndim == 0 or init.shape[0] < init_length:
            raise ValueError(
                f"{label}: the initial value of output {s} must hold {init_length} entries "
                f"along its first axis (its taps reach back {init_length} steps), "
                f"got shape {init.shape}"
            )
        total = init_length + n_steps
        length = total if store is None else max(min(store, total), init_length)
        data = np.empty((length, *init.shape[1:]), dtype=init.dtype)
        data[:init_length] = init[:init_length]
        return cls(data, init_length, store)

    def read(self, t: int, tap: int) -> np.ndarray:
        return self.data[(self.init_length + t + tap) % len(self.data), ...]  # type: ignore[no-any-return,unused-ignore]

    def write(self, t: int, value: Any, label: str, position: int) -> None:
        target = self.data[(self.init_length + t) % len(self.data), ...]
        if np.shape(value) != target.shape:
            raise ValueError(
                f"{label}: at step {t}, output {position} has shape {np.shape(value)}, but the "
                f"initial value gives its entries shape {target.shape}; a recurrent output "
                "must keep its shape"
            )
        target[...] = value

    def result(self, done: int) -> np.ndarray:
        total = self.init_length + done
        return _last_entries(self.data, total, self.keep)


class _MappedBuffer:
    """A mapped output's entries, allocated when the first step gives their shape."""

    def __init__(self, n_steps: int, keep: int | None):
        self.n_steps = n_steps
        self.keep = keep
        self.data: np.ndarray | None = None

    def write(self, t: int, value: Any, label: str, position: int) -> None:
        value = np.asarray(value)
        if self.data is None:
            length = self.n_steps if self.keep is None else min(self.keep, self.n_steps)
            self.data = np.empty((length, *value.shape), dtype=value.dtype)
        target = self.data[t % len(self.data), ...]
        if value.shape != target.shape:
            raise ValueError(
                f"{label}: at step {t}, output {position} has shape {value.shape}, but it had "
                f"shape {target.shape} at step 0; a mapped output must keep its shape"
            )
        target[...] = value

    def result(self, done: int) -> np.ndarray:
        assert self.data is not None
        return _last_entries(self.data, done, self.keep)


def _last_entries(data: np.ndarray, total: int, keep: int | None) -> np.ndarray:
    """Entries ``total - m .. total - 1`` of a ring buffer, in order, ``m`` as kept."""
    length = len(data)
    count = total if keep is None else min(keep, total)
    if keep is None and total == length:
        return data
    first = total - count
    if count == length and first % length == 0:
        return data
    positions = np.arange(first, total) % length if length else np.arange(0)
    return data[positions]
