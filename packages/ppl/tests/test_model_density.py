"""The joint log density: model.logp/dlogp/d2logp, the point functions, the flat
density samplers use, against NumPy/SciPy and finite differences."""

import numpy as np
import pytest
import scipy.stats as st

import graphcore
import ppl as pm
import tensorops as pt

Y = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]])


def build_vector_model():
    """mu (3,) ~ N(0, 2); sigma ~ HalfNormal(3); y (2, 3) ~ N(mu, sigma)."""
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 2, shape=3)
        sigma = pm.HalfNormal("sigma", 3)
        pm.Normal("y", mu, sigma, observed=Y)
    return model


def by_hand(mu, log_sigma, jacobian=True):
    """The vector model's terms, by SciPy."""
    sigma = np.exp(log_sigma)
    return [
        st.norm.logpdf(mu, 0, 2),
        st.halfnorm.logpdf(sigma, 0, 3) + (log_sigma if jacobian else 0.0),
        st.norm.logpdf(Y, mu, sigma),
    ]


MU = np.array([0.3, -0.4, 1.2])
LOG_SIGMA = -0.2
POINT = {"mu": MU, "sigma_log__": LOG_SIGMA}


def total(mu, log_sigma):
    return sum(np.sum(term) for term in by_hand(mu, log_sigma))


def flat_total(x):
    return total(x[:3], x[3])


def finite_gradient(f, x, step=1e-6):
    return np.array(
        [(f(x + step * e) - f(x - step * e)) / (2 * step) for e in np.eye(len(x))],
    )


def test_logp_sum_and_terms_match_scipy():
    model = build_vector_model()
    terms = model.compile_logp(sum=False, mode="FAST_COMPILE")(POINT)
    expected = by_hand(MU, LOG_SIGMA)
    assert len(terms) == 3
    for got, want in zip(terms, expected, strict=True):
        np.testing.assert_allclose(got, want)
    assert [t.name for t in model.logp(sum=False)] == [
        "mu_logprob",
        "sigma_logprob",
        "y_logprob",
    ]
    logp = model.compile_logp(mode="FAST_COMPILE")
    np.testing.assert_allclose(logp(POINT), total(MU, LOG_SIGMA))
    # without the Jacobian term of sigma's log transform
    no_jacobian = model.compile_logp(jacobian=False, mode="FAST_COMPILE")(POINT)
    np.testing.assert_allclose(no_jacobian, sum(np.sum(t) for t in by_hand(MU, LOG_SIGMA, False)))
    # a subset of the variables, by variable or by name
    only_y = model.compile_logp(vars=[model["y"]], mode="FAST_COMPILE")(POINT)
    np.testing.assert_allclose(only_y, np.sum(expected[2]))
    only_mu = model.compile_logp(vars=["mu"], sum=False, mode="FAST_COMPILE")(POINT)
    np.testing.assert_allclose(only_mu[0], expected[0])


def test_symbolic_logp_evaluates_at_value_variables():
    model = build_vector_model()
    mu_value, sigma_value = model.value_vars
    logp = model.logp()
    np.testing.assert_allclose(
        logp.eval({mu_value: MU, sigma_value: LOG_SIGMA}), total(MU, LOG_SIGMA)
    )


def test_dlogp_matches_finite_differences():
    model = build_vector_model()
    dlogp = model.compile_dlogp(mode="FAST_COMPILE")(POINT)
    x = np.append(MU, LOG_SIGMA)
    np.testing.assert_allclose(dlogp, finite_gradient(flat_total, x), rtol=1e-6, atol=1e-6)
    only_sigma = model.compile_dlogp(vars=["sigma"], mode="FAST_COMPILE")(POINT)
    np.testing.assert_allclose(only_sigma, dlogp[3:], rtol=1e-12)


