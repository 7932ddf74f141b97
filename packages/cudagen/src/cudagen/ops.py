"""The CUDA rules of tensorops' ops: elementwise programs (switch included, a table
row), reductions fused with the program feeding them, dot, views, indexing by an
integer vector (gather, scatter), joins (``Join``, ``MakeVector``) and guards (checks
of conditions, ppl's parameter checks among them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import tensorops as pt
from cudagen.expressions import ElementProgram, element_program
from cudagen.indexed import INDEX_DTYPES, gather_kernel, scatter_kernel
from cudagen.joined import guard_kernel, join_kernel, region_kernel
from cudagen.kernels import elementwise_kernel, matmul_kernel, reduce_kernel
from cudagen.launch import MAX_DIMS
from cudagen.rules import (
    KernelNode,
    NodeContext,
    SplitNode,
    ViewNode,
    cuda_ops,
    split_as,
    tensor_info,
)
from cudagen.scalar_cuda import STATUS
from cudagen.scanned import ARG_TESTS, arg_reduce_kernel, cumulative_kernel
from cudagen.scanned import FOLDS as CUMULATIVE_FOLDS
from cudagen.views import (
    Layout,
    broadcast_layout,
    diagonal_layout,
    dimshuffle_layout,
    reshape_layout,
    subtensor_layout,
)
from graphcore import Apply, Variable
from tensorops import Composite, DimShuffle, Elemwise
from tensorops.basic import constant
from tensorops.creation_ops import Alloc
from tensorops.cumulative import CumOp
from tensorops.diagonal import ExtractDiag
from tensorops.guards import Guard
from tensorops.indexing.advanced import AdvancedIncSubtensor1, AdvancedSubtensor1
from tensorops.indexing.basic import IncSubtensor, Subtensor
from tensorops.indexing.key import static_result_shape
from tensorops.join_ops import Join
from tensorops.products import Dot, MatMul
from tensorops.reduction import ArgReduce, Reduce
from tensorops.scalar_ops import SCALAR_OPS
from tensorops.shape_ops import Reshape
from tensorops.sizes import MakeVector

REDUCTIONS = ("sum", "prod", "max", "min", "mean", "all", "any")
FLOATS = ("float32", "float64")


@cuda_ops.register(Elemwise)
def elemwise_rule(ctx: NodeContext) -> KernelNode | SplitNode | None:
    """One kernel for the node's program; a fused node with a step that has no CUDA is
    split into a node per step, so only that step runs on the host."""
    node = ctx.node
    assert isinstance(node.op, Elemwise)
    # An in-place pattern (FAST_RUN's) is dropped: a fresh output is always correct, and
    # the input it would overwrite is read by no one after this node.
    infos = [tensor_info(var) for var in [*node.inputs, *node.outputs]]
    if any(info is None for info in infos):
        return split_composite(node)
    in_infos = [info for info in infos[: len(node.inputs)] if info is not None]
    out_dtypes = [info[0] for info in infos[len(node.inputs) :] if info is not None]
    in_dtypes = [dtype for dtype, _ in in_infos]
    program = element_program(node.op, in_dtypes, out_dtypes)
    if program is None:
        return split_composite(node)
    kernel = elementwise_kernel(
        str(node.op), program, in_dtypes, [flags for _, flags in in_infos], out_dtypes
    )
    return KernelNode(kernel, tuple(node.inputs))


@cuda_ops.register(Reduce)
def reduce_rule(ctx: NodeContext) -> KernelNode | None:
    node = ctx.node
    op = node.op
    assert isinstance(op, Reduce)
    x_info, out_info = tensor_info(node.inputs[0]), tensor_info(node.outputs[0])
    if x_info is None or out_info is None or op.reduction not in REDUCTIONS:
        return None
    if op.reduction in ("max", "min") and x_info[0] == "bool":
        return None
    if out_info[0] == "bool" and op.reduction not in ("all", "any"):
        return None
    label = str(op)
    axes = tuple(sorted(op.axis))
    producer = ctx.producer
    if producer is not None and isinstance(producer.op, Elemwise) and len(producer.outputs) == 1:
        infos = [tensor_info(var) for var in producer.inputs]
        in_dtypes = [info[0] for info in infos if info is not None]
        program = (
            element_program(producer.op, in_dtypes, [x_info[0]])
            if len(in_dtypes) == len(infos)
            else None
        )
        if program is not None and not _flags_errors(program, len(in_dtypes)):
            flags = [info[1] for info in infos if info is not None]
            kernel = reduce_kernel(
                f"{label} of {producer.op}", op.reduction, axes, op.keepdims, program,
                in_dtypes, flags, x_info[0], out_info[0],
            )  # fmt: skip
            return KernelNode(kernel, tuple(producer.inputs), absorbs=True)
    kernel = reduce_kernel(
        label, op.reduction, axes, op.keepdims, identity_program, [x_info[0]], [x_info[1]],
        x_info[0], out_info[0],
    )  # fmt: skip
    return KernelNode(kernel, (node.inputs[0],))


@cuda_ops.register(CumOp)
def cumulative_rule(ctx: NodeContext) -> KernelNode | SplitNode | None:
    """``cumsum``/``cumprod`` along an axis; over the flattened array (axis None) of more
    than one axis, as the same op along the axis of ``x.flatten()`` (a view, or a copy)."""
    node = ctx.node
    op = node.op
    assert isinstance(op, CumOp)
    (x,), (out,) = node.inputs, node.outputs
    x_info, out_info = tensor_info(x), tensor_info(out)
    if x_info is None or out_info is None or op.mode not in CUMULATIVE_FOLDS:
        return None
    ndim = len(x_info[1])
    if op.axis is None and ndim != 1:
        return split_as(node, CumOp(op.mode, 0)(x.flatten()))  # type: ignore[attr-defined]
    axis = 0 if op.axis is None else op.axis % ndim
    kernel = cumulative_kernel(str(op), op.mode, axis, ndim, x_info[0], out_info[0])
    return KernelNode(kernel, (x,))


@cuda_ops.register(ArgReduce)
def arg_reduce_rule(ctx: NodeContext) -> KernelNode | SplitNode | None:
    """argmax/argmin along an axis; of the flattened array (axis None) of more than one
    axis, as the same op along the axis of ``x.flatten()``, its 0-d result given the
    kept axes when asked."""
    node = ctx.node
    op = node.op
    assert isinstance(op, ArgReduce)
    (x,) = node.inputs
    x_info = tensor_info(x)
    if x_info is None or op.reduction not in ARG_TESTS:
        return None
    ndim = len(x_info[1])
    if op.axis is None and ndim != 1:
        found = ArgReduce(op.reduction, 0)(x.flatten())  # type: ignore[attr-defined]
        return split_as(node, found.dimshuffle(["x"] * ndim) if op.keepdims else found)
    axis = 0 if op.axis is None else op.axis % ndim
    kernel = arg_reduce_kernel(str(op), op.reduction, axis, op.keepdims, ndim, x_info[0])
    return KernelNode(kernel, (x,))


def _flags_errors(program: ElementProgram, n_inputs: int) -> bool:
    """Whether a program may flag an error (scalar_cuda.STATUS): a reduction does not fuse
    it, and its own elementwise kernel reports it."""
    statements, results = program([f"x{k}" for k in range(n_inputs)])
    return any(STATUS in line for line in [*statements, *results])


def split_composite(node: Apply) -> SplitNode | None:
    """A fused node as one elementwise node per step of its program (each then a kernel,
    or a host op) and what stands for each of its outputs; None when that changes an
    output's type, or the node is no fused program."""
    op = node.op
    if not isinstance(op, Elemwise) or not isinstance(op.scalar_op, Composite):
        return None
    composite = op.scalar_op
    slots: list[Variable] = list(node.inputs)
    slots += [constant(np.asarray(value), dtype=str(value.dtype)) for value in composite.constants]
    nodes: list[Apply] = []
    for step in composite.steps:
        made = Elemwise(step.op).make_node(*(slots[a] for a in step.arguments))
        nodes.append(made)
        slots.append(made.outputs[0])
    results = [slots[slot] for slot in composite.output_slots]
    if any(new.type != old.type for new, old in zip(results, node.outputs, strict=True)):
        return None
    return SplitNode(tuple(nodes), tuple(results))


