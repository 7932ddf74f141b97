"""Batching rules: each rebuilds one node for inputs that carry a leading batch axis.

Rules exist for Elemwise, DimShuffle, the reductions (Reduce, LogSumExp, Softmax,
LogSoftmax, ArgReduce), CumOp, SortOp, Subtensor, IncSubtensor, AdvancedSubtensor1,
AdvancedIncSubtensor1, AdvancedSubtensor / AdvancedIncSubtensor (when the advanced
indices sit together), Reshape, Shape, Shape_i, SpecifyShape, Alloc, Join, Dot,
MatMul, TensorDot, the stacked linear-algebra ops (det, inv, eigh, svd, cholesky,
expm, ...), Solve, SolveTriangular and CholeskySolve (with a batched right-hand side),
and the gradient-control ops.

Everything else falls back to ``LoopOverBatch``: batched index inputs, batched shape
inputs, MakeVector, Split, IfElse, Eye, ARange, Repeat, non-adjacent advanced indices,
triangular and Cholesky solves with a batched matrix, SolveDiscreteLyapunov.
"""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.batching import loop_over_batch, register_batch_rule
from autodiff.control import GradientControl
from autodiff.rules.product_rules import tensors
from graphcore import Apply, Variable
from tensorops.creation import Alloc
from tensorops.cumulative import CumOp
from tensorops.dimshuffle import DimShuffle
from tensorops.elemwise import Elemwise
from tensorops.indexing import (
    AdvancedIncSubtensor,
    AdvancedIncSubtensor1,
    AdvancedSubtensor,
    AdvancedSubtensor1,
    IncSubtensor,
    Subtensor,
)
from tensorops.indexing.key import ARRAY, INT
from tensorops.join import Join, make_vector, vector_entries
from tensorops.nlinalg import BatchedMatrixOp
from tensorops.products import Dot, MatMul, TensorDot
from tensorops.reduction import ArgReduce, LogSumExp, Reduce, _Normalize
from tensorops.shape import Reshape, Shape, Shape_i, SpecifyShape
from tensorops.slinalg import Cholesky, CholeskySolve, Expm, Solve, SolveTriangular
from tensorops.sort import SortOp

FULL_SLICE = ("slice", False, False, False)


def batch_size(inputs: list[Any], batched: list[bool]) -> Any:
    """The length of the batch axis, from the first batched input."""
    first = next(x for x, flag in zip(inputs, batched, strict=True) if flag)
    return pt.shape_tuple(first)[0]


def broadcast_to_batch(x: Any, size: Any) -> Any:
    """An unbatched ``x`` repeated along a new leading batch axis."""
    return pt.alloc(x, size, *pt.shape_tuple(x))


def with_batch(inputs: list[Any], batched: list[bool]) -> list[Any]:
    """Every input batched: the unbatched ones repeated along the batch axis."""
    size = batch_size(inputs, batched)
    return [
        x if flag else broadcast_to_batch(x, size) for x, flag in zip(inputs, batched, strict=True)
    ]


def insert_axes(x: Any, count: int, batched: bool = True) -> Any:
    """New length-1 axes right after the batch axis (at the front when not batched)."""
    if count == 0:
        return x
    if batched:
        return x.dimshuffle(0, *["x"] * count, *range(1, x.ndim))
    return x.dimshuffle(*["x"] * count, *range(x.ndim))


def _shift(axes: Any) -> Any:
    return tuple(axis + 1 for axis in axes)


def _flattened(x: Any) -> Any:
    """A batched ``x`` as ``(batch, everything else)``, for ops with axis None."""
    return pt.reshape(x, (pt.shape_tuple(x)[0], -1))


# --- elementwise, layout, reductions --------------------------------------------------------


@register_batch_rule(Elemwise)
def elemwise_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    # Elemwise pads the unbatched inputs with leading length-1 axes itself.
    op = node.op
    assert isinstance(op, Elemwise)
    plain = Elemwise(op.scalar_op) if op.inplace_pattern else op
    return list(plain.make_node(*inputs).outputs)


@register_batch_rule(GradientControl)
def identity_like_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    return list(node.op.make_node(*inputs).outputs)


