"""pm.sample on small models: posteriors against exact answers, and the trace it returns."""

from __future__ import annotations

import numpy as np
import pytest

import ppl as pm
import samplers
from ppl.sampling.init import start_point
from ppl.sampling.report import SamplingWarning, convergence_warnings

RNG = np.random.default_rng(20240514)
DATA = RNG.normal(1.5, 2.0, size=40)


def conjugate_model() -> pm.Model:
    with pm.Model(coords={"obs": np.arange(DATA.size)}) as model:
        mu = pm.Normal("mu", mu=0.0, sigma=10.0)
        pm.Deterministic("mu_squared", mu**2)
        pm.Normal("y", mu=mu, sigma=2.0, observed=DATA, dims="obs")
    return model


def test_conjugate_normal_posterior_mean_and_sd():
    # mu ~ N(0, 10^2), y_i ~ N(mu, 2^2): the posterior is normal with precision
    # 1/100 + n/4 and mean (sum(y)/4) / precision.
    precision = 1 / 100 + DATA.size / 4
    exact_mean, exact_sd = (DATA.sum() / 4) / precision, precision**-0.5
    with conjugate_model():
        trace = pm.sample(1000, tune=500, chains=2, cores=1, random_seed=1, progressbar=False)
    draws = trace.posterior["mu"]
    mcse = samplers.mcse(draws)
    assert abs(draws.mean() - exact_mean) < 4 * mcse
    assert abs(draws.std() - exact_sd) < 0.1 * exact_sd
    # the deterministic is computed from the draws, under its name
    np.testing.assert_allclose(trace["mu_squared"], trace["mu"] ** 2)


def test_the_trace_has_user_names_constrained_values_and_stats():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        pm.Normal("y", mu, sigma, observed=[0.1, -0.3, 0.5])
        trace = pm.sample(
            draws=60,
            tune=50,
            chains=2,
            cores=1,
            random_seed=2,
            progressbar=False,
            compute_convergence_checks=False,
        )
    assert set(trace.varnames) == {"mu", "sigma"}  # not sigma_log__
    assert np.all(trace["sigma"] > 0)
    assert trace.posterior["mu"].shape == (2, 60)
    assert trace["mu"].shape == (120,)
    assert trace.stats["diverging"].shape == (2, 60)
    for stat in ("diverging", "tree_depth", "step_size", "energy", "accept"):
        assert trace[stat].shape == (120,)
    later = trace[10:]
    assert len(later) == 50
    np.testing.assert_array_equal(later.posterior["mu"], trace.posterior["mu"][:, 10:])
    np.testing.assert_array_equal(trace.get_values("mu", chains=[0]), trace.posterior["mu"][0])


def test_to_inference_data_has_coords_dims_and_observed_data():
    pytest.importorskip("arviz")
    with conjugate_model():
        trace = pm.sample(
            100,
            tune=100,
            chains=2,
            cores=1,
            random_seed=3,
            progressbar=False,
            compute_convergence_checks=False,
        )
    data = trace[50:].to_inference_data()
    assert data.posterior["mu"].shape == (2, 50)
    assert "diverging" in data.sample_stats
    observed = data.observed_data["y"]
    assert observed.dims == ("obs",)
    np.testing.assert_array_equal(observed.values, DATA)
    np.testing.assert_array_equal(data.observed_data["obs"].values, np.arange(DATA.size))
    with conjugate_model():
        direct = pm.sample(
            20,
            tune=20,
            chains=1,
            cores=1,
            random_seed=3,
            progressbar=False,
            compute_convergence_checks=False,
            return_inferencedata=True,
        )
    assert direct.posterior["mu_squared"].shape == (1, 20)


