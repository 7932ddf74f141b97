"""Rules that split a node into other nodes, each then planned by its own rule: the
node's meaning written with ops the device has (``SplitNode``).

- ``logsumexp``: a max (the shift), a sum fused with the ``exp`` feeding it, and one
  elementwise kernel;
- softmax and log_softmax: a max, a fused exp-sum and one elementwise kernel;
- ``np.linalg.norm``: the sums, maxima and minima each norm is;
- ``tensordot``: one matrix product of merged axes;
- ``trace``: the sum of the diagonal view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import tensorops as pt
from cudagen.kernels import reduce_kernel
from cudagen.ops import FLOATS, identity_program
from cudagen.rules import KernelNode, NodeContext, SplitNode, cuda_ops, split_as, tensor_info
from tensorops import Composite, Elemwise, reduction
from tensorops.basic import constant
from tensorops.diagonal import ExtractDiag
from tensorops.nlinalg import Norm, Trace
from tensorops.products import TensorDot
from tensorops.reduction import LogSoftmax, LogSumExp, Softmax


def _finite_or_zero(top: Any) -> Any:
    """SciPy's shift: the max where it is finite, else 0 (so -inf rows give -inf, not NaN)."""
    dtype = top.type.dtype
    return pt.switch(pt.isfinite(top), top, constant(np.zeros((), dtype), dtype=dtype))


@cuda_ops.register(LogSumExp)
def logsumexp_rule(ctx: NodeContext) -> SplitNode | None:
    """``m + log(sum(exp(x - m)))``, ``m = max(x)`` (0 where it is not finite, as in
    scipy): a max, a sum fused with the ``exp`` feeding it, and one elementwise kernel."""
    node = ctx.node
    op = node.op
    assert isinstance(op, LogSumExp)
    dtype = node.outputs[0].type.dtype  # type: ignore[attr-defined]
    if not op.axis or dtype not in FLOATS:
        return None
    x = node.inputs[0]
    if x.type.dtype != dtype:  # type: ignore[attr-defined]
        x = pt.cast(x, dtype)
    peak = reduction.max(x, axis=op.axis, keepdims=True)
    value, top = pt.scalar(dtype=dtype), pt.scalar(dtype=dtype)
    shift = _finite_or_zero(top)
    shifted = Elemwise(Composite([value, top], [pt.exp(value - shift)]))(x, peak)
    total = reduction.sum(shifted, axis=op.axis, keepdims=op.keepdims)
    kept = (
        peak
        if op.keepdims
        else peak.dimshuffle(
            [axis for axis in range(x.type.ndim) if axis not in op.axis]  # type: ignore[attr-defined]
        )
    )
    result = Elemwise(Composite([value, top], [pt.log(value) + shift]))(total, kept)
    x_info = tensor_info(x)
    if x_info is None or peak.owner is None:
        return None
    shift_kernel = reduce_kernel(
        f"{op}'s max", "max", tuple(sorted(op.axis)), True, identity_program, [dtype],
        [x_info[1]], dtype, dtype, empty_gives_identity=True,
    )  # fmt: skip
    return split_as(node, result, ((peak.owner, KernelNode(shift_kernel, (x,))),))


@cuda_ops.register(Softmax)
@cuda_ops.register(LogSoftmax)
def normalize_rule(ctx: NodeContext) -> SplitNode | None:
    """softmax ``exp(x - m) / sum(exp(x - m))`` and log_softmax ``(x - m) - log(sum(exp(x
    - m)))`` (``m`` 0 where it is not finite, as SciPy's), ``m`` the max along the axes:
    a max, a sum fused with the ``exp`` it adds up, and one elementwise kernel that
    computes the ``exp`` again rather than reading it back from memory."""
    node = ctx.node
    op = node.op
    assert isinstance(op, (Softmax, LogSoftmax))
    x, out = node.inputs[0], node.outputs[0]
    dtype = out.type.dtype  # type: ignore[attr-defined]
    if dtype not in FLOATS or x.type.dtype != dtype:  # type: ignore[attr-defined]
        return None  # integers subtract (and wrap) in their own dtype: the host
    axes = tuple(range(x.type.ndim)) if op.axis is None else op.axis  # type: ignore[attr-defined]
    peak = reduction.max(x, axis=axes, keepdims=True)
    value, top, total = (pt.scalar(dtype=dtype) for _ in range(3))
    shift = _finite_or_zero(top) if isinstance(op, LogSoftmax) else top
    terms = Elemwise(Composite([value, top], [pt.exp(value - shift)]))(x, peak)
    sums = reduction.sum(terms, axis=axes, keepdims=True)
    if isinstance(op, Softmax):
        last = pt.exp(value - shift) / total
    else:
        last = (value - shift) - pt.log(total)
    return split_as(node, Elemwise(Composite([value, top, total], [last]))(x, peak, sums))


