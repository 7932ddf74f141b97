"""Tracing the step: ``fn`` called once on placeholders, and the graph it returns cut
into a step graph whose inputs are in info.py's order. Every outer value the step
reads becomes an input (explicit non-sequences, free variables, shared variables);
shared variables the step updates, or draws from, become carried values."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from graphcore import Constant, SharedVariable, Variable, clone_replace, graph_inputs
from scanloop.arguments import OutputArg, SequenceArg, sequence_name, state_entries
from scanloop.body import StepResult, call_step, where_defined
from tensorops import TensorType
from tensorops.shape_ops import specify_shape


@dataclass
class TracedStep:
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


def trace_step(
    fn: Callable[..., Any],
    seqs: list[SequenceArg],
    outs: list[OutputArg],
    non_seqs: list[Variable],
    strict: bool,
    label: str,
) -> TracedStep:
    """Call ``fn`` on placeholders and cut the graph it returns into a step graph."""
    seq_args = [
        [_entry_placeholder(s.value, f"{sequence_name(s.value)}[t{tap:+d}]") for tap in s.taps]
        for s in seqs
    ]
    state_args = [
        [_entry_placeholder(state_entries(o), f"prior{tap:+d}") for tap in o.taps]
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
    return TracedStep(
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


def _flat(groups: Sequence[Sequence[Variable]]) -> list[Variable]:
    return [var for group in groups for var in group]


def _entry_placeholder(outer: Variable, name: str) -> Variable:
    outer_type: Any = outer.type
    if outer_type.ndim == 0:
        raise TypeError(f"scan: {outer} has no first axis to take entries from")
    return TensorType(outer_type.dtype, outer_type.shape[1:]).make_variable(name)


def _match_outputs(
    result: StepResult,
    outs: list[OutputArg],
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
        outs.extend(OutputArg(None) for _ in returned)
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
