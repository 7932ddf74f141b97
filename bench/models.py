"""Log densities of shared/bench/WORKLOADS.md written once against a NumPy-like tensor
module, so the same code builds our graph and PyTensor's."""

from __future__ import annotations

import math

import numpy as np

EIGHT_SCHOOLS_Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
EIGHT_SCHOOLS_SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
LOG_2PI = math.log(2 * math.pi)


def normal_logp(pt, value, mu, sigma):
    return -0.5 * ((value - mu) / sigma) ** 2 - pt.log(sigma) - 0.5 * LOG_2PI


def eight_schools_logp(pt, x):
    """M1 on the unconstrained space x = (mu, log tau, theta_tilde[8]), Jacobian included."""
    mu, log_tau, theta_tilde = x[0], x[1], x[2:]
    tau = pt.exp(log_tau)
    half_cauchy = math.log(2 / (math.pi * 5)) - pt.log1p((tau / 5) ** 2) + log_tau
    theta = mu + tau * theta_tilde
    return (
        normal_logp(pt, mu, 0.0, 5.0)
        + half_cauchy
        + pt.sum(normal_logp(pt, theta_tilde, 0.0, 1.0))
        + pt.sum(normal_logp(pt, EIGHT_SCHOOLS_Y, theta, EIGHT_SCHOOLS_SIGMA))
    )


def logistic_data(n: int = 10_000, d: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """M3's data, drawn in the order WORKLOADS.md gives."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, d))
    beta = rng.normal(0, 0.5, size=d)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.5 + X @ beta)))).astype(np.float64)
    return X, y


def logistic_nll(pt, X, y, w):
    """Negative log-likelihood of logistic regression, stable through softplus."""
    eta = pt.dot(X, w)
    return pt.sum(pt.softplus(eta) - y * eta)
