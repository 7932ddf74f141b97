"""The leapfrog integrator of Hamiltonian dynamics, with a diagonal or a dense mass matrix.

The momentum is kept in whitened coordinates. With the inverse mass matrix
Σ = M⁻¹ = L Lᵀ (diagonal: L = diag(√σ²)), a momentum p ~ N(0, M) is stored as
p̃ = Lᵀ p ~ N(0, I). Then

    kinetic energy   ½ pᵀ Σ p = ½ |p̃|²
    velocity         Σ p = L p̃
    U-turn products  (Σ pₐ) · Σᵢ pᵢ = p̃ₐ · Σᵢ p̃ᵢ

so drawing a momentum is a standard normal draw, the kinetic energy is one dot
product, and the sampler's p♯ = M⁻¹ p needs no array of its own. One leapfrog step
of size ε in that frame, with the half-step "kick" k(x) = (ε/2) Lᵀ ∇log p(x):

    p̃½ = p̃ + k(x),   x' = x + ε L p̃½,   p̃' = p̃½ + k(x')

A backward step (ε < 0) subtracts where a forward one adds. The kick of the new
point is returned with it and reused as the first half-step of the next leapfrog,
so a step costs five vector operations and a dot product besides the density.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import solve_triangular

LogpDlogp = Callable[[NDArray], tuple[Any, NDArray]]

# Errors a density may raise at a far-out point; inside a trajectory they end it
# as a divergence instead of ending the chain.
DENSITY_ERRORS = (ArithmeticError, np.linalg.LinAlgError)


class Leapfrog:
    """Leapfrog steps of a log density with a fixed inverse mass matrix and step size."""

    def __init__(self, logp_dlogp: LogpDlogp, inv_mass: ArrayLike, step_size: float = 0.1):
        self.logp_dlogp = logp_dlogp
        self.step_size = float(step_size)
        self.set_inv_mass(inv_mass)

    @property
    def dense(self) -> bool:
        return self.inv_mass.ndim == 2

    def set_inv_mass(self, inv_mass: ArrayLike) -> None:
        """Use the inverse mass matrix ``inv_mass``: a vector (diagonal) or a square matrix."""
        inv_mass = np.array(inv_mass, dtype=np.float64)
        if inv_mass.ndim == 1:
            if not np.all(inv_mass > 0) or not np.all(np.isfinite(inv_mass)):
                raise ValueError("the diagonal inverse mass matrix must be positive and finite")
            self.scale: NDArray = np.sqrt(inv_mass)
            # L = diag(scale) acts elementwise, Lᵀ = L
            self.times_scale: Callable[[NDArray, NDArray], NDArray] = np.multiply
            self._scale_transposed = self.scale
        elif inv_mass.ndim == 2 and inv_mass.shape[0] == inv_mass.shape[1]:
            self.scale = np.linalg.cholesky(inv_mass)
            self.times_scale = np.matmul
            self._scale_transposed = np.ascontiguousarray(self.scale.T)
        else:
            raise ValueError(
                "the inverse mass matrix must be a vector or a square matrix, "
                f"got shape {inv_mass.shape}"
            )
        self.inv_mass: NDArray = inv_mass
        self.set_step_size(self.step_size)

    def set_step_size(self, step_size: float) -> None:
        """Use step size ``step_size`` (positive; direction is chosen per step).

        ``position_factor`` (ε L) and ``kick_factor`` ((ε/2) Lᵀ), applied with
        ``times_scale``, are the operands of a step; NUTS reads them to run the same
        step inline in its tree loop.
        """
        self.step_size = float(step_size)
        self.position_factor = self.step_size * self.scale
        self.kick_factor = (0.5 * self.step_size) * self._scale_transposed

    def evaluate(self, x: NDArray) -> tuple[float, NDArray]:
        """The log density and a copy of its gradient at ``x``; -inf (NaN gradient) if it raised.

        The copy is kept across later evaluations, which a density may answer in
        one reused output buffer.
        """
        try:
            logp, grad = self.logp_dlogp(x)
        except DENSITY_ERRORS:
            return -np.inf, np.full_like(x, np.nan)
        grad = np.array(grad, dtype=np.float64)
        if grad.shape != x.shape:
            raise ValueError(
                f"logp_dlogp returned a gradient of shape {grad.shape} for a point of "
                f"shape {x.shape}; it must be a flat vector like the point"
            )
        return float(logp), grad

    def kick(self, grad: NDArray) -> NDArray:
        """Half a step's change of the whitened momentum: (ε/2) Lᵀ ∇log p."""
        return self.times_scale(self.kick_factor, grad)

    def gradient_from_kick(self, kick: NDArray) -> NDArray:
        """The gradient a kick was made from: ∇log p = ((ε/2) Lᵀ)⁻¹ kick, in a new array."""
        if self.dense:
            return solve_triangular(self.kick_factor, kick, lower=False)
        return kick / self.kick_factor

    def step(
        self, x: NDArray, p: NDArray, kick: NDArray, forward: bool
    ) -> tuple[NDArray, NDArray, NDArray, float, NDArray, float]:
        """One leapfrog step from ``(x, p)`` whose kick is ``kick``, forward or backward in time.

        Returns the new position, momentum and kick, the log density and its
        gradient there, and |p̃'|², twice the new kinetic energy. The position,
        momentum and kick are new arrays, so callers may keep references to the
        points of a trajectory; the gradient is the density's own array, which it
        may reuse at its next evaluation (``gradient_from_kick`` rebuilds it).
        """
        move = np.add if forward else np.subtract
        p_half = move(p, kick)
        x_new = move(x, self.times_scale(self.position_factor, p_half))
        try:
            logp, grad = self.logp_dlogp(x_new)
        except DENSITY_ERRORS:
            return x_new, p_half, kick, -np.inf, np.full_like(x, np.nan), np.inf
        kick_new = self.times_scale(self.kick_factor, grad)
        p_new = move(p_half, kick_new)
        return x_new, p_new, kick_new, float(logp), grad, float(p_new.dot(p_new))

    def velocity(self, p: NDArray) -> NDArray:
        """dx/dt = M⁻¹ p = L p̃ of a whitened momentum."""
        return self.times_scale(self.scale, p)

    def whiten(self, momentum: NDArray) -> NDArray:
        """The whitened p̃ = Lᵀ p of a momentum p in the original coordinates."""
        return self.times_scale(self._scale_transposed, momentum)

    def unwhiten(self, p: NDArray) -> NDArray:
        """The momentum p = L⁻ᵀ p̃ in the original coordinates."""
        if self.dense:
            return np.linalg.solve(self._scale_transposed, p)
        return p / self.scale
