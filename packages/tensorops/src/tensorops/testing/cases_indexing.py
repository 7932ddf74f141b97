"""Op-table rows for indexing: basic (ints, slices, None, Ellipsis), integer arrays,
boolean masks, and set/inc_subtensor through each of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tensorops.indexing import getitem, inc_subtensor, set_subtensor
from tensorops.testing.case import OpCase, ValueMaker


def normal(*shape: int, dtype: str = "float64") -> ValueMaker:
    """Standard normal values of ``shape`` and ``dtype``."""
    return lambda rng: rng.standard_normal(shape).astype(dtype)


def integers(low: int, high: int, *shape: int, dtype: str = "int64") -> ValueMaker:
    """Random integers in ``[low, high)``."""
    return lambda rng: rng.integers(low, high, size=shape).astype(dtype)


def fixed(value: Any, dtype: str | None = None) -> ValueMaker:
    """Always the same value (for indices and masks)."""
    return lambda rng: np.array(value, dtype=dtype)


def np_set(key: Any) -> Callable[[np.ndarray, Any], np.ndarray]:
    """NumPy's ``x[key] = y`` on a copy, as a function of ``x`` and ``y``."""

    def reference(x: np.ndarray, y: Any) -> np.ndarray:
        out = x.copy()
        out[key] = y
        return out

    return reference


def np_inc(key: Any) -> Callable[[np.ndarray, Any], np.ndarray]:
    """``np.add.at(x, key, y)`` on a copy: repeated indices accumulate."""

    def reference(x: np.ndarray, y: Any) -> np.ndarray:
        out = x.copy()
        np.add.at(out, key, y)
        return out

    return reference


