"""Metropolis, Slice and NUTS sample the same skewed target; each agrees with the exact
moments, and with the others, within tolerances from their own MCSE."""

import numpy as np
import pytest
from scipy import special

import samplers

SHAPE = 3.0
EXACT_MEAN = special.digamma(SHAPE)  # y = log x with x ~ Gamma(3, 1)
EXACT_VAR = special.polygamma(1, SHAPE)


def logp(y: np.ndarray) -> float:
    """log density of y = log x, x ~ Gamma(3, 1), Jacobian included: 3y - exp(y)."""
    return float(SHAPE * y[0] - np.exp(y[0]))


def logp_dlogp(y: np.ndarray) -> tuple[float, np.ndarray]:
    return logp(y), np.array([SHAPE - np.exp(y[0])])


STEPS = {
    "Metropolis": lambda: samplers.Metropolis(logp, initial_point=np.zeros(1)),
    "Slice": lambda: samplers.Slice(logp, initial_point=np.zeros(1)),
    "NUTS": lambda: samplers.NUTS(logp_dlogp, initial_point=np.zeros(1)),
}


@pytest.fixture(scope="module")
def estimates() -> dict[str, tuple[float, float, float]]:
    """Mean, its MCSE, and variance of y for each step method."""
    found = {}
    for name, make in STEPS.items():
        trace = samplers.sample(
            make(), draws=2000, tune=1000, chains=2, cores=1, random_seed=11, progressbar=False
        )
        draws = trace.posterior["x"][..., 0]
        found[name] = (float(draws.mean()), float(samplers.mcse(draws)), float(draws.var()))
    return found


@pytest.mark.parametrize("name", sorted(STEPS))
def test_each_matches_the_exact_moments(estimates, name):
    mean, error, variance = estimates[name]
    assert abs(mean - EXACT_MEAN) < 4 * error
    assert variance == pytest.approx(EXACT_VAR, rel=0.15)


@pytest.mark.parametrize(
    ("first", "second"), [("Metropolis", "NUTS"), ("Slice", "NUTS"), ("Metropolis", "Slice")]
)
def test_step_methods_agree(estimates, first, second):
    (mean_a, error_a, _), (mean_b, error_b, _) = estimates[first], estimates[second]
    assert abs(mean_a - mean_b) < 4 * np.hypot(error_a, error_b)
