"""Op-table rows for creation ops: filled tensors, ranges, eye/tri, diagonals, tile and
repeat, and the lazy ifelse."""

from __future__ import annotations

import numpy as np

from graphcore import config
from tensorops.creation import (
    alloc,
    arange,
    diag,
    diagonal,
    eye,
    fill_diagonal,
    full,
    full_like,
    identity_like,
    ones,
    ones_like,
    repeat,
    tile,
    tri,
    tril,
    triu,
    zeros,
    zeros_like,
)
from tensorops.ifelse import ifelse
from tensorops.testing.case import OpCase
from tensorops.testing.cases_indexing import fixed, integers, normal


def _filled_cases() -> list[OpCase]:
    return [
        OpCase(
            "alloc_broadcast",
            lambda x: alloc(x, 2, 3, 4),
            lambda x: np.broadcast_to(x, (2, 3, 4)).copy(),
            [normal(3, 1)],
        ),
        OpCase(
            "alloc_symbolic_shape",
            lambda x, n: alloc(x, n, 2),
            lambda x, n: np.full((n, 2), x),
            [normal(dtype="float32"), fixed(3, "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "alloc_empty",
            lambda x: alloc(x, 0, 3),
            lambda x: np.full((0, 3), x),
            [integers(0, 5, dtype="int16")],
            grad=False,
        ),
        OpCase(
            "zeros",
            lambda: zeros((2, 3)),
            lambda: np.zeros((2, 3), dtype=config.floatX),
            [],
            grad=False,
        ),
        OpCase(
            "ones_int",
            lambda: ones(4, dtype="int32"),
            lambda: np.ones(4, dtype="int32"),
            [],
            grad=False,
        ),
        OpCase(
            "full_symbolic_shape",
            lambda x, value: full(x.shape, value),
            lambda x, value: np.full(x.shape, value),
            [normal(2, 3), normal()],
            grad_inputs=(1,),
        ),
        OpCase(
            "zeros_like",
            zeros_like,
            np.zeros_like,
            [normal(3, 2)],
            grad=False,
        ),
        OpCase(
            "ones_like_bool",
            ones_like,
            np.ones_like,
            [lambda rng: rng.standard_normal(4) > 0],
            grad=False,
        ),
        OpCase(
            "full_like_dtype",
            lambda x: full_like(x, 7, dtype="int64"),
            lambda x: np.full_like(x, 7, dtype="int64"),
            [normal(0, 2)],
            grad=False,
        ),
    ]


def _range_cases() -> list[OpCase]:
    return [
        OpCase("arange_stop", lambda: arange(5), lambda: np.arange(5), [], grad=False),
        OpCase(
            "arange_negative_step",
            lambda: arange(10, 1, -3),
            lambda: np.arange(10, 1, -3),
            [],
            grad=False,
        ),
        OpCase(
            "arange_float",
            lambda: arange(0.5, 2.0, 0.25),
            lambda: np.arange(0.5, 2.0, 0.25, dtype=config.floatX),
            [],
            grad=False,
        ),
        OpCase(
            "arange_symbolic",
            arange,
            lambda start, stop, step: np.arange(start, stop, step, dtype="int64"),
            [fixed(7, "int32"), fixed(-2, "int64"), fixed(-2, "int64")],
            grad=False,
        ),
        OpCase(
            "arange_symbolic_empty",
            arange,
            lambda stop: np.arange(stop, dtype="int64"),
            [fixed(-3, "int64")],
            grad=False,
        ),
        OpCase(
            "arange_symbolic_float",
            lambda start, stop: arange(start, stop, 0.5),
            lambda start, stop: np.arange(start, stop, 0.5),
            [fixed(0.25), fixed(2.0)],
            grad=False,
        ),
        OpCase("eye", lambda: eye(3), lambda: np.eye(3, dtype=config.floatX), [], grad=False),
        OpCase(
            "eye_rectangular_offset",
            lambda n: eye(n, 4, k=-1, dtype="int8"),
            lambda n: np.eye(n, 4, k=-1, dtype="int8"),
            [fixed(3, "int64")],
            grad=False,
        ),
        OpCase(
            "identity_like",
            identity_like,
            lambda x: np.eye(*x.shape, dtype=x.dtype),
            [normal(2, 3)],
            grad=False,
        ),
        OpCase(
            "tri",
            lambda: tri(3, 4, 1),
            lambda: np.tri(3, 4, 1, dtype=config.floatX),
            [],
            grad=False,
        ),
        OpCase("tril", tril, np.tril, [normal(3, 4)]),
        OpCase("triu_offset", lambda x: triu(x, -1), lambda x: np.triu(x, -1), [normal(4, 3)]),
        OpCase("tril_batched", lambda x: tril(x, 1), lambda x: np.tril(x, 1), [normal(2, 3, 3)]),
    ]


def _diagonal_cases() -> list[OpCase]:
    return [
        OpCase("diag_of_vector", diag, np.diag, [normal(3)]),
        OpCase(
            "diag_of_vector_offset", lambda v: diag(v, -2), lambda v: np.diag(v, -2), [normal(2)]
        ),
        OpCase("diag_of_matrix", diag, np.diag, [normal(3, 4)]),
        OpCase(
            "diagonal_offset_axes",
            lambda x: diagonal(x, 1, 2, 0),
            lambda x: np.diagonal(x, 1, 2, 0).copy(),
            [normal(3, 2, 4)],
        ),
        OpCase(
            "diagonal_beyond_size",
            lambda x: diagonal(x, 5),
            lambda x: np.diagonal(x, 5).copy(),
            [normal(2, 3)],
        ),
        OpCase(
            "fill_diagonal",
            fill_diagonal,
            _np_fill_diagonal,
            [normal(3, 4), normal()],
        ),
    ]


def _np_fill_diagonal(a: np.ndarray, value: np.ndarray) -> np.ndarray:
    out = a.copy()
    np.fill_diagonal(out, value)
    return out


def _repeat_cases() -> list[OpCase]:
    return [
        OpCase("tile", lambda x: tile(x, (2, 3)), lambda x: np.tile(x, (2, 3)), [normal(2, 2)]),
        OpCase(
            "tile_more_reps",
            lambda x: tile(x, (2, 1, 2)),
            lambda x: np.tile(x, (2, 1, 2)),
            [normal(3)],
        ),
        OpCase("tile_fewer_reps", lambda x: tile(x, 2), lambda x: np.tile(x, 2), [normal(2, 3)]),
        OpCase(
            "tile_symbolic_reps",
            lambda x, n: tile(x, (n, 1)),
            lambda x, n: np.tile(x, (n, 1)),
            [normal(1, 2, dtype="float32"), fixed(3, "int64")],
            grad_inputs=(0,),
        ),
        OpCase("repeat_flat", lambda x: repeat(x, 2), lambda x: np.repeat(x, 2), [normal(2, 3)]),
        OpCase(
            "repeat_axis",
            lambda x: repeat(x, 3, axis=1),
            lambda x: np.repeat(x, 3, axis=1),
            [normal(2, 2)],
        ),
        OpCase(
            "repeat_counts",
            lambda x: repeat(x, [1, 0, 2], axis=0),
            lambda x: np.repeat(x, [1, 0, 2], axis=0),
            [normal(3, 2)],
        ),
        OpCase(
            "repeat_symbolic_counts",
            lambda x, counts: repeat(x, counts, axis=-1),
            lambda x, counts: np.repeat(x, counts, axis=-1),
            [normal(2, 3), fixed([2, 0, 1], "int32")],
            grad_inputs=(0,),
        ),
        OpCase(
            "repeat_symbolic_single_count",
            lambda x, counts: repeat(x, counts, axis=0),
            lambda x, counts: np.repeat(x, counts, axis=0),
            [normal(3), fixed([2], "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "repeat_int",
            lambda x: repeat(x, 2, axis=0),
            lambda x: np.repeat(x, 2, axis=0),
            [integers(0, 5, 3, dtype="uint16")],
            grad=False,
        ),
    ]


def _ifelse_cases() -> list[OpCase]:
    return [
        OpCase(
            "ifelse_then",
            ifelse,
            lambda c, x, y: x if c else y,
            [fixed(1, "int8"), normal(2, 3), normal(1, 3)],
            grad_inputs=(1, 2),
        ),
        OpCase(
            "ifelse_else",
            ifelse,
            lambda c, x, y: x if c else y,
            [fixed(False), normal(3), normal(5)],
            grad_inputs=(1, 2),
        ),
        OpCase(
            "ifelse_several_outputs",
            lambda c, x, y: ifelse(c > 0, [x, y * 2], [x * 3, y]),
            lambda c, x, y: (x, y * 2) if c > 0 else (x * 3, y),
            [normal(), normal(2), normal(2, 2)],
            grad_inputs=(1, 2),
        ),
        OpCase(
            "ifelse_python_number",
            lambda c, x: ifelse(c, x, 0.0),
            lambda c, x: x if c else np.zeros_like(x),
            [fixed(0, "int64"), normal(dtype="float32")],
            grad_inputs=(1,),
        ),
    ]


CASES: list[OpCase] = [
    *_filled_cases(),
    *_range_cases(),
    *_diagonal_cases(),
    *_repeat_cases(),
    *_ifelse_cases(),
]
