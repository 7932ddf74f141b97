"""Time series: GaussianRandomWalk and AR, along the last axis (their support axis).

Both start from an ``init_dist`` (a ``.dist`` component) and add Normal innovations.
Their log densities read the innovations off the series by differences (vectorized:
no loop over time); their draws accumulate in the NumPy sampler. The number of steps
is part of the op (it fixes the length of the series, ``steps + 1`` or ``steps + p``).
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from ppl.checks import check
from ppl.distributions.base import Distribution, as_float
from ppl.distributions.composite import (
    ComponentsRandomVariable,
    batch_shape,
    component_of,
    component_support_point,
    params_broadcast_to,
    require_univariate,
    static_or_symbolic_shape,
)
from ppl.distributions.continuous import Normal
from ppl.distributions.dist_math import LOG_2PI
from ppl.distributions.params import SIGMA, bind
from randomstreams import RandomVariable, default_rng_variable


def _normal_innovations_logp(innovations: Any, sigma: Any) -> Any:
    """Σ_t log N(innovations_t | 0, sigma) over the last axis."""
    sigma = pt.expand_dims(sigma, -1)
    z = innovations / sigma
    return pt.sum(-0.5 * z * z - pt.log(sigma) - 0.5 * LOG_2PI, axis=-1)


def _steps_and_size(owner: str, steps: Any, shape: Any, size: Any, extra: int) -> tuple[int, Any]:
    """``steps`` (an int) and the batch ``size``: from ``steps``, or from the last entry
    of ``shape`` (which is ``steps + extra``)."""
    if shape is not None and size is not None:
        raise TypeError(f"{owner}: give shape or size, not both")
    if shape is not None:
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not shape:
            raise ValueError(f"{owner}: shape must include the time axis")
        length = shape[-1]
        if steps is None:
            steps = int(length) - extra
        elif int(steps) + extra != int(length):
            raise ValueError(
                f"{owner}: shape {shape} has {length} times, steps={steps} needs "
                f"{int(steps) + extra}"
            )
        size = shape[:-1] or None
    if steps is None:
        raise ValueError(f"{owner}: give steps or a shape that includes the time axis")
    if int(steps) < 1:
        raise ValueError(f"{owner}: steps must be at least 1, got {steps}")
    return int(steps), size


def _default_init(owner: str, shape: Any = ()) -> Any:
    warnings.warn(
        f"{owner}: init_dist not given; it defaults to Normal.dist(0, 100)",
        UserWarning,
        stacklevel=5,
    )
    return Normal.dist(0.0, 100.0, shape=shape or None)


class TimeSeriesRandomVariable(ComponentsRandomVariable):
    """A series of ``length`` values along the last axis, from an ``init_dist`` component."""

    length = 0

    def _support_shape(self, param_shapes: list[tuple[Any, ...]]) -> tuple[Any, ...]:
        return (self.length,)


class RandomWalkRandomVariable(TimeSeriesRandomVariable):
    """Inputs ``(rng, size, mu, sigma, *init_dist parameters)``."""

    __props__: ClassVar[tuple[str, ...]] = (*ComponentsRandomVariable.__props__, "steps")  # type: ignore[assignment]
    own_params = 2

    def __init__(self, init: RandomVariable, steps: int, inplace: bool = False):
        self.steps = int(steps)
        self.length = self.steps + 1
        count = len(init.parsed.inputs)
        signature = ",".join(["()", "()", *["()"] * count]) + "->(t)"
        super().__init__(
            "gaussian_random_walk", signature, "floatX", (init,), ("mu", "sigma"), inplace
        )

    def sample(self, rng: np.random.Generator, mu: Any, sigma: Any, *init: Any, size: Any) -> Any:
        batch = batch_shape(size, (mu, 0), (sigma, 0), *((p, 0) for p in init))
        start = self.draw_component(0, rng, init, batch)[..., None]
        mu, sigma = np.asarray(mu)[..., None], np.asarray(sigma)[..., None]
        innovations = rng.normal(mu, sigma, size=(*batch, self.steps))
        return np.concatenate([start, start + np.cumsum(innovations, axis=-1)], axis=-1)


class GaussianRandomWalk(Distribution):
    """GaussianRandomWalk(mu=0, sigma=1, init_dist=None, steps=None): ``x_0 ~ init_dist``,
    ``x_t = x_{t-1} + Normal(mu, sigma)``; ``steps`` or ``shape[-1] - 1`` steps."""

    rv_op = RandomWalkRandomVariable(Normal.rv_op, 1)
    params = "mu=0.0 sigma=1.0 init_dist=None steps=None"
    aliases = SIGMA

    @classmethod
    def dist(
        cls, *args: Any, shape: Any = None, size: Any = None, rng: Any = None, **kwargs: Any
    ) -> Any:
        bound = bind(cls.__name__, cls._params, cls.aliases, args, kwargs)
        steps, size = _steps_and_size(cls.__name__, bound["steps"], shape, size, 1)
        init_dist = bound["init_dist"]
        if init_dist is None:
            init_dist = _default_init(cls.__name__)
        init_op, init = component_of(cls.__name__, "init_dist", init_dist)
        require_univariate(cls.__name__, "init_dist", init_op)
        init_params = params_broadcast_to(init, static_or_symbolic_shape(init))
        op = RandomWalkRandomVariable(init_op, steps)
        generator = rng if rng is not None else default_rng_variable()
        return op(generator, size, as_float(bound["mu"]), as_float(bound["sigma"]), *init_params)

    @staticmethod
    def logp(op: RandomWalkRandomVariable, value: Any, mu: Any, sigma: Any, *init: Any) -> Any:
        """log init(x_0) + Σ_t log N(x_t - x_{t-1} | mu, sigma)."""
        start = op.component_logp(0, value[..., 0], init)
        steps = value[..., 1:] - value[..., :-1] - pt.expand_dims(mu, -1)
        logp = start + _normal_innovations_logp(steps, sigma)
        return check(logp, pt.gt(sigma, 0), message="GaussianRandomWalk: sigma > 0")

    @classmethod
    def support_point(cls, rv: Any, mu: Any, sigma: Any, *init: Any) -> Any:
        """The init point plus mu per step."""
        op = rv.owner.op
        start = component_support_point(op.components[0], init, pt.shape(rv[..., 0]))
        times = pt.arange(op.length, dtype="float64")
        return pt.expand_dims(start, -1) + pt.expand_dims(mu, -1) * times


class AutoregressiveRandomVariable(TimeSeriesRandomVariable):
    """Inputs ``(rng, size, rho, sigma, *init_dist parameters)``; ``rho`` holds the
    constant first when ``constant``, then the ``order`` lag coefficients."""

    __props__: ClassVar[tuple[str, ...]] = (  # type: ignore[assignment]
        *ComponentsRandomVariable.__props__,
        "steps",
        "order",
        "constant",
    )
    own_params = 2

    def __init__(
        self, init: RandomVariable, steps: int, order: int, constant: bool, inplace: bool = False
    ):
        self.steps, self.order, self.constant = int(steps), int(order), bool(constant)
        self.length = self.steps + self.order
        count = len(init.parsed.inputs)
        signature = ",".join(["(o)", "()", *["(p)"] * count]) + "->(t)"
        super().__init__("ar", signature, "floatX", (init,), ("rho", "sigma"), inplace)

    def split_rho(self, rho: Any) -> tuple[Any, Any]:
        """``(constant, lag coefficients)``; the constant is 0 without ``constant``."""
        if self.constant:
            return rho[..., 0], rho[..., 1:]
        return 0.0 * rho[..., 0], rho

    def sample(self, rng: np.random.Generator, rho: Any, sigma: Any, *init: Any, size: Any) -> Any:
        batch = batch_shape(size, (rho, 1), (sigma, 0), *((p, 1) for p in init))
        p = self.order
        series = np.empty((*batch, self.length))
        series[..., :p] = self.draw_component(0, rng, init, (*batch, p))
        rho = np.broadcast_to(np.asarray(rho, dtype=np.float64), (*batch, np.shape(rho)[-1]))
        constant, lags = self.split_rho(rho)
        noise = rng.normal(size=(*batch, self.steps)) * np.asarray(sigma)[..., None]
        for t in range(p, self.length):
            recent = series[..., t - p : t][..., ::-1]  # x_{t-1}, ..., x_{t-p}
            series[..., t] = constant + np.sum(lags * recent, axis=-1) + noise[..., t - p]
        return series


class AR(Distribution):
    """AR(rho, sigma=1, constant=False, init_dist=None, ar_order=None, steps=None):
    ``x_t = c + Σ_k rho_k x_{t-k} + Normal(0, sigma)``, the first ``p`` values from
    ``init_dist``; with ``constant`` the first entry of ``rho`` is ``c``."""

    rv_op = AutoregressiveRandomVariable(Normal.rv_op, 1, 1, False)
    params = "rho sigma=1.0 constant=None init_dist=None ar_order=None steps=None"
    aliases = SIGMA

    @classmethod
    def dist(
        cls, *args: Any, shape: Any = None, size: Any = None, rng: Any = None, **kwargs: Any
    ) -> Any:
        bound = bind(cls.__name__, cls._params, cls.aliases, args, kwargs)
        constant = bool(bound["constant"])
        rho = as_float(bound["rho"])
        order = bound["ar_order"]
        if order is None:
            if rho.ndim == 0 or rho.type.shape[-1] is None:
                raise ValueError(f"{cls.__name__}: give ar_order when rho's length is unknown")
            order = rho.type.shape[-1] - int(constant)
        order = int(order)
        if order < 1:
            raise ValueError(f"{cls.__name__}: the order must be at least 1, got {order}")
        if rho.ndim == 0:
            rho = pt.expand_dims(rho, -1)
        steps, size = _steps_and_size(cls.__name__, bound["steps"], shape, size, order)
        init_dist = bound["init_dist"]
        if init_dist is None:
            init_dist = _default_init(cls.__name__, (order,))
        init_op, init = component_of(cls.__name__, "init_dist", init_dist)
        require_univariate(cls.__name__, "init_dist", init_op)
        init_shape = static_or_symbolic_shape(init) if init.ndim else (order,)
        init_params = params_broadcast_to(init, init_shape)
        op = AutoregressiveRandomVariable(init_op, steps, order, constant)
        generator = rng if rng is not None else default_rng_variable()
        return op(generator, size, rho, as_float(bound["sigma"]), *init_params)

    @staticmethod
    def logp(op: AutoregressiveRandomVariable, value: Any, rho: Any, sigma: Any, *init: Any) -> Any:
        """log init(x_{:p}) + Σ_t log N(x_t - c - Σ_k rho_k x_{t-k} | 0, sigma)."""
        p, length = op.order, op.length
        start = pt.sum(op.component_logp(0, value[..., :p], init), axis=-1)
        constant, lags = op.split_rho(rho)
        predicted = pt.expand_dims(constant, -1)
        for k in range(1, p + 1):
            predicted = predicted + lags[..., k - 1 : k] * value[..., p - k : length - k]
        logp = start + _normal_innovations_logp(value[..., p:] - predicted, sigma)
        return check(logp, pt.gt(sigma, 0), message="AR: sigma > 0")

    @classmethod
    def support_point(cls, rv: Any, rho: Any, sigma: Any, *init: Any) -> Any:
        """The init point for the first ``p`` values, zeros after."""
        op = rv.owner.op
        start = component_support_point(op.components[0], init, pt.shape(rv[..., : op.order]))
        zeros = pt.zeros_like(rv, dtype="float64")
        return pt.set_subtensor(zeros[..., : op.order], start + zeros[..., : op.order])