@register_batch_rule(DimShuffle)
def dimshuffle_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, DimShuffle)
    order = [0, *("x" if entry == "x" else int(entry) + 1 for entry in op.new_order)]
    return [DimShuffle(op.input_ndim + 1, order)(inputs[0])]


@register_batch_rule(Reduce)
def reduce_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, Reduce)
    return [Reduce(op.reduction, _shift(op.axis), op.keepdims, op.dtype)(inputs[0])]


@register_batch_rule(LogSumExp)
def logsumexp_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, LogSumExp)
    return [LogSumExp(_shift(op.axis), op.keepdims)(inputs[0])]


@register_batch_rule(_Normalize)
def normalize_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, _Normalize)
    ndim = tensors(node.inputs)[0].ndim
    axes = tuple(range(1, ndim + 1)) if op.axis is None else _shift(op.axis)
    return [type(op)(axes)(inputs[0])]


@register_batch_rule(ArgReduce)
def arg_reduce_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, ArgReduce)
    if op.axis is None and op.keepdims:
        return loop_over_batch(node, inputs, batched)
    if op.axis is None:
        return [ArgReduce(op.reduction, 1)(_flattened(inputs[0]))]
    return [ArgReduce(op.reduction, op.axis + 1, op.keepdims)(inputs[0])]


@register_batch_rule(CumOp)
def cumulative_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, CumOp)
    if op.axis is None:
        return [CumOp(op.mode, 1)(_flattened(inputs[0]))]
    return [CumOp(op.mode, op.axis + 1)(inputs[0])]


@register_batch_rule(SortOp)
def sort_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, SortOp)
    if op.axis is None:
        return [SortOp(op.mode, 1, op.kind)(_flattened(inputs[0]))]
    return [SortOp(op.mode, op.axis + 1, op.kind)(inputs[0])]


# --- shapes ---------------------------------------------------------------------------------


@register_batch_rule(Shape)
def shape_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    return [pt.shape(inputs[0])[1:]]


@register_batch_rule(Shape_i)
def shape_i_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, Shape_i)
    return [Shape_i(op.i + 1)(inputs[0])]


@register_batch_rule(SpecifyShape)
def specify_shape_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, SpecifyShape)
    if any(batched[1:]):
        return loop_over_batch(node, inputs, batched)
    return [SpecifyShape((False, *op.specified))(*inputs)]


@register_batch_rule(Reshape)
def reshape_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, Reshape)
    if batched[1]:
        return loop_over_batch(node, inputs, batched)
    x, shape = inputs
    sizes = [pt.shape_tuple(x)[0], *vector_entries(shape, op.ndim)]
    return [Reshape(op.ndim + 1)(x, make_vector(sizes))]


@register_batch_rule(Alloc)
def alloc_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    if any(batched[1:]):
        return loop_over_batch(node, inputs, batched)
    value, *sizes = inputs
    padded = insert_axes(value, len(sizes) - tensors(node.inputs)[0].ndim)
    return [Alloc()(padded, pt.shape_tuple(value)[0], *sizes)]


@register_batch_rule(Join)
def join_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, Join)
    return [Join(op.axis + 1)(*with_batch(inputs, batched))]


# --- indexing -------------------------------------------------------------------------------


def _region_ndim(node: Apply) -> int:
    """The rank of the region ``x[key]`` that an increment op writes."""
    op: Any = node.op
    x, _, *indices = tensors(node.inputs)
    if isinstance(op, IncSubtensor):
        return int(tensors(Subtensor(op.spec).make_node(x, *indices).outputs)[0].ndim)
    if isinstance(op, AdvancedIncSubtensor):
        return int(tensors(AdvancedSubtensor(op.spec).make_node(x, *indices).outputs)[0].ndim)
    return int(x.ndim)


def _increment_batch(node: Apply, inputs: list[Any], batched: list[bool], spec: Any) -> Any:
    """x with x[:, key] incremented (or set) by y: x repeated when unbatched, a batched y
    given the region's rank so that its batch axis meets the region's."""
    op: Any = node.op
    x, y, *indices = inputs
    size = batch_size(inputs, batched)
    x_batched = x if batched[0] else broadcast_to_batch(x, size)
    if batched[1]:
        y = insert_axes(y, _region_ndim(node) - tensors(node.inputs)[1].ndim)
    return type(op)(spec, op.set_instead_of_inc)(x_batched, y, *indices)


