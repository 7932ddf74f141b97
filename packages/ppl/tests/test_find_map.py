"""pm.find_MAP against closed-form modes: a conjugate normal mean, a HalfNormal scale
(the mode of the log-space density, Jacobian included, as PyMC finds it), with start
points, ``vars``, discrete variables held fixed, and the progress line."""

import re

import numpy as np
import pytest
import scipy.optimize

import ppl as pm

FAST = {"mode": "FAST_COMPILE"}
DATA = np.array([1.0, 2.5, 0.5, 1.5, 3.0])


def test_mode_of_a_conjugate_normal_mean():
    prior_mu, prior_sd, noise = 1.0, 2.0, 0.5
    with pm.Model():
        mu = pm.Normal("mu", prior_mu, prior_sd)
        pm.Deterministic("mu_squared", mu**2)
        pm.Normal("y", mu, noise, observed=DATA)
        point = pm.find_MAP(progressbar=False, compile_kwargs=FAST)
    precision = 1 / prior_sd**2 + len(DATA) / noise**2
    expected = (prior_mu / prior_sd**2 + DATA.sum() / noise**2) / precision
    np.testing.assert_allclose(point["mu"], expected, rtol=1e-6)
    np.testing.assert_allclose(point["mu_squared"], expected**2, rtol=1e-6)
    assert set(point) == {"mu", "mu_squared"}
    assert isinstance(point["mu"], np.ndarray) and point["mu"].shape == ()


def halfnormal_scale_mode(data, prior_sigma):
    """Mode over log(sigma) of HalfNormal(prior_sigma) x Normal(0, sigma) likelihood.

    With the Jacobian log(sigma), d/dsigma = 0 gives u^2 / prior^2 + (n - 1) u - S = 0
    for u = sigma^2 and S the sum of squares.
    """
    n, squares = len(data), np.sum(data**2)
    a = 1 / prior_sigma**2
    u = (-(n - 1) + np.sqrt((n - 1) ** 2 + 4 * a * squares)) / (2 * a)
    return np.sqrt(u)


def test_mode_of_a_scale_is_found_on_the_log_space_and_returned_constrained():
    with pm.Model():
        sigma = pm.HalfNormal("sigma", 2.0)
        pm.Normal("y", 0.0, sigma, observed=DATA)
        point = pm.find_MAP(progressbar=False, compile_kwargs=FAST)
        without = pm.find_MAP(progressbar=False, include_transformed=False, compile_kwargs=FAST)
    expected = halfnormal_scale_mode(DATA, 2.0)
    np.testing.assert_allclose(point["sigma"], expected, rtol=1e-5)
    np.testing.assert_allclose(point["sigma_log__"], np.log(expected), rtol=1e-5)
    assert set(without) == {"sigma"}


def test_gradient_free_method_agrees():
    with pm.Model():
        sigma = pm.HalfNormal("sigma", 2.0)
        pm.Normal("y", 0.0, sigma, observed=DATA)
        point = pm.find_MAP(method="Powell", progressbar=False, compile_kwargs=FAST)
    np.testing.assert_allclose(point["sigma"], halfnormal_scale_mode(DATA, 2.0), rtol=1e-4)


def test_start_by_user_name_and_vars_holding_the_others():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 10.0)
        sigma = pm.HalfNormal("sigma", 5.0)
        pm.Normal("y", mu, sigma, observed=DATA)
        point, raw = pm.find_MAP(
            start={"sigma": 2.0, "mu": 0.0},
            vars=[mu],
            return_raw=True,
            progressbar=False,
            compile_kwargs=FAST,
        )
        with pytest.raises(KeyError, match="nope"):
            pm.find_MAP(start={"nope": 1.0}, progressbar=False)
    # sigma stays at 2 (given constrained, held on the log space)
    np.testing.assert_allclose(point["sigma"], 2.0)
    np.testing.assert_allclose(point["sigma_log__"], np.log(2.0))
    # with sigma fixed, the mode of mu is the conjugate one
    precision = 1 / 100 + len(DATA) / 4
    np.testing.assert_allclose(point["mu"], DATA.sum() / 4 / precision, rtol=1e-6)
    assert isinstance(raw, scipy.optimize.OptimizeResult) and raw.success


def test_discrete_variables_stay_at_their_start_values():
    with pm.Model():
        k = pm.Poisson("k", 3.0)
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu + k, 1.0, observed=DATA)
        point = pm.find_MAP(start={"k": 2}, progressbar=False, compile_kwargs=FAST)
        with pytest.warns(UserWarning, match="continuous variables only"):
            pm.find_MAP(vars=[k, mu], progressbar=False, compile_kwargs=FAST)
    assert int(point["k"]) == 2
    # mu | k = 2: prior N(0, 1), five observations of y - 2 with unit noise
    np.testing.assert_allclose(point["mu"], (DATA - 2).sum() / 6, rtol=1e-6)


@pytest.mark.filterwarnings("ignore:invalid value encountered in log")
def test_a_start_point_without_finite_density_is_named():
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Potential("wall", pm.math.log(mu - 10.0))
        with pytest.raises(ValueError, match="wall"):
            pm.find_MAP(progressbar=False, compile_kwargs=FAST)


def test_progress_line_on_stderr(capsys):
    with pm.Model():
        mu = pm.Normal("mu", 0.0, 1.0)
        pm.Normal("y", mu, 1.0, observed=DATA)
        pm.find_MAP(compile_kwargs=FAST)
        shown = capsys.readouterr().err
        pm.find_MAP(progressbar=False, compile_kwargs=FAST)
        silent = capsys.readouterr().err
    assert shown.startswith("logp = ") and "||grad|| = " in shown and "100%|" in shown
    done, total = re.search(r"100%\|█+\| (\d+)/(\d+) ", shown).groups()
    assert done == total and int(done) >= 2
    assert silent == ""
