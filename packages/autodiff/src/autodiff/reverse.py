"""Reverse mode: ``grad`` and ``Lop`` walk the graph once, from the cost back to ``wrt``.

Only nodes on a path from a ``wrt`` variable to the cost are differentiated, each
once, so the gradient graph grows linearly with the graph. Integer and boolean
variables carry no gradient (they are disconnected, as in PyTensor).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, cast

from autodiff.errors import (
    DisconnectedInputError,
    GradientUndefinedError,
    MissingGradientRuleError,
)
from autodiff.registry import UndefinedGrad, gradient_rule
from graphcore import Apply, Variable, io_toposort

if TYPE_CHECKING:
    from tensorops import TensorVariable

DisconnectedPolicy = Literal["raise", "warn", "ignore"]


def _pt() -> Any:
    import tensorops

    return tensorops


def as_tensor_typed(var: Variable) -> TensorVariable:
    """``var`` (no conversion, no check) typed as the tensor it is here: gradients are
    taken of tensors, with respect to tensors."""
    return cast("TensorVariable", var)


def is_discrete(var: Variable) -> bool:
    dtype = getattr(var.type, "dtype", "float64")
    return not (str(dtype).startswith("float") or str(dtype).startswith("complex"))


def grad(
    cost: Variable | None,
    wrt: Variable | Sequence[Variable],
    consider_constant: Iterable[Variable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
    known_grads: Mapping[Variable, Any] | None = None,
    return_disconnected: Literal["zero", "None"] = "zero",
    null_gradients: Literal["raise", "return"] = "raise",
) -> Any:
    """d cost / d wrt, symbolically; a list when ``wrt`` is a list.

    ``cost`` must be a float scalar (or None, with ``known_grads`` giving the
    gradients of intermediate variables). ``consider_constant`` variables pass no
    gradient to what they are computed from.
    """
    pt = _pt()
    single = isinstance(wrt, Variable)
    targets = [wrt] if isinstance(wrt, Variable) else list(wrt)
    for position, target in enumerate(targets):
        if not isinstance(target, Variable):
            raise TypeError(f"grad: wrt[{position}] must be a symbolic variable, got {target!r}")
    seeds: dict[Variable, TensorVariable] = {}
    if cost is not None:
        scalar_cost: TensorVariable = pt.as_tensor(cost)
        if scalar_cost.ndim != 0:
            raise TypeError(
                f"grad: the cost must be a scalar, got {scalar_cost} with {scalar_cost.ndim} "
                "dimensions; sum it, or use jacobian / Lop for non-scalar outputs"
            )
        if is_discrete(scalar_cost):
            raise TypeError(f"grad: the cost must be a float, got dtype {scalar_cost.dtype}")
        seeds[scalar_cost] = pt.ones_like(scalar_cost)
    for var, value in (known_grads or {}).items():
        given: TensorVariable = pt.as_tensor(value)
        known = as_tensor_typed(var)
        if given.ndim != known.ndim:
            raise ValueError(
                f"grad: the known gradient of {var} has {given.ndim} dimensions, "
                f"but {var} has {known.ndim}"
            )
        seeds[var] = given if given.dtype == known.dtype else pt.cast(given, known.dtype)
    if not seeds:
        raise ValueError("grad: give a cost or known_grads")

    found = backpropagate(seeds, targets, set(consider_constant or ()), null_gradients)
    results = []
    for target in targets:
        result = found.get(target)
        if result is None:
            result = _disconnected(target, disconnected_inputs, return_disconnected)
        results.append(result)
    return results[0] if single else results


def _disconnected(target: Variable, policy: str, returned: str) -> TensorVariable | None:
    pt = _pt()
    if not is_discrete(target):
        message = (
            f"grad: the cost does not depend on {target} (type {target.type}); pass "
            "disconnected_inputs='warn' or 'ignore' to get a zero gradient"
        )
        if policy == "raise":
            raise DisconnectedInputError(message)
        if policy == "warn":
            warnings.warn(message, stacklevel=3)
        elif policy != "ignore":
            raise ValueError(f"disconnected_inputs must be raise, warn or ignore, got {policy!r}")
    if returned == "None":
        return None
    # Integer inputs get a float zero gradient, as in PyTensor.
    dtype = as_tensor_typed(target).dtype if not is_discrete(target) else pt.config.floatX
    return pt.zeros_like(target, dtype=dtype)


def Lop(
    f: Variable | Sequence[Variable],
    wrt: Variable | Sequence[Variable],
    eval_points: Variable | Sequence[Variable],
    consider_constant: Iterable[Variable] | None = None,
    disconnected_inputs: DisconnectedPolicy = "raise",
) -> Any:
    """The vector-Jacobian product ``eval_points · d f / d wrt`` (reverse mode)."""
    outputs = [f] if isinstance(f, Variable) else list(f)
    points = [eval_points] if isinstance(eval_points, Variable) else list(eval_points)
    if len(outputs) != len(points):
        raise ValueError(f"Lop: {len(outputs)} outputs but {len(points)} eval_points")
    return grad(
        None,
        wrt,
        consider_constant=consider_constant,
        disconnected_inputs=disconnected_inputs,
        known_grads=dict(zip(outputs, points, strict=True)),
    )


def backpropagate(
    seeds: Mapping[Variable, TensorVariable],
    targets: Sequence[Variable],
    blocked: set[Variable],
    null_gradients: str = "raise",
) -> dict[Variable, TensorVariable]:
    """Gradients of the seeded variables' cost with respect to every connected variable."""
    order = io_toposort([], list(seeds))
    connected = _connected_to(targets, order, blocked)
    pending: dict[Variable, list[TensorVariable]] = {}
    for var, seed in seeds.items():
        if var in connected:
            pending.setdefault(var, []).append(seed)
    totals: dict[Variable, TensorVariable] = {}

    def total(var: Variable) -> TensorVariable | None:
        if var not in totals and var in pending:
            totals[var] = _sum(pending.pop(var))
        return totals.get(var)

    for node in reversed(order):
        if not any(inp in connected for inp in node.inputs):
            continue
        output_grads = [total(out) for out in node.outputs]
        if all(g is None for g in output_grads):
            continue
        pt = _pt()
        # Disconnected tensor outputs get zeros; other outputs (a random generator) get None.
        filled = [
            g if g is not None else (pt.zeros_like(out) if _is_tensor(out) else None)
            for out, g in zip(node.outputs, output_grads, strict=True)
        ]
        input_grads = _apply_rule(node, filled)
        for position, (inp, entry) in enumerate(zip(node.inputs, input_grads, strict=True)):
            if inp not in connected or inp in blocked or entry is None or is_discrete(inp):
                continue
            if isinstance(entry, UndefinedGrad):
                if null_gradients == "raise":
                    raise GradientUndefinedError(
                        f"the gradient of {entry.op} (built at {node.location()}) with respect "
                        f"to its input {position} ({inp}) is undefined: {entry.reason}"
                    )
                continue
            pending.setdefault(inp, []).append(_conform(entry, inp, node, position))
    for target in targets:
        total(target)
    return totals


