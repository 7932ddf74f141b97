"""How pm.sample runs chains: step assignment, seeds and cores, interruptions and failures."""

from __future__ import annotations

import numpy as np
import pytest

import ppl as pm
from ppl.sampling.density import BlockLogp


def mixed_model() -> pm.Model:
    """A continuous, a binary, a categorical and an unbounded discrete variable."""
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 1.0)
        sigma = pm.HalfNormal("sigma", 1.0)
        z = pm.Bernoulli("z", 0.3)
        group = pm.Categorical("group", p=np.array([0.2, 0.3, 0.5]))
        count = pm.Poisson("count", 2.0)
        pm.Normal("y", mu + z + group + 0.1 * count, sigma, observed=[1.0, 1.5, 2.0])
    return model


def test_each_free_variable_gets_the_step_pymc_would_give_it(capsys):
    with mixed_model():
        trace = pm.sample(
            50,
            tune=50,
            chains=1,
            cores=1,
            random_seed=1,
            progressbar=False,
            compute_convergence_checks=False,
        )
    printed = capsys.readouterr().err.splitlines()
    assert (
        printed[0] == "Sequential sampling (1 chain in 1 job), 50 tune and 50 draw iterations each"
    )
    assert printed[1:5] == [
        "NUTS: [mu, sigma]",
        "BinaryGibbsMetropolis: [z]",
        "CategoricalGibbsMetropolis: [group]",
        "Metropolis: [count]",
    ]
    assert set(np.unique(trace["z"])) <= {0, 1}
    assert set(np.unique(trace["group"])) <= {0, 1, 2}
    assert np.all(trace["count"] >= 0)
    # the stats of the steps are merged (later clashes get the step's index)
    assert "diverging" in trace.stats and "n_changed" in trace.stats


def test_a_users_step_is_completed_with_automatic_steps(capsys):
    with mixed_model() as model:
        slice_mu = pm.Slice([model["mu"]])
        metropolis_z = pm.Metropolis(vars=["z"])
        trace = pm.sample(
            30,
            tune=30,
            chains=1,
            cores=1,
            step=[slice_mu, metropolis_z],
            random_seed=2,
            progressbar=False,
            compute_convergence_checks=False,
        )
    printed = capsys.readouterr().err.splitlines()
    assert printed[1:6] == [
        "Slice: [mu]",
        "Metropolis: [z]",
        "NUTS: [sigma]",
        "CategoricalGibbsMetropolis: [group]",
        "Metropolis: [count]",
    ]
    assert trace.posterior["sigma"].shape == (1, 30)


def test_steps_refuse_variables_they_cannot_sample():
    with mixed_model():
        with pytest.raises(TypeError, match=r"NUTS samples continuous variables only; \['z'\]"):
            pm.NUTS(vars=["mu", "z"])
        with pytest.raises(TypeError, match="binary"):
            pm.BinaryGibbsMetropolis(vars=["count"])
        with pytest.raises(ValueError, match="not a free variable"):
            pm.Metropolis(vars=["y"])


def test_positional_draws_and_a_step_as_the_seeds_write_them():
    with pm.Model():
        pm.Normal("mu", 0.0, 1.0)
        trace = pm.sample(
            1000, step=pm.Metropolis(), chains=2, cores=1, progressbar=False, random_seed=3
        )
    assert trace.posterior["mu"].shape == (2, 1000)
    assert "accepted" in trace.stats
    # the given Metropolis samples mu alone (no NUTS was added) and its draws are N(0, 1)
    assert sorted(trace.stats) == ["accept", "accepted", "scaling"]
    assert abs(trace["mu"].mean()) < 0.25
    assert 0.85 < trace["mu"].std() < 1.15


def small_compound_model() -> pm.Model:
    with pm.Model() as model:
        k = pm.DiscreteUniform("k", 0, 4)
        rate = pm.Exponential("rate", 1.0)
        pm.Poisson("y", rate * (k + 1), observed=[3, 4, 2, 5])
    return model


def test_a_seed_gives_the_same_trace_whatever_cores_is():
    traces = []
    for cores in (1, 2):
        with small_compound_model():
            traces.append(
                pm.sample(
                    40,
                    tune=40,
                    chains=2,
                    cores=cores,
                    random_seed=123,
                    progressbar=False,
                    compute_convergence_checks=False,
                )
            )
    one, two = traces
    for name in ("k", "rate"):
        np.testing.assert_array_equal(one.posterior[name], two.posterior[name])
    np.testing.assert_array_equal(one.stats["step_size"], two.stats["step_size"])


