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


def eight_schools_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    """M1 in plain NumPy with its hand-written gradient, on the same unconstrained space
    as ``eight_schools_logp``: the density every sampler of the bench is handed."""
    mu, log_tau, theta_tilde = x[0], x[1], x[2:]
    tau = math.exp(log_tau)
    theta = mu + tau * theta_tilde
    scaled = (EIGHT_SCHOOLS_Y - theta) / EIGHT_SCHOOLS_SIGMA
    residual = scaled / EIGHT_SCHOOLS_SIGMA
    tau_ratio = (tau / 5.0) ** 2
    logp = (
        -0.5 * (mu / 5.0) ** 2
        - math.log1p(tau_ratio)
        + log_tau
        - 0.5 * float(theta_tilde @ theta_tilde)
        - 0.5 * float(scaled @ scaled)
    )
    gradient = np.empty_like(x)
    gradient[0] = -mu / 25.0 + residual.sum()
    d_tau = -2.0 * tau / 25.0 / (1.0 + tau_ratio) + float(residual @ theta_tilde)
    gradient[1] = tau * d_tau + 1.0
    gradient[2:] = -theta_tilde + tau * residual
    return logp, gradient


def hierarchical_data() -> tuple[np.ndarray, np.ndarray]:
    """M4's groups and observations, drawn in the order WORKLOADS.md gives."""
    rng = np.random.default_rng(1)
    theta = 1.0 + 0.5 * rng.normal(size=100)
    groups = np.repeat(np.arange(100), 20)
    y = theta[groups] + 2.0 * rng.normal(size=2000)
    return groups, y


HIER_GROUPS, HIER_Y = hierarchical_data()


def hierarchical_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    """M4 on x = (mu, log tau, log sigma, z[100]), HalfNormal(5) scales, Jacobians included."""
    mu, log_tau, log_sigma, z = x[0], x[1], x[2], x[3:]
    tau, sigma = math.exp(log_tau), math.exp(log_sigma)
    theta = mu + tau * z
    deviation = HIER_Y - theta[HIER_GROUPS]
    squares = float(deviation @ deviation)
    logp = (
        -0.5 * (mu / 5.0) ** 2
        - 0.5 * (tau / 5.0) ** 2
        + log_tau
        - 0.5 * (sigma / 5.0) ** 2
        + log_sigma
        - 0.5 * float(z @ z)
        - 0.5 * squares / sigma**2
        - HIER_Y.size * log_sigma
    )
    per_group = np.bincount(HIER_GROUPS, weights=deviation, minlength=z.size) / sigma**2
    gradient = np.empty_like(x)
    gradient[0] = -mu / 25.0 + per_group.sum()
    gradient[1] = tau * (-tau / 25.0 + float(per_group @ z)) + 1.0
    gradient[2] = -(sigma**2) / 25.0 + 1.0 + squares / sigma**2 - HIER_Y.size
    gradient[3:] = -z + tau * per_group
    return logp, gradient


def correlated_gaussian() -> tuple[np.ndarray, np.ndarray]:
    """M6's Σ and its inverse, built exactly as WORKLOADS.md says."""
    rng = np.random.default_rng(1234)
    q, r = np.linalg.qr(rng.normal(size=(100, 100)))
    q = q * np.sign(np.diag(r))
    cov = q @ np.diag(np.logspace(0, 2, 100)) @ q.T
    cov = (cov + cov.T) / 2
    return cov, np.linalg.inv(cov)


M6_COV, M6_PRECISION = correlated_gaussian()


def m6_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    """M6: x ~ MvNormal(0, Σ), d = 100, condition number 100."""
    gradient = -(M6_PRECISION @ x)
    return 0.5 * float(x @ gradient), gradient


def m7_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    """M7, Neal's funnel sampled non-centered: v ~ N(0, 3), z ~ N(0, 1)^9 over x = (v, z)."""
    v, z = x[0], x[1:]
    gradient = -x.copy()
    gradient[0] = -v / 9.0
    return -0.5 * float(v * v / 9.0 + z @ z), gradient


def standard_normal_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    """N10 and the overhead measurement: a standard normal of any dimension."""
    return -0.5 * float(x @ x), -x


# the NumPy densities every sampler of the bench is handed, with their dimension
SAMPLING_TARGETS = {
    "M1": (eight_schools_logp_dlogp, 10),
    "M4": (hierarchical_logp_dlogp, 103),
    "M6": (m6_logp_dlogp, 100),
    "M7": (m7_logp_dlogp, 10),
}
