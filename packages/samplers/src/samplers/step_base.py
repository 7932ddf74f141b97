"""What every step method shares: its blocks, its flat layout, its rng and conditioning."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import BlockLayout, Point, as_point


class BlockStep:
    """Base of the step methods: owns ``vars`` of a point and sees them as one flat vector.

    ``density`` is the user's callable (or an object with ``logp_dlogp``/``logp``);
    it takes the flat vector of this step's own blocks. When it also has
    ``condition(point)`` (see ``protocols.Conditional``), the step calls that with the full
    current point before each transition.
    """

    stat_dtypes: dict[str, np.dtype] = {}  # noqa: RUF012

    def __init__(
        self,
        density: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
    ):
        self.initial_point: Point = as_point(initial_point)
        self.layout = BlockLayout.from_point(self.initial_point, vars)
        self.vars: tuple[str, ...] = self.layout.names
        self.density = density
        self.tuning = True
        self.rng = np.random.default_rng()

    def set_rng(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def start(self, point: Point) -> Point:
        return point

    def stop_tuning(self) -> None:
        self.tuning = False

    def condition(self, point: Point) -> None:
        """Hand the full current point to a density that depends on other blocks."""
        # getattr, not isinstance(..., Conditional): a runtime Protocol check costs tens of
        # microseconds, paid on every transition
        condition = getattr(self.density, "condition", None)
        if callable(condition):
            condition(point)

    def flat(self, point: Point) -> NDArray:
        return self.layout.flatten(point)

    def density_method(self, name: str) -> Callable[..., Any]:
        """The density's ``name`` method when it has one, else the density itself."""
        method = getattr(self.density, name, None)
        return method if callable(method) else self.density