def test_d2logp_is_minus_the_hessian():
    model = build_vector_model()
    x = np.append(MU, LOG_SIGMA)
    gradient = model.compile_dlogp(mode="FAST_COMPILE")

    def flat_gradient(v):
        return gradient({"mu": v[:3], "sigma_log__": v[3]})

    rows = [(flat_gradient(x + 1e-6 * e) - flat_gradient(x - 1e-6 * e)) / 2e-6 for e in np.eye(4)]
    hessian = np.array(rows)
    minus_hessian = model.compile_d2logp(mode="FAST_COMPILE")(POINT)
    assert minus_hessian.shape == (4, 4)
    np.testing.assert_allclose(minus_hessian, -hessian, rtol=1e-5, atol=1e-5)
    itself = model.compile_d2logp(negate_output=False, mode="FAST_COMPILE")(POINT)
    np.testing.assert_allclose(itself, hessian, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(itself, itself.T, atol=1e-12)


def test_point_functions_ignore_extra_entries_and_name_missing_ones():
    model = build_vector_model()
    logp = model.compile_logp(mode="FAST_COMPILE")
    np.testing.assert_allclose(logp({**POINT, "unused": 1.0}), total(MU, LOG_SIGMA))
    np.testing.assert_allclose(logp(mu=MU, sigma_log__=LOG_SIGMA), total(MU, LOG_SIGMA))
    with pytest.raises(KeyError, match="sigma_log__"):
        logp({"mu": MU})


def test_logp_dlogp_function_on_the_flat_vector():
    model = build_vector_model()
    density = model.logp_dlogp_function(mode="FAST_COMPILE")
    assert density.dim == 4
    x = np.append(MU, LOG_SIGMA)
    assert set(density.array_to_point(x)) == {"mu", "sigma_log__"}
    np.testing.assert_allclose(density.point_to_array(POINT), x)
    logp, dlogp = density(x)
    assert isinstance(logp, float)
    np.testing.assert_allclose(logp, total(MU, LOG_SIGMA))
    np.testing.assert_allclose(dlogp, finite_gradient(flat_total, x), rtol=1e-6, atol=1e-6)


def test_flat_density_in_c_equals_the_python_linker():
    pytest.importorskip("ccodegen")
    model = build_vector_model()
    in_c = model.logp_dlogp_function()
    in_python = model.logp_dlogp_function(mode=graphcore.Mode(linker="py"))
    # compiled once, as the C entry point that samplers call (ccodegen's density.py)
    assert in_c.c_logp_dlogp is not None
    assert in_python.function.maker.linker.name == "py"
    assert in_python.c_logp_dlogp is None
    for x in (np.append(MU, LOG_SIGMA), np.array([2.0, -3.0, 0.1, 1.5])):
        c_logp, c_dlogp = in_c(x)
        py_logp, py_dlogp = in_python(x)
        np.testing.assert_allclose(c_logp, py_logp, rtol=1e-12)
        np.testing.assert_allclose(c_dlogp, py_dlogp, rtol=1e-12)


def test_flat_density_conditions_on_discrete_values():
    counts = np.array([3, 5, 4, 1, 0, 2])
    with pm.Model() as model:
        switch = pm.DiscreteUniform("switch", 0, 6)
        early = pm.Exponential("early", 1.0)
        late = pm.Exponential("late", 1.0)
        rate = pm.switch(switch >= np.arange(6), early, late)
        pm.Poisson("counts", rate, observed=counts)
    assert [v.name for v in model.discrete_value_vars] == ["switch"]
    density = model.logp_dlogp_function(mode="FAST_COMPILE")
    assert [v.name for v in density.value_vars] == ["early_log__", "late_log__"]
    x = np.log([3.0, 1.0])

    def by_hand(tau):
        rates = np.where(tau >= np.arange(6), 3.0, 1.0)
        return (
            st.randint.logpmf(tau, 0, 7)
            + st.expon.logpdf(3.0)
            + np.log(3.0)
            + st.expon.logpdf(1.0)
            + np.log(1.0)
            + st.poisson.logpmf(counts, rates).sum()
        )

    for tau in (2, 4):
        density.condition({"switch": tau})
        np.testing.assert_allclose(density(x)[0], by_hand(tau))
        point = {"switch": tau, "early_log__": x[0], "late_log__": x[1]}
        np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), by_hand(tau))
    with pytest.raises(TypeError, match="discrete"):
        model.dlogp(vars=["switch"])


