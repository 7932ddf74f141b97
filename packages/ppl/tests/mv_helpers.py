"""Shared checks for the multivariate, mixture and time-series tests."""

from __future__ import annotations

from typing import Any

import numpy as np

import ppl as pm
from graphcore import function

FAST = "FAST_COMPILE"


def evaluate(outputs: list[Any]) -> list[np.ndarray]:
    """Evaluate symbolic outputs (no inputs) in one Python-linker function."""
    return function([], outputs, mode=FAST)()


def assert_gradient_matches_finite_differences(model: Any, seed: int = 0) -> None:
    """The flat density's gradient equals central differences of its log density."""
    density = model.logp_dlogp_function(mode=FAST)
    point = model.initial_point()
    x = density.point_to_array(point)
    x = x + 0.1 * np.random.default_rng(seed).normal(size=x.shape)
    logp, gradient = density(x)
    assert np.isfinite(logp)
    step = 1e-6
    numeric = np.array(
        [(density(x + step * e)[0] - density(x - step * e)[0]) / (2 * step) for e in np.eye(len(x))]
    )
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-5)


def draws(rv: Any, n: int, seed: int = 1) -> np.ndarray:
    return np.asarray(pm.draw(rv, draws=n, random_seed=seed, mode=FAST))
