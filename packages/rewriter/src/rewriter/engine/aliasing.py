"""Which variables an op may overwrite in place, read from ``view_map`` and ``destroy_map``.

The inplace phase asks ``can_destroy`` before making an op overwrite an input;
merging asks ``is_destroyed`` so it never gives an overwritten value a new reader.
"""

from __future__ import annotations

from typing import Any

from graphcore import Apply, Constant, FunctionGraph, SharedVariable, Variable


def aliased_input(node: Apply, output_index: int) -> list[int]:
    """The inputs an output shares memory with: the ones it views or overwrites."""
    op = node.op
    return [*op.view_map.get(output_index, ()), *op.destroy_map.get(output_index, ())]


def can_destroy(fgraph: FunctionGraph, var: Variable, reader: Apply) -> bool:
    """Whether ``reader`` may overwrite ``var`` without anything else seeing the change.

    True when ``reader`` is the only reader of ``var`` and, through every view
    ``var`` is of another variable, each viewed variable has that view as its
    only reader; and the memory is not a constant, nor an input of the function
    (unless the caller declared it mutable), nor a shared value, except one whose
    type allows it (``update_in_place = True``: a random generator, which the user
    never reads directly) and that this function replaces by an update anyway, and
    that no other input of the graph shares. Shared tensors are never overwritten.
    """
    mutable = fgraph.mutable_inputs
    expected: Apply = reader
    current = var
    while True:
        if isinstance(current, Constant):
            return False
        clients = fgraph.clients.get(current, {})
        if len(clients) != 1 or next(iter(clients))[0] is not expected:
            return False
        owner = current.owner
        if owner is None:
            if isinstance(current, SharedVariable):
                return is_replaced_shared(fgraph, current)
            return current in mutable  # any other root is an input of the function
        aliased = aliased_input(owner, current.index or 0)
        if not aliased:
            return True
        if len(aliased) != 1:
            return False
        position = aliased[0]
        others = [i for i in range(len(owner.outputs)) if i != current.index]
        if any(position in aliased_input(owner, i) for i in others):
            return False  # a sibling output shares the same memory
        expected, current = owner, owner.inputs[position]


def is_replaced_shared(fgraph: FunctionGraph, var: SharedVariable) -> bool:
    """Whether the function gives ``var`` a new value after each call, and ``var``'s
    storage is no other input's (a shared variable's clone shares its container).

    ``fgraph.update_mapping`` (``{output position: input position}``, set by
    ``graphcore.function``) says which outputs are the next values of which inputs.
    """
    if not getattr(var.type, "update_in_place", False):
        return False
    updates = fgraph.update_mapping
    inputs = fgraph.inputs
    if not any(inputs[position] is var for position in updates.values()):
        return False
    storage = var.container.storage
    twins = [
        other
        for other in inputs
        if isinstance(other, SharedVariable) and other.container.storage is storage
    ]
    return len(twins) == 1


class DestroyerCount:
    """An fgraph feature: how many nodes overwrite an input, kept current as nodes come and go.

    Most graphs have none until the inplace phase, and then every aliasing
    question has a one-line answer.
    """

    def __init__(self) -> None:
        self.count = 0

    def on_attach(self, fgraph: FunctionGraph) -> None:
        self.count = sum(1 for node in fgraph.apply_nodes if node.op.destroy_map)

    def on_import(self, fgraph: FunctionGraph, node: Apply, reason: Any) -> None:
        if node.op.destroy_map:
            self.count += 1

    def on_prune(self, fgraph: FunctionGraph, node: Apply, reason: Any) -> None:
        if node.op.destroy_map:
            self.count -= 1


def has_destroyers(fgraph: FunctionGraph) -> bool:
    """Whether any node of ``fgraph`` overwrites an input (attaches a DestroyerCount once)."""
    for feature in fgraph.features:
        if isinstance(feature, DestroyerCount):
            return feature.count > 0
    counter = DestroyerCount()
    fgraph.attach_feature(counter)
    return counter.count > 0


def is_destroyed(fgraph: FunctionGraph, var: Variable) -> bool:
    """Whether some reader overwrites ``var``, directly or through a view of it."""
    if not has_destroyers(fgraph):
        return False
    stack = [var]
    seen: set[Variable] = set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for reader, position in fgraph.clients.get(current, ()):
            if not isinstance(reader, Apply):
                continue
            op = reader.op
            if any(position in inputs for inputs in op.destroy_map.values()):
                return True
            for index, inputs in op.view_map.items():
                if position in inputs:
                    stack.append(reader.outputs[index])
    return False
