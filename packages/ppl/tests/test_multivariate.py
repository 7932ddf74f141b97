"""Dirichlet, MvNormal, Multinomial and LKJCholeskyCov: densities against SciPy or an
independent NumPy computation, draws, support points, checks, shapes, models, gradients."""

import itertools

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as st
from mv_helpers import assert_gradient_matches_finite_differences, draws, evaluate

import ppl as pm
import tensorops as pt
from ppl.distributions.lkj import lkj_log_normalizer

COV = np.array([[2.0, 0.5, 0.1], [0.5, 1.0, -0.3], [0.1, -0.3, 1.5]])
rng = np.random.default_rng(42)

# (distribution, values (batch of vectors), the SciPy log density of each row)
DENSITY_CASES = [
    (
        pm.Dirichlet.dist(a=[1.0, 2.0, 3.5]),
        rng.dirichlet([1.0, 2.0, 3.5], size=4),
        lambda v: [st.dirichlet.logpdf(row, [1.0, 2.0, 3.5]) for row in v],
    ),
    (
        pm.MvNormal.dist(mu=[1.0, -1.0, 0.5], cov=COV),
        rng.normal(size=(4, 3)),
        lambda v: st.multivariate_normal.logpdf(v, [1.0, -1.0, 0.5], COV),
    ),
    (
        pm.MvNormal.dist(mu=[1.0, -1.0, 0.5], chol=np.linalg.cholesky(COV)),
        rng.normal(size=(4, 3)),
        lambda v: st.multivariate_normal.logpdf(v, [1.0, -1.0, 0.5], COV),
    ),
    (
        pm.MvNormal.dist(mu=[1.0, -1.0, 0.5], tau=np.linalg.inv(COV)),
        rng.normal(size=(4, 3)),
        lambda v: st.multivariate_normal.logpdf(v, [1.0, -1.0, 0.5], COV),
    ),
    (
        pm.Multinomial.dist(n=6, p=[0.2, 0.3, 0.5]),
        np.array([[1, 2, 3], [6, 0, 0], [0, 0, 6], [2, 2, 2]]),
        lambda v: st.multinomial.logpmf(v, 6, [0.2, 0.3, 0.5]),
    ),
]


def test_log_densities_match_scipy():
    outputs = [pm.logp(dist, values) for dist, values, _ in DENSITY_CASES]
    for got, (_, values, reference) in zip(evaluate(outputs), DENSITY_CASES, strict=True):
        np.testing.assert_allclose(got, reference(values), rtol=1e-10)


def test_values_off_the_support_get_minus_inf():
    dirichlet = pm.Dirichlet.dist(a=[1.0, 2.0])
    multinomial = pm.Multinomial.dist(n=3, p=[0.5, 0.5])
    got = evaluate(
        [
            pm.logp(dirichlet, [1.5, -0.5]),
            pm.logp(multinomial, [1, 1]),
            pm.logp(multinomial, [4, -1]),
        ]
    )
    assert all(value == -np.inf for value in got)


def test_batched_covariances_match_scipy():
    covs = np.stack([COV, 2.0 * np.eye(3)])
    mus = np.array([[0.0, 1.0, 2.0], [1.0, 0.0, -1.0]])
    mv = pm.MvNormal.dist(mu=mus, cov=covs)
    assert mv.type.shape == (2, 3)
    values = rng.normal(size=(2, 3))
    (got,) = evaluate([pm.logp(mv, values)])
    expected = [st.multivariate_normal.logpdf(values[i], mus[i], covs[i]) for i in range(2)]
    np.testing.assert_allclose(got, expected, rtol=1e-10)


