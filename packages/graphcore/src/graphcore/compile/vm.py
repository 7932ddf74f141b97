"""The Python linker: a small VM that runs one thunk per node over storage cells.

Every variable has one cell (a one-element list) that lives as long as the program,
so a node can reuse last call's output buffer. A graph without lazy ops runs as one
straight loop over thunks; with lazy ops (``ifelse``) it is evaluated on demand, so
a branch that is not taken never runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

from graphcore.compile.program import CallLayout, CellProgram
from graphcore.compile.thunks import Cell, Thunk, ThunkMaker, python_thunk
from graphcore.fgraph import FunctionGraph
from graphcore.graph.apply import Apply
from graphcore.graph.variable import Constant, SharedVariable, Variable


def allocate_storage(
    fgraph: FunctionGraph, input_cells: Sequence[Cell] | None = None
) -> dict[Variable, Cell]:
    """One cell per variable: inputs use the cells given, shared variables their container's."""
    cells = list(input_cells) if input_cells is not None else [[None] for _ in fgraph.inputs]
    storage: dict[Variable, Cell] = dict(zip(fgraph.inputs, cells, strict=True))
    for node in fgraph.toposort():
        for var in node.inputs:
            if var not in storage:
                storage[var] = _root_cell(var)
        for var in node.outputs:
            storage[var] = [None]
    for var in fgraph.outputs:
        if var not in storage:
            storage[var] = _root_cell(var)
    return storage


def _root_cell(var: Variable) -> Cell:
    """The cell of a root that is not an input: a constant's data or a shared container."""
    if isinstance(var, Constant):
        return [var.data]
    if isinstance(var, SharedVariable):
        return var.container.storage
    raise ValueError(f"{var} has no value: it is neither an input, a constant nor shared")


def describe_failure(node: Apply, inputs: Sequence[Any]) -> str:
    """Name the op, its inputs' shapes and dtypes, and where user code built it."""
    described = []
    for var, value in zip(node.inputs, inputs, strict=False):
        if isinstance(value, np.ndarray):
            described.append(f"{var}: shape {value.shape}, dtype {value.dtype}")
        else:
            described.append(f"{var}: {type(value).__name__} {value!r}"[:120])
    return f"while running {node.op} (built at {node.location()}) on inputs\n    " + "\n    ".join(
        described
    )


def thunk_program(
    order: Sequence[Apply], storage: dict[Variable, Cell], thunk_for: ThunkMaker = python_thunk
) -> Callable[[], None]:
    """Run the nodes of ``order`` one after another, each as the thunk ``thunk_for`` makes
    from its cells; the thunks may come from different backends. A failure names the node."""
    nodes = list(order)
    thunks = [_bind(node, storage, thunk_for) for node in nodes]
    if len(thunks) == 1:
        (only,) = thunks

        def run_one() -> None:
            try:
                only()
            except Exception as error:
                _name_failure(error, nodes[0], storage)
                raise

        return run_one

    def run() -> None:
        step = 0
        try:
            for step, thunk in enumerate(thunks):  # noqa: B007 - step names the failing node
                thunk()
        except Exception as error:
            _name_failure(error, nodes[step], storage)
            raise

    return run


def lazy_program(
    fgraph: FunctionGraph, storage: dict[Variable, Cell], thunk_for: ThunkMaker = python_thunk
) -> Callable[[], None]:
    """Evaluate the outputs on demand: a lazy op (``perform_lazy``) asks for the inputs
    it needs, so an untaken branch never runs. Other nodes run as their thunks."""
    roots = [var for var in storage if var.owner is None]
    thunks = {
        node: _bind(node, storage, thunk_for) for node in fgraph.toposort() if not node.op.lazy
    }

    def run() -> None:
        done: set[Variable] = set(roots)

        def evaluate(targets: Sequence[Variable]) -> None:
            stack = list(targets)
            while stack:
                var = stack[-1]
                if var in done:
                    stack.pop()
                    continue
                node = var.owner
                assert node is not None
                if node.op.lazy:
                    stack.pop()
                    run_lazy_node(node)
                    continue
                missing = [inp for inp in node.inputs if inp not in done]
                if missing:
                    stack.extend(missing)
                    continue
                stack.pop()
                try:
                    thunks[node]()
                except Exception as error:
                    _name_failure(error, node, storage)
                    raise
                done.update(node.outputs)

        def run_lazy_node(node: Apply) -> None:
            def compute_input(position: int) -> Any:
                evaluate([node.inputs[position]])
                return storage[node.inputs[position]][0]

            node.op.perform_lazy(node, compute_input, [storage[out] for out in node.outputs])
            done.update(node.outputs)

        evaluate(fgraph.outputs)

    return run


def _bind(node: Apply, storage: dict[Variable, Cell], thunk_for: ThunkMaker) -> Thunk:
    return thunk_for(node, [storage[v] for v in node.inputs], [storage[v] for v in node.outputs])


def _name_failure(error: Exception, node: Apply, storage: dict[Variable, Cell]) -> None:
    error.add_note(describe_failure(node, [storage[v][0] for v in node.inputs]))


def python_program(
    fgraph: FunctionGraph, layout: CallLayout | None, thunk_for: ThunkMaker = python_thunk
) -> CellProgram:
    """The graph as a ``CellProgram`` of thunks (straight, or on demand with lazy ops)."""
    layout = layout or CallLayout.fresh(fgraph)
    storage = allocate_storage(fgraph, layout.input_cells)
    order = fgraph.toposort()
    if any(node.op.lazy for node in order):
        run = lazy_program(fgraph, storage, thunk_for)
    else:
        run = thunk_program(order, storage, thunk_for)
    return CellProgram(fgraph, storage, run, layout)


class PythonLinker:
    """Links a function graph to a VM over the Python thunks of its nodes."""

    name: ClassVar[str] = "py"
    priority: ClassVar[int] = 0

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> CellProgram:
        return python_program(fgraph, layout)
