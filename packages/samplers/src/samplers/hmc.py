"""Hamiltonian Monte Carlo with a fixed path length."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.kernel_hmc import KernelHMC
from samplers.mass_matrix import MassMatrixAdaptation


class HamiltonianMC(KernelHMC):
    """HMC with a fixed path length: ⌊path_length / ε⌋ leapfrog steps, then a Metropolis test.

    As in PyMC, each draw jitters the step size by a uniform factor in [0.85, 1.15]
    (``step_size_jitter=0.15``) so that the number of steps varies and periodic
    orbits are avoided.

    ``backend`` chooses between this Python transition and the C kernel's
    (``nuts_kernel.c``), as for NUTS: the same draws for the same seed, many draws per
    call of ``step_many``. Both take the momentum from a batch of rows and the
    Metropolis test's uniform from a batch of uniforms, as NUTS does.
    """

    def __init__(
        self,
        logp_dlogp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        path_length: float = 2.0,
        step_scale: float = 0.25,
        target_accept: float = 0.8,
        mass_matrix: str | ArrayLike | MassMatrixAdaptation = "grad",
        max_steps: int = 1024,
        step_size_jitter: float = 0.15,
        backend: str = "auto",
        **kwargs: Any,
    ):
        super().__init__(
            logp_dlogp,
            initial_point,
            vars,
            target_accept=target_accept,
            mass_matrix=mass_matrix,
            step_scale=step_scale,
            step_size_jitter=step_size_jitter,
            **kwargs,
        )
        self.path_length = float(path_length)
        self.max_steps = int(max_steps)
        if not (self.path_length > 0.0 and math.isfinite(self.path_length)):
            raise ValueError(f"path_length must be positive and finite, got {path_length}")
        if self.max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, got {max_steps}")
        self._use_backend(backend)

    def _kernel_trajectory(self) -> dict[str, Any]:
        return {"path_length": self.path_length, "max_steps": self.max_steps}

    def transition(
        self, x: NDArray, logp: float, grad: NDArray
    ) -> tuple[NDArray, float, NDArray, dict[str, Any]]:
        uniforms = self._uniform_batch()
        integrator = self.integrator
        n_steps = min(self.max_steps, max(1, int(self.path_length / integrator.step_size)))
        p = self._draw_momentum()
        energy0 = 0.5 * float(p.dot(p)) - logp
        x_new, logp_new, grad_new = x, logp, grad
        kick = integrator.kick(grad)
        error = 0.0
        max_error = 0.0
        diverging = False
        taken = 0
        while taken < n_steps:
            x_new, p, kick, logp_new, grad_new, norm = integrator.step(x_new, p, kick, True)
            taken += 1
            error = 0.5 * norm - logp_new - energy0
            if not abs(error) <= abs(max_error):  # larger, or NaN
                max_error = error
            if not error <= self.max_energy_error:
                diverging = True
                break
        accept = 0.0 if diverging else math.exp(min(0.0, -error))
        stats: dict[str, Any] = {
            "diverging": diverging,
            "energy_error": error,
            "max_energy_error": max_error,
            "accept": accept,
            "n_grad_evals": taken,
        }
        if not diverging and uniforms.pop() < accept:
            stats["energy"] = energy0 + error
            # a copy: the density may reuse its gradient's array at the next evaluation
            return x_new, logp_new, np.array(grad_new, dtype=np.float64), stats
        stats["energy"] = energy0
        return x, logp, grad, stats
