"""``function``: compile symbolic inputs and outputs into a Python callable."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphcore.compile.compiled import Function, FunctionMaker
from graphcore.compile.io import In, Out
from graphcore.compile.linkers import make_linker
from graphcore.compile.modes import Mode, get_mode, rewrite_pipeline
from graphcore.compile.program import CallLayout
from graphcore.config import config
from graphcore.fgraph import FunctionGraph
from graphcore.graph.traversal import ancestors, clone_replace
from graphcore.graph.variable import Constant, Variable
from graphcore.shared import SharedVariable


class UnusedInputError(ValueError):
    """An explicit input that the outputs do not depend on."""


UpdatePairs = Mapping[SharedVariable, Any] | Iterable[tuple[SharedVariable, Any]]
GivenPairs = Mapping[Variable, Any] | Iterable[tuple[Variable, Any]]


def _pairs(value: UpdatePairs | GivenPairs | None, what: str) -> list[tuple[Any, Any]]:
    if value is None:
        return []
    items = value.items() if isinstance(value, Mapping) else value
    pairs = []
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise TypeError(
                f"function: each of {what} must be a (variable, expression) pair, got {item!r}"
            )
        pairs.append((item[0], item[1]))
    return pairs


def _as_expression(target: Variable, value: Any, what: str) -> Variable:
    """``value`` as a variable of ``target``'s type, or a clear error naming both."""
    if not isinstance(value, Variable):
        try:
            return target.type.make_constant(value)
        except (TypeError, ValueError) as error:
            raise TypeError(
                f"function: the {what} of {target} is not a valid {target.type}: {error}"
            ) from None
    converted = target.type.convert_variable(value)
    if converted is None:
        raise TypeError(
            f"function: the {what} of {target} has type {value.type}, but {target} has type "
            f"{target.type}; they must match (cast the expression if needed)"
        )
    return converted


def _normalize_inputs(inputs: Sequence[Variable | In]) -> list[In]:
    if isinstance(inputs, (Variable, In)) or not isinstance(inputs, (list, tuple)):
        raise TypeError(f"function: inputs must be a list of variables, got {inputs!r}")
    declared = [item if isinstance(item, In) else In(item) for item in inputs]
    seen: set[Variable] = set()
    for position, item in enumerate(declared):
        var = item.variable
        if var in seen:
            raise ValueError(f"function: the input {var} (position {position}) is given twice")
        seen.add(var)
        if isinstance(var, Constant):
            raise TypeError(
                f"function: the input at position {position} is the constant {var}; "
                "constants cannot be inputs"
            )
        if isinstance(var, SharedVariable):
            raise TypeError(
                f"function: the shared variable {var} cannot be an explicit input (its value "
                "is already known); use givens to substitute a non-shared variable for it"
            )
    return declared


def _normalize_outputs(outputs: Any) -> tuple[list[Out], bool]:
    """The outputs as ``Out`` objects, and whether the function returns a single value."""
    if outputs is None:
        return [], False
    single = isinstance(outputs, (Variable, Out))
    if not single and not isinstance(outputs, (list, tuple)):
        raise TypeError(
            "function: outputs must be a symbolic variable or a list of them, got "
            f"{outputs!r} of type {type(outputs).__name__}"
        )
    items = [outputs] if single else list(outputs)
    declared = []
    for position, item in enumerate(items):
        out = item if isinstance(item, Out) else Out(item)
        if not isinstance(out.variable, Variable):
            raise TypeError(
                f"function: output {position} must be a symbolic variable, got {out.variable!r}"
            )
        declared.append(out)
    return declared, single


