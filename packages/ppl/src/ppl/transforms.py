"""Transforms of a free variable to the real line: the value variable lives there.

Each transform maps the constrained value ``x`` to the unconstrained ``y``
(``forward``) and back (``backward``), and gives ``log_jac_det(y)``, the log of the
absolute determinant of the Jacobian of ``backward``, which the model adds to the
log density. Parameters that a transform needs (a Uniform's bounds) come from the
random variable's op inputs: ``forward(x, *rv_inputs)``. ``name`` becomes the suffix
of the value variable: ``sigma_log__``, ``p_interval__``, ``w_simplex__``.

Elementwise transforms give an elementwise log-Jacobian; ``simplex``, ``ordered`` and
``cholesky`` reduce over the last axis (``ndim_reduced``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import tensorops as pt

Bounds = Callable[[Sequence[Any]], tuple[Any, Any]]
"""``bounds(rv_inputs) -> (lower, upper)``; either may be None (unbounded)."""


class Transform(ABC):
    """A bijection from a variable's support to the reals (or a subspace of them)."""

    name: str = ""
    ndim_reduced = 0
    """How many trailing axes ``log_jac_det`` sums over (0: elementwise)."""

    @abstractmethod
    def forward(self, value: Any, *inputs: Any) -> Any: ...

    @abstractmethod
    def backward(self, value: Any, *inputs: Any) -> Any: ...

    @abstractmethod
    def log_jac_det(self, value: Any, *inputs: Any) -> Any: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class LogTransform(Transform):
    """Positive values: ``y = log(x)``."""

    name = "log"

    def forward(self, value: Any, *inputs: Any) -> Any:
        return pt.log(value)

    def backward(self, value: Any, *inputs: Any) -> Any:
        return pt.exp(value)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        return pt.as_tensor(value)


class LogOddsTransform(Transform):
    """Values in (0, 1): ``y = logit(x)``."""

    name = "logodds"

    def forward(self, value: Any, *inputs: Any) -> Any:
        return pt.log(value) - pt.log1p(-value)

    def backward(self, value: Any, *inputs: Any) -> Any:
        return pt.sigmoid(value)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        return -pt.softplus(-value) - pt.softplus(value)


class CircularTransform(Transform):
    """Angles: ``y`` is any real, ``x = atan2(sin y, cos y)`` its angle in [-pi, pi].

    Not a bijection but a covering map: every ``y`` maps to an angle with unit slope,
    so the log-Jacobian is zero (PyMC's ``circular`` for VonMises).
    """

    name = "circular"

    def forward(self, value: Any, *inputs: Any) -> Any:
        return pt.arctan2(pt.sin(value), pt.cos(value))

    def backward(self, value: Any, *inputs: Any) -> Any:
        return pt.arctan2(pt.sin(value), pt.cos(value))

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        return pt.zeros_like(value)


class IntervalTransform(Transform):
    """Values in (lower, upper), either side possibly open to infinity."""

    name = "interval"

    def __init__(self, bounds: Bounds):
        self.bounds = bounds

    def forward(self, value: Any, *inputs: Any) -> Any:
        lower, upper = self.bounds(inputs)
        if lower is not None and upper is not None:
            return pt.log(value - lower) - pt.log(upper - value)
        if lower is not None:
            return pt.log(value - lower)
        if upper is not None:
            return pt.log(upper - value)
        return pt.as_tensor(value)

    def backward(self, value: Any, *inputs: Any) -> Any:
        lower, upper = self.bounds(inputs)
        if lower is not None and upper is not None:
            return lower + (upper - lower) * pt.sigmoid(value)
        if lower is not None:
            return lower + pt.exp(value)
        if upper is not None:
            return upper - pt.exp(value)
        return pt.as_tensor(value)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        lower, upper = self.bounds(inputs)
        if lower is not None and upper is not None:
            return pt.log(upper - lower) - pt.softplus(-value) - pt.softplus(value)
        if lower is not None or upper is not None:
            return pt.as_tensor(value)
        return pt.zeros_like(value)

    def __repr__(self) -> str:
        return "IntervalTransform(bounds)"


class SimplexTransform(Transform):
    """Vectors on the simplex (last axis sums to 1), ``k`` entries to ``k - 1`` reals.

    ``backward`` appends minus the sum of ``y`` and takes the softmax; the log-Jacobian
    of that map is ``sum(log x) + log(k)``.
    """

    name = "simplex"
    ndim_reduced = 1

    def forward(self, value: Any, *inputs: Any) -> Any:
        log_value = pt.log(value)
        centred = log_value - pt.mean(log_value, axis=-1, keepdims=True)
        return centred[..., :-1]

    def _extended(self, value: Any) -> Any:
        y = pt.as_tensor(value)
        return pt.concatenate([y, -pt.sum(y, axis=-1, keepdims=True)], axis=-1)

    def backward(self, value: Any, *inputs: Any) -> Any:
        return pt.softmax(self._extended(value), axis=-1)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        z = self._extended(value)
        k = pt.cast(pt.shape(z)[-1], "float64")
        log_x = pt.log_softmax(z, axis=-1)
        return pt.sum(log_x, axis=-1) + pt.log(k)