@pytest.mark.parametrize(
    "dist, message",
    [
        (lambda: pm.Dirichlet.dist(a=[1.0, -1.0]), "a > 0"),
        (lambda: pm.MvNormal.dist(mu=[0.0, 0.0], cov=[[1.0, 2.0], [2.0, 1.0]]), "positive"),
        (lambda: pm.Multinomial.dist(n=2, p=pt.as_tensor([0.7, 0.7])), "sum"),
    ],
)
def test_parameter_checks(dist, message):
    rv = dist()
    value = np.zeros(rv.type.shape, dtype=rv.dtype) + (1 if "sum" in message else 0.5)
    with pytest.raises(pm.ParameterValueError, match=message):
        pm.logp(rv, value).eval()


def test_mvnormal_needs_one_covariance():
    with pytest.raises(TypeError, match="exactly one"):
        pm.MvNormal.dist(mu=[0.0], cov=[[1.0]], tau=[[1.0]])


def test_multinomial_rescales_constant_p_with_a_warning():
    with pytest.warns(UserWarning, match="rescaled"):
        rv = pm.Multinomial.dist(n=4, p=[1.0, 1.0])
    np.testing.assert_allclose(rv.owner.inputs[3].data, [0.5, 0.5])


def test_draw_moments():
    a = np.array([1.0, 2.0, 3.0])
    p = np.array([0.2, 0.3, 0.5])
    mu = np.array([1.0, -1.0, 0.5])
    samples = pm.draw(
        [pm.Dirichlet.dist(a=a), pm.MvNormal.dist(mu=mu, cov=COV), pm.Multinomial.dist(10, p)],
        draws=20000,
        random_seed=3,
        mode="FAST_COMPILE",
    )
    dirichlet, mvnormal, multinomial = samples
    np.testing.assert_allclose(dirichlet.sum(-1), 1.0)
    np.testing.assert_allclose(dirichlet.mean(0), a / a.sum(), atol=0.01)
    np.testing.assert_allclose(mvnormal.mean(0), mu, atol=0.05)
    np.testing.assert_allclose(np.cov(mvnormal.T), COV, atol=0.08)
    assert np.all(multinomial.sum(-1) == 10)
    np.testing.assert_allclose(multinomial.mean(0), 10 * p, atol=0.06)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: pm.Dirichlet.dist(a=np.ones(3), shape=(5, 3)), (5, 3)),
        (lambda: pm.Dirichlet.dist(a=np.ones((2, 4))), (2, 4)),
        (lambda: pm.MvNormal.dist(mu=np.zeros(3), cov=COV, size=(4, 2)), (4, 2, 3)),
        (lambda: pm.MvNormal.dist(mu=np.zeros((2, 1, 3)), cov=COV, shape=(2, 5, 3)), (2, 5, 3)),
        (lambda: pm.Multinomial.dist(n=[3, 4], p=[0.5, 0.5]), (2, 2)),
    ],
)
def test_shapes_include_the_support_axis(make, shape):
    rv = make()
    assert rv.type.shape == shape
    assert draws(rv, 1).shape == shape


def test_model_with_multivariate_variables():
    data = rng.multinomial(20, [0.2, 0.3, 0.5], size=5)
    with pm.Model() as model:
        w = pm.Dirichlet("w", a=np.ones(3))
        mu = pm.Normal("mu", 0.0, 3.0, shape=3)
        pm.MvNormal("z", mu=mu, cov=COV, shape=(2, 3))
        pm.Multinomial("counts", n=20, p=w, observed=data)
    assert [v.name for v in model.value_vars] == ["w_simplex__", "mu", "z"]
    point = model.initial_point()
    np.testing.assert_allclose(point["w_simplex__"], [0.0, 0.0])
    np.testing.assert_allclose(point["z"], np.zeros((2, 3)))
    w_value = np.array([0.2, 0.3, 0.5])
    point = {"w_simplex__": pm.transforms.simplex.forward(w_value).eval(), "mu": np.ones(3)}
    point["z"] = rng.normal(size=(2, 3))
    jacobian = np.log(w_value).sum() + np.log(3)
    expected = (
        st.dirichlet.logpdf(w_value, np.ones(3))
        + jacobian
        + st.norm.logpdf(np.ones(3), 0, 3).sum()
        + st.multivariate_normal.logpdf(point["z"], np.ones(3), COV).sum()
        + st.multinomial.logpmf(data, 20, w_value).sum()
    )
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)
    assert_gradient_matches_finite_differences(model)


