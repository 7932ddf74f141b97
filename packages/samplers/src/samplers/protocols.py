"""The typed seams of the package: densities and step methods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from samplers.blocks import Point

LogpFn = Callable[[NDArray], float]
"""log density of the flat vector of a step's own blocks."""

LogpDlogpFn = Callable[[NDArray], tuple[float, NDArray]]
"""log density and its gradient at the flat vector of a step's own blocks."""


@runtime_checkable
class LogDensity(Protocol):
    """A differentiable log density over a flat float64 vector of length ``dim``."""

    dim: int

    def logp_dlogp(self, x: NDArray) -> tuple[float, NDArray]: ...


@runtime_checkable
class Conditional(Protocol):
    """A density callable that depends on blocks other steps update.

    Before evaluating, a step calls ``condition(point)`` with the chain's full
    current point, so a compound sampler can hold a continuous block's density
    at the current values of the discrete blocks (and vice versa).
    """

    def condition(self, point: Mapping[str, NDArray]) -> None: ...


@runtime_checkable
class StepMethod(Protocol):
    """One transition kernel over some blocks of a point.

    ``vars`` names the blocks it updates. ``stat_dtypes`` declares the per-draw
    statistics ``step`` returns (the trace preallocates them). During tuning a
    step may adapt itself; the runner calls ``stop_tuning`` once tuning ends.
    """

    vars: tuple[str, ...]
    stat_dtypes: dict[str, np.dtype]
    tuning: bool

    def set_rng(self, rng: np.random.Generator) -> None: ...

    def start(self, point: Point) -> Point:
        """Prepare for a chain starting at ``point``; may return a jittered point."""
        ...

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]: ...

    def stop_tuning(self) -> None: ...
