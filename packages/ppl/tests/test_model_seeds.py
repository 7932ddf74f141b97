"""The seed models as written in the seed texts, against densities computed by hand."""

import numpy as np
import scipy.stats as st
from scipy.special import logsumexp

import ppl as pm
import tensorops as pt
from ppl import Exponential, Model, Poisson, Potential, exp, log, switch
from ppl import sum as tsum

DATA = 0.1 + np.random.default_rng(0).standard_normal(50)

DISASTERS = np.array(
    [
        *[4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6, 3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4],
        *[2, 5, 2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0, 1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2],
        *[0, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2, 3, 3, 1, 1, 2, 1, 1, 1, 1, 2],
        *[4, 2, 0, 0, 1, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1],
    ]
)
YEARS = len(DISASTERS)


def test_seed_000_mu_and_y():
    with pm.Model() as model:
        mu = pm.Normal("mu", mu=0, sd=1)
        y = pm.Normal("y", mu=mu, sd=1, observed=DATA)
    assert model.free_RVs == [mu] and model.observed_RVs == [y]
    expected = st.norm.logpdf(0.4) + st.norm.logpdf(DATA, 0.4, 1).sum()
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")({"mu": 0.4}), expected)
    # "roughly equivalent to": the same terms from .dist(...).logp(...)
    mu_value = model.rvs_to_values[mu]
    by_terms = pt.sum(pm.Normal.dist(0, 1).logp(mu_value)) + pt.sum(
        pm.Normal.dist(mu_value, 1).logp(DATA)
    )
    np.testing.assert_allclose(by_terms.eval({mu_value: 0.4}), expected)
    # the posterior mode is where the gradient vanishes: sum(data) / (n + 1)
    mode = DATA.sum() / (len(DATA) + 1)
    np.testing.assert_allclose(model.compile_dlogp()({"mu": mode}), [0.0], atol=1e-10)


def test_seed_000_halfnormal_sd():
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        sd = pm.HalfNormal("sd", 1)
        pm.Normal("y", mu=mu, sd=sd, observed=DATA)
    assert [v.name for v in model.value_vars] == ["mu", "sd_log__"]
    assert model.rvs_to_values[sd].name == "sd_log__"
    point = {"mu": 0.2, "sd_log__": np.log(0.8)}
    expected = (
        st.norm.logpdf(0.2)
        + st.halfnorm.logpdf(0.8)
        + np.log(0.8)  # the Jacobian of sd = exp(sd_log__)
        + st.norm.logpdf(DATA, 0.2, 0.8).sum()
    )
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)


def test_seed_000_design_matrix():
    rng = np.random.default_rng(1)
    design_matrix = rng.standard_normal((30, 3))
    data = design_matrix @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.standard_normal(30)
    with pm.Model() as model:
        beta = pm.Normal("beta", 0, 1, shape=len(design_matrix[0]))
        predict = pt.dot(design_matrix, beta)
        sd = pm.HalfCauchy("sd", beta=2.5)
        pm.Normal("y", mu=predict, sd=sd, observed=data)
    assert model.initial_point()["beta"].shape == (3,)
    assert [v.name for v in model.value_vars] == ["beta", "sd_log__"]
    beta_value = np.array([0.9, -1.8, 0.4])
    point = {"beta": beta_value, "sd_log__": np.log(0.5)}
    expected = (
        st.norm.logpdf(beta_value).sum()
        + st.halfcauchy.logpdf(0.5, scale=2.5)
        + np.log(0.5)
        + st.norm.logpdf(data, design_matrix @ beta_value, 0.5).sum()
    )
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)
    gradient = model.compile_dlogp(mode="FAST_COMPILE")(point)
    sigma = 0.5
    residual = data - design_matrix @ beta_value
    np.testing.assert_allclose(gradient[:3], -beta_value + design_matrix.T @ residual / sigma**2)


def test_seed_003_z_model():
    with pm.Model() as model:
        z = pm.Normal(name="z", mu=np.array([0, 0]), sigma=np.array([1, 2]))
    assert repr(model.basic_RVs) == "[z ~ Normal(<constant>, <constant>)]"
    z_value = pt.vector(name="z")
    np.testing.assert_allclose(
        pm.logp(rv=z, value=z_value).eval({z_value: [0, 0]}), [-0.91893853, -1.61208571]
    )
    point = model.initial_point()
    np.testing.assert_array_equal(point["z"], [0.0, 0.0])
    (terms,) = model.compile_logp(sum=False)(point)
    np.testing.assert_allclose(terms, [-0.91893853, -1.61208571])
    assert pm.draw(vars=z, draws=100).shape == (100, 2)


