"""Gradients of products, linear algebra, sorting and running sums against finite
differences, on well-conditioned inputs; second derivatives where log densities need them."""

import numpy as np
import pytest

import tensorops as pt
from autodiff import grad, verify_grad
from tensorops import nlinalg, slinalg

RNG = np.random.default_rng(7)


def well_conditioned(n, batch=()):
    return RNG.normal(size=(*batch, n, n)) + n * np.eye(n)


def positive_definite(n, batch=()):
    g = RNG.normal(size=(*batch, n, n))
    return g @ np.swapaxes(g, -1, -2) + n * np.eye(n)


def spd(a):
    """A symmetric positive definite matrix built from any square ``a``."""
    return pt.matmul(a, a.T) + 3 * pt.eye(a.shape[0])


def second_order(f, weights):
    """The gradient of ``sum(f(x) * weights)``: checking it checks second derivatives."""
    return lambda x, *rest: grad(pt.sum(f(x, *rest) * pt.constant(weights)), x)


FIRST_ORDER = {
    "dot_matrix_vector": (pt.dot, [RNG.normal(size=(3, 4)), RNG.normal(size=4)]),
    "dot_vector_matrix": (pt.dot, [RNG.normal(size=4), RNG.normal(size=(4, 2))]),
    "dot_scalar": (pt.dot, [np.array(1.5), RNG.normal(size=(2, 3))]),
    "matmul_batched": (
        pt.matmul,
        [RNG.normal(size=(2, 3, 4)), RNG.normal(size=(4, 2))],
    ),
    "tensordot_pairs": (
        lambda a, b: pt.tensordot(a, b, axes=([2, 0], [0, 1])),
        [RNG.normal(size=(2, 3, 4)), RNG.normal(size=(4, 2, 5))],
    ),
    "outer": (pt.outer, [RNG.normal(size=3), RNG.normal(size=(2, 2))]),
    "det": (nlinalg.det, [well_conditioned(3)]),
    "det_batched": (nlinalg.det, [well_conditioned(3, (2,))]),
    "slogdet": (lambda a: nlinalg.slogdet(a)[1], [well_conditioned(3) * np.array([1, 1, -1])]),
    "inv": (nlinalg.inv, [well_conditioned(3)]),
    "pinv_tall": (nlinalg.pinv, [RNG.normal(size=(5, 3))]),
    "pinv_wide": (nlinalg.pinv, [RNG.normal(size=(2, 4))]),
    "eigh_values": (lambda a: nlinalg.eigh(a)[0], [positive_definite(3)]),
    "eigh_vectors_upper": (
        lambda a: nlinalg.eigh(a, UPLO="U")[1] ** 2,
        [positive_definite(3)],
    ),
    "svd_values": (lambda a: nlinalg.svd(a, compute_uv=False), [RNG.normal(size=(4, 3))]),
    "svd_vectors": (
        lambda a: nlinalg.svd(a, full_matrices=False)[0] ** 2,
        [RNG.normal(size=(3, 5))],
    ),
    "matrix_power_3": (lambda a: nlinalg.matrix_power(a, 3), [RNG.normal(size=(3, 3))]),
    "matrix_power_minus_2": (
        lambda a: nlinalg.matrix_power(a, -2),
        [well_conditioned(3)],
    ),
    "trace_offset": (lambda a: nlinalg.trace(a, offset=-1), [RNG.normal(size=(3, 4))]),
    "cholesky_of_spd": (lambda a: slinalg.cholesky(spd(a)), [RNG.normal(size=(3, 3))]),
    "cholesky_upper": (
        lambda a: slinalg.cholesky(spd(a), lower=False),
        [RNG.normal(size=(3, 3))],
    ),
    "cholesky_reads_lower_triangle": (
        slinalg.cholesky,
        [np.triu(RNG.normal(size=(3, 3)), 1) + positive_definite(3)],
    ),
    "solve_gen": (slinalg.solve, [well_conditioned(3), RNG.normal(size=(3, 2))]),
    "solve_pos": (
        lambda a, b: slinalg.solve(spd(a), b, assume_a="pos"),
        [RNG.normal(size=(3, 3)), RNG.normal(size=3)],
    ),
    "solve_sym_reads_upper": (
        lambda a, b: slinalg.solve(a, b, assume_a="sym"),
        [positive_definite(3) + np.tril(RNG.normal(size=(3, 3)), -1), RNG.normal(size=3)],
    ),
    "solve_batched_broadcast": (
        slinalg.solve,
        [well_conditioned(3), RNG.normal(size=(2, 3, 2))],
    ),
    "solve_triangular_lower_trans": (
        lambda a, b: slinalg.solve_triangular(a, b, lower=True, trans=1),
        [np.tril(well_conditioned(3)), RNG.normal(size=(3, 2))],
    ),
    "solve_triangular_upper_unit": (
        lambda a, b: slinalg.solve_triangular(a, b, unit_diagonal=True),
        [np.triu(well_conditioned(3)), RNG.normal(size=3)],
    ),
    "cho_solve": (
        lambda a, b: slinalg.cho_solve((slinalg.cholesky(spd(a)), True), b),
        [RNG.normal(size=(3, 3)), RNG.normal(size=(3, 2))],
    ),
    "qr_tall": (
        lambda a: nlinalg.qr(a)[0] ** 2 + 0 * nlinalg.qr(a)[1].sum(),
        [RNG.normal(size=(4, 3))],
    ),
    "qr_wide_r": (lambda a: nlinalg.qr(a, mode="r"), [RNG.normal(size=(3, 5))]),
    "norm_nuclear": (lambda a: nlinalg.norm(a, "nuc"), [RNG.normal(size=(3, 4))]),
    "norm_rows_keepdims": (
        lambda a: nlinalg.norm(a, 3, axis=1, keepdims=True),
        [RNG.normal(size=(3, 4))],
    ),
    "expm": (slinalg.expm, [0.5 * RNG.normal(size=(3, 3))]),
    "sort_axis0": (lambda x: pt.sort(x, axis=0) * pt.arange(3)[:, None], [RNG.normal(size=(3, 4))]),
    "sort_flat": (lambda x: pt.sort(x, axis=None) * pt.arange(6), [RNG.normal(size=(2, 3))]),
    "cumsum": (lambda x: pt.cumsum(x, axis=1), [RNG.normal(size=(2, 4))]),
    "cumprod_flat": (pt.cumprod, [RNG.uniform(0.5, 2, size=(2, 3))]),
}


