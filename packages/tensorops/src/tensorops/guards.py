"""A guard: a value passed through when conditions hold, an error raised otherwise.

Packages that check values inside a graph (ppl's parameter checks) subclass ``Guard``
and name their exception in ``error``; backends that cannot run Python in the middle of
a graph (cudagen's kernels) then know what to evaluate and what to raise, without
importing the package that defined the check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from graphcore import Apply, Op
from graphcore.graph.op import OutputStorage
from tensorops.opsupport import as_tensor_input

__all__ = ["Guard"]


class Guard(Op):
    """``value`` unchanged when every entry of every condition is true; raises
    ``error(message)`` otherwise."""

    __props__ = ("message",)
    error: ClassVar[type[Exception]] = ValueError

    def __init__(self, message: str):
        self.view_map = {0: [0]}
        self.message = message

    def make_node(self, value: Any, *conditions: Any) -> Apply:
        guarded = as_tensor_input(value, str(self))
        flags = [as_tensor_input(condition, str(self)) for condition in conditions]
        return Apply(self, [guarded, *flags], [guarded.type()])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        value, *flags = inputs
        if not all(bool(np.all(flag)) for flag in flags):
            raise self.error(self.message)
        output_storage[0][0] = value

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        return [input_shapes[0]]

    def __str__(self) -> str:
        return f"Guard{{{self.message}}}"
