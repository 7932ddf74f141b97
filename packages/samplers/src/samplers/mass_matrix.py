"""Mass-matrix adaptation during tuning, behind one small interface.

A strategy starts from the chain's first point, then sees one draw (position and
gradient) per tuning iteration and says whether the inverse mass matrix changed,
and whether the step size should be searched for again because of it.

- ``GradientDiagonal`` (the default, nutpie's): σ² = √(var(x) / var(∇log p)) from
  two overlapping running windows.
- ``WindowedDiagonal`` (Stan's): the regularized sample variance of each slow window.
- ``WindowedDense`` (Stan's dense_e): the same windows, the regularized covariance.
- ``FixedMassMatrix``: no adaptation.
"""

from __future__ import annotations

import enum

import numpy as np
from numpy.typing import ArrayLike, NDArray

# nutpie clamps the diagonal to this range
VARIANCE_LIMITS = (1e-20, 1e20)


class MetricUpdate(enum.Enum):
    """What one adaptation call did to the inverse mass matrix."""

    UNCHANGED = 0
    CHANGED = 1  # keep adapting the step size as before
    RESTART = 2  # find a new step size and restart dual averaging


class MassMatrixAdaptation:
    """Base of the strategies: holds the current inverse mass matrix ``inv_mass``.

    ``symmetric_accept_from`` is the tuning draw from which step-size adaptation
    should target the symmetric acceptance statistic (None: never); ``start`` sets it.
    """

    dense = False

    def __init__(self) -> None:
        self.inv_mass: NDArray = np.ones(0)
        self.symmetric_accept_from: int | None = None

    def start(self, x: NDArray, grad: NDArray, n_tune: int) -> None:
        """Begin adapting at the chain's first point, planning for ``n_tune`` tuning draws."""
        self.inv_mass = np.ones(x.shape[0])

    def update(self, x: NDArray, grad: NDArray, usable: bool) -> MetricUpdate:
        """Learn from one tuning draw; ``usable`` is false after a divergence."""
        return MetricUpdate.UNCHANGED


class FixedMassMatrix(MassMatrixAdaptation):
    """A fixed inverse mass matrix (a vector for diagonal, a matrix for dense); identity if None."""

    def __init__(self, inv_mass: ArrayLike | None = None):
        super().__init__()
        self.fixed = None if inv_mass is None else np.array(inv_mass, dtype=np.float64)
        self.dense = self.fixed is not None and self.fixed.ndim == 2

    def start(self, x: NDArray, grad: NDArray, n_tune: int) -> None:
        if self.fixed is None:
            self.inv_mass = np.ones(x.shape[0])
            return
        if self.fixed.shape[0] != x.shape[0]:
            raise ValueError(
                f"the inverse mass matrix has shape {self.fixed.shape}, "
                f"the sampled vector has {x.shape[0]} elements"
            )
        self.inv_mass = self.fixed.copy()


class RunningMoments:
    """Welford's running mean and sum of squared deviations of vectors (diagonal or full)."""

    def __init__(self, size: int, full: bool = False):
        self.count = 0
        self.mean = np.zeros(size)
        self.squares = np.zeros((size, size) if full else size)
        self.full = full

    def add(self, value: NDArray) -> None:
        self.count += 1
        delta = value - self.mean
        self.mean += delta / self.count
        if self.full:
            self.squares += np.outer(delta, value - self.mean)
        else:
            self.squares += delta * (value - self.mean)

    def variance(self) -> NDArray:
        """The sample (co)variance, with n − 1 in the denominator."""
        return self.squares / (self.count - 1)


def regularize(variance: NDArray, count: int) -> NDArray:
    """Stan's shrinkage towards 10⁻³ I: (n/(n+5)) Σ + 10⁻³ (5/(n+5)) I."""
    weight = count / (count + 5.0)
    shrinkage = 1e-3 * (5.0 / (count + 5.0))
    if variance.ndim == 2:
        return weight * variance + shrinkage * np.eye(variance.shape[0])
    return weight * variance + shrinkage


class StanWindows:
    """Stan's warmup schedule: a fast initial buffer, doubling slow windows, a fast terminal buffer.

    With 1000 tuning draws: draws 0–74 adapt only the step size, the slow windows
    are 75–99, 100–149, 150–249, 250–449 and 450–949 (the last one stretched to
    the terminal buffer), and draws 950–999 adapt only the step size again.
    """

    def __init__(
        self, n_tune: int, init_buffer: int = 75, term_buffer: int = 50, base_window: int = 25
    ):
        self.n_tune = n_tune
        self.enabled = n_tune >= 20
        if init_buffer + base_window + term_buffer > n_tune:
            init_buffer = int(0.15 * n_tune)
            term_buffer = int(0.1 * n_tune)
            base_window = n_tune - (init_buffer + term_buffer)
        self.init_buffer = init_buffer
        self.term_buffer = term_buffer
        self.window_size = base_window
        self.window_end = init_buffer + base_window - 1
        self.counter = 0

    def advance(self) -> tuple[bool, bool]:
        """Move past one draw: (the draw belongs to a slow window, the window ends with it)."""
        counter = self.counter
        self.counter += 1
        if not self.enabled:
            return False, False
        slow_end = self.n_tune - self.term_buffer
        in_window = self.init_buffer <= counter < slow_end
        window_ends = counter == self.window_end
        if window_ends:
            self._next_window(counter, slow_end - 1)
        return in_window, window_ends

    def _next_window(self, counter: int, last_slow_draw: int) -> None:
        if self.window_end == last_slow_draw:
            return
        self.window_size *= 2
        self.window_end = counter + self.window_size
        # a window that would leave too little room for the next one takes it all
        if (
            self.window_end != last_slow_draw
            and self.window_end + 2 * self.window_size > last_slow_draw
        ):
            self.window_end = last_slow_draw


