"""``scan()``: Theano's and PyTensor's loop builder.

It checks the arguments (arguments.py), traces the step function into a step graph
(trace.py) and applies one ``Scan`` op; see info.py for the layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphcore import SharedVariable, Variable
from graphcore.compile.modes import Mode, get_mode
from scanloop.arguments import (
    SequenceArg,
    initial_buffer,
    listed,
    n_steps_of,
    non_sequence_arg,
    output_arg,
    sequence_arg,
    tap_sequences,
)
from scanloop.info import ScanInfo
from scanloop.inner import InnerGraph
from scanloop.op import Scan
from scanloop.trace import trace_step


def scan(
    fn: Callable[..., Any],
    sequences: Any = None,
    outputs_info: Any = None,
    non_sequences: Any = None,
    n_steps: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: str | Mode | None = None,
    name: str | None = None,
    profile: bool = False,
    allow_gc: bool | None = None,
    strict: bool = False,
    return_list: bool = False,
) -> tuple[Any, dict[SharedVariable, Variable]]:
    """Repeat ``fn`` over ``sequences``, feeding back ``outputs_info``; returns
    ``(outputs, updates)`` as Theano's and PyTensor's ``scan`` do.

    ``fn`` receives, in order: each sequence's entries (one per tap), each recurrent
    output's prior values (one per tap), then the non-sequences. ``outputs`` has one
    entry per output of ``fn`` (a single variable when there is one, unless
    ``return_list``), each with one entry per step; ``updates`` holds the shared
    variables the loop changes (random generators drawn from inside ``fn``): pass it
    to ``function(..., updates=updates)``.
    """
    del profile, allow_gc  # accepted for old code; nothing to do
    label = f"scan {name!r}" if name else "scan"
    seqs = [sequence_arg(item, k, label) for k, item in enumerate(listed(sequences))]
    outs = [output_arg(item, k, label) for k, item in enumerate(listed(outputs_info))]
    non_seqs = [non_sequence_arg(item, k, label) for k, item in enumerate(listed(non_sequences))]
    if go_backwards:
        seqs = [SequenceArg(seq.value[::-1], seq.taps) for seq in seqs]  # type: ignore[index]
    step = trace_step(fn, seqs, outs, non_seqs, strict, label)
    outer_seqs, lengths = tap_sequences(seqs)
    info = ScanInfo(
        n_seqs=len(outer_seqs),
        state_taps=tuple(tuple(sorted(outs[k].taps)) for k in step.state_positions),
        n_mapped=len(step.mapped_positions),
        n_carries=len(step.carries),
        n_non_seqs=len(step.outer_non_seqs),
        as_while=step.as_while,
        truncate_gradient=int(truncate_gradient),
        name=name or _fn_name(fn),
    )
    op = Scan(info, InnerGraph(step.inputs, step.outputs), mode=_mode_of(mode))
    initial = [initial_buffer(outs[k], label, k) for k in step.state_positions]
    node_outputs = op(
        n_steps_of(n_steps, lengths, label),
        *outer_seqs,
        *initial,
        *step.carries,
        *step.outer_non_seqs,
    )
    node_outputs = node_outputs if isinstance(node_outputs, list) else [node_outputs]
    results: list[Any] = [None] * len(outs)
    for s, k in enumerate(step.state_positions):
        results[k] = node_outputs[s][info.init_length(s) :]
    for m, k in enumerate(step.mapped_positions):
        results[k] = node_outputs[info.n_states + m]
    for var in results:
        if name:
            var.name = name
    updates: dict[SharedVariable, Variable] = {}
    for c, shared in enumerate(step.carries):
        final = node_outputs[info.n_states + info.n_mapped + c]
        updates[shared] = final
        if shared not in step.updated:
            shared.default_update = final  # the draw inside the loop belongs to the loop
    return _returned(results, return_list), updates


def _returned(results: list[Any], return_list: bool) -> Any:
    if return_list:
        return results
    if not results:
        return None
    return results[0] if len(results) == 1 else results


def _fn_name(fn: Callable[..., Any]) -> str | None:
    name = getattr(fn, "__name__", None)
    return None if name in (None, "<lambda>") else name


def _mode_of(mode: str | Mode | None) -> str | Mode | None:
    """The step's mode, checked now: a name (resolved when linked) or a ``Mode``."""
    if mode is not None:
        get_mode(mode)  # an unknown name fails here, where the scan is built
    return mode