def _adjacent_advanced(spec: Any) -> bool:
    """Whether the advanced entries (arrays, and ints among them) of ``spec`` sit together,
    so NumPy keeps their result axes in place (else it moves them to the front)."""
    positions = [i for i, entry in enumerate(spec) if entry in (ARRAY, INT)]
    return not positions or positions[-1] - positions[0] + 1 == len(positions)


@register_batch_rule(Subtensor)
def subtensor_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, Subtensor)
    if any(batched[1:]):
        return loop_over_batch(node, inputs, batched)
    return [Subtensor((FULL_SLICE, *op.spec))(*inputs)]


@register_batch_rule(IncSubtensor)
def inc_subtensor_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, IncSubtensor)
    if any(batched[2:]):
        return loop_over_batch(node, inputs, batched)
    return [_increment_batch(node, inputs, batched, (FULL_SLICE, *op.spec))]


@register_batch_rule(AdvancedSubtensor1)
def take_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    if batched[1]:
        return loop_over_batch(node, inputs, batched)
    return [AdvancedSubtensor((FULL_SLICE, ARRAY))(*inputs)]


@register_batch_rule(AdvancedIncSubtensor1)
def put_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, AdvancedIncSubtensor1)
    if batched[2]:
        return loop_over_batch(node, inputs, batched)
    x, y, indices = inputs
    size = batch_size(inputs, batched)
    x_batched = x if batched[0] else broadcast_to_batch(x, size)
    if batched[1]:
        y = insert_axes(y, tensors(node.inputs)[0].ndim - tensors(node.inputs)[1].ndim)
    spec = (FULL_SLICE, ARRAY)
    return [AdvancedIncSubtensor(spec, op.set_instead_of_inc)(x_batched, y, indices)]


@register_batch_rule(AdvancedSubtensor)
def advanced_subtensor_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, AdvancedSubtensor)
    if any(batched[1:]) or not _adjacent_advanced(op.spec):
        return loop_over_batch(node, inputs, batched)
    return [AdvancedSubtensor((FULL_SLICE, *op.spec))(*inputs)]


@register_batch_rule(AdvancedIncSubtensor)
def advanced_inc_subtensor_batch(
    node: Apply, inputs: list[Any], batched: list[bool]
) -> list[Variable]:
    op = node.op
    assert isinstance(op, AdvancedIncSubtensor)
    if any(batched[2:]) or not _adjacent_advanced(op.spec):
        return loop_over_batch(node, inputs, batched)
    return [_increment_batch(node, inputs, batched, (FULL_SLICE, *op.spec))]


# --- products -------------------------------------------------------------------------------


def _batched_matmul(node: Apply, inputs: list[Any], batched: list[bool]) -> Any:
    """``matmul`` of the batched operands: 1-d operands become a row / a column, batched
    operands get length-1 axes so their batch axes line up with the output's."""
    a, b = inputs
    ndim_a, ndim_b = (x.ndim for x in tensors(node.inputs))
    output_batch = max(ndim_a - 2, ndim_b - 2, 0)
    if ndim_a == 1:
        a = a.dimshuffle(0, "x", 1) if batched[0] else a.dimshuffle("x", 0)
    if ndim_b == 1:
        b = b.dimshuffle(0, 1, "x") if batched[1] else b.dimshuffle(0, "x")
    if batched[0]:
        a = insert_axes(a, output_batch - max(ndim_a - 2, 0))
    if batched[1]:
        b = insert_axes(b, output_batch - max(ndim_b - 2, 0))
    result = pt.matmul(a, b)
    drop = [result.ndim - 2] if ndim_a == 1 else []
    if ndim_b == 1:
        drop.append(result.ndim - 1)
    if drop:
        result = result.dimshuffle(*[axis for axis in range(result.ndim) if axis not in drop])
    return result


@register_batch_rule(MatMul)
def matmul_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    return [_batched_matmul(node, inputs, batched)]


