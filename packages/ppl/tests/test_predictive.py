"""pm.sample_prior_predictive and pm.sample_posterior_predictive: moments against the
known prior, posterior predictive draws given a synthetic posterior trace, set_data,
resampled variables, seeds, and the result object."""

import importlib

import numpy as np
import pytest

import graphcore
import ppl as pm
import samplers

FAST = {"mode": "FAST_COMPILE"}


def test_prior_predictive_moments_match_the_prior():
    with pm.Model():
        mu = pm.Normal("mu", 1.0, 2.0)
        sigma = pm.HalfNormal("sigma", 3.0)
        pm.Deterministic("twice", 2 * mu)
        pm.Normal("y", mu, sigma, observed=np.zeros(3))
        result = pm.sample_prior_predictive(20_000, random_seed=1, compile_kwargs=FAST)
    mu_draws = result.prior["mu"]
    assert mu_draws.shape == (1, 20_000)
    assert result.prior["sigma"].shape == (1, 20_000)
    assert result.prior_predictive["y"].shape == (1, 20_000, 3)
    np.testing.assert_array_equal(result.prior["twice"], 2 * mu_draws)
    # Monte Carlo tolerances: about 4 standard errors of 20 000 draws
    assert abs(mu_draws.mean() - 1.0) < 4 * 2.0 / np.sqrt(20_000)
    np.testing.assert_allclose(mu_draws.std(), 2.0, rtol=0.02)
    np.testing.assert_allclose(result.prior["sigma"].mean(), 3.0 * np.sqrt(2 / np.pi), rtol=0.02)
    y = result.prior_predictive["y"][0]
    # var(y) = var(mu) + E[sigma^2] = 4 + 9; the three entries share mu: cov = var(mu) = 4
    np.testing.assert_allclose(y.var(axis=0), 13.0, rtol=0.05)
    np.testing.assert_allclose(np.cov(y[:, 0], y[:, 1])[0, 1], 4.0, rtol=0.1)
    np.testing.assert_array_equal(result.observed_data["y"], np.zeros(3))


def test_prior_predictive_is_reproducible_with_a_seed_and_fresh_without():
    with pm.Model():
        p = pm.Beta("p", 2.0, 3.0)
        pm.Bernoulli("flips", p, observed=np.array([0, 1, 1, 0]))
        first = pm.sample_prior_predictive(50, random_seed=7, compile_kwargs=FAST)
        again = pm.sample_prior_predictive(50, random_seed=7, compile_kwargs=FAST)
        other = pm.sample_prior_predictive(50, compile_kwargs=FAST)
    np.testing.assert_array_equal(first.prior["p"], again.prior["p"])
    np.testing.assert_array_equal(first.prior_predictive["flips"], again.prior_predictive["flips"])
    assert not np.array_equal(first.prior["p"], other.prior["p"])
    assert first.prior_predictive["flips"].dtype.kind == "i"
    assert set(np.unique(first.prior_predictive["flips"])) <= {0, 1}


def test_prior_predictive_var_names_and_samples_and_potential_warning():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=np.zeros(2))
        pm.Potential("pull", -(mu**2))
        with pytest.warns(UserWarning, match="Potential"):
            result = pm.sample_prior_predictive(samples=30, var_names=["y"], compile_kwargs=FAST)
    assert result.prior_predictive["y"].shape == (1, 30, 2)
    assert list(result.prior) == []


def _conjugate_trace(chains=2, draws=2000, seed=0):
    """Draws of mu from the exact posterior of the conjugate model below."""
    rng = np.random.default_rng(seed)
    return samplers.Trace({"mu": rng.normal(1.5, 0.3, size=(chains, draws))})


