"""``function``: compile symbolic inputs and outputs into a Python callable."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from graphcore.compile.io import In, Out
from graphcore.compile.modes import Mode, get_mode, make_linker, rewrite_pipeline
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

    input_cells: list[list[Any]] = [
        [item.value if item.has_value else None] for item in declared_inputs
    ]
    input_cells += [var.container.storage for var in shared_inputs]
    linked = linker.link(fgraph, input_cells)
    return Function(
        declared_inputs=declared_inputs,
        declared_outputs=declared_outputs,
        single=single,
        update_targets=[shared for shared, _ in update_pairs],
        fgraph=fgraph,
        linked=linked,
        mode=chosen_mode,
        linker=linker,
        name=name,
        trust_input=trust_input,
        allow_input_downcast=allow_input_downcast,
    )


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


class FunctionMaker:
    """What made a compiled function: its rewritten graph, mode and linker."""

    def __init__(self, fgraph: FunctionGraph, mode: Mode, linker: Any):
        self.fgraph = fgraph
        self.mode = mode
        self.linker = linker


class Function:
    """A compiled function. Call it positionally or by input name."""

    def __init__(
        self,
        declared_inputs: list[In],
        declared_outputs: list[Out],
        single: bool,
        update_targets: list[SharedVariable],
        fgraph: FunctionGraph,
        linked: Any,
        mode: Mode,
        linker: Any,
        name: str | None,
        trust_input: bool,
        allow_input_downcast: bool | None,
    ):
        self.maker = FunctionMaker(fgraph, mode, linker)
        self.name = name
        self.trust_input = trust_input
        self.inputs = declared_inputs
        self.outputs = declared_outputs
        self._single = single
        self._run = linked.run
        self._linked = linked
        self._cells = linked.input_cells[: len(declared_inputs)]
        self._types = [item.variable.type for item in declared_inputs]

        named = [item.name for item in declared_inputs if item.name]
        # A name two inputs share cannot be used as a keyword; positional calls still work.
        self._ambiguous = {name for name in named if named.count(name) > 1}
        self._names = {
            item.name: i
            for i, item in enumerate(declared_inputs)
            if item.name and item.name not in self._ambiguous
        }
        self._defaults = [
            (i, item.value)
            for i, item in enumerate(declared_inputs)
            if item.has_value and item.update is None
        ]
        self._required = [i for i, item in enumerate(declared_inputs) if not item.has_value]
        self._downcast = [
            item.allow_downcast if item.allow_downcast is not None else allow_input_downcast
            for item in declared_inputs
        ]
        self._filters = [
            partial(type_.filter, allow_downcast=downcast)
            for type_, downcast in zip(self._types, self._downcast, strict=True)
        ]
        n_out = len(declared_outputs)
        cells = linked.output_cells
        self._output_cells = cells[:n_out]
        self._update_cells = cells[n_out : n_out + len(update_targets)]
        self._update_containers = [target.container.storage for target in update_targets]
        self._input_update_cells = cells[n_out + len(update_targets) :]
        self._stateful_inputs = [
            i for i, item in enumerate(declared_inputs) if item.update is not None
        ]
        graph_outputs = fgraph.outputs
        update_vars = set(graph_outputs[n_out:])
        # A variable listed twice among the outputs would come back as one array twice.
        self._copy_output = [
            not out.borrow
            and (_may_alias(graph_outputs[i], update_vars) or graph_outputs[i] in graph_outputs[:i])
            for i, out in enumerate(declared_outputs)
        ]
        # An update whose value is a view or another root would leave the shared value
        # aliasing a buffer that ops reuse next call: such values are copied.
        self._copy_update = [
            _may_alias(var, set()) for var in graph_outputs[n_out : n_out + len(update_targets)]
        ]
        self._any_copy = any(self._copy_output)
        self._has_updates = bool(update_targets) or bool(self._stateful_inputs)
        self._clear_after_call = [
            cell for cell, var in zip(cells, graph_outputs, strict=True) if var.owner is not None
        ]
        # An output computed in place holds the buffer of the variable it overwrote; that
        # variable's cell must not hand the buffer back to its op for reuse next call.
        self._clear_after_call += [
            linked.storage[var] for var in _overwritten_by(graph_outputs) if var in linked.storage
        ]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        cells = self._cells
        if kwargs or len(args) != len(cells):
            self._place_arguments(args, kwargs)
        elif self.trust_input:
            for cell, value in zip(cells, args):  # noqa: B905 - lengths checked above
                cell[0] = value
        else:
            try:
                for cell, check, value in zip(cells, self._filters, args):  # noqa: B905
                    cell[0] = check(value)
            except (TypeError, ValueError):
                for position, value in enumerate(args):
                    self._filter(position, value)  # raises again, naming the input
                raise
        self._run()
        if self._any_copy:
            outputs = [
                _copy_value(cell[0]) if needs_copy else cell[0]
                for cell, needs_copy in zip(self._output_cells, self._copy_output, strict=True)
            ]
        else:
            outputs = [cell[0] for cell in self._output_cells]
        if self._has_updates:
            self._apply_updates()
        for cell in self._clear_after_call:
            cell[0] = None
        return outputs[0] if self._single else outputs

    def _apply_updates(self) -> None:
        for container, cell, needs_copy in zip(
            self._update_containers, self._update_cells, self._copy_update, strict=True
        ):
            container[0] = _copy_value(cell[0]) if needs_copy else cell[0]
        for position, cell in zip(self._stateful_inputs, self._input_update_cells, strict=True):
            self._cells[position][0] = cell[0]

    def _filter(self, position: int, value: Any) -> Any:
        try:
            return self._types[position].filter(value, allow_downcast=self._downcast[position])
        except (TypeError, ValueError) as error:
            item = self.inputs[position]
            label = f"{item.name!r}" if item.name else f"{item.variable}"
            raise type(error)(
                f"bad value for input {label} (argument {position}) of "
                f"{self.name or 'the compiled function'}: {error}"
            ) from None

    def _place_arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        cells = self._cells
        if len(args) > len(cells):
            raise TypeError(
                f"{self.name or 'the compiled function'} takes {len(cells)} inputs, got {len(args)}"
            )
        given = dict(enumerate(args))
        for key, value in kwargs.items():
            if key in self._ambiguous:
                raise TypeError(
                    f"two inputs of {self.name or 'the compiled function'} are named {key!r}; "
                    "pass them by position (or give them distinct names with In(name=...))"
                )
            if key not in self._names:
                raise TypeError(
                    f"{self.name or 'the compiled function'} has no input named {key!r}; "
                    f"its named inputs are {sorted(self._names)}"
                )
            position = self._names[key]
            if position in given:
                raise TypeError(f"the input {key!r} is given both by position and by name")
            given[position] = value
        missing = [i for i in self._required if i not in given]
        if missing:
            names = [str(self.inputs[i].name or self.inputs[i].variable) for i in missing]
            raise TypeError(f"missing value for the input(s) {names} of the compiled function")
        for position, default in self._defaults:
            if position not in given:
                cells[position][0] = default
        for position, value in given.items():
            cells[position][0] = value if self.trust_input else self._filter(position, value)

    def free(self) -> None:
        """Drop intermediate buffers kept for reuse between calls."""
        for var, cell in self._linked.storage.items():
            if var.owner is not None:
                cell[0] = None

    def __repr__(self) -> str:
        return f"<Function {self.name or ''} of {[str(i.variable) for i in self.inputs]}>"


def _may_alias(var: Variable, update_vars: set[Variable]) -> bool:
    """Whether returning this output's cell could hand out state the function keeps."""
    if var.owner is None or var in update_vars:
        return True
    return var.index in var.owner.op.view_map


def _overwritten_by(outputs: list[Variable]) -> list[Variable]:
    """Computed variables whose buffer an output may be because an op overwrote it in place
    (directly, or through views); a plain view as output is copied on return instead."""
    found: list[Variable] = []
    stack = [(var, False) for var in outputs]
    seen: set[tuple[Variable, bool]] = set()
    while stack:
        var, overwritten = stack.pop()
        node = var.owner
        if node is None or (var, overwritten) in seen:
            continue
        seen.add((var, overwritten))
        if overwritten:
            found.append(var)
        op, index = node.op, var.index or 0
        for position in op.destroy_map.get(index, ()):
            stack.append((node.inputs[position], True))
        for position in op.view_map.get(index, ()):
            stack.append((node.inputs[position], overwritten))
    return found


def _copy_value(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    return copy.deepcopy(value)