def test_seed_003_model_2_gradient_and_hessian():
    with pm.Model() as model_2:
        mu = pm.Normal(name="mu", mu=0, sigma=2)
        sigma = pm.HalfNormal(name="sigma", sigma=3)
        pm.Normal(name="x", mu=mu, sigma=sigma)
    assert [v.name for v in model_2.value_vars] == ["mu", "sigma_log__", "x"]
    assert model_2.rvs_to_values[sigma].name == "sigma_log__"
    point = {"mu": 0.5, "sigma_log__": 0.2, "x": -0.3}
    s = np.exp(0.2)
    z = (-0.3 - 0.5) / s
    # d/dmu, d/dlog(sigma), d/dx of the joint density (with the log Jacobian)
    expected_gradient = [-0.5 / 4 + z / s, -(s**2) / 9 + 1 - 1 + z**2, -z / s]
    np.testing.assert_allclose(model_2.compile_dlogp()(point), expected_gradient, rtol=1e-10)
    hessian = model_2.compile_d2logp(negate_output=False)(point)
    assert hessian.shape == (3, 3)
    np.testing.assert_allclose(hessian[0, 0], -0.25 - 1 / s**2)
    np.testing.assert_allclose(hessian[2, 2], -1 / s**2)
    np.testing.assert_allclose(hessian[0, 2], 1 / s**2)


def test_seed_001_coal_mining_original():
    with Model() as original_model:
        switchpoint = pm.DiscreteUniform("switchpoint", lower=0, upper=YEARS)
        early_mean = Exponential("early_mean", lam=1.0)
        late_mean = Exponential("late_mean", lam=1.0)
        idx = np.arange(YEARS)
        rate = switch(switchpoint >= idx, early_mean, late_mean)
        Poisson("disasters", rate, observed=DISASTERS)
    assert [v.name for v in original_model.value_vars] == [
        "switchpoint",
        "early_mean_log__",
        "late_mean_log__",
    ]
    point = {"switchpoint": 40, "early_mean_log__": np.log(3.0), "late_mean_log__": np.log(1.0)}
    rates = np.where(idx <= 40, 3.0, 1.0)
    expected = (
        st.randint.logpmf(40, 0, YEARS + 1)
        + st.expon.logpdf(3.0)
        + np.log(3.0)
        + st.expon.logpdf(1.0)
        + st.poisson.logpmf(DISASTERS, rates).sum()
    )
    np.testing.assert_allclose(
        original_model.compile_logp(mode="FAST_COMPILE")(point), expected, rtol=1e-12
    )
    density = original_model.logp_dlogp_function(mode="FAST_COMPILE")
    density.condition({"switchpoint": 40})
    np.testing.assert_allclose(density(np.log([3.0, 1.0]))[0], expected, rtol=1e-12)


def test_seed_001_coal_mining_marginalized():
    def log_sum_exp(x):
        return log(tsum(exp(x)))

    with Model() as marginal_model:
        early_mean = Exponential("early_mean", lam=1.0)
        late_mean = Exponential("late_mean", lam=1.0)
        year_idx = np.arange(YEARS)
        s, t = np.array([(t, s) for t in year_idx for s in year_idx]).T
        log_like = log_sum_exp(
            -log(YEARS)
            + Poisson.dist(switch(t < s, early_mean, late_mean))
            .logp(DISASTERS[t])
            .reshape((YEARS, YEARS))
            .sum(1)
        )
        disasters = Potential("disasters", log_like)
    assert marginal_model.potentials == [disasters]
    assert [v.name for v in marginal_model.value_vars] == ["early_mean_log__", "late_mean_log__"]

    def by_hand(early, late):
        rates = np.where(t < s, early, late)
        per_switch = st.poisson.logpmf(DISASTERS[t], rates).reshape(YEARS, YEARS).sum(1)
        priors = st.expon.logpdf([early, late]).sum() + np.log(early) + np.log(late)
        return logsumexp(-np.log(YEARS) + per_switch) + priors

    logp = marginal_model.compile_logp(mode="FAST_COMPILE")
    for early, late in [(3.0, 1.0), (2.5, 0.8)]:
        point = {"early_mean_log__": np.log(early), "late_mean_log__": np.log(late)}
        np.testing.assert_allclose(logp(point), by_hand(early, late), rtol=1e-12)
    # pm.math.logsumexp gives the same Potential
    with Model() as with_logsumexp:
        early_mean = Exponential("early_mean", lam=1.0)
        late_mean = Exponential("late_mean", lam=1.0)
        per_switch = pm.logp(Poisson.dist(switch(t < s, early_mean, late_mean)), DISASTERS[t])
        Potential(
            "disasters", pm.math.logsumexp(-log(YEARS) + per_switch.reshape((YEARS, YEARS)).sum(1))
        )
    point = {"early_mean_log__": np.log(3.0), "late_mean_log__": np.log(1.0)}
    np.testing.assert_allclose(
        with_logsumexp.compile_logp(mode="FAST_COMPILE")(point), by_hand(3.0, 1.0), rtol=1e-12
    )
    density = marginal_model.logp_dlogp_function(mode="FAST_COMPILE")
    x = np.log([3.0, 1.0])
    step = 1e-6
    finite = [
        (by_hand(*np.exp(x + step * e)) - by_hand(*np.exp(x - step * e))) / (2 * step)
        for e in np.eye(2)
    ]
    np.testing.assert_allclose(density(x)[1], finite, rtol=1e-5)
