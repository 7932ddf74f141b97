"""pm.sample on the seed documents' models, against exact posterior means."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import gammaln

import ppl as pm
import samplers

# Coal-mining disasters per year, 1851-1961 (seed 001)
DISASTERS = np.array(
    [
        4,
        5,
        4,
        0,
        1,
        4,
        3,
        4,
        0,
        6,
        3,
        3,
        4,
        0,
        2,
        6,
        3,
        3,
        5,
        4,
        5,
        3,
        1,
        4,
        4,
        1,
        5,
        5,
        3,
        4,
        2,
        5,
        2,
        2,
        3,
        4,
        2,
        1,
        3,
        2,
        2,
        1,
        1,
        1,
        1,
        3,
        0,
        0,
        1,
        0,
        1,
        1,
        0,
        0,
        3,
        1,
        0,
        3,
        2,
        2,
        0,
        1,
        1,
        1,
        0,
        1,
        0,
        1,
        0,
        0,
        0,
        2,
        1,
        0,
        0,
        0,
        1,
        1,
        0,
        2,
        3,
        3,
        1,
        1,
        2,
        1,
        1,
        1,
        1,
        2,
        4,
        2,
        0,
        0,
        1,
        4,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        1,
        0,
        0,
        1,
        0,
        1,
    ]
)
YEARS = len(DISASTERS)


def coal_mining_reference(early_counts: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Exact posterior means of the early and late rates, and the switchpoint's weights.

    Provenance: computed here by enumeration, not by sampling. Given the number of early
    years n1 (with S1 disasters) the Exponential(1) = Gamma(1, 1) priors are conjugate to
    the Poisson counts: the rate's posterior is Gamma(S + 1, n + 1), with mean
    (S + 1)/(n + 1), and the switchpoint's marginal likelihood is
    prod over both periods of Gamma(S + 1) / (n + 1)^(S + 1) (the 1/y! factors cancel).
    ``early_counts`` lists n1 for each switchpoint value (equally likely a priori).
    """
    cumulative = np.concatenate([[0], np.cumsum(DISASTERS)])
    n1 = early_counts
    s1 = cumulative[n1]
    n2, s2 = YEARS - n1, DISASTERS.sum() - s1
    log_weight = (
        gammaln(s1 + 1) - (s1 + 1) * np.log(n1 + 1) + gammaln(s2 + 1) - (s2 + 1) * np.log(n2 + 1)
    )
    weight = np.exp(log_weight - log_weight.max())
    weight /= weight.sum()
    early = float(np.sum(weight * (s1 + 1) / (n1 + 1)))
    late = float(np.sum(weight * (s2 + 1) / (n2 + 1)))
    return early, late, weight


def assert_mean_close(draws: np.ndarray, exact: float, spread: float = 4.0) -> None:
    """Within ``spread`` Monte Carlo standard errors (and a small absolute floor)."""
    error = abs(float(np.mean(draws)) - exact)
    assert error < spread * float(samplers.mcse(draws)) + 1e-3, (np.mean(draws), exact)


def test_coal_mining_as_written_with_its_automatic_compound_step(capsys):
    with pm.Model():
        switchpoint = pm.DiscreteUniform("switchpoint", lower=0, upper=YEARS)
        early_mean = pm.Exponential("early_mean", lam=1.0)
        late_mean = pm.Exponential("late_mean", lam=1.0)
        rate = pm.switch(switchpoint >= np.arange(YEARS), early_mean, late_mean)
        pm.Poisson("disasters", rate, observed=DISASTERS)
        trace = pm.sample(1000, tune=500, njobs=1, chains=2, random_seed=11, progressbar=False)
    printed = capsys.readouterr().err
    assert "NUTS: [early_mean, late_mean]" in printed
    assert "CategoricalGibbsMetropolis: [switchpoint]" in printed
    # the rates are early for years t <= switchpoint (0..111): n1 = min(tau + 1, 111)
    tau = np.arange(YEARS + 1)
    early, late, weight = coal_mining_reference(np.minimum(tau + 1, YEARS))
    assert_mean_close(trace.posterior["early_mean"], early)
    assert_mean_close(trace.posterior["late_mean"], late)
    assert_mean_close(trace.posterior["switchpoint"], float(np.sum(weight * tau)))
    assert trace["switchpoint"].dtype.kind == "i"