def identity_program(values: Sequence[str]) -> tuple[list[str], list[str]]:
    return [], [values[0]]


PRODUCT_DTYPES = (*FLOATS, "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
"""Dtypes of matrix products on the device: floats through cuBLAS or the tiled kernel,
integers (wrapping as NumPy's) through the tiled kernel."""


@cuda_ops.register(MatMul)
@cuda_ops.register(Dot)
def dot_rule(ctx: NodeContext) -> KernelNode | SplitNode | None:
    """Products of one dtype as a kernel; operands of several dtypes cast to the result's
    first, and a ``Dot`` with a 0-d operand as the multiplication it is (split)."""
    node = ctx.node
    a, b = node.inputs
    out = node.outputs[0]
    infos = [tensor_info(var) for var in (a, b, out)]
    if any(info is None or info[0] not in PRODUCT_DTYPES for info in infos):
        return None
    dtype = out.type.dtype  # type: ignore[attr-defined]
    ranks = (len(a.type.shape), len(b.type.shape))  # type: ignore[attr-defined]
    if isinstance(node.op, Dot) and 0 in ranks:
        return split_as(node, pt.mul(a, b))
    in_dtypes = [info[0] for info in infos[:2] if info is not None]
    if set(in_dtypes) != {dtype}:
        pairs = zip((a, b), in_dtypes, strict=True)
        cast = [v if d == dtype else pt.cast(v, dtype) for v, d in pairs]
        return split_as(node, node.op(*cast))
    if isinstance(node.op, Dot) and max(ranks) > 2:  # np.dot of tensors: a tensordot
        return split_as(node, pt.tensordot(a, b, [[ranks[0] - 1], [max(ranks[1] - 2, 0)]]))
    if max(ranks) > MAX_DIMS + 2:
        return None
    return KernelNode(matmul_kernel(str(node.op), dtype, ranks), (a, b))


@cuda_ops.register(DimShuffle)
def dimshuffle_rule(ctx: NodeContext) -> ViewNode | None:
    op = ctx.node.op
    assert isinstance(op, DimShuffle)
    if tensor_info(ctx.node.inputs[0]) is None or tensor_info(ctx.node.outputs[0]) is None:
        return None
    order = op.new_order
    return ViewNode(lambda layout, values: dimshuffle_layout(layout, order))


def copy_kernel(info: tuple[str, tuple[bool, ...]]) -> Any:
    """A contiguous copy of a value of this dtype and these broadcast flags."""
    dtype, flags = info
    copy = element_program(Elemwise(SCALAR_OPS["identity"]), [dtype], [dtype])
    assert copy is not None
    return elementwise_kernel("copy", copy, [dtype], [flags], [dtype])


@cuda_ops.register(Reshape)
def reshape_rule(ctx: NodeContext) -> ViewNode | None:
    info, out = tensor_info(ctx.node.inputs[0]), tensor_info(ctx.node.outputs[0])
    if info is None or out is None:
        return None

    def layout(source: Layout, values: Sequence[Any]) -> Layout:
        return reshape_layout(source, [int(n) for n in values[0]])

    return ViewNode(layout, copy=copy_kernel(info), host_inputs=(1,))


@cuda_ops.register(IncSubtensor)
def inc_subtensor_rule(ctx: NodeContext) -> KernelNode | None:
    """``set_subtensor``/``inc_subtensor`` of a basic key (the gradient of a slice)."""
    node = ctx.node
    op = node.op
    assert isinstance(op, IncSubtensor)
    x, y = node.inputs[:2]
    x_info, y_info = tensor_info(x), tensor_info(y)
    if x_info is None or y_info is None:
        return None
    if not op.set_instead_of_inc and not np.can_cast(y_info[0], x_info[0], "same_kind"):
        return None  # NumPy refuses such a +=: the host raises its error
    region_ndim = len(static_result_shape(op.spec, x, node.inputs[2:]))
    kernel = region_kernel(
        str(op), tuple(op.spec), op.set_instead_of_inc, region_ndim, x_info[0], y_info[0]
    )
    return KernelNode(kernel, (x, y), host_inputs=tuple(range(2, len(node.inputs))))


@cuda_ops.register(Subtensor)
def subtensor_rule(ctx: NodeContext) -> ViewNode | None:
    op = ctx.node.op
    assert isinstance(op, Subtensor)
    if tensor_info(ctx.node.inputs[0]) is None or tensor_info(ctx.node.outputs[0]) is None:
        return None
    spec = op.spec
    positions = tuple(range(1, len(ctx.node.inputs)))
    return ViewNode(
        lambda layout, values: subtensor_layout(layout, spec, values), host_inputs=positions
    )


def _index_dtype(ctx: NodeContext, position: int) -> str | None:
    info = tensor_info(ctx.node.inputs[position])
    return info[0] if info is not None and info[0] in INDEX_DTYPES else None


@cuda_ops.register(AdvancedSubtensor1)
def gather_rule(ctx: NodeContext) -> KernelNode | None:
    """``x[indices]``: a gather, bounds checked on the device."""
    x, indices = ctx.node.inputs
    info, index_dtype = tensor_info(x), _index_dtype(ctx, 1)
    if info is None or index_dtype is None or tensor_info(ctx.node.outputs[0]) is None:
        return None
    kernel = gather_kernel(str(ctx.node.op), info[0], index_dtype, len(info[1]))
    return KernelNode(kernel, (x, indices))


@cuda_ops.register(AdvancedIncSubtensor1)
def scatter_rule(ctx: NodeContext) -> KernelNode | None:
    """``x`` with ``x[indices]`` incremented (atomicAdd) or set: the in-place variant
    writes a fresh result too (x may be a constant's or a shared value's device copy)."""
    op = ctx.node.op
    assert isinstance(op, AdvancedIncSubtensor1)
    x, y, indices = ctx.node.inputs
    info, y_info, index_dtype = tensor_info(x), tensor_info(y), _index_dtype(ctx, 2)
    if info is None or y_info is None or index_dtype is None or y_info[0] != info[0]:
        return None
    label = f"Advanced{'Set' if op.set_instead_of_inc else 'Inc'}Subtensor1"
    kernel = scatter_kernel(
        label, info[0], index_dtype, len(info[1]), op.set_instead_of_inc, copy_kernel(info)
    )
    return None if kernel is None else KernelNode(kernel, (x, y, indices))


@cuda_ops.register(Alloc)
def alloc_rule(ctx: NodeContext) -> ViewNode | None:
    """A value broadcast to a shape: zero strides, no kernel and no memory (results are
    never written in place, so the view may share the value's storage)."""
    if tensor_info(ctx.node.inputs[0]) is None or tensor_info(ctx.node.outputs[0]) is None:
        return None
    positions = tuple(range(1, len(ctx.node.inputs)))
    return ViewNode(broadcast_layout, host_inputs=positions)


@cuda_ops.register(ExtractDiag)
def diagonal_rule(ctx: NodeContext) -> ViewNode | None:
    op = ctx.node.op
    assert isinstance(op, ExtractDiag)
    if tensor_info(ctx.node.inputs[0]) is None:
        return None
    return ViewNode(lambda layout, _: diagonal_layout(layout, op.offset, op.axis1, op.axis2))


@cuda_ops.register(MakeVector)
@cuda_ops.register(Join)
def join_rule(ctx: NodeContext) -> KernelNode | None:
    """Pieces copied into one result, a kernel launch per piece (``MakeVector``: scalars
    as pieces of length 1, cast to the vector's dtype)."""
    node = ctx.node
    infos = [tensor_info(var) for var in [*node.inputs, *node.outputs]]
    if any(info is None for info in infos):
        return None
    dtypes = [info[0] for info in infos if info is not None]
    out_dtype, ndim = dtypes[-1], len(node.outputs[0].type.shape)  # type: ignore[attr-defined]
    stacked = isinstance(node.op, MakeVector)
    axis = 0 if stacked else node.op.axis  # type: ignore[attr-defined]
    kernel = join_kernel(str(node.op), axis, dtypes[:-1], out_dtype, ndim, stacked)
    return KernelNode(kernel, tuple(node.inputs))


@cuda_ops.register(Guard)
def guard_rule(ctx: NodeContext) -> KernelNode | None:
    """The conditions checked on the device; the guarded value passes through."""
    op = ctx.node.op
    assert isinstance(op, Guard)
    infos = [tensor_info(var) for var in ctx.node.inputs]
    if any(info is None for info in infos):
        return None
    conditions = [(info[0], len(info[1])) for info in infos[1:] if info is not None]
    kernel = guard_kernel(str(op), conditions, op.error, op.message)
    return KernelNode(kernel, tuple(ctx.node.inputs))
