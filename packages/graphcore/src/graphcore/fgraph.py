"""FunctionGraph: a graph from inputs to outputs that rewrites may change in place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol

from graphcore.graph.apply import Apply
from graphcore.graph.traversal import clone_get_equiv, io_toposort
from graphcore.graph.variable import Constant, SharedVariable, Variable

OUTPUT: Literal["output"] = "output"
Client = tuple[Apply | Literal["output"], int]
"""Who reads a variable: ``(node, input index)``, or ``("output", output index)``."""
Readers = dict[Client, None]
"""A variable's readers in the order they came; a dict so removing one costs O(1)."""


class MissingInputError(ValueError):
    """The outputs depend on a root variable that is neither an input nor a constant."""


class Feature(Protocol):
    """A listener attached to a FunctionGraph. Every callback is optional.

    - ``on_import(fgraph, node, reason)``: ``node`` is in the graph, with its readers.
    - ``on_prune(fgraph, node, reason)``: ``node`` has left the graph (its outputs are
      gone); its inputs still list it as a reader until the pruning reaches them.
    - ``on_change_input(fgraph, node, position, old, new, reason)``: after the change.
    """

    def on_attach(self, fgraph: FunctionGraph) -> None: ...


def _notify(fgraph: FunctionGraph, event: str, *args: Any) -> None:
    for feature in fgraph.features:
        callback = getattr(feature, event, None)
        if callback is not None:
            callback(fgraph, *args)


