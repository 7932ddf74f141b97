"""pm.summary, ess, rhat, effective_n, mcse, hdi, traceplot and plot_posterior on a
synthetic trace and on ``trace[100:]``: the same results as samplers' functions."""

import matplotlib
import numpy as np
import pytest

import ppl as pm
import samplers

matplotlib.use("Agg")


def _autocorrelated(rng, shape, rho=0.7):
    """AR(1) chains along axis 1: a trace whose ESS is well below its size."""
    noise = rng.normal(size=shape)
    draws = np.empty(shape)
    draws[:, 0] = noise[:, 0]
    for t in range(1, shape[1]):
        draws[:, t] = rho * draws[:, t - 1] + np.sqrt(1 - rho**2) * noise[:, t]
    return draws


@pytest.fixture(scope="module")
def trace():
    rng = np.random.default_rng(5)
    return samplers.Trace(
        {
            "mu": 3.0 + _autocorrelated(rng, (3, 400)),
            "theta": _autocorrelated(rng, (3, 400, 2)),
        },
        {"diverging": rng.uniform(size=(3, 400)) < 0.01},
    )


@pytest.mark.parametrize("burned", [False, True])
def test_diagnostics_equal_samplers(trace, burned):
    data = trace[100:] if burned else trace
    table = pm.summary(data)
    reference = samplers.summary(data)
    assert table.columns == reference.columns
    assert table.index == ["mu", "theta[0]", "theta[1]"]
    np.testing.assert_array_equal(table.values, reference.values)
    for ours, theirs in [
        (pm.ess(data), samplers.ess(data)),
        (pm.ess(data, method="tail"), samplers.ess(data, method="tail")),
        (pm.rhat(data), samplers.rhat(data)),
        (pm.mcse(data), samplers.mcse(data)),
        (pm.mcse(data, method="sd"), samplers.mcse(data, method="sd")),
        (pm.hdi(data, 0.9), samplers.hdi(data, 0.9)),
        (pm.effective_n(data), samplers.ess(data)),
    ]:
        assert set(ours) == {"mu", "theta"}
        for name in ours:
            np.testing.assert_array_equal(ours[name], theirs[name])
    ess = pm.effective_n(data)["mu"]
    assert 0 < ess < 0.5 * data.nchains * len(data)
    assert pm.hdi(data)["theta"].shape == (2, 2)


def test_pymc3_spellings(trace):
    np.testing.assert_array_equal(
        pm.summary(trace, varnames=["mu"], start=100).values,
        samplers.summary(trace[100:], ["mu"]).values,
    )
    np.testing.assert_array_equal(
        pm.summary(trace, credible_interval=0.8)["hdi_10%"].to_numpy(),
        samplers.summary(trace, hdi_prob=0.8)["hdi_10%"].to_numpy(),
    )
    assert list(pm.effective_n(trace, varnames=["theta"])) == ["theta"]
    np.testing.assert_array_equal(pm.gelman_rubin(trace)["mu"], samplers.rhat(trace)["mu"])
    np.testing.assert_array_equal(pm.hpd(trace, alpha=0.1)["mu"], samplers.hdi(trace, 0.9)["mu"])
    one_array = trace.posterior["mu"]
    assert pm.ess(one_array) == samplers.ess(one_array)


def test_plots_are_figures_with_a_panel_per_variable(trace):
    figure = pm.traceplot(trace[100:])
    assert len(figure.axes) == 4  # two variables, density and draws
    assert [ax.get_title() for ax in figure.axes[::2]] == ["mu", "theta"]
    only_mu = pm.traceplot(trace, varnames=["mu"])
    assert len(only_mu.axes) == 2
    posterior = pm.plot_posterior(trace, var_names=["theta"], ref_val=0.0)
    assert [ax.get_title() for ax in posterior.axes] == ["theta[0]", "theta[1]"]
    texts = [text.get_text() for text in posterior.axes[0].texts]
    assert any("94% HDI" in text for text in texts)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_a_negative_start_is_refused(trace):
    with pytest.raises(ValueError, match="draws to drop from each chain; got -5"):
        pm.summary(trace, start=-5)


def test_unsupported_keywords_are_refused_not_dropped():
    with pm.Model():
        pm.Normal("mu", 0.0, 1.0)
        with pytest.raises(TypeError, match=r"pm.sample_prior_predictive .*\['predictions'\]"):
            pm.sample_prior_predictive(10, predictions=True)
    with pytest.raises(TypeError, match=r"pm.summary .*\['combined'\]"):
        pm.summary({"x": np.zeros((2, 10))}, combined=True)
