"""``scan()``: Theano's and PyTensor's loop builder.

It calls the step function once on placeholders to get the step graph, turns every
outer value the step reads into an input of it (explicit non-sequences, free
variables, shared variables), makes shared variables the step updates into values
carried from step to step, and applies one ``Scan`` op. See info.py for the layout.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphcore import Constant, SharedVariable, Variable, clone_replace, graph_inputs
from graphcore.compile.modes import Mode, get_mode
from scanloop.body import StepResult, call_step, where_defined
from scanloop.info import ScanInfo
from scanloop.inner import InnerGraph
from scanloop.op import Scan
from tensorops import TensorType
from tensorops import shape_entries as entries
from tensorops.basic import as_tensor
from tensorops.shape import expand_dims
from tensorops.shape_ops import specify_shape
from tensorops.sizes import shape_tuple


@dataclass
class _Sequence:
    value: Variable
    taps: list[int]


@dataclass
class _Output:
    """One entry of ``outputs_info``: a state (with its initial value and taps) or mapped."""

    initial: Variable | None
    taps: list[int] = field(default_factory=list)

    @property
    def is_state(self) -> bool:
        return self.initial is not None


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
    seqs = [_sequence(item, k, label) for k, item in enumerate(_listed(sequences))]
    outs = [_output(item, k, label) for k, item in enumerate(_listed(outputs_info))]
    non_seqs = [_non_sequence(item, k, label) for k, item in enumerate(_listed(non_sequences))]
    if go_backwards:
        seqs = [_Sequence(seq.value[::-1], seq.taps) for seq in seqs]  # type: ignore[index]
    step = _trace(fn, seqs, outs, non_seqs, strict, label)
    outer_seqs, lengths = _tap_sequences(seqs)
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
    initial = [_initial_buffer(outs[k], label, k) for k in step.state_positions]
    node_outputs = op(
        _n_steps(n_steps, lengths, label),
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


@dataclass
class _Step:
    """The traced step: its graph's inputs and outputs in info.py's order, and the outer
    values that feed it."""

    inputs: list[Variable]
    outputs: list[Variable]
    state_positions: list[int]
    mapped_positions: list[int]
    carries: list[SharedVariable]
    updated: set[SharedVariable]
    outer_non_seqs: list[Variable]
    as_while: bool


def _trace(
    fn: Callable[..., Any],
    seqs: list[_Sequence],
    outs: list[_Output],
    non_seqs: list[Variable],
    strict: bool,
    label: str,
) -> _Step:
    """Call ``fn`` on placeholders and cut the graph it returns into a step graph."""
    seq_args = [
        [_entry_placeholder(s.value, f"{_name(s.value)}[t{tap:+d}]") for tap in s.taps]
        for s in seqs
    ]
    state_args = [
        [_entry_placeholder(_state_buffer_type_source(o), f"prior{tap:+d}") for tap in o.taps]
        if o.is_state
        else []
        for o in outs
    ]
    non_seq_args = [
        v if isinstance(v, SharedVariable) else v.type.make_variable(v.name) for v in non_seqs
    ]
    args = [*_flat(seq_args), *_flat(state_args), *non_seq_args]
    _name_after_parameters(fn, [a for a in args if not isinstance(a, SharedVariable)], args)
    result = call_step(fn, args)
    where = where_defined(fn)
    step_outputs = _match_outputs(result, outs, state_args, where, label)
    state_positions = [k for k, o in enumerate(outs) if o.is_state]
    mapped_positions = [k for k, o in enumerate(outs) if not o.is_state]
    stored: list[Variable] = [step_outputs[k] for k in [*state_positions, *mapped_positions]]  # type: ignore[misc]

    free = _free_roots(stored, result, args)
    carries = _carries(result, free)
    if strict:
        implicit = [v for v in free if v not in carries and v not in set(non_seqs)]
        if implicit:
            raise ValueError(
                f"{label}: with strict=True every outer value the step function {where} "
                f"reads must be in non_sequences; it also reads {implicit}"
            )
    # Outer roots the step reads are cut off: each becomes an input of the step.
    carry_args: dict[Variable, Variable] = {
        shared: shared.type.make_variable(shared.name) for shared in carries
    }
    read_args = {v: v.type.make_variable(v.name) for v in free if v not in carries}
    condition = [result.condition] if result.condition is not None else []
    ends = [*stored, *carries.values(), *condition]
    outputs = list(clone_replace(ends, carry_args | read_args))
    for c, shared in enumerate(carries):
        position = len(stored) + c
        outputs[position] = _carry_output(outputs[position], shared, label, where)
    passed = [
        (arg, value)
        for arg, value in zip(non_seq_args, non_seqs, strict=True)
        if not isinstance(arg, SharedVariable)
    ]
    state_inputs = [
        state_args[k][i]
        for k in state_positions
        for i in sorted(range(len(outs[k].taps)), key=outs[k].taps.__getitem__)
    ]
    return _Step(
        inputs=[
            *_flat(seq_args),
            *state_inputs,
            *carry_args.values(),
            *(arg for arg, _ in passed),
            *read_args.values(),
        ],
        outputs=outputs,
        state_positions=state_positions,
        mapped_positions=mapped_positions,
        carries=list(carries),
        updated=set(result.updates),
        outer_non_seqs=[*(value for _, value in passed), *read_args],
        as_while=result.condition is not None,
    )


def _returned(results: list[Any], return_list: bool) -> Any:
    if return_list:
        return results
    if not results:
        return None
    return results[0] if len(results) == 1 else results


# ---- arguments ------------------------------------------------------------------------------


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _sequence(item: Any, k: int, label: str) -> _Sequence:
    taps = [0]
    if isinstance(item, Mapping):
        if "input" not in item:
            raise ValueError(f"{label}: sequence {k} is a dict without 'input': {item!r}")
        taps = list(item.get("taps", [0]) or [0])
        item = item["input"]
    value = as_tensor(item)
    if not isinstance(value.type, TensorType) or value.type.ndim == 0:
        raise TypeError(
            f"{label}: sequence {k} must have at least one dimension to iterate over, got "
            f"{value.type}"
        )
    if any(not isinstance(tap, int) for tap in taps) or len(set(taps)) != len(taps):
        raise ValueError(f"{label}: the taps of sequence {k} must be distinct ints, got {taps}")
    return _Sequence(value, taps)


def _output(item: Any, k: int, label: str) -> _Output:
    if item is None:
        return _Output(None)
    if isinstance(item, Mapping):
        if item.get("initial") is None:
            if item.get("taps"):
                raise ValueError(
                    f"{label}: outputs_info[{k}] has taps but no initial value: {item!r}"
                )
            return _Output(None)
        taps = list(item.get("taps", [-1]) or [-1])
        if any(not isinstance(tap, int) or tap >= 0 for tap in taps) or len(set(taps)) != len(taps):
            raise ValueError(
                f"{label}: the taps of outputs_info[{k}] must be distinct negative ints, got {taps}"
            )
        return _Output(as_tensor(item["initial"]), taps)
    return _Output(as_tensor(item), [-1])


def _non_sequence(item: Any, k: int, label: str) -> Variable:
    if isinstance(item, Variable):
        return item
    try:
        return as_tensor(item)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{label}: non_sequences[{k}] is {item!r}: {error}") from None


def _name(value: Variable) -> str:
    return value.name or "seq"


def _name_after_parameters(
    fn: Callable[..., Any], placeholders: list[Variable], args: list[Variable]
) -> None:
    """Name the step's placeholders after ``fn``'s parameters (``prior_result``, ``A``), so
    printed step graphs read like the step function."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) < len(args):
        return
    for parameter, arg in zip(positional, args, strict=False):
        if arg in placeholders:
            arg.name = parameter.name


