"""Where a tensor is nonzero: ``nonzero`` (one index vector per axis), ``flatnonzero``
and ``nonzero_values``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply, Op
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.opsupport import as_tensor_input, tensor_output

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable


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
        from tensorops.reduction import sum as sum_

        count = entries.cast(sum_(entries.elementwise("neq")(node.inputs[0], 0)), "int64")
        return [(count,)] * len(node.outputs)


def nonzero(a: Any, return_matrix: bool = False) -> Any:
    """``np.nonzero``: a tuple of index vectors, one per axis (a matrix of them with
    ``return_matrix``, as Theano offered)."""
    from tensorops.join import stack

    outputs = Nonzero()(a)
    positions = tuple(outputs) if isinstance(outputs, list) else (outputs,)
    return stack(list(positions)) if return_matrix else positions


def flatnonzero(a: Any) -> TensorVariable:
    """``np.flatnonzero``: positions of the nonzero entries of the flattened tensor."""
    from tensorops.shape import flatten

    a = as_tensor_input(a, "flatnonzero")
    return nonzero(flatten(a) if a.type.ndim != 1 else a)[0]


def nonzero_values(a: Any) -> TensorVariable:
    """The nonzero entries of the flattened tensor, in order."""
    from tensorops.indexing import getitem
    from tensorops.shape import flatten

    a = as_tensor_input(a, "nonzero_values")
    return getitem(flatten(a), flatnonzero(a))