def test_negative_sigma_raises_in_point_functions_and_is_minus_inf_for_samplers():
    with pm.Model() as model:
        s = pm.Normal("s", 0, 1)
        pm.Normal("x", 0, s, observed=1.0)
    logp = model.compile_logp(mode="FAST_COMPILE")
    np.testing.assert_allclose(logp({"s": 2.0}), st.norm.logpdf(2.0) + st.norm.logpdf(1.0, 0, 2))
    with (
        np.errstate(invalid="ignore"),
        pytest.raises(pm.ParameterValueError, match=r"^Normal: sigma > 0"),
    ):
        logp({"s": -1.0})
    density = model.logp_dlogp_function(mode="FAST_COMPILE")
    with np.errstate(invalid="ignore"):  # log(sigma) of the rejected branch
        assert density(np.array([-1.0]))[0] == -np.inf
    np.testing.assert_allclose(density(np.array([2.0]))[0], logp({"s": 2.0}))


def test_potentials_add_to_the_density():
    with pm.Model() as model:
        a = pm.Normal("a", 0, 1, shape=2)
        pm.Potential("penalty", -pt.sum(a**2))
        pm.Potential("constant", 3)  # an integer potential counts as a float
    value = np.array([0.5, -1.5])
    logp = model.compile_logp(mode="FAST_COMPILE")({"a": value})
    np.testing.assert_allclose(logp, st.norm.logpdf(value).sum() - np.sum(value**2) + 3)
    np.testing.assert_allclose(
        model.compile_dlogp(mode="FAST_COMPILE")({"a": value}), -value - 2 * value
    )


def test_point_logps():
    model = build_vector_model()
    logps = model.point_logps(POINT)
    expected = [np.sum(term) for term in by_hand(MU, LOG_SIGMA)]
    assert list(logps) == ["mu", "sigma", "y"]
    np.testing.assert_allclose(list(logps.values()), expected, atol=0.006)


def test_hessian_with_a_variable_the_gradient_does_not_depend_on():
    with pm.Model() as model:
        u = pm.Uniform("u", 0, 1, transform=None)  # a constant density on (0, 1)
        pm.Normal("x", 0, 2)
        pm.Potential("linear", 2 * u)
    point = {"u": 0.3, "x": 1.0}
    np.testing.assert_allclose(model.compile_dlogp(mode="FAST_COMPILE")(point), [2.0, -0.25])
    np.testing.assert_allclose(
        model.compile_d2logp(mode="FAST_COMPILE")(point), [[0.0, 0.0], [0.0, 0.25]]
    )


def test_a_model_without_free_variables():
    with pm.Model() as model:
        pm.Normal("y", 0, 1, observed=[0.5])
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")({}), st.norm.logpdf(0.5))
    assert model.compile_dlogp(mode="FAST_COMPILE")({}).shape == (0,)
    assert model.compile_d2logp(mode="FAST_COMPILE")({}).shape == (0, 0)
    density = model.logp_dlogp_function(mode="FAST_COMPILE")
    assert density.dim == 0
    np.testing.assert_allclose(density(np.zeros(0))[0], st.norm.logpdf(0.5))


def test_flat_density_of_a_variable_shaped_by_data():
    with pm.Model() as model:
        x = pm.Data("x", np.arange(3.0))
        pm.Normal("y", x, 1, shape=x.shape)
    assert model.value_vars[0].type.shape == (None,)
    density = model.logp_dlogp_function(mode="FAST_COMPILE")
    assert density.dim == 3
    value = np.array([0.5, 1.0, 1.0])
    logp, dlogp = density(value)
    np.testing.assert_allclose(logp, st.norm.logpdf(value, np.arange(3.0)).sum())
    np.testing.assert_allclose(dlogp, np.arange(3.0) - value)