class WindowedDiagonal(MassMatrixAdaptation):
    """Stan's diag_e adaptation: the regularized variance of each slow window's draws."""

    def __init__(self, init_buffer: int = 75, term_buffer: int = 50, base_window: int = 25):
        super().__init__()
        self.window_params = (init_buffer, term_buffer, base_window)

    def start(self, x: NDArray, grad: NDArray, n_tune: int) -> None:
        self.inv_mass = np.ones(x.shape[0])
        self.windows = StanWindows(n_tune, *self.window_params)
        self.moments = RunningMoments(x.shape[0], full=self.dense)

    def update(self, x: NDArray, grad: NDArray, usable: bool) -> MetricUpdate:
        in_window, window_ends = self.windows.advance()
        if in_window:
            self.moments.add(x)
        if not window_ends:
            return MetricUpdate.UNCHANGED
        if self.moments.count >= 2:
            self.inv_mass = regularize(self.moments.variance(), self.moments.count)
        self.moments = RunningMoments(x.shape[0], full=self.dense)
        return MetricUpdate.RESTART


class WindowedDense(WindowedDiagonal):
    """Stan's dense_e adaptation: the regularized covariance of each slow window's draws."""

    dense = True

    def start(self, x: NDArray, grad: NDArray, n_tune: int) -> None:
        super().start(x, grad, n_tune)
        self.inv_mass = np.eye(x.shape[0])


class GradientDiagonal(MassMatrixAdaptation):
    """nutpie's diagonal adaptation from the variances of draws and of gradients.

    For a Gaussian with variances σᵢ², var(xᵢ) = σᵢ² and var(∂ᵢ log p) = 1/σᵢ², so
    σᵢ² = √(var(xᵢ)/var(∂ᵢ log p)) holds exactly there, and elsewhere it balances the
    scale seen in positions against the curvature seen in gradients (Seyboldt et
    al., "gradient-based mass matrix adaptation"). It starts from σᵢ² = 1/|∂ᵢ log p|
    at the first point.

    The schedule over n tuning draws: the last 15% adapt only the step size. Before
    that, every usable draw enters two running estimators, a foreground one that
    sets the mass matrix after each draw and a background one that replaces it once
    it holds ``switch`` draws (10 in the first 30% of tuning, 80 afterwards), so the
    estimate forgets the early, unconverged part of the chain.
    """

    def __init__(
        self,
        early_window: float = 0.3,
        step_size_window: float = 0.15,
        early_switch: int = 10,
        switch: int = 80,
    ):
        super().__init__()
        self.early_window = early_window
        self.step_size_window = step_size_window
        self.early_switch = early_switch
        self.switch = switch

    def start(self, x: NDArray, grad: NDArray, n_tune: int) -> None:
        size = x.shape[0]
        with np.errstate(divide="ignore", invalid="ignore"):
            initial = 1.0 / np.clip(np.abs(grad), *VARIANCE_LIMITS)
        self.inv_mass = np.where(np.isfinite(initial), initial, 1.0)
        self.early_end = int(self.early_window * n_tune)
        self.final_start = n_tune - int(self.step_size_window * n_tune)
        # nutpie: once no further background switch fits before the final window,
        # the step size follows the symmetric acceptance statistic
        self.symmetric_accept_from = self.final_start - self.switch + 1
        self.draw = 0
        self.changed_before = False
        self.foreground = (RunningMoments(size), RunningMoments(size))
        self.background = (RunningMoments(size), RunningMoments(size))
        self._add(x, grad)

    def _add(self, x: NDArray, grad: NDArray) -> None:
        for draws, grads in (self.foreground, self.background):
            draws.add(x)
            grads.add(grad)

    def update(self, x: NDArray, grad: NDArray, usable: bool) -> MetricUpdate:
        draw = self.draw
        self.draw += 1
        if draw >= self.final_start:
            return MetricUpdate.UNCHANGED
        switch = self.early_switch if draw < self.early_end else self.switch
        if usable:
            self._add(x, grad)
        late = draw + switch > self.final_start
        if self.background[0].count >= switch and not late:
            self.foreground = self.background
            size = x.shape[0]
            self.background = (RunningMoments(size), RunningMoments(size))
        draws, grads = self.foreground
        if draws.count < 3:
            return MetricUpdate.UNCHANGED
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = np.sqrt(draws.variance() / grads.variance())
        valid = np.isfinite(estimate) & (estimate > 0)
        self.inv_mass = np.where(valid, np.clip(estimate, *VARIANCE_LIMITS), self.inv_mass)
        if not self.changed_before:
            self.changed_before = True
            return MetricUpdate.RESTART
        return MetricUpdate.CHANGED


def mass_matrix_adaptation(spec: str | ArrayLike | MassMatrixAdaptation) -> MassMatrixAdaptation:
    """The strategy ``spec`` names ("grad", "diag", "dense", "identity"), or a fixed matrix."""
    if isinstance(spec, MassMatrixAdaptation):
        return spec
    if isinstance(spec, str):
        strategies = {
            "grad": GradientDiagonal,
            "diag": WindowedDiagonal,
            "dense": WindowedDense,
            "identity": FixedMassMatrix,
        }
        if spec not in strategies:
            raise ValueError(f"mass_matrix must be one of {sorted(strategies)}, got {spec!r}")
        return strategies[spec]()
    return FixedMassMatrix(spec)