def test_coal_mining_with_the_switchpoint_marginalized_by_a_potential():
    with pm.Model():
        early_mean = pm.Exponential("early_mean", lam=1.0)
        late_mean = pm.Exponential("late_mean", lam=1.0)
        year_idx = np.arange(YEARS)
        s, t = np.array([(t, s) for t in year_idx for s in year_idx]).T
        rates = pm.switch(t < s, early_mean, late_mean)
        log_like = pm.logp(pm.Poisson.dist(rates), DISASTERS[t]).reshape((YEARS, YEARS)).sum(1)
        pm.Potential("disasters", pm.math.logsumexp(-np.log(YEARS) + log_like))
        trace = pm.sample(1000, tune=500, chains=2, cores=1, random_seed=12, progressbar=False)
    # early for years t < s, s in 0..110: n1 = s
    early, late, _ = coal_mining_reference(np.arange(YEARS))
    assert_mean_close(trace.posterior["early_mean"], early)
    assert_mean_close(trace.posterior["late_mean"], late)


SCHOOLS_Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SCHOOLS_SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def test_eight_schools_non_centred_has_no_divergences_at_target_accept_095():
    with pm.Model(coords={"school": np.arange(8)}):
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfCauchy("tau", 5.0)
        theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, dims="school")
        theta = pm.Deterministic("theta", mu + tau * theta_tilde, dims="school")
        pm.Normal("y", theta, SCHOOLS_SIGMA, observed=SCHOOLS_Y, dims="school")
        trace = pm.sample(
            300,
            tune=500,
            chains=2,
            cores=1,
            target_accept=0.95,
            random_seed=13,
            progressbar=False,
            compute_convergence_checks=False,
        )
    assert int(trace.stats["diverging"].sum()) == 0
    assert trace.posterior["theta"].shape == (2, 300, 8)
    # the well-known posterior mean of mu is about 4.4 (sd 3.3)
    assert 2.5 < trace["mu"].mean() < 6.5


def linear_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    x = np.linspace(0.0, 1.0, 100)
    return x, 1.0 + 2.0 * x + rng.normal(0.0, 0.5, size=x.size)


def linear_model(x: np.ndarray, y: np.ndarray) -> pm.Model:
    """The glm ``y ~ x`` model of seed 001 (Intercept, x, sd), written out."""
    with pm.Model() as model:
        intercept = pm.Normal("Intercept", 0.0, 20.0)
        slope = pm.Normal("x", 0.0, 20.0)
        sd = pm.HalfCauchy("sd", 10.0)
        pm.Normal("y", intercept + slope * x, sd, observed=y)
    return model


@pytest.mark.parametrize("step_name", ["NUTS", "Metropolis"])
def test_linear_model_with_nuts_and_with_metropolis(step_name, capsys):
    x, y = linear_data()
    # least squares: with these wide priors the posterior means are within a few
    # thousandths of a standard error of it
    design = np.column_stack([np.ones_like(x), x])
    coefficients, residual, *_ = np.linalg.lstsq(design, y, rcond=None)
    scale = np.sqrt(residual[0] / (x.size - 2))
    standard_errors = scale * np.sqrt(np.diag(np.linalg.inv(design.T @ design)))
    draws, tune = (1000, 500) if step_name == "NUTS" else (4000, 2000)
    with linear_model(x, y):
        step = getattr(pm, step_name)()
        trace = pm.sample(
            draws,
            tune=tune,
            step=step,
            chains=2,
            cores=1,
            random_seed=14,
            progressbar=False,
            compute_convergence_checks=False,
        )
    assert f"{step_name}: [Intercept, x, sd]" in capsys.readouterr().err
    for name, exact, se in zip(["Intercept", "x"], coefficients, standard_errors, strict=True):
        assert abs(trace[name].mean() - exact) < 0.25 * se + 4 * samplers.mcse(
            trace.posterior[name]
        )
        assert 0.7 * se < trace[name].std() < 1.3 * se
    assert abs(trace["sd"].mean() - scale) < 0.1 * scale
