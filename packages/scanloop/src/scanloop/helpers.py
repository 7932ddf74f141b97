"""``map``, ``reduce``, ``foldl`` and ``foldr``: scans of common shapes, as in Theano."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphcore import SharedVariable, Variable
from graphcore.compile.modes import Mode
from scanloop.build import scan

Updates = dict[SharedVariable, Variable]


def map(
    fn: Callable[..., Any],
    sequences: Any,
    non_sequences: Any = None,
    truncate_gradient: int = -1,
    go_backwards: bool = False,
    mode: str | Mode | None = None,
    name: str | None = None,
) -> tuple[Any, Updates]:
    """``fn`` applied to each entry of ``sequences``: ``(outputs, updates)``."""
    return scan(
        fn,
        sequences=sequences,
        outputs_info=None,
        non_sequences=non_sequences,
        truncate_gradient=truncate_gradient,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
    )


def reduce(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    go_backwards: bool = False,
    mode: str | Mode | None = None,
    name: str | None = None,
) -> tuple[Any, Updates]:
    """Like ``scan``, returning only the final value of each output (only it is stored)."""
    outputs, updates = scan(
        fn,
        sequences=sequences,
        outputs_info=outputs_info,
        non_sequences=non_sequences,
        go_backwards=go_backwards,
        mode=mode,
        name=name,
        return_list=True,
    )
    finals = [out[-1] for out in outputs]
    return (finals[0] if len(finals) == 1 else finals), updates


def foldl(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: str | Mode | None = None,
    name: str | None = None,
) -> tuple[Any, Updates]:
    """``reduce`` from the first entry to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, False, mode, name)


def foldr(
    fn: Callable[..., Any],
    sequences: Any,
    outputs_info: Any,
    non_sequences: Any = None,
    mode: str | Mode | None = None,
    name: str | None = None,
) -> tuple[Any, Updates]:
    """``reduce`` from the last entry to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, True, mode, name)