def test_njobs_is_the_old_name_of_cores():
    with small_compound_model():
        trace = pm.sample(
            10,
            tune=10,
            njobs=1,
            random_seed=1,
            progressbar=False,
            compute_convergence_checks=False,
        )
        assert trace.nchains == 2  # chains default to at least 2
        with pytest.raises(ValueError, match="njobs"):
            pm.sample(10, njobs=1, cores=2, progressbar=False)


class InterruptedMetropolis(pm.Metropolis):
    """Metropolis that receives Ctrl-C at its 60th draw."""

    calls = 0

    def step(self, point):
        type(self).calls += 1
        if type(self).calls == 60:
            raise KeyboardInterrupt
        return super().step(point)


def test_ctrl_c_returns_the_draws_taken_with_a_warning():
    InterruptedMetropolis.calls = 0
    with pm.Model():
        pm.Normal("mu", 0.0, 1.0)
        pm.Deterministic("double", 2.0 * pm.Normal("nu", 0.0, 1.0))
        with pytest.warns(RuntimeWarning, match="sampling was interrupted"):
            trace = pm.sample(
                100,
                tune=20,
                chains=2,
                cores=1,
                step=InterruptedMetropolis(),
                random_seed=3,
                progressbar=False,
            )
    # the first chain drew 20 tuning and 39 kept draws before the interruption
    assert trace.posterior["mu"].shape == (1, 39)
    np.testing.assert_allclose(trace["double"], 2.0 * trace["nu"])
    assert trace.attrs["interrupted"]


def test_a_chain_that_raises_names_the_chain_and_the_values(monkeypatch):
    evaluate = BlockLogp.logp

    def failing(self, x):
        if np.any(np.asarray(x) > 0.5):
            raise ValueError("the density cannot be evaluated here")
        return evaluate(self, x)

    monkeypatch.setattr(BlockLogp, "logp", failing)
    with pm.Model():
        pm.Normal("mu", 0.0, 1.0)
        step = pm.Metropolis(scaling=3.0)
        with pytest.raises(pm.SamplingError) as raised:
            pm.sample(100, tune=0, chains=2, cores=2, step=step, random_seed=4, progressbar=False)
    message = str(raised.value)
    assert message.startswith("chain ")
    assert "Metropolis on ['mu'] failed at the point mu = " in message
    assert "ValueError: the density cannot be evaluated here" in message


def test_a_nuts_chain_that_raises_names_the_step(monkeypatch):
    # after tuning the C NUTS draws in chunks (step_many): failures there are named too
    with pm.Model():
        pm.Normal("mu", 0.0, 1.0)
        step = pm.NUTS()
        density = step.density
        calls = [0]
        evaluate = density.logp_dlogp

        def failing(x):
            calls[0] += 1
            if calls[0] > 400:
                raise ValueError("the density cannot be evaluated here")
            return evaluate(x)

        monkeypatch.setattr(density, "logp_dlogp", failing, raising=False)
        step.integrator.logp_dlogp = failing
        # the kernel calls the Python density back (no C entry point to bypass it)
        monkeypatch.setattr(type(density), "c_logp_dlogp", property(lambda self: None))
        with pytest.raises(pm.SamplingError) as raised:
            pm.sample(200, tune=50, chains=1, cores=1, step=step, random_seed=4, progressbar=False)
    message = str(raised.value)
    assert "NUTS on ['mu'] failed at the point mu = " in message
    assert "ValueError: the density cannot be evaluated here" in message


def test_hamiltonian_mc_and_slice_steps_sample_a_normal():
    for make_step in (pm.HamiltonianMC, pm.Slice):
        with pm.Model():
            pm.Normal("mu", 3.0, 0.5)
            trace = pm.sample(
                500,
                tune=300,
                chains=2,
                cores=1,
                step=make_step(),
                random_seed=6,
                progressbar=False,
                compute_convergence_checks=False,
            )
        assert abs(trace["mu"].mean() - 3.0) < 0.1
        assert abs(trace["mu"].std() - 0.5) < 0.1


def test_a_step_over_a_variable_that_is_not_free_says_which_step_and_lists_the_free_ones():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        y = pm.Normal("y", mu, 1.0, observed=[0.1, -0.2])
        with pytest.raises(ValueError, match=r"Metropolis: vars= names y, .*are \['mu'\]"):
            pm.Metropolis(vars=[y])