def _basic_cases() -> list[OpCase]:
    keys: list[tuple[str, Any, tuple[int, ...]]] = [
        ("int", 1, (4, 3)),
        ("negative_int", -1, (4, 3)),
        ("int_pair", (2, -3), (4, 3)),
        ("slice", slice(1, 3), (5,)),
        ("slice_negative_step", slice(None, None, -1), (5, 2)),
        ("slice_negative_bounds", slice(-1, -4, -2), (6,)),
        ("slice_past_end", slice(2, 100), (4,)),
        ("slice_empty", slice(3, 1), (4, 2)),
        ("newaxis", (None, slice(None), None), (3, 2)),
        ("ellipsis", (Ellipsis, 0), (2, 3, 4)),
        ("ellipsis_middle", (1, Ellipsis, slice(None, 2)), (2, 3, 4)),
        ("mixed_basic", (slice(None, None, 2), 1, None), (5, 3, 2)),
        ("empty_array", slice(None), (0, 3)),
    ]
    cases = []
    for name, key, shape in keys:
        cases.append(
            OpCase(
                f"subtensor_{name}",
                lambda x, key=key: getitem(x, key),
                lambda x, key=key: np.asarray(x[key]),
                [normal(*shape)],
            )
        )
    cases += [
        OpCase(
            "subtensor_int_dtypes",
            lambda x: x[1:, 0],
            lambda x: x[1:, 0],
            [integers(-5, 5, 3, 4, dtype="int32")],
            grad=False,
        ),
        OpCase(
            "subtensor_float32",
            lambda x: x[::-2],
            lambda x: x[::-2],
            [normal(5, 2, dtype="float32")],
        ),
        OpCase(
            "subtensor_bool",
            lambda x: x[1],
            lambda x: x[1],
            [lambda rng: rng.standard_normal((3, 2)) > 0],
            grad=False,
        ),
        OpCase(
            "subtensor_symbolic_int",
            lambda x, i: x[i],
            lambda x, i: x[i],
            [normal(4, 3), fixed(-2, "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "subtensor_symbolic_slice",
            lambda x, start, stop, step: x[start:stop:step],
            lambda x, start, stop, step: x[start:stop:step],
            [normal(7), fixed(-1, "int32"), fixed(1, "int64"), fixed(-2, "int64")],
            grad_inputs=(0,),
        ),
    ]
    return cases


def _advanced_cases() -> list[OpCase]:
    return [
        OpCase(
            "advanced1_list",
            lambda x: x[[1, 2, 0, 2]],
            lambda x: x[[1, 2, 0, 2]],
            [normal(3, 2)],
        ),
        OpCase(
            "advanced1_symbolic_vector",
            lambda x, i: x[i],
            lambda x, i: x[i],
            [normal(5, 2), fixed([4, -1, 0, 0], "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "advanced1_empty_index",
            lambda x, i: x[i],
            lambda x, i: x[i],
            [normal(4), fixed([], "int64")],
            grad_inputs=(0,),
        ),
        OpCase(
            "advanced_matrix_index",
            lambda x, i: x[i],
            lambda x, i: x[i],
            [normal(5, 3), fixed([[0, 1], [4, 4]], "int32")],
            grad_inputs=(0,),
        ),
        OpCase(
            "advanced_second_axis",
            lambda x: x[:, [2, 0]],
            lambda x: x[:, [2, 0]],
            [normal(3, 4)],
        ),
        OpCase(
            "advanced_two_arrays",
            lambda x: x[[0, 2], [1, 0]],
            lambda x: x[[0, 2], [1, 0]],
            [normal(3, 4)],
        ),
        OpCase(
            "advanced_separated_by_slice",
            lambda x: x[[0, 1], :, [1, 1]],
            lambda x: x[[0, 1], :, [1, 1]],
            [normal(2, 3, 4)],
        ),
        OpCase(
            "advanced_int_and_array",
            lambda x: x[1, :, [0, 2]],
            lambda x: x[1, :, [0, 2]],
            [normal(2, 3, 4)],
        ),
        OpCase(
            "advanced_broadcast_arrays",
            lambda x: x[[[0], [1]], [0, 2, 1]],
            lambda x: x[[[0], [1]], [0, 2, 1]],
            [normal(2, 3)],
        ),
        OpCase(
            "advanced_with_newaxis",
            lambda x: x[None, [1, 0], ..., ::-1],
            lambda x: x[None, [1, 0], ..., ::-1],
            [normal(2, 3, 2)],
        ),
        OpCase(
            "mask_constant",
            lambda x, mask: x[mask],
            lambda x, mask: x[mask],
            [normal(4, 2), fixed([True, False, True, True])],
            constant_inputs=(1,),
        ),
        OpCase(
            "mask_symbolic",
            lambda x: x[x > 0],
            lambda x: x[x > 0],
            [normal(3, 4)],
        ),
        OpCase(
            "mask_second_axis",
            lambda x, mask: x[:, mask],
            lambda x, mask: x[:, mask],
            [normal(3, 4), fixed([True, False, False, True])],
            grad_inputs=(0,),
        ),
        OpCase(
            "mask_all_false",
            lambda x, mask: x[mask],
            lambda x, mask: x[mask],
            [normal(3, dtype="float32"), fixed([False, False, False])],
            grad_inputs=(0,),
        ),
        OpCase(
            "mask_int_dtype",
            lambda x: x[x > 1],
            lambda x: x[x > 1],
            [integers(0, 4, 5, 2, dtype="int16")],
            grad=False,
        ),
    ]


def _update_cases() -> list[OpCase]:
    return [
        OpCase(
            "set_subtensor_slice",
            lambda x, y: set_subtensor(x[1:3], y),
            np_set(slice(1, 3)),
            [normal(4, 3), normal(2, 3)],
        ),
        OpCase(
            "set_subtensor_broadcast_scalar",
            lambda x, y: set_subtensor(x[:, ::-2], y),
            np_set((slice(None), slice(None, None, -2))),
            [normal(3, 5), normal()],
        ),
        OpCase(
            "set_subtensor_int",
            lambda x, y: set_subtensor(x[-1], y),
            np_set(-1),
            [normal(3, 2, dtype="float32"), normal(2, dtype="float32")],
        ),
        OpCase(
            "inc_subtensor_slice_row",
            lambda x, y: inc_subtensor(x[::2], y),
            np_inc(slice(None, None, 2)),
            [normal(5, 3), normal(3)],
        ),
        OpCase(
            "inc_subtensor_int_dtype",
            lambda x, y: inc_subtensor(x[1:, 0], y),
            np_inc((slice(1, None), 0)),
            [integers(-3, 3, 3, 2, dtype="int32"), integers(-3, 3, 2, dtype="int32")],
            grad=False,
        ),
        OpCase(
            "set_subtensor_empty_region",
            lambda x, y: set_subtensor(x[2:2], y),
            np_set(slice(2, 2)),
            [normal(4), normal(1)],
        ),
        OpCase(
            "set_advanced1",
            lambda x, y: set_subtensor(x[[3, 0]], y),
            np_set([3, 0]),
            [normal(4, 2), normal(2, 2)],
        ),
        OpCase(
            "inc_advanced1_repeated",
            lambda x, y: inc_subtensor(x[[1, 1, 0, 1]], y),
            np_inc([1, 1, 0, 1]),
            [normal(3, 2), normal(4, 2)],
        ),
        OpCase(
            "inc_advanced1_symbolic_repeated",
            lambda x, y, i: inc_subtensor(x[i], y),
            lambda x, y, i: np_inc(i)(x, y),
            [normal(4), normal(), fixed([2, -2, 0, 2], "int64")],
            grad_inputs=(0, 1),
        ),
        OpCase(
            "inc_advanced_two_arrays_repeated",
            lambda x, y: inc_subtensor(x[[0, 0, 2], [1, 1, 0]], y),
            np_inc(([0, 0, 2], [1, 1, 0])),
            [normal(3, 2), normal(3)],
        ),
        OpCase(
            "inc_advanced_second_axis",
            lambda x, y: inc_subtensor(x[:, [0, 0]], y),
            np_inc((slice(None), [0, 0])),
            [normal(2, 3), normal(2, 1)],
        ),
        OpCase(
            "set_mask_symbolic",
            lambda x, y: set_subtensor(x[x > 0], y),
            lambda x, y: np_set(x > 0)(x, y),
            [normal(3, 4), normal()],
            grad_inputs=(1,),
        ),
        OpCase(
            "inc_mask_constant",
            lambda x, y, mask: inc_subtensor(x[mask], y),
            lambda x, y, mask: np_inc(mask)(x, y),
            [normal(3, 2), normal(2), fixed([True, False, True])],
            constant_inputs=(2,),
        ),
        OpCase(
            "set_mask_int_dtype",
            lambda x: set_subtensor(x[x < 0], 0),
            lambda x: np.where(x < 0, 0, x).astype(x.dtype),
            [integers(-4, 4, 6, dtype="int64")],
            grad=False,
        ),
    ]


CASES: list[OpCase] = [*_basic_cases(), *_advanced_cases(), *_update_cases()]