class OrderedTransform(Transform):
    """Increasing vectors: ``x_0 = y_0``, ``x_i = x_{i-1} + exp(y_i)``."""

    name = "ordered"
    ndim_reduced = 1

    def forward(self, value: Any, *inputs: Any) -> Any:
        x = pt.as_tensor(value)
        return pt.concatenate([x[..., :1], pt.log(pt.diff(x, axis=-1))], axis=-1)

    def backward(self, value: Any, *inputs: Any) -> Any:
        y = pt.as_tensor(value)
        steps = pt.concatenate([y[..., :1], pt.exp(y[..., 1:])], axis=-1)
        return pt.cumsum(steps, axis=-1)

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        return pt.sum(pt.as_tensor(value)[..., 1:], axis=-1)


def diagonal_positions(n: int) -> np.ndarray:
    """Where a packed lower triangle of ``n`` rows (laid end to end) holds the diagonal."""
    return np.array([i * (i + 3) // 2 for i in range(n)], dtype=np.int64)


def packed_diagonal_mask(packed_length: Any) -> np.ndarray:
    """1.0 where a packed lower triangle (rows laid end to end) holds a diagonal entry."""
    if packed_length is None:
        raise ValueError("a packed Cholesky factor needs a known length")
    n = round((np.sqrt(8 * int(packed_length) + 1) - 1) / 2)
    if n * (n + 1) // 2 != int(packed_length):
        raise ValueError(f"{packed_length} is not the length of a packed lower triangle")
    mask = np.zeros(int(packed_length))
    mask[diagonal_positions(n)] = 1.0
    return mask


class CholeskyCovPackedTransform(Transform):
    """Packed Cholesky factors (positive diagonal) to the reals: log on the diagonal
    entries, the others unchanged; the log-Jacobian is the sum of the diagonal's ``y``.
    The masks keep every branch finite (no ``switch`` over an overflowing ``exp``)."""

    name = "cholesky-cov-packed"
    ndim_reduced = 1

    def _mask(self, value: Any) -> np.ndarray:
        return packed_diagonal_mask(pt.as_tensor(value).type.shape[-1])

    def forward(self, value: Any, *inputs: Any) -> Any:
        mask = self._mask(value)
        return value * (1.0 - mask) + pt.log(value * mask + (1.0 - mask)) * mask

    def backward(self, value: Any, *inputs: Any) -> Any:
        mask = self._mask(value)
        return value * (1.0 - mask) + pt.exp(value * mask) * mask

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        return pt.sum(pt.as_tensor(value) * self._mask(value), axis=-1)


class Chain(Transform):
    """``outer`` after ``inner``: ``forward = outer.forward(inner.forward(x))``."""

    def __init__(self, transforms: Sequence[Transform]):
        self.transforms = tuple(transforms)
        self.name = "_".join(t.name for t in self.transforms)
        self.ndim_reduced = max(t.ndim_reduced for t in self.transforms)

    def forward(self, value: Any, *inputs: Any) -> Any:
        for transform in self.transforms:
            value = transform.forward(value, *inputs)
        return value

    def backward(self, value: Any, *inputs: Any) -> Any:
        for transform in reversed(self.transforms):
            value = transform.backward(value, *inputs)
        return value

    def log_jac_det(self, value: Any, *inputs: Any) -> Any:
        total: Any = 0.0
        for transform in reversed(self.transforms):
            term = transform.log_jac_det(value, *inputs)
            extra = self.ndim_reduced - transform.ndim_reduced
            if extra:  # the axes this transform left unreduced
                term = pt.sum(term, axis=tuple(range(-extra, 0)))
            total = total + term
            value = transform.backward(value, *inputs)
        return total


log = LogTransform()
logodds = LogOddsTransform()
circular = CircularTransform()
simplex = SimplexTransform()
ordered = OrderedTransform()
cholesky_cov_packed = CholeskyCovPackedTransform()


def interval(bounds: Bounds) -> IntervalTransform:
    return IntervalTransform(bounds)


def lower_bound(position: int) -> IntervalTransform:
    """Values above the op input at ``position``."""
    return IntervalTransform(lambda inputs: (inputs[position], None))


def bounded_by_inputs(lower: int, upper: int) -> IntervalTransform:
    """Values between the op inputs at ``lower`` and ``upper`` (a Uniform's bounds)."""
    return IntervalTransform(lambda inputs: (inputs[lower], inputs[upper]))


__all__ = [
    "Chain",
    "CholeskyCovPackedTransform",
    "CircularTransform",
    "IntervalTransform",
    "LogOddsTransform",
    "LogTransform",
    "OrderedTransform",
    "SimplexTransform",
    "Transform",
    "bounded_by_inputs",
    "cholesky_cov_packed",
    "circular",
    "interval",
    "log",
    "logodds",
    "lower_bound",
    "ordered",
    "simplex",
]