def _fn_name(fn: Callable[..., Any]) -> str | None:
    name = getattr(fn, "__name__", None)
    return None if name in (None, "<lambda>") else name


def _mode_of(mode: str | Mode | None) -> str | Mode | None:
    """The step's mode, checked now: a name (resolved when linked) or a ``Mode``."""
    if mode is not None:
        get_mode(mode)  # an unknown name fails here, where the scan is built
    return mode


def _flat(groups: Sequence[Sequence[Variable]]) -> list[Variable]:
    return [var for group in groups for var in group]


# ---- placeholders and the step's outputs ------------------------------------------------------


def _is_single_tap(output: _Output) -> bool:
    return output.taps == [-1]


def _state_buffer_type_source(output: _Output) -> Variable:
    """A variable whose entries have the state's type: the initial buffer (a single
    prior value is given as the value itself)."""
    assert output.initial is not None
    if _is_single_tap(output):
        return expand_dims(output.initial, 0)
    return output.initial


def _entry_placeholder(outer: Variable, name: str) -> Variable:
    outer_type: Any = outer.type
    if outer_type.ndim == 0:
        raise TypeError(f"scan: {outer} has no first axis to take entries from")
    return TensorType(outer_type.dtype, outer_type.shape[1:]).make_variable(name)


def _match_outputs(
    result: StepResult,
    outs: list[_Output],
    state_args: list[list[Variable]],
    where: str,
    label: str,
) -> list[Variable | None]:
    """The step's outputs, one per entry of ``outputs_info`` (all mapped when it is empty),
    each recurrent one checked against its initial value."""
    returned = result.outputs
    if outs and len(returned) != len(outs):
        raise ValueError(
            f"{label}: the step function {where} returned {len(returned)} output(s), but "
            f"outputs_info has {len(outs)} entries; give one entry per output (None for an "
            "output that is not fed back)"
        )
    if not outs:
        outs.extend(_Output(None) for _ in returned)
    matched: list[Variable | None] = []
    for k, (value, spec) in enumerate(zip(returned, outs, strict=True)):
        if value is None:
            raise ValueError(f"{label}: output {k} of the step function {where} is None")
        if not spec.is_state:
            matched.append(value)
            continue
        expected: Any = state_args[k][0].type
        got: Any = value.type
        if (
            not isinstance(got, TensorType)
            or got.dtype != expected.dtype
            or got.ndim != expected.ndim
        ):
            raise TypeError(
                f"{label}: output {k} of the step function {where} is {got}, but its initial "
                f"value (outputs_info[{k}]) gives entries of type {expected}; a recurrent output "
                "must keep the dtype and number of dimensions of its initial value (cast one "
                "of them)"
            )
        if any(
            mine is not None and theirs is not None and mine != theirs
            for mine, theirs in zip(expected.shape, got.shape, strict=True)
        ):
            raise ValueError(
                f"{label}: output {k} of the step function {where} has shape {got.shape}, but "
                f"its initial value (outputs_info[{k}]) gives entries of shape {expected.shape}; "
                "a recurrent output must keep its shape"
            )
        converted = expected.convert_variable(value)
        if converted is None:  # fewer static lengths known than the initial value has
            converted = specify_shape(value, expected.shape)
        matched.append(converted)
    return matched


