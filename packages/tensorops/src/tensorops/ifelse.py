"""``ifelse(condition, then_branch, else_branch)``: a lazy choice between two groups of
values. Only the branch that is taken is computed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphcore import Apply, Op, Variable
from graphcore.graph.op import OutputStorage
from tensorops import shape_entries as entries
from tensorops.basic import as_tensor
from tensorops.opsupport import as_tensor_input, tensor_output
from tensorops.type import TensorType

__all__ = [
    "IfElse",
    "ifelse",
]


class IfElse(Op):
    """Inputs: a scalar condition, ``n_outs`` then-values, ``n_outs`` else-values.

    The VM asks this op for its inputs one at a time (``perform_lazy``), so the graph
    behind the branch not taken never runs. Outputs alias the chosen inputs.
    """

    __props__ = ("n_outs",)
    lazy = True

    def __init__(self, n_outs: int):
        self.n_outs = int(n_outs)
        self.view_map = {
            index: [1 + index, 1 + self.n_outs + index] for index in range(self.n_outs)
        }

    def make_node(self, condition: Any, *branches: Any) -> Apply:
        if len(branches) != 2 * self.n_outs:
            raise ValueError(
                f"IfElse: expected {2 * self.n_outs} branch values, got {len(branches)}"
            )
        condition = as_tensor_input(condition, "ifelse")
        if condition.type.ndim != 0:
            raise TypeError(f"ifelse: the condition must be a scalar, got {condition.type}")
        then_values = list(branches[: self.n_outs])
        else_values = list(branches[self.n_outs :])
        outputs = []
        for position, (then_value, else_value) in enumerate(
            zip(then_values, else_values, strict=True)
        ):
            then_type, else_type = then_value.type, else_value.type
            if not isinstance(then_type, TensorType) or not isinstance(else_type, TensorType):
                raise TypeError(
                    f"ifelse: branch values must be tensors, got {then_type} and {else_type}"
                )
            if then_type.dtype != else_type.dtype or then_type.ndim != else_type.ndim:
                raise TypeError(
                    f"ifelse: output {position} is {then_type} in the then-branch but {else_type} "
                    "in the else-branch; both branches must have the same dtype and ndim"
                )
            shape = [
                a if a == b else None for a, b in zip(then_type.shape, else_type.shape, strict=True)
            ]
            outputs.append(tensor_output(then_type.dtype, shape))
        return Apply(self, [condition, *then_values, *else_values], outputs)

    def _chosen(self, condition: Any) -> range:
        first = 1 if bool(condition) else 1 + self.n_outs
        return range(first, first + self.n_outs)

    def perform_lazy(
        self, node: Apply, compute_input: Callable[[int], Any], output_storage: OutputStorage
    ) -> None:
        for cell, position in zip(output_storage, self._chosen(compute_input(0)), strict=True):
            cell[0] = compute_input(position)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        """For linkers that compute every input first: the same choice, without laziness."""
        for cell, position in zip(output_storage, self._chosen(inputs[0]), strict=True):
            cell[0] = inputs[position]

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Sequence[Any]) -> list[Any]:
        then_shapes = input_shapes[1 : 1 + self.n_outs]
        else_shapes = input_shapes[1 + self.n_outs :]
        differing: list[tuple[Any, Any]] = []
        for then_shape, else_shape in zip(then_shapes, else_shapes, strict=True):
            for a, b in zip(then_shape, else_shape, strict=True):
                if not _same_entry(a, b):
                    differing.append((a, b))
        if not differing:
            return list(then_shapes)
        # Sizes that differ between the branches are chosen by the same condition, lazily.
        chosen = iter(
            ifelse(
                node.inputs[0],
                [entries.entry_variable(a) for a, _ in differing],
                [entries.entry_variable(b) for _, b in differing],
            )
        )
        return [
            tuple(
                a if _same_entry(a, b) else next(chosen)
                for a, b in zip(then_shape, else_shape, strict=True)
            )
            for then_shape, else_shape in zip(then_shapes, else_shapes, strict=True)
        ]


def _same_entry(a: Any, b: Any) -> bool:
    if a is b:
        return True
    known_a, known_b = entries.constant_int(a), entries.constant_int(b)
    return known_a is not None and known_a == known_b


def ifelse(
    condition: Any,
    then_branch: Any,
    else_branch: Any,
    name: str | None = None,
) -> Any:
    """``then_branch`` when the scalar ``condition`` is true at run time, else ``else_branch``.

    Branches are single values or lists of equal length; only the chosen one is computed.
    A Python number in one branch takes the dtype of the other branch.
    """
    single = not isinstance(then_branch, (list, tuple))
    then_values = [then_branch] if single else list(then_branch)
    else_values = [else_branch] if not isinstance(else_branch, (list, tuple)) else list(else_branch)
    if len(then_values) != len(else_values):
        raise ValueError(
            f"ifelse: the then-branch has {len(then_values)} values, "
            f"the else-branch {len(else_values)}"
        )
    pairs = [
        _pair(then_value, else_value)
        for then_value, else_value in zip(then_values, else_values, strict=True)
    ]
    outputs = IfElse(len(pairs))(condition, *(p[0] for p in pairs), *(p[1] for p in pairs))
    outputs = outputs if isinstance(outputs, list) else [outputs]
    if name is not None:
        for position, output in enumerate(outputs):
            output.name = name if len(outputs) == 1 else f"{name}[{position}]"
    return outputs[0] if single else outputs


def _pair(then_value: Any, else_value: Any) -> tuple[Variable, Variable]:
    """Both branch values as tensors; a plain value takes the dtype of a symbolic partner."""
    if isinstance(then_value, Variable) and not isinstance(else_value, Variable):
        return then_value, as_tensor(else_value, dtype=then_value.type.dtype)  # type: ignore[attr-defined]
    if isinstance(else_value, Variable) and not isinstance(then_value, Variable):
        return as_tensor(then_value, dtype=else_value.type.dtype), else_value  # type: ignore[attr-defined]
    return as_tensor(then_value), as_tensor(else_value)