@pytest.mark.parametrize("name", sorted(FIRST_ORDER))
def test_gradient_matches_finite_differences(name):
    f, points = FIRST_ORDER[name]
    verify_grad(f, points, n_tests=1)


SECOND_ORDER = {
    "dot": (pt.dot, [RNG.normal(size=(3, 4)), RNG.normal(size=4)], (3,)),
    "matmul": (
        pt.matmul,
        [RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 2))],
        (2, 3, 2),
    ),
    "det": (nlinalg.det, [well_conditioned(3)], ()),
    "slogdet": (lambda a: nlinalg.slogdet(a)[1], [well_conditioned(3)], ()),
    "cholesky": (lambda a: slinalg.cholesky(spd(a)), [RNG.normal(size=(3, 3))], (3, 3)),
    "solve": (slinalg.solve, [well_conditioned(3), RNG.normal(size=(3, 2))], (3, 2)),
    "solve_pos": (
        lambda a, b: slinalg.solve(spd(a), b, assume_a="pos"),
        [RNG.normal(size=(3, 3)), RNG.normal(size=3)],
        (3,),
    ),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivative_matches_finite_differences(name):
    f, points, shape = SECOND_ORDER[name]
    weights = RNG.uniform(0.5, 1.5, size=shape)
    verify_grad(second_order(f, weights), points, n_tests=1)


def test_gaussian_log_density_hessian_through_cholesky():
    """d²/dμ² of the MvNormal log density is -Σ⁻¹, computed through cholesky and solves."""
    cov = positive_definite(3)
    x_value = RNG.normal(size=3)
    mu = pt.dvector("mu")
    factor = slinalg.cholesky(pt.constant(cov))
    z = slinalg.solve_triangular(factor, pt.constant(x_value) - mu, lower=True)
    logp = -0.5 * pt.sum(z**2) - pt.sum(pt.log(pt.diagonal(factor)))
    gradient = grad(logp, mu)
    hessian_rows = [grad(gradient[i], mu) for i in range(3)]
    f = pt.function([mu], pt.stack(hessian_rows))
    np.testing.assert_allclose(f(np.zeros(3)), -np.linalg.inv(cov), rtol=1e-10, atol=1e-12)


def test_argsort_passes_no_gradient():
    x = pt.dvector("x")
    value = pt.sum(pt.cast(pt.argsort(x), "float64") * x)
    g = pt.function([x], grad(value, x))([0.3, -1.0, 2.0])
    np.testing.assert_allclose(g, [1.0, 0.0, 2.0])  # only the explicit factor x
