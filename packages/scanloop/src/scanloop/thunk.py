"""The Python backend's thunk for ``Scan``: the step linked once, kept by the program.

The step runs on the Python VM, or on the linker of the scan's own ``mode`` when one
was given; its buffers live in the linked step, which lives in this thunk.
"""

from __future__ import annotations

from graphcore import (
    Apply,
    Cell,
    Program,
    Thunk,
    get_mode,
    make_linker,
    python_program,
    python_thunks,
)
from scanloop.loop import run_scan
from scanloop.op import Scan


def link_step(op: Scan) -> Program:
    """The step graph of ``op``, linked for the Python loop."""
    fgraph = op.inner.fgraph()
    if op.mode is None:
        return python_program(fgraph, None)
    return make_linker(get_mode(op.mode).linker).link(fgraph)


@python_thunks.register(Scan)
def scan_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    op: Scan = node.op  # type: ignore[assignment]
    step = link_step(op).call
    info, label, mapped_types = op.info, op.label, op.mapped_types()

    def thunk() -> None:
        results = run_scan(info, step, [cell[0] for cell in input_cells], label, mapped_types)
        for cell, value in zip(output_cells, results, strict=True):
            cell[0] = value

    return thunk
