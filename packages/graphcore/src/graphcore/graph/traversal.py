"""Walking, sorting, cloning and comparing graphs. Every walk is iterative (no recursion
limit on deep graphs) and visits each node once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import overload

from graphcore.graph.apply import Apply
from graphcore.graph.variable import Constant, SharedVariable, Variable


def _as_list(outputs: Variable | Iterable[Variable]) -> list[Variable]:
    return [outputs] if isinstance(outputs, Variable) else list(outputs)


def ancestors(
    graphs: Variable | Iterable[Variable], blockers: Iterable[Variable] | None = None
) -> Iterator[Variable]:
    """Every variable the graphs depend on (the graphs included), graphs first."""
    blocked = set(blockers or ())
    seen: set[Variable] = set()
    stack = list(reversed(_as_list(graphs)))
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        yield var
        if var.owner is not None and var not in blocked:
            stack.extend(reversed(var.owner.inputs))


def graph_inputs(
    graphs: Variable | Iterable[Variable], blockers: Iterable[Variable] | None = None
) -> list[Variable]:
    """The root variables (no owner, or blocked) the graphs depend on, in visit order."""
    blocked = set(blockers or ())
    return [var for var in ancestors(graphs, blocked) if var.owner is None or var in blocked]


def io_toposort(inputs: Iterable[Variable], outputs: Iterable[Variable]) -> list[Apply]:
    """The nodes between ``inputs`` and ``outputs``, each after the nodes it depends on."""
    stop = set(inputs)
    order: list[Apply] = []
    done: set[Apply] = set()
    visiting: set[Apply] = set()
    for out in outputs:
        if out in stop or out.owner is None or out.owner in done:
            continue
        stack: list[tuple[Apply, int]] = [(out.owner, 0)]
        visiting.add(out.owner)
        while stack:
            node, position = stack[-1]
            if position < len(node.inputs):
                stack[-1] = (node, position + 1)
                parent = node.inputs[position].owner
                if parent is None or node.inputs[position] in stop or parent in done:
                    continue
                if parent in visiting:
                    raise ValueError(f"the graph has a cycle through {parent}")
                visiting.add(parent)
                stack.append((parent, 0))
            else:
                stack.pop()
                visiting.discard(node)
                done.add(node)
                order.append(node)
    return order


def toposort(outputs: Variable | Iterable[Variable]) -> list[Apply]:
    """Every node the outputs depend on, in an order that computes inputs first."""
    return io_toposort((), _as_list(outputs))


def applys_between(inputs: Iterable[Variable], outputs: Iterable[Variable]) -> list[Apply]:
    return io_toposort(inputs, outputs)


def vars_between(inputs: Iterable[Variable], outputs: Iterable[Variable]) -> list[Variable]:
    """The variables from ``inputs`` up to ``outputs``, including both ends."""
    result = list(dict.fromkeys(inputs))
    for node in io_toposort(result, outputs):
        result.extend(var for var in node.inputs if var not in result)
        result.extend(node.outputs)
    return list(dict.fromkeys(result))


def clone_get_equiv(
    inputs: Sequence[Variable],
    outputs: Sequence[Variable],
    copy_inputs: bool = True,
    copy_orphans: bool = True,
    memo: dict[Variable | Apply, Variable | Apply] | None = None,
) -> dict[Variable | Apply, Variable | Apply]:
    """A map from every variable and node between inputs and outputs to its copy.

    ``inputs`` become fresh root variables (when ``copy_inputs``), whatever owner
    they had: the graph is cut there. Other roots (orphans) are copied when
    ``copy_orphans``; constants and shared variables are kept as they are, since
    they carry state that must stay shared.
    """
    equiv: dict[Variable | Apply, Variable | Apply] = {} if memo is None else memo
    for var in inputs:
        if var not in equiv:
            equiv[var] = var.clone() if copy_inputs else var
    for node in io_toposort(inputs, outputs):
        new_inputs = []
        for var in node.inputs:
            if var not in equiv:
                keep = (
                    not copy_orphans
                    or isinstance(var, (Constant, SharedVariable))
                    or var.owner is not None
                )
                equiv[var] = var if keep else var.clone()
            new_inputs.append(equiv[var])
        new_node = node.clone_with_new_inputs(new_inputs, strict=False)  # type: ignore[arg-type]
        equiv[node] = new_node
        for old, new in zip(node.outputs, new_node.outputs, strict=True):
            new.name = old.name
            equiv[old] = new
    for var in outputs:
        if var not in equiv:
            keep = not copy_orphans or isinstance(var, (Constant, SharedVariable))
            equiv[var] = var if keep else var.clone()
    return equiv


def clone(
    inputs: Sequence[Variable], outputs: Sequence[Variable], copy_inputs: bool = True
) -> tuple[list[Variable], list[Variable]]:
    """Copies of ``inputs`` and of the graph from them to ``outputs``."""
    equiv = clone_get_equiv(inputs, outputs, copy_inputs=copy_inputs)
    return [equiv[v] for v in inputs], [equiv[v] for v in outputs]  # type: ignore[misc]


@overload
def clone_replace(
    output: Variable, replace: Mapping[Variable, Variable] | None = None
) -> Variable: ...


@overload
def clone_replace(
    output: Sequence[Variable], replace: Mapping[Variable, Variable] | None = None
) -> list[Variable]: ...


def clone_replace(
    output: Variable | Sequence[Variable], replace: Mapping[Variable, Variable] | None = None
) -> Variable | list[Variable]:
    """A copy of ``output``'s graph with each key of ``replace`` swapped for its value.

    The original graph is left unchanged. Replacements must have the same type as
    what they replace (or one the old type can convert).
    """
    pairs = dict(replace or {})
    for old, new in pairs.items():
        if not isinstance(old, Variable) or not isinstance(new, Variable):
            raise TypeError(f"clone_replace: replace must map variables to variables, got {old!r}")
        if old.type.convert_variable(new) is None and new.type.convert_variable(old) is None:
            raise TypeError(
                f"clone_replace: cannot replace {old} of type {old.type} "
                f"by {new} of type {new.type}"
            )
    outputs = _as_list(output)
    memo: dict[Variable | Apply, Variable | Apply] = dict(pairs)  # type: ignore[arg-type]
    # Keys are cut (treated as inputs) and mapped straight to their replacements.
    equiv = clone_get_equiv(list(pairs), outputs, copy_inputs=False, copy_orphans=False, memo=memo)
    cloned = [equiv[v] for v in outputs]
    return cloned[0] if isinstance(output, Variable) else cloned  # type: ignore[return-value]


def equal_computations(
    xs: Sequence[Variable],
    ys: Sequence[Variable],
    in_xs: Sequence[Variable] | None = None,
    in_ys: Sequence[Variable] | None = None,
) -> bool:
    """Whether ``xs`` and ``ys`` compute the same thing by the same ops from matching roots."""
    if len(xs) != len(ys):
        return False
    matched: dict[Variable, Variable] = dict(zip(in_xs or (), in_ys or (), strict=True))
    stack = list(zip(xs, ys, strict=True))
    while stack:
        x, y = stack.pop()
        if matched.get(x) is y:
            continue
        if x.type != y.type:
            return False
        if isinstance(x, Constant) or isinstance(y, Constant):
            if not (isinstance(x, Constant) and isinstance(y, Constant)):
                return False
            if x.signature() != y.signature():
                return False
        elif x.owner is None or y.owner is None:
            if x is not y:
                return False
        else:
            if x.index != y.index or x.owner.op != y.owner.op:
                return False
            if len(x.owner.inputs) != len(y.owner.inputs):
                return False
            stack.extend(zip(x.owner.inputs, y.owner.inputs, strict=True))
        matched[x] = y
    return True
