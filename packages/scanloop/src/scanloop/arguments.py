"""The arguments of ``scan()`` checked and put in one form: sequences with their taps,
``outputs_info`` entries, non-sequences; and the outer inputs they become (one sequence
per tap, the number of steps, the states' initial buffers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphcore import Constant, Variable
from tensorops import TensorType
from tensorops import shape_entries as entries
from tensorops.basic import as_tensor
from tensorops.shape import expand_dims
from tensorops.sizes import shape_tuple


@dataclass
class SequenceArg:
    value: Variable
    taps: list[int]


@dataclass
class OutputArg:
    """One entry of ``outputs_info``: a state (with its initial value and taps) or mapped."""

    initial: Variable | None
    taps: list[int] = field(default_factory=list)

    @property
    def is_state(self) -> bool:
        return self.initial is not None


def listed(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def sequence_arg(item: Any, k: int, label: str) -> SequenceArg:
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
    return SequenceArg(value, taps)


def output_arg(item: Any, k: int, label: str) -> OutputArg:
    if item is None:
        return OutputArg(None)
    if isinstance(item, Mapping):
        if item.get("initial") is None:
            if item.get("taps"):
                raise ValueError(
                    f"{label}: outputs_info[{k}] has taps but no initial value: {item!r}"
                )
            return OutputArg(None)
        taps = list(item.get("taps", [-1]) or [-1])
        if any(not isinstance(tap, int) or tap >= 0 for tap in taps) or len(set(taps)) != len(taps):
            raise ValueError(
                f"{label}: the taps of outputs_info[{k}] must be distinct negative ints, got {taps}"
            )
        return OutputArg(as_tensor(item["initial"]), taps)
    return OutputArg(as_tensor(item), [-1])


def non_sequence_arg(item: Any, k: int, label: str) -> Variable:
    if isinstance(item, Variable):
        return item
    try:
        return as_tensor(item)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{label}: non_sequences[{k}] is {item!r}: {error}") from None


def sequence_name(value: Variable) -> str:
    return value.name or "seq"


def is_single_tap(output: OutputArg) -> bool:
    return output.taps == [-1]


def state_entries(output: OutputArg) -> Variable:
    """A variable whose entries have the state's type: the initial buffer (a single
    prior value is given as the value itself)."""
    assert output.initial is not None
    if is_single_tap(output):
        return expand_dims(output.initial, 0)
    return output.initial


def tap_sequences(seqs: list[SequenceArg]) -> tuple[list[Variable], list[Any]]:
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


def n_steps_of(n_steps: Any, lengths: list[Any], label: str) -> Variable:
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


def initial_buffer(output: OutputArg, label: str, k: int) -> Variable:
    assert output.initial is not None
    if is_single_tap(output):
        return expand_dims(output.initial, 0)
    initial: Any = output.initial
    if initial.type.ndim == 0:
        raise TypeError(
            f"{label}: outputs_info[{k}] has taps {output.taps}, so its initial value needs a "
            f"first axis holding {-min(output.taps)} prior values; got a scalar"
        )
    return initial[: -min(output.taps)]  # type: ignore[no-any-return,unused-ignore]