@register_batch_rule(Dot)
def dot_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    a, b = inputs
    ndim_a, ndim_b = (x.ndim for x in tensors(node.inputs))
    if ndim_a == 0 or ndim_b == 0:
        # A scalar scales the other: elementwise, with the batch axes lined up.
        other_ndim = max(ndim_a, ndim_b)
        a = insert_axes(a, other_ndim - ndim_a, batched[0]) if batched[0] or ndim_a == 0 else a
        b = insert_axes(b, other_ndim - ndim_b, batched[1]) if batched[1] or ndim_b == 0 else b
        return [a * b]
    return [_batched_matmul(node, inputs, batched)]


@register_batch_rule(TensorDot)
def tensordot_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    op = node.op
    assert isinstance(op, TensorDot)
    a, b = inputs
    axes_a, axes_b = op.axes
    if batched[0] and not batched[1]:
        return [pt.tensordot(a, b, axes=(_shift(axes_a), axes_b))]
    free_a = [axis for axis in range(tensors(node.inputs)[0].ndim) if axis not in axes_a]
    if batched[1] and not batched[0]:
        # The batch axis of b lands after a's free axes: move it to the front.
        result = pt.tensordot(a, b, axes=(axes_a, _shift(axes_b)))
        count = len(free_a)
        return [pt.transpose(result, [count, *range(count), *range(count + 1, result.ndim)])]
    # Both batched: (batch, free_a, contracted) @ (batch, contracted, free_b) as a matmul.
    free_b = [axis for axis in range(tensors(node.inputs)[1].ndim) if axis not in axes_b]
    sizes_a, sizes_b = pt.shape_tuple(a), pt.shape_tuple(b)
    left = pt.transpose(a, [0, *_shift(free_a), *_shift(axes_a)])
    right = pt.transpose(b, [0, *_shift(axes_b), *_shift(free_b)])
    size = sizes_a[0]
    contracted = _product([sizes_a[axis + 1] for axis in axes_a])
    left = pt.reshape(left, (size, -1, contracted))
    right = pt.reshape(right, (size, contracted, -1))
    shape = [size, *(sizes_a[axis + 1] for axis in free_a), *(sizes_b[axis + 1] for axis in free_b)]
    return [pt.reshape(pt.matmul(left, right), shape)]


def _product(sizes: list[Any]) -> Any:
    total: Any = 1
    for size in sizes:
        total = total * size
    return total


# --- linear algebra -------------------------------------------------------------------------


@register_batch_rule(BatchedMatrixOp)
def stacked_matrix_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    # These ops take stacks of matrices already: the batch axis is one more stack axis.
    return list(node.op.make_node(*inputs).outputs)


register_batch_rule(Cholesky)(stacked_matrix_batch)
register_batch_rule(Expm)(stacked_matrix_batch)


@register_batch_rule(Solve)
def solve_batch(node: Apply, inputs: list[Any], batched: list[bool]) -> list[Variable]:
    a, b = inputs
    ndim_a, ndim_b = (x.ndim for x in tensors(node.inputs))
    if ndim_b == 1:  # a single vector: solve for a column, then drop it
        b = b.dimshuffle(0, 1, "x") if batched[1] else b.dimshuffle(0, "x")
        ndim_b = 2
    output_batch = max(ndim_a, ndim_b) - 2
    if batched[0]:
        a = insert_axes(a, output_batch - (ndim_a - 2))
    if batched[1]:
        b = insert_axes(b, output_batch - (ndim_b - 2))
    result: Any = node.op.make_node(a, b).outputs[0]
    if tensors(node.inputs)[1].ndim == 1:
        result = result.dimshuffle(*range(result.ndim - 1))
    return [result]


@register_batch_rule(SolveTriangular)
def single_matrix_solve_batch(
    node: Apply, inputs: list[Any], batched: list[bool]
) -> list[Variable]:
    """The batch of right-hand sides as more columns of one right-hand side."""
    if batched[0]:
        return loop_over_batch(node, inputs, batched)
    a, b = inputs
    if tensors(node.inputs)[1].ndim == 1:
        return [tensors(node.op.make_node(a, b.T).outputs)[0].T]
    size, rows, columns = pt.shape_tuple(b)
    wide = pt.reshape(pt.transpose(b, [1, 0, 2]), (rows, -1))
    solved = node.op.make_node(a, wide).outputs[0]
    return [pt.transpose(pt.reshape(solved, (rows, size, columns)), [1, 0, 2])]


register_batch_rule(CholeskySolve)(single_matrix_solve_batch)