def test_multinomial_support_point_sums_to_n():
    with pm.Model() as model:
        pm.Multinomial("c", n=7, p=[0.34, 0.33, 0.33])
    point = model.initial_point()["c"]
    assert point.sum() == 7 and point.tolist() == [3, 2, 2]


# --- LKJCholeskyCov ------------------------------------------------------------------------


def lkj_log_normalizer_by_betas(eta, n):
    """log c_n(eta) = Σ_k (2η - 2 + n - k)(n - k) log 2 + (n - k) log B(b_k, b_k),
    b_k = η + (n - k - 1)/2 (Lewandowski et al. 2009, the vine form)."""
    total = 0.0
    for k in range(1, n):
        b = eta + (n - k - 1) / 2
        total += (2 * eta - 2 + n - k) * (n - k) * np.log(2) + (n - k) * sp.betaln(b, b)
    return total


def packed_to_sigma_and_correlations(packed, n):
    rows, columns = np.tril_indices(n)
    chol = np.zeros((n, n))
    chol[rows, columns] = packed
    cov = chol @ chol.T
    sigma = np.sqrt(np.diag(cov))
    corr = cov / np.outer(sigma, sigma)
    below = np.tril_indices(n, -1)
    return sigma, corr, np.concatenate([sigma, corr[below]])


def lkj_cholesky_cov_logp_numpy(packed, eta, n, sd_logpdf):
    """p(L) = p_sd(σ) p_LKJ(C) |det ∂(σ, C_ij for i > j)/∂L|, the Jacobian by central
    differences: no formula shared with ppl's."""
    sigma, corr, _ = packed_to_sigma_and_correlations(packed, n)
    lkj = (eta - 1) * np.linalg.slogdet(corr)[1] - lkj_log_normalizer_by_betas(eta, n)
    step = 1e-6
    jacobian = np.array(
        [
            (
                packed_to_sigma_and_correlations(packed + step * e, n)[2]
                - packed_to_sigma_and_correlations(packed - step * e, n)[2]
            )
            / (2 * step)
            for e in np.eye(len(packed))
        ]
    )
    return sd_logpdf(sigma).sum() + lkj + np.linalg.slogdet(jacobian)[1]


@pytest.mark.parametrize("eta, n", [(1.0, 2), (1.0, 3), (2.5, 3), (0.7, 4)])
def test_lkj_normalizer_matches_the_vine_form(eta, n):
    np.testing.assert_allclose(
        lkj_log_normalizer(eta, n).eval(), lkj_log_normalizer_by_betas(eta, n), rtol=1e-12
    )


def test_lkj_cholesky_cov_log_density_matches_numpy():
    cases = [(2.0, 3, 1.5), (1.0, 2, 0.5), (0.8, 4, 1.0)]
    outputs, expected = [], []
    for eta, n, rate in cases:
        packed_rv = pm.LKJCholeskyCov.dist(
            eta=eta, n=n, sd_dist=pm.Exponential.dist(rate), compute_corr=False
        )
        value = draws(packed_rv, 1, seed=n)
        outputs.append(pm.logp(packed_rv, value))
        expected.append(
            lkj_cholesky_cov_logp_numpy(
                value, eta, n, lambda s, rate=rate: st.expon.logpdf(s, scale=1 / rate)
            )
        )
    np.testing.assert_allclose(evaluate(outputs), expected, rtol=1e-6)


