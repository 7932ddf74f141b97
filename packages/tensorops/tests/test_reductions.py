"""Reductions beyond the op table: stability, static shapes, build-time errors, dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.special

import graphcore
from tensorops import cumulative, reduction
from tensorops import math as tensor_math
from tensorops.basic import tensor
from tensorops.reduction import ArgReduce, Reduce
from tensorops.sort import sort
from tensorops.variable import TensorVariable


def matrix(dtype: str = "float64", shape: tuple[int | None, ...] = (None, None)) -> TensorVariable:
    return tensor(dtype, shape=shape, name="x")


# --- logsumexp and softmax stability -----------------------------------------------------


def test_logsumexp_does_not_overflow_where_the_naive_formula_does() -> None:
    x = tensor("float64", shape=(None,), name="x")
    values = np.array([1000.0, 1000.0])
    with np.errstate(over="ignore"):
        assert np.isinf(np.log(np.sum(np.exp(values))))
    assert reduction.logsumexp(x).eval({x: values}) == pytest.approx(1000 + np.log(2))


def test_logsumexp_of_all_minus_infinity_is_minus_infinity() -> None:
    x = tensor("float64", shape=(None,), name="x")
    assert reduction.logsumexp(x).eval({x: np.array([-np.inf, -np.inf])}) == -np.inf


def test_logsumexp_keeps_float32_and_matches_scipy_on_large_rows() -> None:
    x = matrix("float32")
    values = (np.arange(12, dtype="float32").reshape(3, 4) * 100) + 5000
    result = reduction.logsumexp(x, axis=1, keepdims=True)
    assert result.type.dtype == "float32"
    assert result.type.shape == (None, 1)
    got = result.eval({x: values})
    np.testing.assert_allclose(got, scipy.special.logsumexp(values, axis=1, keepdims=True))


def test_softmax_of_large_inputs_sums_to_one() -> None:
    x = matrix()
    values = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -1000.0]])
    got = reduction.softmax(x).eval({x: values})
    np.testing.assert_allclose(got.sum(axis=-1), [1.0, 1.0])
    np.testing.assert_allclose(got[1], [1 / 3] * 3)
    log_got = reduction.log_softmax(x).eval({x: values})
    assert np.all(np.isfinite(log_got))
    np.testing.assert_allclose(np.exp(log_got), got)


# --- static shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("axis", "keepdims", "expected"),
    [
        (None, False, ()),
        (None, True, (1, 1, 1)),
        (1, False, (2, None)),
        (1, True, (2, 1, None)),
        ((0, -1), False, (3,)),
        ((0, -1), True, (1, 3, 1)),
        ((), True, (2, 3, None)),
    ],
)
def test_keepdims_static_shapes(
    axis: Any, keepdims: bool, expected: tuple[int | None, ...]
) -> None:
    x = tensor("float64", shape=(2, 3, None), name="x")
    result = reduction.sum(x, axis=axis, keepdims=keepdims)
    assert result.type.shape == expected
    values = np.ones((2, 3, 4))
    assert result.eval({x: values}).shape == np.sum(values, axis=axis, keepdims=keepdims).shape


def test_cumsum_without_axis_flattens_with_a_known_length() -> None:
    x = tensor("int8", shape=(3, 4), name="x")
    result = cumulative.cumsum(x)
    assert result.type.shape == (12,)
    assert result.type.dtype == "int64"
    values = np.arange(12, dtype="int8").reshape(3, 4)
    np.testing.assert_array_equal(result.eval({x: values}), np.cumsum(values))


def test_argmax_without_axis_is_a_scalar_index() -> None:
    x = matrix()
    values = np.array([[1.0, 7.0], [3.0, 2.0]])
    result = reduction.argmax(x)
    assert result.type.shape == ()
    assert result.eval({x: values}) == 1
    assert reduction.argmin(x, axis=0, keepdims=True).eval({x: values}).tolist() == [[0, 1]]


# --- build-time errors ----------------------------------------------------------------------


def test_an_axis_out_of_range_fails_at_build_time_naming_axis_and_ndim() -> None:
    x = matrix()
    with pytest.raises(ValueError, match=r"axis 3 .*ndim 2"):
        reduction.sum(x, axis=3)
    with pytest.raises(IndexError, match=r"axis -3"):
        reduction.max(x, axis=(0, -3))
    with pytest.raises(ValueError, match="axis 2"):
        reduction.argmax(x, axis=2)
    with pytest.raises(ValueError, match="axis 5"):
        cumulative.cumsum(x, axis=5)
    with pytest.raises(ValueError, match="axis 2"):
        sort(x, axis=2)


def test_duplicate_axes_and_tuple_axes_for_argmax_are_refused() -> None:
    x = matrix()
    with pytest.raises(ValueError, match="duplicate"):
        reduction.sum(x, axis=(1, -1))
    two_axes: Any = (0, 1)
    with pytest.raises(TypeError, match="one int"):
        reduction.argmax(x, axis=two_axes)
    with pytest.raises(TypeError, match="does not take a dtype"):
        reduction._reduce("max", x, None, False, dtype="float32")


# --- dtypes: NumPy's rules ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["bool", "int8", "uint8", "int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("name", ["sum", "prod", "max", "min", "mean", "all", "any"])
def test_reduction_dtypes_follow_numpy(name: str, dtype: str) -> None:
    x = tensor(dtype, shape=(None,), name="x")
    expected = getattr(np, name)(np.ones(3, dtype=dtype)).dtype
    assert getattr(reduction, name)(x).type.dtype == str(expected)


def test_var_of_integers_is_float64_and_of_float32_is_float32() -> None:
    assert tensor_math.var(matrix("int16")).type.dtype == "float64"
    assert tensor_math.std(matrix("float32"), ddof=1).type.dtype == "float32"


def test_var_with_ddof_on_unknown_lengths_uses_the_run_time_count() -> None:
    x = matrix()
    values = np.arange(12.0).reshape(3, 4) ** 2
    result = tensor_math.var(x, axis=(0, 1), ddof=1)
    assert result.eval({x: values}) == pytest.approx(np.var(values, ddof=1))


# --- op identity and outputs ---------------------------------------------------------------


def test_reduce_ops_compare_by_props() -> None:
    assert Reduce("sum", (0,), False) == Reduce("sum", (0,), False)
    assert hash(Reduce("sum", (0,), False)) == hash(Reduce("sum", (0,), False))
    assert Reduce("sum", (0,), False) != Reduce("sum", (1,), False)
    assert Reduce("sum", (0,), False) != Reduce("prod", (0,), False)
    assert ArgReduce("argmax", None) == ArgReduce("argmax", None)


def test_outputs_never_alias_inputs() -> None:
    x = matrix()
    values = np.ones((2, 3))
    function = graphcore.function([x], [reduction.sum(x, axis=()), reduction.max(x, axis=())])
    for result in function(values):
        assert not np.shares_memory(result, values)


def test_variable_methods_reach_the_reductions() -> None:
    x = matrix()
    values = np.arange(6.0).reshape(2, 3)
    assert x.sum(axis=0).eval({x: values}).tolist() == [3.0, 5.0, 7.0]
    assert x.mean().eval({x: values}) == pytest.approx(2.5)
    assert x.max(axis=1, keepdims=True).eval({x: values}).tolist() == [[2.0], [5.0]]
    assert x.argmax(axis=1).eval({x: values}).tolist() == [2, 2]
    assert x.cumsum(axis=1).eval({x: values}).tolist() == [[0.0, 1.0, 3.0], [3.0, 7.0, 12.0]]
