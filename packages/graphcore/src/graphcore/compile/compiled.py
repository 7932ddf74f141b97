"""``Function``: the callable ``function`` returns, and the slow path of every call.

The program runs the graph; a ``Function`` turns a Python call into the program's
positional arguments (keywords, defaults, filtering each value through its input's
type unless ``trust_input``), names the input when a value is wrong, and applies
shared-variable updates after the call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphcore.compile.io import In, Out
from graphcore.compile.modes import Mode
from graphcore.compile.program import Linker, Program
from graphcore.fgraph import FunctionGraph
from graphcore.graph.variable import SharedVariable


class FunctionMaker:
    """What made a compiled function: its rewritten graph, mode and linker."""

    def __init__(self, fgraph: FunctionGraph, mode: Mode, linker: Linker):
        self.fgraph = fgraph
        self.mode = mode
        self.linker = linker


class Function:
    """A compiled function. Call it positionally or by input name.

    It pickles as what made it (``recipe``: the ``function`` call's arguments, the
    graph with them); unpickling compiles again, which the compile cache makes cheap.
    Shared variables travel with it (as copies, with their values at pickling time), and
    so does the current state of inputs with an update (``In(update=...)``).
    """

    recipe: tuple[Callable[..., Function], dict[str, Any]] | None = None

    def __init__(
        self,
        declared_inputs: list[In],
        declared_outputs: list[Out],
        single: bool,
        update_targets: list[SharedVariable],
        program: Program,
        maker: FunctionMaker,
        name: str | None,
        trust_input: bool,
        allow_input_downcast: bool | None,
    ):
        self.maker = maker
        self.program = program
        self.name = name
        self.trust_input = trust_input
        self.inputs = declared_inputs
        self.outputs = declared_outputs
        self._single = single
        self._call = program.call
        self._n_args = len(declared_inputs)
        self._types = [item.variable.type for item in declared_inputs]
        self._downcast = [
            item.allow_downcast if item.allow_downcast is not None else allow_input_downcast
            for item in declared_inputs
        ]

        named = [item.name for item in declared_inputs if item.name]
        # A name two inputs share cannot be used as a keyword; positional calls still work.
        self._ambiguous = {name for name in named if named.count(name) > 1}
        self._names = {
            item.name: i
            for i, item in enumerate(declared_inputs)
            if item.name and item.name not in self._ambiguous
        }
        # Defaults and the state of inputs with an update, filtered once, here.
        self._values: dict[int, Any] = {
            i: self._filter(i, item.value)
            for i, item in enumerate(declared_inputs)
            if item.has_value
        }
        self._required = [i for i, item in enumerate(declared_inputs) if not item.has_value]
        n_out = len(declared_outputs)
        self._n_out = n_out
        self._update_containers = [target.container.storage for target in update_targets]
        self._first_update = n_out
        self._stateful_inputs = [
            i for i, item in enumerate(declared_inputs) if item.update is not None
        ]
        self._first_input_update = n_out + len(update_targets)
        self._has_updates = bool(update_targets) or bool(self._stateful_inputs)
        self._filtered = self._filter_all()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        values: Sequence[Any] = args
        if kwargs or len(args) != self._n_args:
            values = self._arguments(args, kwargs)
        elif not self.trust_input:
            values = self._filtered(args)
        outputs = self._call(values)
        if self._has_updates:
            self._apply_updates(outputs)
            outputs = outputs[: self._n_out]
        return outputs[0] if self._single else outputs

    def _filter_all(self) -> Callable[[Sequence[Any]], list[Any]]:
        """Every argument through its input's type, written out for this function: a
        value of the type's common Python type is converted directly, anything else
        goes through ``filter``; a bad value is named by ``_filter``."""
        n = self._n_args
        namespace: dict[str, Any] = {"rename": self._rename_failure}
        lines = ["def filtered(args):", "    try:"]
        # Arguments the program reads as Python floats too (Program.raw_floats): a float
        # passes as it is, unless the function may overwrite it.
        raw_floats: frozenset[int] = getattr(self.program, "raw_floats", frozenset())
        for k, (type_, downcast) in enumerate(zip(self._types, self._downcast, strict=True)):
            namespace[f"check{k}"], namespace[f"downcast{k}"] = type_.filter, downcast
            common = type_.common_value()
            # A Python int that does not fit may wrap when downcasting is allowed: filter it.
            if common is None or (downcast and common[0] is int):
                lines.append(f"        a{k} = check{k}(args[{k}], False, downcast{k})")
                continue
            if k in raw_floats and common[0] is float and not self.inputs[k].mutable:
                lines.append(
                    f"        v = args[{k}]\n"
                    f"        a{k} = v if type(v) is float else check{k}(v, False, downcast{k})"
                )
                continue
            namespace[f"kind{k}"], namespace[f"convert{k}"] = common
            lines.append(
                f"        v = args[{k}]\n"
                f"        a{k} = convert{k}(v) if type(v) is kind{k} else "
                f"check{k}(v, False, downcast{k})"
            )
        if n == 0:
            lines.append("        pass")
        lines += [
            "    except (TypeError, ValueError):",
            "        rename(args)",
            "        raise",
            f"    return [{', '.join(f'a{k}' for k in range(n))}]",
        ]
        exec(compile("\n".join(lines), "<graphcore argument filter>", "exec"), namespace)
        filtered: Callable[[Sequence[Any]], list[Any]] = namespace["filtered"]
        return filtered

    def _rename_failure(self, args: Sequence[Any]) -> None:
        """Filter the arguments one by one so that the bad one raises, naming its input."""
        for position, value in enumerate(args):
            self._filter(position, value)

    def _apply_updates(self, outputs: list[Any]) -> None:
        for k, container in enumerate(self._update_containers):
            container[0] = outputs[self._first_update + k]
        for k, position in enumerate(self._stateful_inputs):
            self._values[position] = outputs[self._first_input_update + k]

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

    def _arguments(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        """Positional argument values from a call by position and keyword, with defaults."""
        if len(args) > self._n_args:
            raise TypeError(
                f"{self.name or 'the compiled function'} takes {self._n_args} inputs, "
                f"got {len(args)}"
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
        values = []
        for position in range(self._n_args):
            if position in given:
                value = given[position]
                values.append(value if self.trust_input else self._filter(position, value))
            else:
                values.append(self._values[position])
        return values

    def __reduce__(self) -> tuple[Any, ...]:
        if self.recipe is None:
            raise TypeError(
                f"{self!r} cannot be pickled: it was not made by graphcore.function, so "
                "there is no recipe to compile it again from"
            )
        build, arguments = self.recipe
        states = {position: self._values[position] for position in self._stateful_inputs}
        return (_rebuilt, (build, arguments, states))

    def free(self) -> None:
        """Drop intermediate buffers kept for reuse between calls."""
        self.program.free()

    def __repr__(self) -> str:
        return f"<Function {self.name or ''} of {[str(i.variable) for i in self.inputs]}>"


def _rebuilt(
    build: Callable[..., Function],
    arguments: dict[str, Any],
    states: dict[int, Any] | None = None,
) -> Function:
    """A pickled function compiled again from its recipe, its stateful inputs (by
    position) set to the state they had when pickled rather than their declared value."""
    rebuilt = build(**arguments)
    for position, state in (states or {}).items():
        rebuilt._values[position] = state
    return rebuilt