def test_posterior_predictive_draws_given_each_posterior_draw():
    trace = _conjugate_trace()
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 10.0)
        pm.Deterministic("shifted", mu + 100.0)
        pm.Normal("y", mu, 2.0, observed=np.array([1.0, 2.0, 1.5, 1.2]))
        result = pm.sample_posterior_predictive(
            trace, var_names=["y", "shifted"], random_seed=3, compile_kwargs=FAST
        )
    y = result.posterior_predictive["y"]
    assert y.shape == (2, 2000, 4)
    residual = y - trace.posterior["mu"][..., None]
    # y | mu ~ Normal(mu, 2): the residuals are N(0, 4) whatever mu is
    assert abs(residual.mean()) < 4 * 2.0 / np.sqrt(residual.size)
    np.testing.assert_allclose(residual.std(), 2.0, rtol=0.02)
    assert abs(np.corrcoef(residual[..., 0].ravel(), trace["mu"])[0, 1]) < 0.05
    # marginally var(y) = var(mu) + 4
    np.testing.assert_allclose(y.var(), 0.09 + 4.0, rtol=0.04)
    np.testing.assert_allclose(result.posterior_predictive["shifted"], trace.posterior["mu"] + 100)


def test_posterior_predictive_compiles_one_function(monkeypatch):
    compiled = []
    original = graphcore.function

    def counting(*args, **kwargs):
        compiled.append(args)
        return original(*args, **kwargs)

    # the draws are compiled by ppl.draw, the observed data read by ppl.sampling.posterior
    for name in ("ppl.predictive", "ppl.draw", "ppl.sampling.posterior"):
        module = importlib.import_module(name)
        if hasattr(module, "function"):
            monkeypatch.setattr(module, "function", counting)
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=np.zeros(5))
        result = pm.sample_posterior_predictive(_conjugate_trace(4, 300), compile_kwargs=FAST)
    assert result.posterior_predictive["y"].shape == (4, 300, 5)
    # one for the draws, one for the observed data
    assert len(compiled) == 2
    assert graphcore.function is not counting


def test_posterior_predictive_is_reproducible():
    trace = _conjugate_trace(2, 50)
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Poisson("counts", pm.math.exp(mu), observed=np.array([3, 4, 5]))
        first = pm.sample_posterior_predictive(trace, random_seed=11, compile_kwargs=FAST)
        again = pm.sample_posterior_predictive(trace, random_seed=11, compile_kwargs=FAST)
        other = pm.sample_posterior_predictive(trace, random_seed=12, compile_kwargs=FAST)
    counts = first.posterior_predictive["counts"]
    np.testing.assert_array_equal(counts, again.posterior_predictive["counts"])
    assert not np.array_equal(counts, other.posterior_predictive["counts"])
    assert counts.dtype.kind == "i"


def test_posterior_predictive_follows_set_data_and_its_new_shape():
    rng = np.random.default_rng(1)
    trace = samplers.Trace(
        {
            "a": rng.normal(1.0, 0.01, size=(2, 500)),
            "b": rng.normal(3.0, 0.01, size=(2, 500)),
            "s": np.full((2, 500), 0.1),
        }
    )
    with pm.Model() as model:
        x = pm.Data("x", np.linspace(0.0, 1.0, 5))
        a = pm.Normal("a", 0.0, 1.0)
        b = pm.Normal("b", 0.0, 1.0)
        s = pm.HalfNormal("s", 1.0)
        line = pm.Deterministic("line", a + b * x)
        pm.Normal("y", line, s, observed=np.zeros(5), shape=x.shape)
        before = pm.sample_posterior_predictive(trace, random_seed=1, compile_kwargs=FAST)
        new_x = np.array([-1.0, 0.0, 2.0, 4.0, 5.0, 6.0, 10.0])
        pm.set_data({"x": new_x})
        after = pm.sample_posterior_predictive(
            trace, var_names=["y", "line"], random_seed=1, compile_kwargs=FAST
        )
    assert before.posterior_predictive["y"].shape == (2, 500, 5)
    assert after.posterior_predictive["y"].shape == (2, 500, 7)
    assert after.posterior_predictive["line"].shape == (2, 500, 7)
    np.testing.assert_allclose(
        after.posterior_predictive["line"],
        trace.posterior["a"][..., None] + trace.posterior["b"][..., None] * new_x,
    )
    np.testing.assert_allclose(
        after.posterior_predictive["y"].mean(axis=(0, 1)), 1 + 3 * new_x, atol=0.05
    )
    np.testing.assert_array_equal(after.constant_data["x"], new_x)
    assert model["x"].get_value().shape == (7,)


