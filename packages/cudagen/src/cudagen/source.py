"""CUDA source: the prelude and every kernel of some plans, as one module.

``cuda_source(inputs, outputs)`` needs no device: it rewrites the graph as FAST_RUN
does, plans it, and returns the module nvcc compiles for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cudagen.plan import Plan, build_plan
from cudagen.rules import Kernel
from graphcore import FunctionGraph, RewriteQuery, Variable
from graphcore.compile.modes import rewrite_pipeline

PRELUDE = (Path(__file__).parent / "prelude.cuh").read_text()

FAST_RUN = RewriteQuery(include=("fast_run",))


def module_source(kernels: Sequence[Kernel]) -> str:
    """The prelude, then each kernel once (kernels are named after their text)."""
    seen: dict[str, str] = {}
    for kernel in kernels:
        seen.setdefault(kernel.name, kernel.source)
    return "\n\n".join([PRELUDE, *seen.values()]) + "\n"


def rewritten_graph(inputs: Sequence[Variable], outputs: Sequence[Variable]) -> FunctionGraph:
    """A graph of ``outputs`` after the FAST_RUN rewrites (the caller's graph untouched)."""
    fgraph = FunctionGraph(list(inputs), list(outputs))
    rewrite_pipeline(FAST_RUN)(fgraph)
    return fgraph


def plan_of(inputs: Sequence[Variable], outputs: Sequence[Variable] | Variable) -> Plan:
    """The plan of ``outputs`` (one variable or several) after FAST_RUN's rewrites."""
    listed = [outputs] if isinstance(outputs, Variable) else list(outputs)
    return build_plan(rewritten_graph(inputs, listed))


def cuda_source(inputs: Sequence[Variable], outputs: Sequence[Variable] | Variable) -> str:
    """The CUDA C++ of the kernels that compute ``outputs`` from ``inputs`` on a GPU."""
    return module_source(plan_of(inputs, outputs).kernels)
