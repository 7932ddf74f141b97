"""What the Hamiltonian samplers (NUTS, HamiltonianMC) share: start, jitter, adaptation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Point
from samplers.integrator import Leapfrog
from samplers.mass_matrix import MassMatrixAdaptation, MetricUpdate, mass_matrix_adaptation
from samplers.protocols import Conditional
from samplers.step_base import BlockStep
from samplers.step_size import DualAveraging, find_reasonable_step_size

JITTER_RETRIES = 10

FLOAT = np.dtype(np.float64)
HAMILTONIAN_STATS: dict[str, np.dtype] = {
    "diverging": np.dtype(bool),
    "step_size": FLOAT,
    "step_size_bar": FLOAT,
    "energy": FLOAT,
    "energy_error": FLOAT,
    "max_energy_error": FLOAT,
    "accept": FLOAT,
    "n_grad_evals": np.dtype(np.int64),
    "logp": FLOAT,
    "tune": np.dtype(bool),
}


class BaseHMC(BlockStep):
    """What HMC and NUTS share: the integrator, start and jitter, and adaptation while tuning.

    A subclass implements ``transition(x, logp, grad)``: one draw from the start
    state, returning the new state and its statistics (at least ``accept``,
    ``diverging`` and ``n_grad_evals``). While tuning, dual averaging drives the
    acceptance statistic to ``target_accept`` and the mass-matrix strategy learns
    from the draws; ``tune_draws`` is the tuning length its schedule plans for (a
    runner that knows it calls ``set_tune_draws``). After tuning the step size is
    dual averaging's ε̄.
    """

    stat_dtypes = HAMILTONIAN_STATS

    def __init__(
        self,
        logp_dlogp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        target_accept: float = 0.8,
        mass_matrix: str | ArrayLike | MassMatrixAdaptation = "grad",
        step_scale: float = 0.25,
        step_size: float | None = None,
        adapt_step_size: bool = True,
        step_size_jitter: float = 0.0,
        max_energy_error: float = 1000.0,
        jitter: bool = True,
        tune_draws: int = 1000,
        gamma: float = 0.05,
        t0: float = 10.0,
        kappa: float = 0.75,
    ):
        super().__init__(logp_dlogp, initial_point, vars)
        discrete = [block.name for block in self.layout.blocks if block.is_discrete]
        if discrete:
            raise TypeError(
                f"{type(self).__name__} samples float blocks only; blocks {discrete} are integer"
            )
        self.dim = self.layout.size
        if self.dim == 0:
            raise ValueError(f"{type(self).__name__} needs at least one variable to sample")
        self.integrator = Leapfrog(self.density_method("logp_dlogp"), np.ones(self.dim))
        self.mass_matrix = mass_matrix_adaptation(mass_matrix)
        self.initial_step_size = (
            float(step_size) if step_size is not None else step_scale / self.dim**0.25
        )
        self.adapt_step_size = adapt_step_size
        if not 0.0 <= step_size_jitter < 1.0:
            raise ValueError(f"step_size_jitter must lie in [0, 1), got {step_size_jitter}")
        self.step_size_jitter = float(step_size_jitter)
        self.step_size = self.initial_step_size  # the nominal step size; a draw may jitter it
        self.target_accept = target_accept
        self.dual_averaging = DualAveraging(self.initial_step_size, target_accept, gamma, t0, kappa)
        self.max_energy_error = float(max_energy_error)
        self.jitter = jitter
        self.tune_draws = int(tune_draws)
        self._started = False
        self._tune_draw = 0
        self._remembered: tuple[tuple[NDArray, ...], NDArray, float, NDArray] | None = None
        self._depends_on_others = isinstance(self.density, Conditional)
        # where each block lives in the flat vector; None: the block is the whole vector
        self._block_places = [
            (
                block.name,
                None if block.shape == (self.dim,) else self.layout.slices[block.name],
                block.shape,
            )
            for block in self.layout.blocks
        ]

    def condition(self, point: Point) -> None:
        # BlockStep.condition asks isinstance(density, Conditional) on every call, which
        # for a runtime-checkable Protocol costs more than a whole small tree; ask once.
        if self._depends_on_others:
            self.density.condition(point)

    def set_tune_draws(self, tune_draws: int) -> None:
        """Plan the adaptation schedule for ``tune_draws`` tuning draws (call before ``start``)."""
        self.tune_draws = int(tune_draws)

    def stop_tuning(self) -> None:
        super().stop_tuning()
        if self.adapt_step_size:
            self.step_size = self.dual_averaging.averaged

    # -- starting a chain -------------------------------------------------------------

    def start(self, point: Point) -> Point:
        """Jitter the start (uniform ±1, as PyMC's jitter+adapt_diag), then start adapting."""
        self.condition(point)
        x = self.flat(point)
        state = self._jittered_start(x) if self.jitter else None
        if state is None:
            logp, grad = self.integrator.evaluate(x)
            self._require_finite(x, logp, grad, "starting point")
            state = (x, logp, grad)
        x, logp, grad = state
        self.mass_matrix.start(x, grad, self.tune_draws)
        self.integrator.set_inv_mass(self.mass_matrix.inv_mass)
        step_size = self.initial_step_size
        if self.adapt_step_size:
            step_size, _ = find_reasonable_step_size(
                self.integrator, x, logp, grad, self.rng, step_size, self.target_accept
            )
        self.dual_averaging.restart(step_size)
        self.step_size = step_size
        self._tune_draw = 0
        self._started = True
        new_point = self._point_with(point, x)
        self._remember(new_point, x, logp, grad)
        return new_point

    def _jittered_start(self, x: NDArray) -> tuple[NDArray, float, NDArray] | None:
        for _ in range(JITTER_RETRIES):
            jittered = x + self.rng.uniform(-1.0, 1.0, size=x.shape)
            logp, grad = self.integrator.evaluate(jittered)
            if math.isfinite(logp) and np.all(np.isfinite(grad)):
                return jittered, logp, grad
        return None

    def _require_finite(self, x: NDArray, logp: float, grad: NDArray, where: str) -> None:
        """Raise, naming the point's values, unless logp and its gradient are finite at ``x``."""
        if math.isfinite(logp) and np.all(np.isfinite(grad)):
            return
        values = {name: value.tolist() for name, value in self.layout.unflatten(x).items()}
        what = "log density" if not math.isfinite(logp) else "gradient of the log density"
        raise ValueError(
            f"{type(self).__name__}: the {what} is not finite at the {where} "
            f"{values} (logp = {logp}); a chain must start where the density is positive"
        )

    # -- one draw ---------------------------------------------------------------------

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        if not self._started:
            jitter, self.jitter = self.jitter, False
            point = self.start(point)
            self.jitter = jitter
        self.condition(point)
        with np.errstate(all="ignore"):
            x, logp, grad, evaluations = self._current_state(point)
            step_size = self.step_size
            if self.step_size_jitter:
                step_size *= 1.0 + self.step_size_jitter * (2.0 * self.rng.random() - 1.0)
            if step_size != self.integrator.step_size:
                self.integrator.set_step_size(step_size)
            x_new, logp_new, grad_new, stats = self.transition(x, logp, grad)
            stats["n_grad_evals"] += evaluations
            if self.tuning:
                stats["n_grad_evals"] += self._adapt(x_new, logp_new, grad_new, stats)
        stats["step_size"] = step_size
        stats["step_size_bar"] = (
            self.dual_averaging.averaged if self.adapt_step_size else self.step_size
        )
        stats["logp"] = logp_new
        stats["tune"] = self.tuning
        new_point = point if x_new is x else self._point_with(point, x_new)
        self._remember(new_point, x_new, logp_new, grad_new)
        return new_point, stats

    def transition(
        self, x: NDArray, logp: float, grad: NDArray
    ) -> tuple[NDArray, float, NDArray, dict[str, Any]]:
        """One draw from state ``(x, logp, grad)``: the new state and its statistics."""
        raise NotImplementedError(f"{type(self).__name__} must define transition")

    def _current_state(self, point: Point) -> tuple[NDArray, float, NDArray, int]:
        """The state at ``point``: remembered from the last draw when it is that draw's point."""
        remembered = self._remembered
        if remembered is not None and not self._depends_on_others:
            for name, block in zip(self.vars, remembered[0], strict=True):
                if point[name] is not block:
                    break
            else:
                return remembered[1], remembered[2], remembered[3], 0
        x = self.flat(point)
        logp, grad = self.integrator.evaluate(x)
        self._require_finite(x, logp, grad, "current point")
        return x, logp, grad, 1

    def _adapt(self, x: NDArray, logp: float, grad: NDArray, stats: dict[str, Any]) -> int:
        """Learn from one tuning draw; returns the gradient evaluations a step-size search spent.

        Step-size adaptation follows ``stats["accept"]``, or from the tuning draw the
        mass-matrix strategy names (``symmetric_accept_from``) ``stats["accept_sym"]``
        where the sampler reports it: nutpie's symmetric statistic, which penalises
        energy errors of either sign alike.
        """
        draw = self._tune_draw
        self._tune_draw += 1
        if self.adapt_step_size:
            symmetric_from = self.mass_matrix.symmetric_accept_from
            # a sampler without a symmetric statistic (HMC) keeps its plain one
            late = symmetric_from is not None and draw >= symmetric_from and "accept_sym" in stats
            self.dual_averaging.update(stats["accept_sym" if late else "accept"])
        change = self.mass_matrix.update(x, grad, not stats["diverging"])
        if change is not MetricUpdate.UNCHANGED:
            self.integrator.set_inv_mass(self.mass_matrix.inv_mass)
        if not self.adapt_step_size:
            return 0
        if change is MetricUpdate.RESTART:
            self.step_size, evaluations = find_reasonable_step_size(
                self.integrator, x, logp, grad, self.rng, self.step_size, self.target_accept
            )
            self.dual_averaging.restart(self.step_size)
            return evaluations
        self.step_size = self.dual_averaging.current
        return 0

    def _point_with(self, point: Point, x: NDArray) -> Point:
        """``point`` with this step's blocks as views of ``x`` (never modified afterwards)."""
        new_point = point.copy()
        for name, where, shape in self._block_places:
            new_point[name] = x if where is None else x[where].reshape(shape)
        return new_point

    def _remember(self, point: Point, x: NDArray, logp: float, grad: NDArray) -> None:
        self._remembered = (tuple([point[name] for name in self.vars]), x, logp, grad)
