"""NanGuardMode's linker: the Python backend, stopping at the first node whose output
holds a NaN or an infinity, and naming that node, its inputs and the user's line."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from graphcore.compile.program import CallLayout, CellProgram
from graphcore.compile.thunks import Cell, Thunk, python_thunk
from graphcore.compile.vm import python_program
from graphcore.fgraph import FunctionGraph
from graphcore.graph.apply import Apply


class NonFiniteError(FloatingPointError):
    """A node produced NaN or infinity under NanGuardMode."""


def _non_finite(value: Any) -> str | None:
    """``"nan"``/``"inf"`` when a float or complex array (or number) holds one, else None."""
    if not isinstance(value, (np.ndarray, np.generic, float, complex)):
        return None
    array = np.asarray(value)
    if array.dtype.kind not in "fc" or array.size == 0:
        return None
    if np.isfinite(array).all():
        return None
    return "nan" if np.isnan(array).any() else "inf"


def _describe(value: Any) -> str:
    if isinstance(value, np.ndarray):
        bad = _non_finite(value)
        state = f", contains {bad}" if bad else ""
        return f"shape {value.shape}, dtype {value.dtype}{state}"
    return repr(value)[:80]


def guarded_thunk(node: Apply, input_cells: list[Cell], output_cells: list[Cell]) -> Thunk:
    """The node's Python thunk, followed by a check that its outputs are finite."""
    inner = python_thunk(node, input_cells, output_cells)

    def thunk() -> None:
        inner()
        for index, cell in enumerate(output_cells):
            bad = _non_finite(cell[0])
            if bad is None:
                continue
            inputs = "\n    ".join(
                f"{var}: {_describe(in_cell[0])}"
                for var, in_cell in zip(node.inputs, input_cells, strict=True)
            )
            raise NonFiniteError(
                f"NanGuardMode: {node.op} (built at {node.location()}) produced {bad} in "
                f"output {index} ({node.outputs[index]}) from inputs\n    {inputs}"
            )

    return thunk


class NanGuardLinker:
    """The Python VM with every node's outputs checked for NaN and infinity."""

    name: ClassVar[str] = "nanguard"
    priority: ClassVar[int] = -2

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> CellProgram:
        return python_program(fgraph, layout, guarded_thunk)