def test_vector_variables_keep_their_dims():
    pytest.importorskip("arviz")
    with pm.Model(coords={"group": ["a", "b", "c"]}):
        theta = pm.Normal("theta", 0.0, 1.0, dims="group")
        pm.Deterministic("shifted", theta + 1.0, dims="group")
        trace = pm.sample(
            30,
            tune=30,
            chains=1,
            cores=1,
            random_seed=4,
            progressbar=False,
            compute_convergence_checks=False,
        )
    assert trace.posterior["theta"].shape == (1, 30, 3)
    np.testing.assert_allclose(trace["shifted"], trace["theta"] + 1.0)
    data = trace.to_inference_data()
    assert data.posterior["theta"].dims == ("chain", "draw", "group")
    assert list(data.posterior["group"].values) == ["a", "b", "c"]


def test_initvals_set_the_start_on_the_constrained_space():
    with pm.Model() as model:
        pm.Normal("mu", 0.0, 1.0)
        pm.HalfNormal("sigma", 1.0)
    point = start_point(model, {"sigma": 2.0, "mu": 0.5})
    assert point["sigma_log__"] == pytest.approx(np.log(2.0))
    assert point["mu"] == pytest.approx(0.5)
    assert start_point(model, {"sigma_log__": 1.0})["sigma_log__"] == 1.0
    with pytest.raises(ValueError, match="not a free variable"):
        start_point(model, {"nothing": 1.0})


def shifted_uniform_model() -> pm.Model:
    """y ~ Uniform(mu - 1, mu + 1) with data near 5: the default start mu = 0 has y's log
    density -inf."""
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 10.0)
        pm.Uniform("y", mu - 1.0, mu + 1.0, observed=[4.8, 5.1, 5.3])
    return model


def test_a_start_with_a_non_finite_density_names_the_variables_and_values():
    with shifted_uniform_model(), pytest.raises(pm.SamplingError) as raised:
        pm.sample(10, tune=10, chains=1, cores=1, progressbar=False)
    message = str(raised.value)
    assert "not finite for: y (-inf)" in message
    assert "mu = 0." in message
    assert "initvals" in message


@pytest.mark.filterwarnings("ignore::ppl.SamplingWarning")  # the support's edge: divergences
def test_initvals_let_such_a_model_sample():
    with shifted_uniform_model():
        trace = pm.sample(
            200,
            tune=200,
            chains=1,
            cores=1,
            initvals={"mu": 5.0},
            init="adapt_diag",
            random_seed=5,
            progressbar=False,
            compute_convergence_checks=False,
        )
    # the posterior of mu is uniform on [4.3, 5.8] times a nearly flat prior
    assert np.all((trace["mu"] > 4.3) & (trace["mu"] < 5.8))
    # and the chain explores it rather than staying at the start: mean 5.05, sd 0.43
    assert trace["mu"].shape == (200,)
    assert abs(trace["mu"].mean() - 5.05) < 0.2
    assert 0.25 < trace["mu"].std() < 0.6


def test_unknown_init_is_refused():
    with conjugate_model(), pytest.raises(ValueError, match="init must be one of"):
        pm.sample(10, init="map", progressbar=False)


def test_after_sampling_warnings_as_pymc_gives_them():
    rng = np.random.default_rng(0)
    apart = np.stack([rng.normal(0.0, 1.0, 200), rng.normal(3.0, 1.0, 200)])
    diverging = np.zeros((2, 200), dtype=bool)
    diverging[0, :3] = True
    trace = samplers.Trace({"a": apart, "b": rng.normal(size=(2, 200))}, {"diverging": diverging})
    with pytest.warns(SamplingWarning) as caught:
        messages = convergence_warnings(trace, ["a", "b"], check=True)
    assert len(caught) == len(messages) == 3
    assert messages[0].startswith("There were 3 divergences after tuning")
    assert "rhat statistic is larger than 1.01 for some parameters (a)" in messages[1]
    assert "effective sample size is smaller than 200" in messages[2]
    assert "(a)" in messages[2]


def test_a_well_mixed_trace_gives_no_warnings():
    rng = np.random.default_rng(1)
    trace = samplers.Trace({"a": rng.normal(size=(4, 500))}, {"diverging": np.zeros((4, 500))})
    assert convergence_warnings(trace, ["a"], check=True) == []
