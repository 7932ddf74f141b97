"""Pattern rewriters: ``(log, (add, 1, "x")) -> (log1p, "x")`` as data.

Input patterns:
- ``(op, *args)``: a variable computed by ``op`` from inputs matching ``args``; ``op``
  is an op instance (compared with ``==``), an Op subclass, or a predicate on the op;
- ``"x"``: any variable, bound to the name; a name used twice must bind one variable;
- a number: a Constant equal to it everywhere (any shape, so broadcast constants match);
- a Constant (equal value and type) or a Variable (that very variable);
- an op instance or class alone: any output of such an op, whatever its inputs;
- a predicate ``f(var) -> bool``;
- ``{"pattern": p, "constraint": f}``: ``p``, where ``f(var)`` also holds.

Output patterns: ``(op, *args)`` applies the op (or any callable building a
variable) to the built ``args``; ``"x"`` is the bound variable; a number becomes a
constant through ``make_constant(value, like)``, ``like`` being the first
non-number argument beside it (or the variable replaced); a callable
``f(fgraph, bindings)`` builds the variable itself, or returns None to decline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from numbers import Number
from typing import Any, TypeAlias

import numpy as np

from graphcore import Apply, Constant, FunctionGraph, Op, Variable
from rewriter.engine.node_rewriter import NodeRewriter, Replacement

Bindings: TypeAlias = Mapping[str, Variable]
MakeConstant: TypeAlias = Callable[[Any, Variable], Variable]


def constant_like(value: Any, like: Variable) -> Variable:
    """The default way an output pattern turns a number into a constant."""
    return like.type.make_constant(value)


def _is_number(pattern: Any) -> bool:
    return isinstance(pattern, (Number, np.number))


def _is_op_spec(pattern: Any) -> bool:
    return isinstance(pattern, Op) or (isinstance(pattern, type) and issubclass(pattern, Op))


def _op_matches(spec: Any, op: Op) -> bool:
    if isinstance(spec, Op):
        return bool(op == spec)
    if isinstance(spec, type):
        return isinstance(op, spec)
    return bool(spec(op))


def equals_everywhere(var: Variable, number: Any) -> bool:
    """Whether ``var`` is a non-empty numeric Constant whose every element equals ``number``."""
    if not isinstance(var, Constant):
        return False
    if isinstance(var.data, (float, int)):  # the common scalar case, without NumPy's overhead
        return bool(var.data == number)
    data = np.asarray(var.data)
    if data.size == 0 or data.dtype.kind not in "biufc":
        return False
    return bool(np.all(data == number))


def pattern_depth(pattern: Any) -> int:
    """How many levels of nodes a pattern inspects (the root node is level 1)."""
    if isinstance(pattern, dict):
        return pattern_depth(pattern["pattern"])
    if isinstance(pattern, tuple):
        return 1 + max((pattern_depth(arg) for arg in pattern[1:]), default=0)
    return 1 if _is_op_spec(pattern) else 0


def pattern_names(pattern: Any) -> set[str]:
    """The variable names a pattern binds or uses."""
    if isinstance(pattern, str):
        return {pattern}
    if isinstance(pattern, dict):
        return pattern_names(pattern["pattern"])
    if isinstance(pattern, tuple):
        return set().union(*(pattern_names(arg) for arg in pattern[1:]))
    return set()


def check_pattern(pattern: Any, output: bool) -> None:
    """Refuse, with the culprit named, what a pattern cannot contain."""
    if isinstance(pattern, dict) and not output:
        if set(pattern) != {"pattern", "constraint"} or not callable(pattern["constraint"]):
            raise TypeError(
                f"a constrained pattern is {{'pattern': p, 'constraint': f}}, not {pattern}"
            )
        check_pattern(pattern["pattern"], output)
    elif isinstance(pattern, tuple):
        if not pattern:
            raise TypeError("a node pattern needs an op: (op, *args)")
        head = pattern[0]
        if output and (isinstance(head, type) or not callable(head)):
            raise TypeError(f"an output pattern applies an op instance or a function, not {head!r}")
        if not output and not callable(head):
            raise TypeError(
                f"a node pattern starts with an op, Op class or predicate, not {head!r}"
            )
        for arg in pattern[1:]:
            check_pattern(arg, output)
    elif not (
        isinstance(pattern, (str, Variable))
        or _is_number(pattern)
        or (callable(pattern) and not (output and _is_op_spec(pattern)))
    ):
        side = "an output" if output else "an input"
        raise TypeError(f"{pattern!r} cannot appear in {side} pattern")


def show_pattern(pattern: Any) -> str:
    if isinstance(pattern, tuple):
        return "(" + ", ".join(show_pattern(part) for part in pattern) + ")"
    if isinstance(pattern, dict):
        return show_pattern(pattern["pattern"]) + "{constrained}"
    if isinstance(pattern, type):
        return pattern.__name__
    if callable(pattern) and not isinstance(pattern, Op):
        return getattr(pattern, "__name__", "<predicate>")
    return str(pattern)


class PatternNodeRewriter(NodeRewriter):
    """Replaces what ``in_pattern`` matches by what ``out_pattern`` builds.

    Inner nodes of a match must have no other reader unless
    ``allow_multiple_clients``: rewriting them would compute them twice.
    ``constraints`` maps bound names to predicates on their variables;
    ``condition(fgraph, bindings)`` checks the match as a whole. Binary ops in
    ``commutative`` also match with their two inputs swapped. A built
    replacement whose type differs from the variable's (a broadcast that would
    change a shape, say) is declined, not forced.
    """

    def __init__(
        self,
        in_pattern: Any,
        out_pattern: Any,
        allow_multiple_clients: bool = False,
        constraints: Mapping[str, Callable[[Variable], bool]] | None = None,
        condition: Callable[[FunctionGraph, Bindings], bool] | None = None,
        commutative: Iterable[Op] = (),
        make_constant: MakeConstant = constant_like,
        name: str | None = None,
    ):
        check_pattern(in_pattern, output=False)
        check_pattern(out_pattern, output=True)
        root = in_pattern["pattern"] if isinstance(in_pattern, dict) else in_pattern
        if not isinstance(root, tuple) or not root:
            raise TypeError(f"an input pattern must be a tuple (op, *args), got {in_pattern!r}")
        head = root[0]
        tracks = [head] if _is_op_spec(head) else None
        super().__init__(
            tracks,
            name or f"{show_pattern(in_pattern)} -> {show_pattern(out_pattern)}",
            depth=pattern_depth(in_pattern),
        )
        self.in_pattern = in_pattern
        self.out_pattern = out_pattern
        self.allow_multiple_clients = allow_multiple_clients
        self.constraints = dict(constraints or {})
        self.condition = condition
        self.commutative = tuple(commutative)
        self.make_constant = make_constant
        bound = pattern_names(in_pattern)
        unbound = (pattern_names(out_pattern) | set(self.constraints)) - bound
        if unbound:
            raise ValueError(
                f"{self.name}: {sorted(unbound)} must be bound by the input pattern "
                f"{show_pattern(in_pattern)}"
            )

    # ---- matching ------------------------------------------------------------------------

    def match(self, fgraph: FunctionGraph, var: Variable) -> Iterator[dict[str, Variable]]:
        """Every way ``in_pattern`` matches ``var`` (several only through commutative ops)."""
        for bindings in self._match(fgraph, self.in_pattern, var, {}, root=True):
            if not all(check(bindings[name]) for name, check in self.constraints.items()):
                continue
            if self.condition is None or self.condition(fgraph, bindings):
                yield bindings

    def _match(
        self,
        fgraph: FunctionGraph,
        pattern: Any,
        var: Variable,
        bindings: dict[str, Variable],
        root: bool = False,
    ) -> Iterator[dict[str, Variable]]:
        if isinstance(pattern, str):
            bound = bindings.get(pattern)
            if bound is None:
                yield {**bindings, pattern: var}
            elif bound is var:
                yield bindings
        elif isinstance(pattern, tuple):
            yield from self._match_node(fgraph, pattern, var, bindings, root)
        elif isinstance(pattern, dict):
            for found in self._match(fgraph, pattern["pattern"], var, bindings, root):
                if pattern["constraint"](var):
                    yield found
        elif _is_number(pattern):
            if equals_everywhere(var, pattern):
                yield bindings
        elif isinstance(pattern, Constant):
            if isinstance(var, Constant) and var.signature() == pattern.signature():
                yield bindings
        elif isinstance(pattern, Variable):
            if var is pattern:
                yield bindings
        elif _is_op_spec(pattern):
            if var.owner is not None and _op_matches(pattern, var.owner.op):
                yield bindings
        elif callable(pattern):
            if pattern(var):
                yield bindings
        else:
            raise TypeError(f"{self.name}: cannot match with the pattern {pattern!r}")

    def _match_node(
        self,
        fgraph: FunctionGraph,
        pattern: tuple[Any, ...],
        var: Variable,
        bindings: dict[str, Variable],
        root: bool,
    ) -> Iterator[dict[str, Variable]]:
        node = var.owner
        head, args = pattern[0], pattern[1:]
        if node is None or len(args) != len(node.inputs) or not _op_matches(head, node.op):
            return
        if not root and not self.allow_multiple_clients and len(fgraph.clients[var]) > 1:
            return
        yield from self._match_all(fgraph, args, node.inputs, bindings)
        if len(args) == 2 and any(node.op == op for op in self.commutative):
            yield from self._match_all(fgraph, args, node.inputs[::-1], bindings)

    def _match_all(
        self,
        fgraph: FunctionGraph,
        patterns: tuple[Any, ...],
        variables: list[Variable],
        bindings: dict[str, Variable],
    ) -> Iterator[dict[str, Variable]]:
        if not patterns:
            yield bindings
            return
        for found in self._match(fgraph, patterns[0], variables[0], bindings):
            yield from self._match_all(fgraph, patterns[1:], variables[1:], found)

    # ---- building ------------------------------------------------------------------------

    def build(
        self, fgraph: FunctionGraph, pattern: Any, bindings: Bindings, like: Variable
    ) -> Variable | None:
        """The variable ``pattern`` describes, with names taken from ``bindings``."""
        if isinstance(pattern, str):
            return bindings[pattern]
        if isinstance(pattern, Variable):
            return pattern
        if _is_number(pattern):
            return self.make_constant(pattern, like)
        if isinstance(pattern, tuple):
            head, args = pattern[0], pattern[1:]
            built: list[Variable | None] = [
                None if _is_number(arg) else self.build(fgraph, arg, bindings, like) for arg in args
            ]
            pairs = list(zip(built, args, strict=True))
            if any(arg is None and not _is_number(spec) for arg, spec in pairs):
                return None  # a callable inside declined
            sibling = next((arg for arg in built if arg is not None), like)
            ready = [
                self.make_constant(spec, sibling) if arg is None else arg for arg, spec in pairs
            ]
            result = head(*ready)
            if not isinstance(result, Variable):
                raise TypeError(
                    f"{self.name}: {show_pattern(head)} built {result!r}, not one variable"
                )
            return result
        if callable(pattern):
            result = pattern(fgraph, bindings)
            return result if isinstance(result, Variable) else None
        raise TypeError(f"{self.name}: cannot build the output pattern {pattern!r}")

    def transform(self, fgraph: FunctionGraph, node: Apply) -> Replacement:
        root = node.outputs[node.op.default_output or 0]
        for bindings in self.match(fgraph, root):
            new = self.build(fgraph, self.out_pattern, bindings, root)
            if new is not None and root.type.convert_variable(new) is not None:
                return {root: new}
        return None