@cuda_ops.register(Norm)
def norm_rule(ctx: NodeContext) -> SplitNode | None:
    """``np.linalg.norm`` as the reductions it is, each over its axes with the axes kept
    (dropped at the end unless asked for): vector norms of any order, and the matrix
    norms ``fro``, 1, -1, inf and -inf. The spectral and nuclear norms need an SVD: the
    host."""
    node = ctx.node
    op = node.op
    assert isinstance(op, Norm)
    x, out = node.inputs[0], node.outputs[0]
    dtype = out.type.dtype  # type: ignore[attr-defined]
    if tensor_info(x) is None or dtype not in FLOATS:
        return None
    ndim = x.type.ndim  # type: ignore[attr-defined]
    axes = tuple(range(ndim)) if op.axis is None else op.axis
    value: Any = x if x.type.dtype == dtype else pt.cast(x, dtype)  # type: ignore[attr-defined]
    if op.ord is None or (op.ord == "fro" and len(axes) == 2):  # the 2-norm of all elements
        found = pt.sqrt(reduction.sum(value * value, axis=axes, keepdims=True))
    elif len(axes) == 1:
        found = _vector_norm(value, op.ord, axes)
    else:
        found = _matrix_norm(value, op.ord, axes)
    if found is None:
        return None
    if not op.keepdims:
        found = found.dimshuffle([axis for axis in range(ndim) if axis not in axes])
    return split_as(node, found)


def _vector_norm(value: Any, order: Any, axes: tuple[int, ...]) -> Any:
    magnitude = abs(value)
    if order == 2:
        return pt.sqrt(reduction.sum(value * value, axis=axes, keepdims=True))
    if order in (np.inf, -np.inf):
        pick = reduction.max if order == np.inf else reduction.min
        return pick(magnitude, axis=axes, keepdims=True)
    if order == 0:
        nonzero = pt.cast(pt.neq(value, 0), value.type.dtype)
        return reduction.sum(nonzero, axis=axes, keepdims=True)
    if order == 1:
        return reduction.sum(magnitude, axis=axes, keepdims=True)
    if isinstance(order, (int, float)) and not isinstance(order, bool):
        powers = reduction.sum(magnitude ** float(order), axis=axes, keepdims=True)
        return powers ** (1.0 / float(order))
    return None


def _matrix_norm(value: Any, order: Any, axes: tuple[int, ...]) -> Any:
    rows, columns = axes
    if order in (1, -1):  # the largest (smallest) column sum
        inner, outer = rows, columns
    elif order in (np.inf, -np.inf):  # the largest (smallest) row sum
        inner, outer = columns, rows
    else:
        return None
    pick = reduction.max if order in (1, np.inf) else reduction.min
    sums = reduction.sum(abs(value), axis=(inner,), keepdims=True)
    return pick(sums, axis=(outer,), keepdims=True)


@cuda_ops.register(Trace)
def trace_rule(ctx: NodeContext) -> SplitNode | None:
    """``np.trace``: the sum of the diagonal (a view), in the trace's dtype."""
    op = ctx.node.op
    assert isinstance(op, Trace)
    x, out = ctx.node.inputs[0], ctx.node.outputs[0]
    diagonal = ExtractDiag(op.offset, op.axis1, op.axis2)(x)
    dtype = out.type.dtype  # type: ignore[attr-defined]
    return split_as(ctx.node, reduction.sum(diagonal, axis=-1, dtype=dtype))


def _length(x: Any, axes: Sequence[int]) -> Any:
    """The product of ``x``'s lengths along ``axes`` (1 for none)."""
    if not axes:
        return constant(np.asarray(1, "int64"), dtype="int64")
    total = x.shape[axes[0]]
    for axis in axes[1:]:
        total = total * x.shape[axis]
    return total


@cuda_ops.register(TensorDot)
def tensordot_rule(ctx: NodeContext) -> SplitNode | None:
    """``np.tensordot`` as one matrix product: ``a``'s free axes then its contracted ones
    (``b``'s contracted then free) as the rows and columns of a matrix (a view, or a copy
    where the transposed axes do not merge), the product reshaped to the free axes."""
    node = ctx.node
    op = node.op
    assert isinstance(op, TensorDot)
    a, b = node.inputs
    if any(tensor_info(var) is None for var in (a, b, node.outputs[0])):
        return None
    (axes_a, axes_b), ndims = op.axes, (a.type.ndim, b.type.ndim)  # type: ignore[attr-defined]
    free_a = [axis for axis in range(ndims[0]) if axis not in axes_a]
    free_b = [axis for axis in range(ndims[1]) if axis not in axes_b]

    def matrix(x: Any, first: list[int], second: list[int]) -> Any:
        """``x`` with the axes ``first`` merged into rows and ``second`` into columns."""
        order = [*first, *second]
        ordered = x if order == list(range(len(order))) else x.dimshuffle(order)
        return ordered.reshape((_length(x, first), _length(x, second)))

    rows, columns = matrix(a, free_a, list(axes_a)), matrix(b, list(axes_b), free_b)
    lengths = [a.shape[axis] for axis in free_a] + [b.shape[axis] for axis in free_b]  # type: ignore[attr-defined]
    return split_as(node, pt.dot(rows, columns).reshape(lengths))
