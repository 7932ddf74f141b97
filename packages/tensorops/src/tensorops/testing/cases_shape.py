"""Op-table rows for shape ops: shape, specify_shape, reshape, flatten, new and dropped
axes, broadcasting, and joining and splitting."""

from __future__ import annotations

import numpy as np

from tensorops.join import concatenate, hstack, join, split, stack, vstack
from tensorops.shape import (
    Shape_i,
    broadcast_arrays,
    broadcast_to,
    expand_dims,
    flatten,
    reshape,
    shape,
    shape_padaxis,
    shape_padleft,
    shape_padright,
    specify_shape,
    squeeze,
)
from tensorops.testing.case import OpCase
from tensorops.testing.cases_indexing import fixed, integers, normal


def _shape_cases() -> list[OpCase]:
    return [
        OpCase("shape_matrix", shape, lambda x: np.array(x.shape), [normal(3, 4)], grad=False),
        OpCase("shape_empty", shape, lambda x: np.array(x.shape), [normal(0, 2, 0)], grad=False),
        OpCase(
            "shape_i",
            Shape_i(1),
            lambda x: np.array(x.shape[1]),
            [normal(2, 5)],
            grad=False,
        ),
        OpCase(
            "shape_of_scalar",
            shape,
            lambda x: np.zeros(0, dtype="int64"),
            [normal()],
            grad=False,
        ),
        OpCase(
            "specify_shape",
            lambda x: specify_shape(x, (3, None)),
            lambda x: x,
            [normal(3, 2)],
        ),
        OpCase(
            "specify_shape_symbolic",
            lambda x, n: specify_shape(x, (n,)),
            lambda x, n: x,
            [normal(4, dtype="float32"), fixed(4, "int32")],
            grad_inputs=(0,),
        ),
    ]