def function(
    inputs: Sequence[Variable | In],
    outputs: Any = None,
    mode: str | Mode | None = None,
    updates: UpdatePairs | None = None,
    givens: GivenPairs | None = None,
    no_default_updates: bool | Sequence[SharedVariable] = False,
    on_unused_input: str | None = None,
    name: str | None = None,
    trust_input: bool = False,
    allow_input_downcast: bool | None = None,
) -> Function:
    """Compile a callable computing ``outputs`` from ``inputs``.

    ``outputs`` is a variable (the call returns one value) or a list (a list).
    ``updates`` are ``(shared, expression)`` pairs applied after each call;
    ``givens`` substitute variables before compiling.
    """
    # Pairs as lists: they are read again when a pickled function is rebuilt.
    updates = _pairs(updates, "updates") if not isinstance(updates, (Variable, str)) else updates
    givens = _pairs(givens, "givens")
    recipe = {
        "inputs": list(inputs) if isinstance(inputs, (list, tuple)) else inputs,
        "outputs": outputs,
        "mode": mode,
        "updates": updates,
        "givens": givens,
        "no_default_updates": no_default_updates,
        "on_unused_input": on_unused_input,
        "name": name,
        "trust_input": trust_input,
        "allow_input_downcast": allow_input_downcast,
    }
    declared_inputs = _normalize_inputs(inputs)
    declared_outputs, single = _normalize_outputs(outputs)
    update_pairs = _collect_updates(updates)
    given_pairs = [
        (var, _as_expression(var, value, "given value")) for var, value in _pairs(givens, "givens")
    ]

    output_vars = [out.variable for out in declared_outputs]
    update_exprs = [expr for _, expr in update_pairs]
    input_updates = [item.update for item in declared_inputs if item.update is not None]
    if given_pairs:
        expressions: list[Variable] = [*output_vars, *update_exprs, *input_updates]
        replaced = list(clone_replace(expressions, dict(given_pairs)))
        output_vars = replaced[: len(output_vars)]
        update_exprs = replaced[len(output_vars) : len(output_vars) + len(update_exprs)]
        input_updates = replaced[len(output_vars) + len(update_exprs) :]
        update_pairs = list(zip([s for s, _ in update_pairs], update_exprs, strict=True))

    explicit = [item.variable for item in declared_inputs]
    update_pairs += _default_updates(
        [*output_vars, *update_exprs, *input_updates], explicit, update_pairs, no_default_updates
    )
    update_exprs = [expr for _, expr in update_pairs]
    everything = [*output_vars, *update_exprs, *input_updates]

    used = set(ancestors(everything, blockers=explicit))
    _check_unused(declared_inputs, used, on_unused_input or config.on_unused_input)
    shared_inputs = [v for v in used if isinstance(v, SharedVariable) and v not in explicit]
    shared_inputs.sort(key=lambda v: v.auto_name)

    fgraph = FunctionGraph([*explicit, *shared_inputs], everything)
    fgraph.mutable_inputs = {
        fgraph.inputs[i] for i, item in enumerate(declared_inputs) if item.mutable
    }
    # Which outputs are the next values of which shared inputs: a rewrite may let an op
    # overwrite a shared value that the call replaces anyway (a random generator).
    shared_position = {var: len(explicit) + i for i, var in enumerate(shared_inputs)}
    fgraph.update_mapping = {
        len(output_vars) + k: shared_position[target]
        for k, (target, _) in enumerate(update_pairs)
        if target in shared_position
    }
    chosen_mode = get_mode(mode)
    rewrite_pipeline(chosen_mode.optimizer)(fgraph)
    linker = make_linker(chosen_mode.linker)
    borrow = [out.borrow for out in declared_outputs] + [False] * (
        len(everything) - len(output_vars)
    )
    layout = CallLayout(
        input_cells=(
            *([None] for _ in declared_inputs),
            *(var.container.storage for var in shared_inputs),
        ),
        n_args=len(declared_inputs),
        borrow=tuple(borrow),
    )
    compiled = Function(
        declared_inputs=declared_inputs,
        declared_outputs=declared_outputs,
        single=single,
        update_targets=[shared for shared, _ in update_pairs],
        program=linker.link(fgraph, layout),
        maker=FunctionMaker(fgraph, chosen_mode, linker),
        name=name,
        trust_input=trust_input,
        allow_input_downcast=allow_input_downcast,
    )
    compiled.recipe = (function, recipe)
    return compiled


def _collect_updates(updates: UpdatePairs | None) -> list[tuple[SharedVariable, Variable]]:
    if isinstance(updates, (Variable, str)):
        raise TypeError(f"function: updates must be pairs (shared, expression), got {updates!r}")
    pairs = []
    seen: set[Variable] = set()
    for target, value in _pairs(updates, "updates"):
        if not isinstance(target, SharedVariable):
            raise TypeError(
                f"function: updates can only change shared variables, but {target} "
                f"({type(target).__name__}) is not one; make it with shared(value)"
            )
        if target in seen:
            raise ValueError(f"function: the shared variable {target} is updated twice")
        seen.add(target)
        pairs.append((target, _as_expression(target, value, "update")))
    return pairs


def _default_updates(
    expressions: list[Variable],
    explicit: list[Variable],
    update_pairs: list[tuple[SharedVariable, Variable]],
    no_default_updates: bool | Sequence[SharedVariable],
) -> list[tuple[SharedVariable, Variable]]:
    """Updates that shared variables ask for themselves (a random stream's next state)."""
    if no_default_updates is True:
        return []
    skipped = set(no_default_updates or ())
    updated = {target for target, _ in update_pairs}
    extra = []
    for var in ancestors(expressions, blockers=explicit):
        if (
            isinstance(var, SharedVariable)
            and var.default_update is not None
            and var not in updated
            and var not in skipped
        ):
            extra.append((var, _as_expression(var, var.default_update, "default update")))
            updated.add(var)
    return extra


def _check_unused(declared_inputs: list[In], used: set[Variable], policy: str) -> None:
    for position, item in enumerate(declared_inputs):
        if item.variable in used or policy == "ignore":
            continue
        message = (
            f"function: the input {item.variable} (position {position}) is not used to compute "
            "the outputs; pass on_unused_input='warn' or 'ignore' to allow it"
        )
        if policy == "raise":
            raise UnusedInputError(message)
        if policy == "warn":
            warnings.warn(message, stacklevel=3)
        else:
            raise ValueError(f"on_unused_input must be 'raise', 'warn' or 'ignore', got {policy!r}")
