"""The plan of a graph on a GPU: which node is which kernel, view or host op, and where
every value lives.

Built from the graph after the FAST_RUN rewrites, in topological order. Each node's
rule on ``cuda_ops`` decides its role: ``kernel`` (launches), ``fused`` (an elementwise
node whose values a reduction computes itself: nothing runs), ``view`` (stride
arithmetic on the device), ``shape`` (the host reads lengths, which it always knows),
or ``host`` (no CUDA: its Python implementation runs on the host). A fused elementwise
node with a step that has no CUDA is ``split``: one elementwise node per step follows
it in the plan, so only those steps run on the host; a rule may split its node too
(logsumexp as a max, a sum and an elementwise kernel), the parts planned alike. The
plan then follows each value: arguments are copied to the device once per call when a kernel or
view reads them, constants once when the function is linked, outputs once back; every
other crossing (a device value a host op reads, a host result a kernel reads) is a
*transfer*, counted here and by the runtime.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from cudagen import splits  # noqa: F401 - registers the rules that split nodes
from cudagen.indexed import ScatterKernel
from cudagen.launch import MAX_DIMS
from cudagen.ops import copy_kernel  # importing ops registers the rules
from cudagen.rules import (
    Kernel,
    KernelNode,
    NodeContext,
    SplitNode,
    ViewNode,
    cuda_ops,
    tensor_info,
)
from graphcore import Apply, Constant, FunctionGraph, Variable
from tensorops import Elemwise
from tensorops.sizes import Shape, Shape_i

HOST, DEVICE = "host", "device"


@dataclass
class PlanStep:
    node: Apply
    role: str
    kernel: KernelNode | None = None
    view: ViewNode | None = None
    aliases: tuple[tuple[Variable, Variable], ...] = ()
    """A ``split`` node's outputs, each computed as another value by the steps before."""

    @property
    def reads(self) -> tuple[Variable, ...]:
        """The values this step reads on its own side (a kernel's, a view's source)."""
        if self.kernel is not None:
            return self.kernel.inputs
        if self.view is not None:
            return (self.node.inputs[0],)
        return tuple(self.node.inputs)


@dataclass
class Plan:
    inputs: list[Variable]
    outputs: list[Variable]
    steps: list[PlanStep]
    uploaded_inputs: list[Variable] = field(default_factory=list)
    constants: list[Constant] = field(default_factory=list)
    transfers: list[tuple[Variable, str]] = field(default_factory=list)
    """(value, "to host" | "to device") for each crossing a call makes besides copying
    arguments in and outputs out."""
    output_places: list[str] = field(default_factory=list)

    @property
    def kernels(self) -> list[Kernel]:
        """Every kernel the plan launches, each once (equal nodes share one)."""
        found: dict[str, Kernel] = {}
        for step in self.steps:
            if step.kernel is not None:
                found.setdefault(step.kernel.kernel.name, step.kernel.kernel)
                if isinstance(step.kernel.kernel, ScatterKernel):
                    found.setdefault(step.kernel.kernel.copy.name, step.kernel.kernel.copy)
            if step.view is not None and step.view.copy is not None:
                found.setdefault(step.view.copy.name, step.view.copy)
        # Strided values (views, arguments passed as device views) are made contiguous
        # before they are copied to the host.
        strided = [*self.inputs, *(s.node.outputs[0] for s in self.steps if s.view is not None)]
        for var in strided:
            info = tensor_info(var)
            if info is not None:
                copy = copy_kernel(info)
                found.setdefault(copy.name, copy)
        return list(found.values())

    def count(self, role: str) -> int:
        return sum(1 for step in self.steps if step.role == role)

    def describe(self) -> str:
        """One line per node: its role, its op, and the kernels it launches."""
        lines = []
        for index, step in enumerate(self.steps):
            what = ""
            if step.kernel is not None:
                what = " -> " + ", ".join(step.kernel.kernel.kernel_names)
            lines.append(f"{index:3d} {step.role:7s} {step.node.op}{what}")
        lines.append(
            f"{self.count('kernel')} kernel nodes, {self.count('fused')} fused, "
            f"{self.count('view')} views, {self.count('host')} host ops; "
            f"{len(self.transfers)} transfers per call"
        )
        return "\n".join(lines)


def _fusable_producer(
    node: Apply, readers: dict[Variable, int], outputs: set[Variable]
) -> Apply | None:
    """The elementwise node computing the node's input 0 when nothing else reads it."""
    if not node.inputs:
        return None
    first = node.inputs[0]
    owner = first.owner
    if (
        owner is None
        or not isinstance(owner.op, Elemwise)
        or len(owner.outputs) != 1
        or readers.get(first, 0) != 1
        or first in outputs
    ):
        return None
    return owner


def build_plan(fgraph: FunctionGraph) -> Plan:
    return plan_nodes(fgraph.toposort(), fgraph.inputs, fgraph.outputs)


def plan_nodes(
    order: Sequence[Apply], inputs: Sequence[Variable], outputs: Sequence[Variable]
) -> Plan:
    """The plan of these nodes (in topological order) from ``inputs`` to ``outputs``."""
    plan = Plan(list(inputs), list(outputs), _steps(order, outputs))
    _follow_values(plan)
    return plan


