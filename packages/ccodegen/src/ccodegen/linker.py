"""The C linker: a compiled function as one C entry point, or C and Python side by side.

When every node has C, the whole graph is one segment: a call is one foreign call
(``f.maker.linker.name == "c"``). Otherwise each node that has C becomes a segment
of its own, all of them in the same translation unit, and the Python VM runs them
as thunks beside the Python nodes. Without a C compiler it warns once and links
the Python backend.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, ClassVar

from ccodegen import ops as _ops  # noqa: F401 - registers the C rules
from ccodegen.build import have_c_compiler
from ccodegen.program import SegmentCaller
from ccodegen.translate import Segment, load_unit, translate_segment, translation_unit
from graphcore import (
    Apply,
    CallLayout,
    Cell,
    CellProgram,
    Constant,
    FunctionGraph,
    Program,
    Thunk,
    python_program,
    python_thunk,
)


class CProgram:
    """A whole graph in one segment: arguments and shared values in, every output out.

    ``raw_floats`` are the arguments the entry point also reads as Python floats (0-d
    float64 inputs that are not outputs too): the call's slow path passes a float
    through as it is instead of making a 0-d array of it (runtime.h, ``cg_load``).
    """

    def __init__(self, caller: SegmentCaller, layout: CallLayout, fgraph: FunctionGraph):
        self.caller = caller
        outputs = set(fgraph.outputs)
        self.raw_floats = frozenset(
            k
            for k, var in enumerate(fgraph.inputs[: layout.n_args])
            if var not in outputs
            and getattr(var.type, "ndim", None) == 0
            and str(getattr(var.type, "dtype", "")) == "float64"
        )
        self._shared_cells = list(layout.input_cells[layout.n_args :])
        self._call = caller.call
        if not self._shared_cells:
            self.call = caller.call  # type: ignore[method-assign,assignment]

    def call(self, args: Sequence[Any]) -> list[Any]:
        return self._call([*args, *(cell[0] for cell in self._shared_cells)])

    def free(self) -> None:
        self.caller.free()


class CLinker:
    """FAST_RUN's linker where a C compiler is installed."""

    name: ClassVar[str] = "c"
    priority: ClassVar[int] = 10
    _warned: ClassVar[bool] = False

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> Program:
        layout = layout or CallLayout.fresh(fgraph)
        if not have_c_compiler():
            if not CLinker._warned:
                CLinker._warned = True
                warnings.warn(
                    "ccodegen: no C compiler was found (set CC or install gcc), so compiled "
                    "functions run on the Python backend",
                    RuntimeWarning,
                    stacklevel=3,
                )
            return python_program(fgraph, layout)
        order = fgraph.toposort()
        whole = translate_segment("main", order, fgraph.inputs, fgraph.outputs)
        if whole is not None:
            module = compile_segments([whole])
            return CProgram(SegmentCaller(whole, module, layout.borrow), layout, fgraph)
        return _mixed_program(fgraph, layout, order)


def compile_segments(segments: Sequence[Segment], name_hint: str = "graph") -> Any:
    """One translation unit of these segments, compiled (or found in the cache) and loaded."""
    return load_unit(translation_unit(segments), name_hint)


def _mixed_program(fgraph: FunctionGraph, layout: CallLayout, order: list[Apply]) -> CellProgram:
    """Python VM over all nodes; those with C run their own segment of one shared unit."""
    segments: dict[Apply, Segment] = {}
    for index, node in enumerate(order):
        if node.op.lazy:
            continue
        inputs = [var for var in dict.fromkeys(node.inputs) if not isinstance(var, Constant)]
        segment = translate_segment(f"n{index}", [node], inputs, node.outputs)
        if segment is not None:
            segments[node] = segment
    if not segments:
        return python_program(fgraph, layout)
    module = compile_segments(list(segments.values()))
    callers = {node: SegmentCaller(segment, module) for node, segment in segments.items()}

    def thunk_for(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
        caller = callers.get(node)
        if caller is None:
            return python_thunk(node, input_cells, output_cells)
        position = {var: k for k, var in enumerate(node.inputs)}
        cells = [input_cells[position[var]] for var in caller.segment.inputs]
        call = caller.call

        def thunk() -> None:
            for cell, value in zip(output_cells, call([cell[0] for cell in cells]), strict=True):
                cell[0] = value

        return thunk

    program = python_program(fgraph, layout, thunk_for)
    return program