# ---- outer values the step reads --------------------------------------------------------------


def _free_roots(
    inner_outputs: list[Variable], result: StepResult, args: list[Variable]
) -> list[Variable]:
    """Roots the step reads that are not its placeholders or constants, in order found."""
    ends = [*inner_outputs, *result.updates.values()]
    if result.condition is not None:
        ends.append(result.condition)
    placeholders = set(args)
    roots = []
    for var in graph_inputs(ends):
        if var in placeholders and not isinstance(var, SharedVariable):
            continue
        if isinstance(var, Constant):
            continue
        roots.append(var)
    return roots


def _carries(result: StepResult, free: list[Variable]) -> dict[SharedVariable, Variable]:
    """Shared variables passed from step to step: those the step updates, and those with
    a default update (a random generator drawn from inside the step)."""
    carries: dict[SharedVariable, Variable] = dict(result.updates)
    pending = [v for v in free if isinstance(v, SharedVariable)]
    while pending:
        shared = pending.pop(0)
        if shared in carries or shared.default_update is None:
            continue
        carries[shared] = shared.default_update
        # The update may read more shared state (rarely): carry that too.
        pending += [
            v
            for v in graph_inputs([shared.default_update])
            if isinstance(v, SharedVariable) and v not in carries and v not in pending
        ]
    for shared in carries:
        if shared not in free:
            free.append(shared)
    return carries


def _carry_output(value: Variable, shared: SharedVariable, label: str, where: str) -> Variable:
    converted = shared.type.convert_variable(value)
    if converted is None:
        raise TypeError(
            f"{label}: the step function {where} updates {shared} ({shared.type}) to a value of "
            f"type {value.type}"
        )
    return converted


# ---- outer inputs ---------------------------------------------------------------------------


def _tap_sequences(seqs: list[_Sequence]) -> tuple[list[Variable], list[Any]]:
    """One outer sequence per tap, aligned so step ``t`` reads entry ``t + tap`` relative
    to a start where every tap is valid; and each sequence's number of usable steps."""
    outer: list[Variable] = []
    lengths: list[Any] = []
    for seq in seqs:
        low = -min(0, *seq.taps)
        high = max(0, *seq.taps)
        length = shape_tuple(seq.value)[0]
        usable = entries.add(entries.as_entry(length, "sequence length"), -(low + high))
        usable = entries.maximum(usable, 0)
        for tap in seq.taps:
            start = low + tap
            if start == 0 and high == 0 and low == 0:
                outer.append(seq.value)
            else:
                stop = entries.add(usable, start)
                outer.append(seq.value[start : entries.entry_variable(stop)])  # type: ignore[index]
        lengths.append(usable)
    return outer, lengths


def _n_steps(n_steps: Any, lengths: list[Any], label: str) -> Variable:
    if n_steps is None:
        if not lengths:
            raise ValueError(
                f"{label}: give n_steps or at least one sequence; without them the number of "
                "steps is unknown"
            )
        count = lengths[0]
        for length in lengths[1:]:
            count = entries.minimum(count, length)
        return entries.as_int64_scalar(count, "n_steps")
    value = as_tensor(n_steps)
    if (
        not isinstance(value.type, TensorType)
        or value.type.ndim != 0
        or not (value.type.dtype.startswith(("int", "uint")))
    ):
        raise TypeError(f"{label}: n_steps must be an integer scalar, got {n_steps!r}")
    if isinstance(value, Constant) and int(value.data) < 0:
        raise ValueError(f"{label}: n_steps must be at least 0, got {int(value.data)}")
    return value


def _initial_buffer(output: _Output, label: str, k: int) -> Variable:
    assert output.initial is not None
    if _is_single_tap(output):
        return expand_dims(output.initial, 0)
    initial: Any = output.initial
    if initial.type.ndim == 0:
        raise TypeError(
            f"{label}: outputs_info[{k}] has taps {output.taps}, so its initial value needs a "
            f"first axis holding {-min(output.taps)} prior values; got a scalar"
        )
    return initial[: -min(output.taps)]  # type: ignore[no-any-return,unused-ignore]