def _shape_sized(var: Variable) -> bool:
    """A 0-d value, or a vector of at most MAX_DIMS entries (a shape)."""
    shape = getattr(var.type, "shape", None)
    if shape is None or len(shape) > 1:
        return False
    return len(shape) == 0 or (shape[0] is not None and shape[0] <= MAX_DIMS)


def _on_the_host(node: Apply, lengths: set[Variable]) -> bool:
    """Arithmetic on lengths (``x.shape[0] * x.shape[1]``, the shape a reshape takes):
    every input a length the host read or computed, or a small constant, and one a
    length. The host computes it at once; on the device it would cost a launch and two
    transfers."""
    if not all(_shape_sized(out) for out in node.outputs):
        return False  # an array the lengths make (zeros(n)) is no length
    read_lengths = False
    for var in node.inputs:
        if var in lengths:
            read_lengths = True
        elif not (isinstance(var, Constant) and np.size(var.data) <= MAX_DIMS):
            return False
    return read_lengths


def _steps(
    order: Sequence[Apply],
    outputs: Sequence[Variable],
    planned: dict[Apply, KernelNode] | None = None,
    lengths: set[Variable] | None = None,
) -> list[PlanStep]:
    """Each node's step, a split node's parts (planned alike) before it; ``planned``:
    kernels chosen for some nodes already (by the rule that split them off);
    ``lengths``: values that are lengths on the host (shape reads and arithmetic on
    them), which stay there."""
    lengths = set() if lengths is None else lengths
    readers: dict[Variable, int] = {}
    for node in order:
        for var in node.inputs:
            readers[var] = readers.get(var, 0) + 1
    output_set = set(outputs)
    steps: list[PlanStep] = []
    by_node: dict[Apply, PlanStep] = {}
    for node in order:
        split: SplitNode | None = None
        if planned and node in planned:
            step = PlanStep(node, "kernel", kernel=planned[node])
        else:
            step, split = _step_of(node, _fusable_producer(node, readers, output_set))
        if step.role == "shape" or _on_the_host(node, lengths):
            step, split = step if step.role == "shape" else PlanStep(node, "host"), None
            lengths.update(node.outputs)
        if split is not None:
            parts = _steps(split.nodes, split.results, dict(split.planned), lengths)
            if any(part.role != "host" for part in parts):
                steps += parts
                aliases = tuple(zip(node.outputs, split.results, strict=True))
                step = PlanStep(node, "split", aliases=aliases)
        if step.kernel is not None and step.kernel.absorbs:
            producer = node.inputs[0].owner
            assert producer is not None
            fused = by_node[producer]
            fused.role, fused.kernel = "fused", None
        steps.append(step)
        by_node[node] = step
    return steps


def _step_of(node: Apply, producer: Apply | None) -> tuple[PlanStep, SplitNode | None]:
    """The node's step, and its parts when its rule splits it (the step is then host
    until the parts are planned)."""
    if isinstance(node.op, (Shape, Shape_i)):
        return PlanStep(node, "shape"), None
    rule = cuda_ops.lookup(node.op, None)
    emitted = None if rule is None else rule(NodeContext(node, producer))
    if isinstance(emitted, KernelNode):
        return PlanStep(node, "kernel", kernel=emitted), None
    if isinstance(emitted, ViewNode):
        return PlanStep(node, "view", view=emitted), None
    if isinstance(emitted, SplitNode):
        return PlanStep(node, "host"), emitted
    return PlanStep(node, "host"), None


def _follow_values(plan: Plan) -> None:
    """Where each value is, step by step: fills the uploads, constants and transfers."""
    places: dict[Variable, set[str]] = {var: {HOST} for var in plan.inputs}
    arguments = set(plan.inputs)

    def need(var: Variable, place: str) -> None:
        have = places.setdefault(var, {HOST})
        if place in have:
            return
        have.add(place)
        if isinstance(var, Constant):
            plan.constants.append(var)
        elif var in arguments:
            plan.uploaded_inputs.append(var)
        else:
            plan.transfers.append((var, f"to {place}"))

    for step in plan.steps:
        if step.role == "fused":
            continue
        if step.role == "split":
            for old, new in step.aliases:
                places[old] = places.setdefault(new, {HOST})
            continue
        if step.role in ("kernel", "view"):
            for var in step.reads:
                need(var, DEVICE)
            emitted = step.kernel or step.view
            for position in emitted.host_inputs if emitted is not None else ():
                need(step.node.inputs[position], HOST)
            for var in step.node.outputs:
                places[var] = {DEVICE}
        elif step.role == "shape":
            for var in step.node.outputs:
                places[var] = {HOST}
        else:
            for var in step.node.inputs:
                need(var, HOST)
            for var in step.node.outputs:
                places[var] = {HOST}
    plan.output_places = [
        DEVICE if DEVICE in places.get(var, {HOST}) else HOST for var in plan.outputs
    ]