def test_named_free_variables_and_those_missing_from_the_trace_are_drawn_anew():
    trace = samplers.Trace({"mu": np.full((1, 4000), 5.0), "theta": np.zeros((1, 4000))})
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        theta = pm.Normal("theta", mu, 0.5)
        pm.Normal("y", theta, 0.01, observed=np.zeros(2))
        kept = pm.sample_posterior_predictive(trace, random_seed=2, compile_kwargs=FAST)
        redrawn = pm.sample_posterior_predictive(
            trace, var_names=["theta", "y"], random_seed=2, compile_kwargs=FAST
        )
        only_mu = pm.sample_posterior_predictive(
            {"mu": trace.posterior["mu"]}, random_seed=2, compile_kwargs=FAST
        )
    # theta from the trace: y sits at 0
    assert abs(kept.posterior_predictive["y"].mean()) < 0.01
    # theta drawn anew given mu = 5: y follows it
    theta_draws = redrawn.posterior_predictive["theta"]
    np.testing.assert_allclose(theta_draws.mean(), 5.0, atol=0.05)
    np.testing.assert_allclose(theta_draws.std(), 0.5, rtol=0.05)
    assert np.abs(redrawn.posterior_predictive["y"] - theta_draws[..., None]).max() < 0.06
    assert redrawn.attrs["resampled"] == ["theta"]
    np.testing.assert_allclose(only_mu.posterior_predictive["y"].mean(), 5.0, atol=0.05)
    assert only_mu.attrs["resampled"] == ["theta"]


def test_posterior_predictive_of_a_list_of_points_and_of_thinned_samples():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1e-6, observed=np.zeros(2))
        points = [{"mu": np.array(float(i))} for i in range(6)]
        from_points = pm.sample_posterior_predictive(points, compile_kwargs=FAST)
        trace = samplers.Trace({"mu": np.array([[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]])})
        thinned = pm.sample_posterior_predictive(trace, 4, compile_kwargs=FAST)
    np.testing.assert_allclose(
        from_points.posterior_predictive["y"][0, :, 0], np.arange(6.0), atol=1e-4
    )
    # PyMC 3's samples=: the draws taken from the chains in turn
    np.testing.assert_allclose(thinned["y"][:, 0], [0.0, 10.0, 1.0, 11.0], atol=1e-4)


def test_the_result_reads_as_groups_and_as_a_dict():
    with pm.Model(coords={"obs": ["a", "b", "c"]}):
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=np.zeros(3), dims="obs")
        result = pm.sample_prior_predictive(10, random_seed=0, compile_kwargs=FAST)
    assert result.groups() == ["prior", "prior_predictive", "observed_data", "constant_data"]
    assert result["y"].shape == (10, 3)
    assert "y" in result and "nothing" not in result
    assert set(result.keys()) == {"mu", "y"}
    assert set(result.to_dict()["prior_predictive"]) == {"y"}
    assert result.dims == {"y": ("obs",)}
    assert result.coords == {"obs": ("a", "b", "c")}
    text = repr(result)
    assert "prior_predictive: y (1, 10, 3)" in text and "prior: mu (1, 10)" in text
    with pytest.raises(AttributeError, match="posterior_predictive"):
        result.posterior_predictive  # the access itself raises
    with pytest.raises(KeyError, match="no draws of 'z'"):
        result["z"]


def test_posterior_predictive_refuses_a_trace_of_the_wrong_shape():
    with pm.Model():
        theta = pm.Normal("theta", 0.0, 1.0, shape=3)
        pm.Normal("y", theta, 1.0, observed=np.zeros(3))
        with pytest.raises(ValueError, match="'theta' have shape \\(2,\\)"):
            pm.sample_posterior_predictive({"theta": np.zeros((1, 5, 2))}, compile_kwargs=FAST)
        with pytest.raises(TypeError, match="needs a trace"):
            pm.sample_posterior_predictive(3.0)


def test_posterior_predictive_refuses_an_empty_trace_and_too_many_samples():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=np.zeros(3))
        with pytest.raises(ValueError, match="the trace holds no variables"):
            pm.sample_posterior_predictive({}, samples=5, compile_kwargs=FAST)
        with pytest.raises(ValueError, match=r"samples must be between 1 and 10 .* got 11"):
            pm.sample_posterior_predictive(
                {"mu": np.zeros((2, 5))}, samples=11, compile_kwargs=FAST
            )
