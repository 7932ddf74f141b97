"""Mixture, NormalMixture, ZeroInflatedPoisson, GaussianRandomWalk and AR: densities
against SciPy, draws, support points, checks, shapes, models, gradients."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.stats as st
from mv_helpers import assert_gradient_matches_finite_differences, evaluate

import ppl as pm

W = np.array([0.3, 0.7])
rng = np.random.default_rng(7)
VALUES = np.array([-1.0, 0.1, 3.0, 6.5])


def mixture_of_normals(v):
    return np.log(W[0] * st.norm.pdf(v, 0, 1) + W[1] * st.norm.pdf(v, 5, 2))


def mixture_of_normals_cdf(v):
    return np.log(W[0] * st.norm.cdf(v, 0, 1) + W[1] * st.norm.cdf(v, 5, 2))


COUNTS = np.arange(6)

# (distribution, values, reference log density)
DENSITY_CASES = [
    (
        pm.Mixture.dist(w=W, comp_dists=[pm.Normal.dist(0, 1), pm.Normal.dist(5, 2)]),
        VALUES,
        mixture_of_normals,
    ),
    (
        pm.Mixture.dist(w=W, comp_dists=pm.Normal.dist(mu=[0.0, 5.0], sigma=[1.0, 2.0])),
        VALUES,
        mixture_of_normals,
    ),
    (pm.NormalMixture.dist(w=W, mu=[0.0, 5.0], sigma=[1.0, 2.0]), VALUES, mixture_of_normals),
    (pm.NormalMixture.dist(w=W, mu=[0.0, 5.0], tau=[1.0, 0.25]), VALUES, mixture_of_normals),
    (
        pm.Mixture.dist(w=W, comp_dists=[pm.Poisson.dist(1.0), pm.Exponential.dist(0.5)]),
        np.array([0.0, 2.0, 4.0]),
        lambda v: np.log(W[0] * st.poisson.pmf(v, 1.0) + W[1] * st.expon.pdf(v, scale=2.0)),
    ),
    (
        pm.Mixture.dist(w=W, comp_dists=[pm.Poisson.dist(1.0), pm.Poisson.dist(6.0)]),
        COUNTS,
        lambda v: np.log(W[0] * st.poisson.pmf(v, 1.0) + W[1] * st.poisson.pmf(v, 6.0)),
    ),
    (
        pm.ZeroInflatedPoisson.dist(psi=0.7, mu=3.0),
        COUNTS,
        lambda v: np.log(np.where(v == 0, 0.3, 0.0) + 0.7 * st.poisson.pmf(v, 3.0)),
    ),
]


def test_log_densities_match_scipy():
    outputs = [pm.logp(dist, values) for dist, values, _ in DENSITY_CASES]
    outputs.append(pm.logcdf(DENSITY_CASES[0][0], VALUES))
    got = evaluate(outputs)
    for value, (_, values, reference) in zip(got, DENSITY_CASES, strict=False):
        np.testing.assert_allclose(value, reference(values), rtol=1e-10)
    np.testing.assert_allclose(got[-1], mixture_of_normals_cdf(VALUES), rtol=1e-10)


def test_mixture_weights_per_batch_entry():
    w = np.array([[0.1, 0.9], [0.5, 0.5], [0.8, 0.2]])
    mixture = pm.NormalMixture.dist(w=w, mu=[0.0, 5.0], sigma=1.0)
    assert mixture.type.shape == (3,)
    (got,) = evaluate([pm.logp(mixture, [1.0, 2.0, 3.0])])
    v = np.array([1.0, 2.0, 3.0])
    expected = np.log(w[:, 0] * st.norm.pdf(v, 0, 1) + w[:, 1] * st.norm.pdf(v, 5, 1))
    np.testing.assert_allclose(got, expected)


def test_draw_moments():
    mixture = pm.NormalMixture.dist(w=W, mu=[0.0, 5.0], sigma=[1.0, 2.0])
    listed = pm.Mixture.dist(w=W, comp_dists=[pm.Poisson.dist(1.0), pm.Poisson.dist(6.0)])
    zip_rv = pm.ZeroInflatedPoisson.dist(psi=0.7, mu=3.0)
    normals, counts, zeros = pm.draw(
        [mixture, listed, zip_rv], draws=40000, random_seed=11, mode="FAST_COMPILE"
    )
    mean = W @ [0.0, 5.0]
    np.testing.assert_allclose(normals.mean(), mean, atol=0.04)
    np.testing.assert_allclose(normals.var(), W @ [1.0, 29.0] - mean**2, rtol=0.03)
    np.testing.assert_allclose(counts.mean(), W @ [1.0, 6.0], atol=0.04)
    assert counts.dtype.kind == "i" and zeros.dtype.kind == "i"
    np.testing.assert_allclose(zeros.mean(), 0.7 * 3.0, atol=0.04)
    np.testing.assert_allclose((zeros == 0).mean(), 0.3 + 0.7 * np.exp(-3.0), atol=0.01)


def test_draws_change_and_a_seed_reproduces_them():
    mixture = pm.NormalMixture.dist(w=W, mu=[0.0, 5.0], sigma=1.0, shape=5)
    first = pm.draw(mixture, random_seed=3, mode="FAST_COMPILE")
    assert first.shape == (5,)
    np.testing.assert_array_equal(first, pm.draw(mixture, random_seed=3, mode="FAST_COMPILE"))
    assert not np.array_equal(first, pm.draw(mixture, random_seed=4, mode="FAST_COMPILE"))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: pm.NormalMixture.dist(w=[0.5, 0.6], mu=[0.0, 1.0], sigma=1.0), "sum"),
        (lambda: pm.ZeroInflatedPoisson.dist(psi=1.5, mu=1.0), "psi"),
        (lambda: pm.GaussianRandomWalk.dist(sigma=-1.0, init_dist=pm.Normal.dist(), steps=2), ">"),
        (
            lambda: pm.AR.dist(rho=[0.5], sigma=-1.0, init_dist=pm.Normal.dist(), steps=2),
            "sigma > 0",
        ),
    ],
)
def test_parameter_checks(make, message):
    rv = make()
    with pytest.raises(pm.ParameterValueError, match=message):
        pm.logp(rv, np.zeros(rv.type.shape, dtype=rv.dtype)).eval()


def test_components_must_be_dists():
    with pytest.raises(TypeError, match=r"\.dist"):
        pm.Mixture.dist(w=W, comp_dists=[0.0, 1.0])
    with pytest.raises(ValueError, match="2 weights but 3 components"):
        pm.Mixture.dist(w=W, comp_dists=[pm.Normal.dist()] * 3)


def test_mixture_op_is_data():
    a = pm.NormalMixture.dist(w=W, mu=[0.0, 5.0], sigma=1.0)
    b = pm.Mixture.dist(w=W, comp_dists=pm.Normal.dist(mu=[1.0, 2.0]))
    assert a.owner.op == b.owner.op and hash(a.owner.op) == hash(b.owner.op)
    listed = pm.Mixture.dist(w=W, comp_dists=[pm.Normal.dist(), pm.Normal.dist()])
    assert listed.owner.op != a.owner.op
    copy = pickle.loads(
        pickle.dumps(pm.Mixture.dist(w=W, comp_dists=[pm.Exponential.dist(1.0)] * 2))
    )
    assert copy.owner.op.components[0].name == "exponential"


def test_mixture_model():
    data = np.concatenate([rng.normal(0, 1, 30), rng.normal(5, 1, 20)])
    with pm.Model() as model:
        w = pm.Dirichlet("w", a=np.ones(2))
        mu = pm.Normal("mu", mu=[0.0, 4.0], sigma=10.0, shape=2)
        pm.NormalMixture("x", w=w, mu=mu, sigma=1.0, observed=data)
        pm.Mixture("k", w=w, comp_dists=[pm.Poisson.dist(1.0), pm.Poisson.dist(6.0)], shape=3)
    point = model.initial_point()
    np.testing.assert_array_equal(point["k"], [4, 4, 4])  # round(0.5 * 1 + 0.5 * 6)
    np.testing.assert_allclose(point["mu"], [0.0, 4.0])
    mu_value = np.array([0.5, 4.5])
    logp = model.compile_logp(mode="FAST_COMPILE")({**point, "mu": mu_value})
    x_logp = np.log(0.5 * st.norm.pdf(data, 0.5, 1) + 0.5 * st.norm.pdf(data, 4.5, 1)).sum()
    k_logp = 3 * np.log(0.5 * st.poisson.pmf(4, 1.0) + 0.5 * st.poisson.pmf(4, 6.0))
    w_logp = st.dirichlet.logpdf([0.5, 0.5], [1, 1]) + 2 * np.log(0.5) + np.log(2)
    expected = w_logp + st.norm.logpdf(mu_value, [0.0, 4.0], 10).sum() + x_logp + k_logp
    np.testing.assert_allclose(logp, expected)
    assert_gradient_matches_finite_differences(model)


# --- time series ---------------------------------------------------------------------------


def test_random_walk_log_density_by_differences():
    walk = pm.GaussianRandomWalk.dist(
        mu=0.5, sigma=2.0, init_dist=pm.Normal.dist(1.0, 3.0), steps=4, size=3
    )
    assert walk.type.shape == (3, 5)
    values = rng.normal(size=(3, 5))
    (got,) = evaluate([pm.logp(walk, values)])
    expected = st.norm.logpdf(values[:, 0], 1, 3) + st.norm.logpdf(
        np.diff(values, axis=-1), 0.5, 2
    ).sum(-1)
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize("constant", [False, True])
def test_ar_log_density_by_lags(constant):
    rho = np.array([0.4, 0.5, -0.3]) if constant else np.array([0.5, -0.3])
    ar = pm.AR.dist(
        rho=rho,
        sigma=0.7,
        constant=constant,
        init_dist=pm.Normal.dist(0.0, 2.0, shape=2),
        steps=6,
    )
    assert ar.type.shape == (8,)
    x = rng.normal(size=8)
    c, lags = (rho[0], rho[1:]) if constant else (0.0, rho)
    predicted = c + lags[0] * x[1:-1] + lags[1] * x[:-2]
    expected = st.norm.logpdf(x[:2], 0, 2).sum() + st.norm.logpdf(x[2:] - predicted, 0, 0.7).sum()
    (got,) = evaluate([pm.logp(ar, x)])
    np.testing.assert_allclose(got, expected)


def test_time_series_draws():
    walk = pm.GaussianRandomWalk.dist(
        mu=0.5, sigma=2.0, init_dist=pm.Normal.dist(1.0, 3.0), steps=4
    )
    ar = pm.AR.dist(rho=[1.0, 0.5], sigma=0.5, constant=True, init_dist=pm.Normal.dist(), steps=30)
    walks, series = pm.draw([walk, ar], draws=20000, random_seed=2, mode="FAST_COMPILE")
    times = np.arange(5)
    np.testing.assert_allclose(walks.mean(0), 1.0 + 0.5 * times, atol=0.1)
    np.testing.assert_allclose(walks.var(0), 9.0 + 4.0 * times, rtol=0.05)
    np.testing.assert_allclose(series[:, -1].mean(), 1.0 / (1 - 0.5), atol=0.03)
    np.testing.assert_allclose(series[:, -1].var(), 0.25 / (1 - 0.25), rtol=0.05)
    before, after = series[:, -2], series[:, -1]
    slope = np.cov(before, after)[0, 1] / before.var()
    np.testing.assert_allclose(slope, 0.5, atol=0.02)


def test_steps_come_from_shape_and_init_dist_defaults_with_a_warning():
    with pytest.warns(UserWarning, match="init_dist"):
        walk = pm.GaussianRandomWalk.dist(shape=(2, 6))
    assert walk.owner.op.steps == 5 and walk.type.shape == (2, 6)
    with pytest.raises(ValueError, match="steps"):
        pm.GaussianRandomWalk.dist(init_dist=pm.Normal.dist())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ar = pm.AR.dist(rho=[0.3, 0.2], init_dist=pm.Normal.dist(), shape=(3, 10))
    assert ar.owner.op.steps == 8 and ar.type.shape == (3, 10)


def test_time_series_model():
    with pm.Model() as model:
        sigma = pm.HalfNormal("sigma", 1.0)
        walk = pm.GaussianRandomWalk(
            "walk", mu=0.3, sigma=sigma, init_dist=pm.Normal.dist(2.0, 1.0), shape=(2, 6)
        )
        pm.AR("ar", rho=[0.5], sigma=sigma, init_dist=pm.Normal.dist(0.0, 1.0), steps=5)
        pm.Normal("y", mu=walk[:, -1], sigma=1.0, observed=[1.0, 2.0])
    point = model.initial_point()
    np.testing.assert_allclose(point["walk"], np.broadcast_to(2.0 + 0.3 * np.arange(6), (2, 6)))
    np.testing.assert_allclose(point["ar"], np.zeros(6))
    point = {"sigma_log__": np.log(0.8), "walk": rng.normal(size=(2, 6)), "ar": rng.normal(size=6)}
    walk_value, ar_value = point["walk"], point["ar"]
    expected = (
        st.halfnorm.logpdf(0.8, scale=1.0)
        + np.log(0.8)
        + st.norm.logpdf(walk_value[:, 0], 2.0, 1.0).sum()
        + st.norm.logpdf(np.diff(walk_value, axis=-1), 0.3, 0.8).sum()
        + st.norm.logpdf(ar_value[0], 0, 1)
        + st.norm.logpdf(ar_value[1:] - 0.5 * ar_value[:-1], 0, 0.8).sum()
        + st.norm.logpdf([1.0, 2.0], walk_value[:, -1], 1.0).sum()
    )
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)
    assert_gradient_matches_finite_differences(model)


def test_default_mode_density_equals_the_python_linker():
    with pm.Model() as model:
        chol, _, _ = pm.LKJCholeskyCov("chol", eta=2.0, n=2, sd_dist=pm.Exponential.dist(1.0))
        z = pm.MvNormal("z", mu=np.zeros(2), chol=chol)
        w = pm.Dirichlet("w", a=np.ones(2))
        pm.NormalMixture("x", w=w, mu=z, sigma=1.0, observed=[0.5, 2.0])
        pm.GaussianRandomWalk("walk", sigma=1.0, init_dist=pm.Normal.dist(), steps=3)
    x = 0.1 * rng.normal(size=model.logp_dlogp_function(mode="FAST_COMPILE").dim)
    python = model.logp_dlogp_function(mode="FAST_COMPILE")(x)
    default = model.logp_dlogp_function()(x)
    np.testing.assert_allclose(default[0], python[0], rtol=1e-10)
    np.testing.assert_allclose(default[1], python[1], rtol=1e-8, atol=1e-12)
    samples = pm.draw([model["z"], model["walk"]], draws=3, random_seed=1)
    assert samples[0].shape == (3, 2) and samples[1].shape == (3, 4)


def test_zero_inflated_poisson_logp_and_logcdf_match_scipy():
    rv = pm.ZeroInflatedPoisson.dist(psi=0.7, mu=3.0)
    values = np.array([-1.0, 0.0, 1.0, 2.5, 4.0, 30.0])
    pmf = np.where(values == 0, 0.3, 0.0) + 0.7 * st.poisson.pmf(values, 3.0)
    cdf = np.where(values >= 0, 0.3 + 0.7 * st.poisson.cdf(values, 3.0), 0.0)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(pm.logp(rv, values).eval(), np.log(pmf))
        np.testing.assert_allclose(pm.logcdf(rv, values).eval(), np.log(cdf))
