"""Where a tensor is nonzero: the ``Nonzero`` op (one index vector per axis). ``nonzero``,
``flatnonzero`` and ``nonzero_values`` are in ``tensorops.math``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from graphcore import Apply, Op
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, tensor_output


class Nonzero(Op):
    """``np.nonzero(x)``: for each axis, the int64 positions of the nonzero entries."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Nonzero

    def __hash__(self) -> int:
        return hash(Nonzero)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "nonzero")
        if x.type.ndim == 0:
            raise ValueError("nonzero: a 0-d tensor has no positions; use x[None] first")
        outputs = [tensor_output("int64", (None,)) for _ in range(x.type.ndim)]
        return Apply(self, [x], outputs)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        for cell, positions in zip(output_storage, np.nonzero(inputs[0]), strict=True):
            cell[0] = positions.astype("int64", copy=False)

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        count = entries.cast(entries.elementwise("neq")(node.inputs[0], 0).sum(), "int64")
        return [(count,)] * len(node.outputs)