def _reshape_cases() -> list[OpCase]:
    return [
        OpCase("reshape", lambda x: reshape(x, (2, 6)), lambda x: x.reshape(2, 6), [normal(3, 4)]),
        OpCase(
            "reshape_minus_one",
            lambda x: reshape(x, (-1, 3)),
            lambda x: x.reshape(-1, 3),
            [normal(2, 3, 2)],
        ),
        OpCase(
            "reshape_symbolic_shape",
            lambda x, s: reshape(x, s, ndim=2),
            lambda x, s: x.reshape(s),
            [normal(4, 3), fixed([6, -1], "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "reshape_symbolic_entries",
            lambda x, n: reshape(x, (n, x.shape[0])),
            lambda x, n: x.reshape(n, x.shape[0]),
            [normal(3, 2), fixed(2, "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "reshape_to_scalar",
            lambda x: reshape(x, ()),
            lambda x: x.reshape(()),
            [normal(1, 1)],
        ),
        OpCase(
            "reshape_empty",
            lambda x: reshape(x, (2, -1)),
            lambda x: x.reshape(2, -1),
            [normal(0, 3, 2)],
        ),
        OpCase(
            "reshape_int",
            lambda x: reshape(x, (4,)),
            lambda x: x.reshape(4),
            [integers(0, 9, 2, 2, dtype="uint8")],
            grad=False,
        ),
        OpCase("flatten", flatten, lambda x: x.reshape(-1), [normal(2, 3, 2)]),
        OpCase(
            "flatten_ndim2",
            lambda x: flatten(x, 2),
            lambda x: x.reshape(x.shape[0], -1),
            [normal(2, 3, 4, dtype="float32")],
        ),
    ]


def _axes_cases() -> list[OpCase]:
    return [
        OpCase(
            "shape_padleft", lambda x: shape_padleft(x, 2), lambda x: x[None, None], [normal(3)]
        ),
        OpCase("shape_padright", shape_padright, lambda x: x[..., None], [normal(2, 3)]),
        OpCase(
            "shape_padaxis",
            lambda x: shape_padaxis(x, 1),
            lambda x: np.expand_dims(x, 1),
            [normal(2, 3)],
        ),
        OpCase(
            "expand_dims_many",
            lambda x: expand_dims(x, (0, -1)),
            lambda x: np.expand_dims(x, (0, -1)),
            [normal(2)],
        ),
        OpCase(
            "squeeze_runtime_check",
            lambda x: squeeze(x, 1),
            lambda x: np.squeeze(x, 1),
            [normal(3, 1, 2)],
        ),
        OpCase(
            "squeeze_static",
            lambda x: squeeze(specify_shape(x, (1, None, 1))),
            np.squeeze,
            [normal(1, 4, 1)],
        ),
        OpCase(
            "broadcast_to",
            lambda x: broadcast_to(x, (2, 3, 4)),
            lambda x: np.broadcast_to(x, (2, 3, 4)),
            [normal(3, 1)],
        ),
        OpCase(
            "broadcast_to_symbolic",
            lambda x, y: broadcast_to(x, y.shape),
            lambda x, y: np.broadcast_to(x, y.shape).copy(),
            [normal(1, 3), normal(4, 3)],
            grad_inputs=(0,),
        ),
        OpCase(
            "broadcast_to_empty",
            lambda x: broadcast_to(x, (0, 2)),
            lambda x: np.broadcast_to(x, (0, 2)),
            [normal(2, dtype="float32")],
        ),
        OpCase(
            "broadcast_arrays",
            broadcast_arrays,
            lambda x, y: [a.copy() for a in np.broadcast_arrays(x, y)],
            [normal(3, 1), normal(1, 4)],
        ),
    ]


def _join_cases() -> list[OpCase]:
    return [
        OpCase(
            "concatenate",
            lambda x, y: concatenate([x, y], axis=0),
            lambda x, y: np.concatenate([x, y], axis=0),
            [normal(2, 3), normal(4, 3)],
        ),
        OpCase(
            "concatenate_negative_axis",
            lambda x, y, z: concatenate([x, y, z], axis=-1),
            lambda x, y, z: np.concatenate([x, y, z], axis=-1),
            [normal(2, 1), normal(2, 0), normal(2, 3)],
        ),
        OpCase(
            "concatenate_upcast",
            lambda x, y: concatenate([x, y]),
            lambda x, y: np.concatenate([x, y]),
            [integers(0, 5, 3, dtype="int32"), normal(2)],
            grad_inputs=(1,),
        ),
        OpCase(
            "join_theano_order",
            lambda x, y: join(1, x, y),
            lambda x, y: np.concatenate([x, y], axis=1),
            [normal(2, 2, dtype="float32"), normal(2, 1, dtype="float32")],
        ),
        OpCase(
            "stack",
            lambda x, y: stack([x, y], axis=1),
            lambda x, y: np.stack([x, y], axis=1),
            [normal(2, 3), normal(2, 3)],
        ),
        OpCase(
            "stack_scalars",
            lambda a, b: stack([a, b, a]),
            lambda a, b: np.stack([a, b, a]),
            [normal(), normal()],
        ),
        OpCase(
            "stack_ints",
            lambda a, b: stack([a, b]),
            lambda a, b: np.stack([a, b]),
            [integers(0, 9, 2, dtype="int8"), integers(0, 9, 2, dtype="int8")],
            grad=False,
        ),
        OpCase(
            "vstack",
            lambda x, y: vstack([x, y]),
            lambda x, y: np.vstack([x, y]),
            [normal(3), normal(2, 3)],
        ),
        OpCase(
            "hstack",
            lambda x, y: hstack([x, y]),
            lambda x, y: np.hstack([x, y]),
            [normal(3), normal(2)],
        ),
        OpCase(
            "split",
            lambda x: split(x, [1, 3, 0], 3, axis=0),
            lambda x: np.split(x, [1, 4], axis=0),
            [normal(4, 2)],
        ),
        OpCase(
            "split_symbolic_sizes",
            lambda x, sizes: split(x, sizes, 2, axis=1),
            lambda x, sizes: np.split(x, np.cumsum(sizes)[:-1], axis=1),
            [normal(2, 5), fixed([2, 3], "int64")],
            grad_inputs=(0,),
        ),
    ]


CASES: list[OpCase] = [*_shape_cases(), *_reshape_cases(), *_axes_cases(), *_join_cases()]
