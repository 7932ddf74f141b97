"""Step-size adaptation: Nesterov dual averaging, and Stan's initial step-size heuristic."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from samplers.integrator import Leapfrog


class DualAveraging:
    """Hoffman & Gelman's dual averaging of log ε towards a target acceptance statistic.

    After the t-th draw with acceptance statistic αₜ (Algorithm 5 of the NUTS paper):

        H̄ₜ = (1 − 1/(t + t₀)) H̄ₜ₋₁ + (δ − αₜ)/(t + t₀)
        log εₜ = μ − √t/γ · H̄ₜ
        log ε̄ₜ = t^(−κ) log εₜ + (1 − t^(−κ)) log ε̄ₜ₋₁

    εₜ is used while tuning; ε̄ (``averaged``) once tuning ends. μ = log(10 ε₀)
    biases the search towards steps larger than the starting one.
    """

    def __init__(
        self,
        initial_step_size: float,
        target_accept: float = 0.8,
        gamma: float = 0.05,
        t0: float = 10.0,
        kappa: float = 0.75,
    ):
        if not 0.0 < target_accept < 1.0:
            raise ValueError(f"target_accept must lie in (0, 1), got {target_accept}")
        self.target_accept = float(target_accept)
        self.gamma = float(gamma)
        self.t0 = float(t0)
        self.kappa = float(kappa)
        self.restart(initial_step_size)

    def restart(self, step_size: float) -> None:
        """Start afresh from ``step_size``, with μ = log(10 ε)."""
        if not (step_size > 0.0 and math.isfinite(step_size)):
            raise ValueError(f"the step size must be positive and finite, got {step_size}")
        self.mu = math.log(10.0 * step_size)
        self.count = 0
        self.error_sum = 0.0  # H̄, the running mean of δ − α
        self.log_step = math.log(step_size)
        self.log_averaged_step = 0.0

    @property
    def current(self) -> float:
        """εₜ, the step size to use while tuning."""
        return math.exp(self.log_step)

    @property
    def averaged(self) -> float:
        """ε̄, the step size to use once tuning ends (εₜ before the first update)."""
        return math.exp(self.log_averaged_step) if self.count else self.current

    def update(self, accept_stat: float) -> float:
        """Learn from one draw's acceptance statistic; return the next step size εₜ."""
        if math.isnan(accept_stat):  # the trajectory told us nothing
            accept_stat = 0.0
        self.count += 1
        t = self.count
        weight = 1.0 / (t + self.t0)
        self.error_sum = (1.0 - weight) * self.error_sum + weight * (
            self.target_accept - accept_stat
        )
        self.log_step = self.mu - math.sqrt(t) / self.gamma * self.error_sum
        eta = t ** (-self.kappa)
        self.log_averaged_step = eta * self.log_step + (1.0 - eta) * self.log_averaged_step
        return self.current


def find_reasonable_step_size(
    integrator: Leapfrog,
    x: NDArray,
    logp: float,
    grad: NDArray,
    rng: np.random.Generator,
    initial_step_size: float,
    target_accept: float = 0.8,
    max_iterations: int = 100,
) -> tuple[float, int]:
    """Stan's heuristic: double or halve ε until one leapfrog's acceptance crosses the target.

    From ``x`` with a fresh momentum, one leapfrog of size ε changes the energy by
    ΔH. If exp(−ΔH) exceeds ``target_accept`` (0.8 in Stan) ε doubles until it no
    longer does, else it halves until it does; each trial draws a new momentum.
    Returns the step size and the number of gradient evaluations spent. The
    integrator is left at the returned step size.
    """
    threshold = math.log(target_accept)
    step_size = float(initial_step_size)
    direction = 0
    evaluations = 0
    for _ in range(max_iterations):
        integrator.set_step_size(step_size)
        p: NDArray = rng.standard_normal(x.shape)
        energy0 = 0.5 * float(p.dot(p)) - logp
        _, _, _, new_logp, _, new_p2 = integrator.step(x, p, integrator.kick(grad), True)
        evaluations += 1
        energy = 0.5 * new_p2 - new_logp
        delta = -math.inf if math.isnan(energy) else energy0 - energy
        if direction == 0:
            direction = 1 if delta > threshold else -1
        crossed = not delta > threshold if direction == 1 else not delta < threshold
        if crossed:
            break
        step_size = step_size * 2.0 if direction == 1 else step_size * 0.5
        if step_size > 1e7 or step_size < 1e-12:
            step_size = min(max(step_size, 1e-12), 1e7)
            break
    integrator.set_step_size(step_size)
    return step_size, evaluations
