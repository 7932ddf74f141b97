"""The base of the gradient-free steps: the density as ``logp(x) -> float``, evaluated cheaply."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Point
from samplers.step_base import BlockStep


def scalar_logp_function(density: Any) -> Callable[[NDArray], Any]:
    """The callable that gives the log density: ``density.logp``, the density, or ``logp_dlogp``."""
    method = getattr(density, "logp", None)
    if callable(method):
        return method
    if callable(density):
        return density
    method = getattr(density, "logp_dlogp", None)
    if callable(method):
        return method
    raise TypeError(
        "expected the log density as a callable logp(x) -> float, or an object with a "
        f"logp or logp_dlogp method, got {type(density).__name__}"
    )


class LogpStep(BlockStep):
    """A step that needs only the log density of its own blocks' flat vector.

    The flat vector is int64 when every block is discrete, float64 otherwise. When
    the density does not depend on other blocks (it is not ``Conditional``), the log
    density of the point a step returned is remembered, so the next step does not
    evaluate it again: that halves the cost of a Metropolis step.
    """

    def __init__(
        self,
        logp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
    ):
        super().__init__(logp, initial_point, vars)
        self._logp_function = scalar_logp_function(logp)
        blocks = self.layout.blocks
        self.discrete_mask: NDArray = np.concatenate(
            [np.full(block.size, block.is_discrete) for block in blocks] or [np.zeros(0, bool)]
        )
        self.all_discrete = bool(blocks) and all(block.is_discrete for block in blocks)
        self.any_discrete = any(block.is_discrete for block in blocks)
        self.flat_dtype: type = np.int64 if self.all_discrete else np.float64
        # one block is the common case: skip the general concatenate/split of the layout
        self._only_block = blocks[0] if len(blocks) == 1 else None
        self._depends_on_others = callable(getattr(logp, "condition", None))
        self._remembered_blocks: list[NDArray] | None = None
        self._remembered_logp = 0.0

    @property
    def size(self) -> int:
        return self.layout.size

    def logp(self, x: NDArray) -> float:
        """The log density at the flat vector ``x``; NaN counts as -inf."""
        value = self._logp_function(x)
        if type(value) is tuple:  # a logp_dlogp callable given to a gradient-free step
            value = value[0]
        result = float(value)
        return -math.inf if math.isnan(result) else result

    def begin(self, point: Point) -> tuple[NDArray, float]:
        """Condition the density on ``point``; return the flat vector of own blocks and its logp."""
        self.condition(point)
        only = self._only_block
        if only is not None:
            x: NDArray = np.array(point[only.name], dtype=self.flat_dtype).reshape(only.size)
        else:
            x = self.layout.flatten(point, self.flat_dtype)
        remembered = self._remembered_blocks
        if (
            remembered is not None
            and not self._depends_on_others
            and all(point[name] is block for name, block in zip(self.vars, remembered, strict=True))
        ):
            return x, self._remembered_logp
        return x, self.logp(x)

    def finish(self, point: Point, x: NDArray | None, logp: float) -> Point:
        """The point with own blocks from ``x`` (``None``: unchanged), remembering its logp.

        ``x`` must be a fresh array the step no longer changes: the point may keep it.
        """
        only = self._only_block
        if x is None:
            new_point = point
        elif only is not None and x.dtype == only.dtype:
            new_point = dict(point)
            new_point[only.name] = x.reshape(only.shape)
        else:
            new_point = self.layout.update(point, x)
        self._remembered_blocks = [new_point[name] for name in self.vars]
        self._remembered_logp = logp
        return new_point

    def require_discrete(self, step_name: str) -> None:
        """Raise unless every block of this step is an integer block."""
        continuous = [block.name for block in self.layout.blocks if not block.is_discrete]
        if continuous:
            raise TypeError(
                f"{step_name} samples integer blocks only; blocks {continuous} are float "
                "(give their initial values as integers)"
            )

    def require_continuous(self, step_name: str) -> None:
        """Raise unless every block of this step is a float block."""
        discrete = [block.name for block in self.layout.blocks if block.is_discrete]
        if discrete:
            raise TypeError(
                f"{step_name} samples float blocks only; blocks {discrete} are integer "
                "(use Metropolis or CategoricalGibbsMetropolis for them)"
            )