def _is_tensor(var: Variable) -> bool:
    from tensorops import TensorType

    return isinstance(var.type, TensorType)


def _connected_to(
    targets: Sequence[Variable], order: list[Apply], blocked: set[Variable]
) -> set[Variable]:
    """Variables computed from a target (targets included), not through a blocked one."""
    connected = {t for t in targets if t not in blocked}
    for node in order:
        if any(inp in connected for inp in node.inputs):
            connected.update(out for out in node.outputs if out not in blocked)
    return connected


def _apply_rule(node: Apply, output_grads: list[Any]) -> Sequence[Any]:
    rule = gradient_rule(node.op)
    if rule is None:
        raise MissingGradientRuleError(
            f"{node.op} (built at {node.location()}) has no gradient rule; register one with "
            "autodiff.register_gradient, or stop the gradient with disconnected_grad"
        )
    input_grads = list(rule(node, output_grads))
    if len(input_grads) != len(node.inputs):
        raise ValueError(
            f"the gradient rule of {node.op} returned {len(input_grads)} gradients "
            f"for {len(node.inputs)} inputs"
        )
    return input_grads


def _conform(gradient: Any, inp: Variable, node: Apply, position: int) -> TensorVariable:
    """The gradient as a variable of the input's dtype and rank."""
    pt = _pt()
    result: TensorVariable = pt.as_tensor(gradient)
    tensor = as_tensor_typed(inp)
    if result.ndim != tensor.ndim:
        raise ValueError(
            f"the gradient rule of {node.op} gave input {position} ({inp}, ndim {tensor.ndim}) "
            f"a gradient with ndim {result.ndim}"
        )
    return result if result.dtype == tensor.dtype else pt.cast(result, tensor.dtype)


def _sum(terms: list[TensorVariable]) -> TensorVariable:
    """Add gradient contributions pairwise (a balanced tree, not a long chain)."""
    while len(terms) > 1:
        terms = [
            terms[i] + terms[i + 1] if i + 1 < len(terms) else terms[i]
            for i in range(0, len(terms), 2)
        ]
    return terms[0]
