"""The seed's model_2: value variables, transforms and log densities as printed."""

import numpy as np
import scipy.stats as st

import ppl as pm
import tensorops as pt


def build_model_2():
    with pm.Model() as model_2:
        mu = pm.Normal(name="mu", mu=0, sigma=2)
        sigma = pm.HalfNormal(name="sigma", sigma=3)
        pm.Normal(name="x", mu=mu, sigma=sigma)
    return model_2


def test_value_variables_and_repr():
    model = build_model_2()
    assert [v.name for v in model.value_vars] == ["mu", "sigma_log__", "x"]
    assert repr(model.rvs_to_values) == (
        "{mu ~ Normal(0, 2): mu, sigma ~ HalfNormal(0, 3): sigma_log__, x ~ Normal(mu, sigma): x}"
    )


def test_elementwise_logp_matches_scipy_with_jacobian():
    model = build_model_2()
    expected = [
        st.norm.logpdf(0, 0, 2),
        -10 + st.halfnorm.logpdf(np.exp(-10), 0, 3),
        st.norm.logpdf(0, 0, np.exp(-10)),
    ]
    values = {model.rvs_to_values[rv]: v for rv, v in zip(model.free_RVs, [0, -10, 0], strict=True)}
    np.testing.assert_allclose(pt.stack(model.logp(sum=False)).eval(values), expected)
    compiled = model.compile_logp(sum=False)({"mu": 0, "sigma_log__": -10, "x": 0})
    np.testing.assert_allclose(compiled, [-1.61208571, -11.32440364, 9.08106147])


def test_flat_density_equals_point_functions():
    model = build_model_2()
    density = model.logp_dlogp_function()
    x = np.array([0.3, -0.5, 1.1])
    point = density.array_to_point(x)
    logp, dlogp = density.logp_dlogp(x)
    np.testing.assert_allclose(logp, model.compile_logp()(point))
    np.testing.assert_allclose(dlogp, model.compile_dlogp()(point))
