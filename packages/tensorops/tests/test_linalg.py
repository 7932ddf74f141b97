"""Products and linear algebra beyond the op table: build-time shape errors, run-time
failures, multiple outputs and dtypes."""

from __future__ import annotations

import numpy as np
import pytest

import graphcore
from tensorops import nlinalg, products, slinalg
from tensorops.basic import tensor
from tensorops.products import Dot


def test_dot_of_misaligned_static_shapes_fails_at_build_naming_both_shapes() -> None:
    a = tensor("float64", shape=(3, 4), name="a")
    b = tensor("float64", shape=(5, 2), name="b")
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(5, 2\)"):
        products.dot(a, b)
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(5, 2\)"):
        products.matmul(a, b)
    with pytest.raises(ValueError, match=r"\(3, 4\) and \(5, 2\)"):
        products.tensordot(a, b, axes=1)


def test_unknown_sizes_are_checked_when_the_function_runs() -> None:
    a = tensor("float64", shape=(None, None), name="a")
    b = tensor("float64", shape=(None, None), name="b")
    function = graphcore.function([a, b], products.dot(a, b))
    with pytest.raises(ValueError, match="not aligned"):
        function(np.ones((3, 4)), np.ones((5, 2)))


def test_matmul_refuses_scalars_and_unbroadcastable_batches() -> None:
    scalar = tensor("float64", shape=(), name="s")
    with pytest.raises(ValueError, match="rank >= 1"):
        products.matmul(scalar, tensor("float64", shape=(2, 2), name="m"))
    a = tensor("float64", shape=(2, 3, 4), name="a")
    b = tensor("float64", shape=(3, 4, 5), name="b")
    with pytest.raises(ValueError, match="batch axes"):
        products.matmul(a, b)


def test_matmul_static_batch_shape_broadcasts() -> None:
    a = tensor("float32", shape=(2, 1, 3, 4), name="a")
    b = tensor("float64", shape=(None, 4, 5), name="b")
    result = products.matmul(a, b)
    assert result.type.shape == (2, None, 3, 5)
    assert result.type.dtype == "float64"


def test_dot_ops_are_equal_and_promote_like_numpy() -> None:
    assert Dot() == Dot()
    assert hash(Dot()) == hash(Dot())
    a = tensor("int8", shape=(None,), name="a")
    b = tensor("float32", shape=(None,), name="b")
    assert products.dot(a, b).type.dtype == str(
        np.dot(np.ones(2, "int8"), np.ones(2, "float32")).dtype
    )


# --- slinalg ------------------------------------------------------------------------------------


def test_cholesky_of_a_matrix_that_is_not_positive_definite_names_the_op() -> None:
    x = tensor("float64", shape=(None, None), name="x")
    function = graphcore.function([x], slinalg.cholesky(x))
    with pytest.raises(
        np.linalg.LinAlgError, match="Cholesky: the matrix is not positive definite"
    ):
        function(np.array([[1.0, 2.0], [2.0, 1.0]]))
    factor = function(np.array([[4.0, 2.0], [2.0, 3.0]]))
    np.testing.assert_allclose(factor @ factor.T, [[4.0, 2.0], [2.0, 3.0]])


def test_cholesky_on_error_nan_returns_nans() -> None:
    x = tensor("float64", shape=(None, None), name="x")
    result = slinalg.cholesky(x, on_error="nan").eval({x: -np.eye(3)})
    assert result.shape == (3, 3)
    assert np.all(np.isnan(result))


def test_solve_refuses_a_right_hand_side_of_the_wrong_length() -> None:
    a = tensor("float64", shape=(3, 3), name="a")
    b = tensor("float64", shape=(4,), name="b")
    with pytest.raises(ValueError, match="b must have 3 rows"):
        slinalg.solve(a, b)
    with pytest.raises(ValueError, match="square"):
        slinalg.cholesky(tensor("float64", shape=(3, 4), name="c"))


def test_cho_solve_inverts_through_the_factor() -> None:
    a = tensor("float64", shape=(None, None), name="a")
    b = tensor("float64", shape=(None,), name="b")
    matrix = np.array([[4.0, 1.0], [1.0, 3.0]])
    x = slinalg.cho_solve((slinalg.cholesky(a, lower=True), True), b)
    np.testing.assert_allclose(
        x.eval({a: matrix, b: np.array([1.0, 2.0])}), np.linalg.solve(matrix, [1.0, 2.0])
    )


# --- nlinalg: several outputs -------------------------------------------------------------------


def test_eigh_returns_eigenvalues_and_eigenvectors() -> None:
    x = tensor("float64", shape=(None, None), name="x")
    w, v = nlinalg.eigh(x)
    assert w.type.shape == (None,)
    assert v.type.shape == (None, None)
    assert w.owner is v.owner
    matrix = np.array([[2.0, 1.0], [1.0, 2.0]])
    values, vectors = graphcore.function([x], [w, v])(matrix)
    np.testing.assert_allclose(values, [1.0, 3.0])
    np.testing.assert_allclose(vectors @ np.diag(values) @ vectors.T, matrix, atol=1e-12)


def test_slogdet_stays_finite_where_det_overflows() -> None:
    x = tensor("float64", shape=(None, None), name="x")
    sign, logabsdet = nlinalg.slogdet(x)
    matrix = -np.eye(40) * 1e10
    got_sign, got_log = graphcore.function([x], [sign, logabsdet])(matrix)
    assert got_sign == 1.0
    assert got_log == pytest.approx(40 * np.log(1e10))
    with np.errstate(over="ignore"):
        assert np.isinf(nlinalg.det(x).eval({x: np.eye(400) * 1e10}))


def test_svd_without_vectors_is_one_output_and_full_matrices_shapes() -> None:
    x = tensor("float64", shape=(4, 3), name="x")
    singular = nlinalg.svd(x, compute_uv=False)
    assert singular.type.shape == (3,)
    u, s, vh = nlinalg.svd(x)
    assert (u.type.shape, s.type.shape, vh.type.shape) == ((4, 4), (3,), (3, 3))
    u, s, vh = nlinalg.svd(x, full_matrices=False)
    assert (u.type.shape, s.type.shape, vh.type.shape) == ((4, 3), (3,), (3, 3))


def test_linalg_dtypes() -> None:
    assert nlinalg.det(tensor("int32", shape=(None, None), name="i")).type.dtype == "float64"
    assert nlinalg.inv(tensor("float32", shape=(None, None), name="f")).type.dtype == "float32"
    w, v = nlinalg.eig(tensor("float64", shape=(None, None), name="d"))
    assert (w.type.dtype, v.type.dtype) == ("complex128", "complex128")
    power = nlinalg.matrix_power(tensor("int8", shape=(None, None), name="p"), 2)
    assert power.type.dtype == "int8"


def test_matrix_power_one_does_not_alias_its_input() -> None:
    x = tensor("float64", shape=(None, None), name="x")
    matrix = np.arange(4.0).reshape(2, 2)
    result = graphcore.function([x], nlinalg.matrix_power(x, 1))(matrix)
    np.testing.assert_array_equal(result, matrix)
    assert not np.shares_memory(result, matrix)


def test_non_square_static_shape_fails_at_build_time() -> None:
    with pytest.raises(ValueError, match=r"square matrices, got shape \(2, 3\)"):
        nlinalg.det(tensor("float64", shape=(2, 3), name="x"))
    with pytest.raises(ValueError, match="ndim >= 2"):
        nlinalg.inv(tensor("float64", shape=(None,), name="v"))
