"""pm.sample(executor=...) and pm.sample_many: chains and models on a process pool and a
Dask LocalCluster, drawing what local runs draw."""

from __future__ import annotations

import concurrent.futures
from typing import Any

import numpy as np
import pytest

import ppl as pm
from samplers.testing import local_cluster

SCHOOLS_Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SCHOOLS_SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
OPTIONS = {"draws": 100, "tune": 100, "chains": 2, "random_seed": 11, "progressbar": False}


def eight_schools(y: np.ndarray) -> pm.Model:
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 5)
        tau = pm.HalfCauchy("tau", 5)
        theta_tilde = pm.Normal("theta_tilde", 0, 1, shape=8)
        theta = pm.Deterministic("theta", mu + tau * theta_tilde)
        pm.Normal("y", theta, SCHOOLS_SIGMA, observed=y)
    return model


def mixed_steps(y: np.ndarray) -> pm.Model:
    """A discrete variable next to a continuous one: Metropolis and NUTS, compounded."""
    with pm.Model() as model:
        p = pm.Beta("p", 2, 2)
        pm.Binomial("k", 10, p, observed=int(y[0]) % 10)
        pm.Bernoulli("switch", 0.5)
    return model


@pytest.fixture(scope="module")
def pool() -> Any:
    with concurrent.futures.ProcessPoolExecutor(2) as executor:
        yield executor


@pytest.fixture(scope="module")
def client() -> Any:
    pytest.importorskip("distributed", reason="samplers[dask] is not installed")
    with local_cluster() as dask_client:
        yield dask_client


def assert_same(local: Any, remote: Any) -> None:
    assert local.varnames == remote.varnames
    for name in local.varnames:
        np.testing.assert_array_equal(local.posterior[name], remote.posterior[name])
    for name in local.stat_names:
        np.testing.assert_array_equal(local.stats[name], remote.stats[name])


@pytest.mark.parametrize("build", [eight_schools, mixed_steps])
def test_pm_sample_on_a_process_pool_draws_what_a_local_run_draws(pool: Any, build: Any) -> None:
    with build(SCHOOLS_Y):
        local = pm.sample(cores=1, **OPTIONS)
        remote = pm.sample(executor=pool, chunk_draws=45, **OPTIONS)
    assert_same(local, remote)


def test_pm_sample_on_a_dask_cluster_draws_what_a_local_run_draws(client: Any) -> None:
    with eight_schools(SCHOOLS_Y):
        local = pm.sample(cores=1, **OPTIONS)
        remote = pm.sample(executor=client, **OPTIONS)
    assert_same(local, remote)
    assert "theta" in remote.varnames  # deterministics computed after sampling, as locally


@pytest.mark.parametrize("where", ["pool", "dask"])
def test_sample_many_fits_one_model_per_data_set_in_order(where: str, request: Any) -> None:
    executor = request.getfixturevalue("pool" if where == "pool" else "client")
    datasets = [SCHOOLS_Y + shift for shift in (0.0, 10.0, 20.0)]
    traces = pm.sample_many(eight_schools, datasets, executor=executor, **OPTIONS)
    for data, trace in zip(datasets, traces, strict=True):
        with eight_schools(data):
            alone = pm.sample(cores=1, **OPTIONS)
        assert_same(alone, trace)
    means = [float(trace.posterior["mu"].mean()) for trace in traces]
    assert means == sorted(means)  # the fits follow their data sets


def test_sample_many_names_what_went_wrong(pool: Any) -> None:
    with pytest.raises(
        pm.SamplingError, match=r"item 1 failed: TypeError: .*must return a pm\.Model"
    ):
        pm.sample_many(returns_a_number, [1, 2], executor=pool, **OPTIONS)
    with pytest.raises(TypeError, match="take no executor= or chunk_draws="):
        pm.sample_many(eight_schools, [SCHOOLS_Y], executor=pool, chunk_draws=10)


def returns_a_number(data: Any) -> Any:
    return eight_schools(SCHOOLS_Y) if data == 1 else 42


def test_a_model_built_for_a_task_is_no_submodel_of_an_inherited_context() -> None:
    from ppl.context import current_model, outside_models

    with pm.Model() as outer:
        with outside_models():
            assert current_model() is None
            inner = eight_schools(SCHOOLS_Y)  # its own 'mu', no clash with the outer's
        assert current_model() is outer
        pm.Normal("mu", 0, 1)
    assert [v.name for v in inner.free_RVs] == ["mu", "tau", "theta_tilde"]
