"""How a node's CUDA is asked for and what it gives back.

Rules live on ``cuda_ops``, graphcore's ``OpRegistry`` for CUDA (the seam ccodegen's C
rules use), one per op class. A rule receives a ``NodeContext`` and returns a
``KernelNode`` (kernels to launch, reading ``inputs``), a ``ViewNode`` (stride
arithmetic, no kernel), or None: the node then runs on the host.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cudagen.indexed import GatherKernel, ScatterKernel
from cudagen.joined import GuardKernel, JoinKernel, RegionKernel
from cudagen.kernels import ElementwiseKernel, MatmulKernel, ReduceKernel
from cudagen.launch import MAX_DIMS
from cudagen.scalar_cuda import CUDA_TYPES
from cudagen.scanned import ArgReduceKernel, CumulativeKernel
from cudagen.views import Layout
from graphcore import Apply, OpRegistry, Variable, io_toposort

Kernel = (
    ElementwiseKernel
    | ReduceKernel
    | MatmulKernel
    | GatherKernel
    | ScatterKernel
    | JoinKernel
    | GuardKernel
    | CumulativeKernel
    | ArgReduceKernel
    | RegionKernel
)


@dataclass
class NodeContext:
    node: Apply
    producer: Apply | None = None
    """The elementwise node computing input 0 when only this node reads it: a reduction
    may compute its values itself (``KernelNode.absorbs``)."""


@dataclass(frozen=True)
class KernelNode:
    kernel: Kernel
    inputs: tuple[Variable, ...]
    """What the kernel reads: the node's inputs, or its producer's when it absorbs it."""
    absorbs: bool = False
    host_inputs: tuple[int, ...] = ()
    """Positions of the node's inputs the launch reads on the host (a key's values)."""


@dataclass(frozen=True)
class ViewNode:
    """``layout(input 0's layout, host values of the other inputs)``; ``copy`` makes a
    contiguous copy of input 0 first when the layout is no view (``NotAViewError``)."""

    layout: Callable[[Layout, Sequence[Any]], Layout]
    copy: ElementwiseKernel | None = None
    host_inputs: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SplitNode:
    """The node as other nodes, each planned by its own rule (a reduction still fusing
    the elementwise node feeding it), and the values that stand for its outputs."""

    nodes: tuple[Apply, ...]
    results: tuple[Variable, ...]
    planned: tuple[tuple[Apply, KernelNode], ...] = ()
    """Parts whose kernel the splitting rule chose itself, instead of their own rule's."""


CudaRule = Callable[[NodeContext], KernelNode | ViewNode | SplitNode | None]

cuda_ops: OpRegistry[CudaRule] = OpRegistry("CUDA kernels")


def tensor_info(var: Variable) -> tuple[str, tuple[bool, ...]] | None:
    """A variable's dtype and broadcast flags when kernels can hold it, else None."""
    dtype = getattr(var.type, "dtype", None)
    shape = getattr(var.type, "shape", None)
    if dtype not in CUDA_TYPES or shape is None or len(shape) > MAX_DIMS:
        return None
    return str(dtype), tuple(length == 1 for length in shape)


def split_as(
    node: Apply, result: Variable, planned: tuple[tuple[Apply, KernelNode], ...] = ()
) -> SplitNode | None:
    """The node as the graph computing ``result`` from its inputs (``planned``: kernels
    the caller chose for some of its nodes), when the types agree."""
    if result.type != node.outputs[0].type:
        return None
    return SplitNode(tuple(io_toposort(list(node.inputs), [result])), (result,), planned)