def test_lkj_cholesky_cov_draws():
    eta, n = 2.0, 3
    chol, corr, stds = pm.LKJCholeskyCov.dist(eta=eta, n=n, sd_dist=pm.HalfNormal.dist(1.0))
    corr_draws, std_draws, chol_draws = pm.draw(
        [corr, stds, chol], draws=20000, random_seed=5, mode="FAST_COMPILE"
    )
    np.testing.assert_allclose(np.diagonal(corr_draws, axis1=1, axis2=2), 1.0)
    np.testing.assert_allclose(np.triu(chol_draws, 1), 0.0)
    assert np.all(np.diagonal(chol_draws, axis1=1, axis2=2) > 0)
    off = corr_draws[:, 1, 0], corr_draws[:, 2, 0], corr_draws[:, 2, 1]
    for values in off:  # the LKJ marginal: Beta(η - 1 + n/2) on (-1, 1)
        assert abs(values.mean()) < 0.02
        np.testing.assert_allclose(values.var(), 1 / (2 * eta + n - 1), rtol=0.05)
    np.testing.assert_allclose(std_draws.mean(0), np.sqrt(2 / np.pi), rtol=0.03)


def test_lkj_cholesky_cov_in_a_model():
    data = rng.multivariate_normal(np.zeros(3), COV, size=20)
    with pm.Model() as model:
        chol, _, _ = pm.LKJCholeskyCov(
            "chol", eta=2.0, n=3, sd_dist=pm.Exponential.dist(1.0, shape=3)
        )
        pm.MvNormal("x", mu=np.zeros(3), chol=chol, observed=data)
    assert [v.name for v in model.value_vars] == ["chol_cholesky-cov-packed__"]
    assert [d.name for d in model.deterministics] == ["chol_corr", "chol_stds"]
    point = model.initial_point()
    np.testing.assert_allclose(point["chol_cholesky-cov-packed__"], np.zeros(6))
    packed = np.array([1.2, 0.3, 0.8, -0.2, 0.4, 1.1])
    transformed = packed.copy()
    diagonal = [0, 2, 5]
    transformed[diagonal] = np.log(packed[diagonal])
    chol_matrix = np.zeros((3, 3))
    chol_matrix[np.tril_indices(3)] = packed
    expected = (
        lkj_cholesky_cov_logp_numpy(packed, 2.0, 3, st.expon.logpdf)
        + np.log(packed[diagonal]).sum()
        + st.multivariate_normal.logpdf(data, np.zeros(3), chol_matrix @ chol_matrix.T).sum()
    )
    logp = model.compile_logp(mode="FAST_COMPILE")({"chol_cholesky-cov-packed__": transformed})
    np.testing.assert_allclose(logp, expected, rtol=1e-6)
    assert_gradient_matches_finite_differences(model)


def test_cholesky_cov_packed_transform_round_trip():
    transform = pm.transforms.cholesky_cov_packed
    packed = pt.as_tensor(np.array([1.5, -0.4, 0.7, 0.2, 0.3, 2.0]))
    forward = transform.forward(packed)
    back, jacobian = evaluate([transform.backward(forward), transform.log_jac_det(forward)])
    np.testing.assert_allclose(back, packed.data)
    np.testing.assert_allclose(jacobian, np.log([1.5, 0.7, 2.0]).sum())


def test_lkj_rejects_a_bad_n_and_eta():
    with pytest.raises(TypeError, match="n must be a positive int"):
        pm.LKJCholeskyCov.dist(eta=1.0, n=2.5, sd_dist=pm.Exponential.dist(1.0))
    packed = pm.LKJCholeskyCov.dist(
        eta=-1.0, n=2, sd_dist=pm.Exponential.dist(1.0), compute_corr=False
    )
    with pytest.raises(pm.ParameterValueError, match="eta > 0"):
        pm.logp(packed, [1.0, 0.0, 1.0]).eval()


def test_onion_cholesky_factors_have_unit_rows():
    from ppl.distributions.lkj import onion_correlation_cholesky

    factor = onion_correlation_cholesky(np.random.default_rng(0), 1.5, (7,), 4)
    np.testing.assert_allclose(np.linalg.norm(factor, axis=-1), 1.0)
    for i, j in itertools.combinations(range(4), 2):
        assert np.all(factor[:, i, j] == 0)