class FunctionGraph:
    """Inputs, outputs, every node and variable between them, and who reads each variable.

    By default the graph is copied, so rewriting never touches the user's graph.
    Listeners (``features``) hear ``on_import``, ``on_prune`` and
    ``on_change_input``; rewrite engines use them to track changed nodes.
    """

    def __init__(
        self,
        inputs: Sequence[Variable],
        outputs: Sequence[Variable],
        features: Iterable[Any] = (),
        clone: bool = True,
    ):
        if clone:
            equiv = clone_get_equiv(inputs, outputs, copy_inputs=True, copy_orphans=False)
            inputs = [equiv[v] for v in inputs]  # type: ignore[misc]
            outputs = [equiv[v] for v in outputs]  # type: ignore[misc]
        self.inputs: list[Variable] = list(inputs)
        self.outputs: list[Variable] = []
        self.apply_nodes: set[Apply] = set()
        self.variables: set[Variable] = set()
        self.clients: dict[Variable, Readers] = {}
        self.features: list[Any] = []
        self._order: list[Apply] | None = None
        # Facts the compiler records for rewrites that overwrite buffers (the inplace pass):
        # inputs the caller allows to be overwritten (``In(mutable=True)``), and which
        # outputs are the next values of which inputs (``{output position: input position}``).
        self.mutable_inputs: set[Variable] = set()
        self.update_mapping: dict[int, int] = {}
        for var in self.inputs:
            if var.owner is not None:
                raise ValueError(f"FunctionGraph inputs must be root variables; {var} has an owner")
            self._add_variable(var)
        for position, out in enumerate(outputs):
            self._import_var(out, reason="init")
            self.outputs.append(out)
            self.clients[out][(OUTPUT, position)] = None
        for feature in features:
            self.attach_feature(feature)

    # ---- structure -------------------------------------------------------------------

    def _add_variable(self, var: Variable) -> None:
        if var not in self.variables:
            self.variables.add(var)
            self.clients.setdefault(var, {})

    def _import_var(self, var: Variable, reason: str | None) -> None:
        if var in self.variables:
            return
        if var.owner is None:
            if not isinstance(var, (Constant, SharedVariable)) and var not in self.inputs:
                raise MissingInputError(
                    f"the graph needs a value for {var} (type {var.type}), which is not among "
                    f"the function's inputs {[str(v) for v in self.inputs]}; pass it as an input "
                    "or give it a value with givens"
                )
            self._add_variable(var)
            return
        self.import_node(var.owner, reason=reason)

    def import_node(self, node: Apply, reason: str | None = None) -> None:
        """Add ``node`` and every node it depends on that the graph lacks.

        The walk stops at variables already in the graph, so its cost is the size
        of what is new, not of the whole graph.
        """
        for new in self._new_nodes_from(node):
            for var in new.inputs:
                if var.owner is None:
                    self._import_var(var, reason)
            self.apply_nodes.add(new)
            for out in new.outputs:
                self._add_variable(out)
            for position, var in enumerate(new.inputs):
                self.clients[var][(new, position)] = None
            self._order = None
            _notify(self, "on_import", new, reason)

    def _new_nodes_from(self, node: Apply) -> list[Apply]:
        """Nodes reachable from ``node`` that are not in the graph yet, dependencies first."""
        order: list[Apply] = []
        seen: set[Apply] = set()
        stack: list[tuple[Apply, bool]] = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if expanded:
                order.append(current)
                continue
            if current in seen or current in self.apply_nodes:
                continue
            seen.add(current)
            stack.append((current, True))
            for var in current.inputs:
                owner = var.owner
                if owner is not None and var not in self.variables and owner not in seen:
                    stack.append((owner, False))
        return order

    def _remove_client(self, var: Variable, client: Client, reason: str | None) -> None:
        """Drop one reader of ``var``; prune its node when nothing reads it any more."""
        stack = [(var, client)]
        while stack:
            variable, reader = stack.pop()
            readers = self.clients[variable]
            del readers[reader]
            if readers or variable.owner is None:
                continue
            node = variable.owner
            if node not in self.apply_nodes:
                continue
            if any(self.clients[out] for out in node.outputs):
                continue
            self.apply_nodes.discard(node)
            for out in node.outputs:
                self.variables.discard(out)
                del self.clients[out]
            self._order = None
            _notify(self, "on_prune", node, reason)
            stack.extend((inp, (node, position)) for position, inp in enumerate(node.inputs))

    def change_node_input(
        self,
        node: Apply | Literal["output"],
        position: int,
        new: Variable,
        reason: str | None = None,
    ) -> None:
        """Make ``node`` read ``new`` at input ``position`` (or ``new`` be output ``position``)."""
        if node == OUTPUT:
            old = self.outputs[position]
            if old is new:
                return
            self._check_same_type(old, new)
            self.outputs[position] = new
        else:
            assert isinstance(node, Apply)
            old = node.inputs[position]
            if old is new:
                return
            self._check_same_type(old, new)
            node.inputs[position] = new
        self._import_var(new, reason)
        self.clients[new][(node, position)] = None
        self._remove_client(old, (node, position), reason)
        self._order = None
        _notify(self, "on_change_input", node, position, old, new, reason)

    @staticmethod
    def _check_same_type(old: Variable, new: Variable) -> None:
        if old.type.convert_variable(new) is not new:
            raise TypeError(
                f"cannot replace {old} of type {old.type} by {new} of type {new.type}: "
                "a rewrite must preserve types"
            )

    def replace(
        self, var: Variable, new: Variable, reason: str | None = None, import_missing: bool = False
    ) -> None:
        """Make every reader of ``var`` read ``new`` instead."""
        if var not in self.variables:
            return
        converted = var.type.convert_variable(new)
        if converted is None:
            raise TypeError(
                f"cannot replace {var} of type {var.type} by {new} of type {new.type} ({reason})"
            )
        for node, position in list(self.clients[var]):
            self.change_node_input(node, position, converted, reason)

    def replace_all(
        self, pairs: Iterable[tuple[Variable, Variable]], reason: str | None = None
    ) -> None:
        for var, new in pairs:
            self.replace(var, new, reason)

    # ---- listeners ---------------------------------------------------------------------

    def attach_feature(self, feature: Any) -> None:
        if feature in self.features:
            return
        self.features.append(feature)
        attach = getattr(feature, "on_attach", None)
        if attach is not None:
            attach(self)

    def remove_feature(self, feature: Any) -> None:
        self.features.remove(feature)
        detach = getattr(feature, "on_detach", None)
        if detach is not None:
            detach(self)

    # ---- queries -----------------------------------------------------------------------

    def toposort(self) -> list[Apply]:
        """The nodes in an order that computes every input before it is read (cached)."""
        if self._order is None:
            self._order = io_toposort(self.inputs, self.outputs)
        return list(self._order)

    def get_clients(self, var: Variable) -> list[Client]:
        return list(self.clients.get(var, ()))

    def clone(self) -> FunctionGraph:
        """An independent copy with the same features' classes not attached."""
        return FunctionGraph(self.inputs, self.outputs, clone=True)

    def clone_get_equiv(self) -> tuple[FunctionGraph, dict[Variable | Apply, Variable | Apply]]:
        equiv = clone_get_equiv(self.inputs, self.outputs, copy_inputs=True, copy_orphans=False)
        copy = FunctionGraph(
            [equiv[v] for v in self.inputs],  # type: ignore[misc]
            [equiv[v] for v in self.outputs],  # type: ignore[misc]
            clone=False,
        )
        return copy, equiv

    def check_integrity(self) -> None:
        """Raise when the clients map disagrees with the nodes (for tests and DebugMode)."""
        nodes = set(io_toposort(self.inputs, self.outputs))
        if nodes != self.apply_nodes:
            raise AssertionError("apply_nodes differs from the nodes between inputs and outputs")
        for node in nodes:
            for position, var in enumerate(node.inputs):
                if (node, position) not in self.clients[var]:
                    raise AssertionError(f"{var} does not list {node} among its clients")

    def __str__(self) -> str:
        return f"FunctionGraph({', '.join(str(o) for o in self.outputs)})"
