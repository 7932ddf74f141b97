"""Mixtures: Mixture(w, comp_dists), NormalMixture(w, mu, sigma), ZeroInflatedPoisson.

A mixture draws a component index with probabilities ``w`` (last axis) and a value of
that component; its density is ``logsumexp(log w + component log densities)``. The
components are either a list of ``.dist`` variables (one per weight) or one ``.dist``
variable whose last axis runs over the components (``pm.Normal.dist(mu=[0, 5])``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from ppl.checks import check
from ppl.distributions.base import (
    Discrete,
    Distribution,
    as_float,
    logcdf_rules,
    logp_rules,
)
from ppl.distributions.composite import (
    ComponentsRandomVariable,
    batch_shape,
    categorical_draws,
    component_of,
    component_support_point,
    params_broadcast_to,
    require_univariate,
    static_or_symbolic_shape,
)
from ppl.distributions.continuous import Normal
from ppl.distributions.dist_math import bound
from ppl.distributions.params import SIGMA, bind
from ppl.math import logaddexp
from randomstreams import RandomVariable, default_rng_variable

WEIGHTS_CHECK = "Mixture: 0 <= w <= 1 and sum(w) = 1"


class MixtureRandomVariable(ComponentsRandomVariable):
    """Inputs ``(rng, size, w, *component parameters)``; ``stacked``: one component op
    whose parameters' last axis runs over the components, else one op per weight."""

    __props__: ClassVar[tuple[str, ...]] = (*ComponentsRandomVariable.__props__, "stacked")
    own_params = 1

    def __init__(self, components: Sequence[RandomVariable], stacked: bool, inplace: bool = False):
        self.stacked = bool(stacked)
        count = sum(len(c.parsed.inputs) for c in components)
        core = "(k)" if stacked else "()"
        signature = ",".join(["(k)", *[core] * count]) + "->()"
        discrete = bool(components) and all(c.output_dtype().startswith("int") for c in components)
        dtype = "int64" if discrete else "floatX"
        super().__init__("mixture", signature, dtype, components, ("w",), inplace)

    def sample(self, rng: np.random.Generator, w: Any, *params: Any, size: Any) -> Any:
        _, parts = self.split([w, *params])
        core = 1 if self.stacked else 0
        batch = batch_shape(size, (w, 1), *((p, core) for p in params))
        index = categorical_draws(rng, w, batch)
        if self.stacked:
            values = self.draw_component(0, rng, parts[0], (*batch, np.shape(w)[-1]))
        else:
            draws = [self.draw_component(j, rng, parts[j], batch) for j in range(len(parts))]
            values = np.stack(draws, axis=-1)
        return np.take_along_axis(values, index[..., None], axis=-1)[..., 0]

    def component_densities(self, value: Any, params: Sequence[Any], rules: Any) -> Any:
        """Each component's log density at ``value``, along a new last axis."""
        _, parts = self.split([None, *params])
        if self.stacked:
            return self.component_logp(0, pt.expand_dims(value, -1), parts[0], rules)
        zeros = pt.zeros_like(value, dtype="float64")
        terms = [self.component_logp(j, value, part, rules) + zeros for j, part in enumerate(parts)]
        return pt.stack(terms, axis=-1)


def _weights_ok(w: Any) -> list[Any]:
    return [pt.ge(w, 0), pt.le(w, 1), pt.lt(pt.abs(pt.sum(w, axis=-1) - 1.0), 1e-6)]


class Mixture(Distribution):
    """Mixture(w, comp_dists): ``comp_dists`` a list of ``.dist`` variables (one per
    weight) or one ``.dist`` variable with the components along its last axis."""

    rv_op = MixtureRandomVariable((), stacked=False)
    params = "w comp_dists"

    @classmethod
    def mixture_parts(cls, **bound: Any) -> tuple[Any, Any]:
        """``(w, comp_dists)`` from the bound parameters."""
        return bound["w"], bound["comp_dists"]

    @classmethod
    def dist(
        cls, *args: Any, shape: Any = None, size: Any = None, rng: Any = None, **kwargs: Any
    ) -> Any:
        bound_params = bind(cls.__name__, cls._params, cls.aliases, args, kwargs)
        w, comp_dists = cls.mixture_parts(**bound_params)
        w = as_float(w)
        listed = isinstance(comp_dists, (list, tuple))
        dists = list(comp_dists) if listed else [comp_dists]
        ops, params = [], []
        for position, dist in enumerate(dists):
            op, draw = component_of(cls.__name__, f"comp_dists[{position}]", dist)
            require_univariate(cls.__name__, "each component", op)
            if not listed and draw.ndim == 0:
                raise ValueError(
                    f"{cls.__name__}: a single comp_dists needs the components along its "
                    "last axis (give it a shape or vector parameters)"
                )
            ops.append(op)
            params.extend(params_broadcast_to(draw, static_or_symbolic_shape(draw)))
        k = w.type.shape[-1] if w.ndim else None
        if listed and k is not None and k != len(dists):
            raise ValueError(f"{cls.__name__}: {k} weights but {len(dists)} components")
        size = cls._size(shape, size)
        op = MixtureRandomVariable(ops, stacked=not listed)
        generator = rng if rng is not None else default_rng_variable()
        return op(generator, size, w, *params)

    @staticmethod
    def logp(op: MixtureRandomVariable, value: Any, w: Any, *params: Any) -> Any:
        densities = op.component_densities(value, params, logp_rules)
        logp = pt.logsumexp(pt.log(w) + densities, axis=-1)
        return check(logp, *_weights_ok(w), message=WEIGHTS_CHECK)

    @staticmethod
    def logcdf(op: MixtureRandomVariable, value: Any, w: Any, *params: Any) -> Any:
        densities = op.component_densities(value, params, logcdf_rules)
        logcdf = pt.logsumexp(pt.log(w) + densities, axis=-1)
        return check(logcdf, *_weights_ok(w), message=WEIGHTS_CHECK)

    @classmethod
    def support_point(cls, rv: Any, w: Any, *params: Any) -> Any:
        """The weighted mean of the components' support points (rounded if discrete)."""
        op = rv.owner.op
        _, parts = op.split([w, *params])
        if op.stacked:
            shape = pt.shape(parts[0][0]) if parts[0] else pt.shape(w)
            points = component_support_point(op.components[0], parts[0], shape)
        else:
            points = pt.stack(
                [
                    component_support_point(c, part, pt.shape(rv))
                    for c, part in zip(op.components, parts, strict=True)
                ],
                axis=-1,
            )
        mean = pt.sum(w * points, axis=-1)
        return pt.round(mean) if str(rv.dtype).startswith("int") else mean


class NormalMixture(Mixture):
    """NormalMixture(w, mu, sigma): a Mixture of Normals along the last axis of ``mu``,
    ``sigma`` (``sd=``, ``tau=`` accepted)."""

    params = "w mu sigma"
    aliases = SIGMA

    @classmethod
    def mixture_parts(cls, **bound: Any) -> tuple[Any, Any]:
        return bound["w"], Normal.dist(mu=bound["mu"], sigma=bound["sigma"])


def _zero_inflated_poisson(rng: np.random.Generator, psi: Any, mu: Any, size: Any) -> Any:
    """A Poisson(mu) draw with probability psi, else zero."""
    shape = batch_shape(size, (psi, 0), (mu, 0))
    counts = rng.poisson(np.broadcast_to(mu, shape))
    return np.where(rng.uniform(size=shape) < psi, counts, 0)


def _zero_inflated_checks(term: Any, psi: Any, mu: Any) -> Any:
    return check(
        term,
        pt.ge(psi, 0),
        pt.le(psi, 1),
        pt.ge(mu, 0),
        message="ZeroInflatedPoisson: 0 <= psi <= 1, mu >= 0",
    )


class ZeroInflatedPoisson(Discrete):
    """ZeroInflatedPoisson(psi, mu): Poisson(mu) with probability ``psi``, else 0 (PyMC's
    convention: ``psi`` is the probability of the Poisson component)."""

    rv_op = RandomVariable(
        "zero_inflated_poisson", "(),()->()", "int64", _zero_inflated_poisson, ("psi", "mu")
    )
    params = "psi mu"

    @classmethod
    def rv_inputs(cls, psi: Any, mu: Any) -> list[Any]:
        return [as_float(psi), as_float(mu)]

    @staticmethod
    def logp(value: Any, psi: Any, mu: Any) -> Any:
        poisson = pt.xlogy0(value, mu) - mu - pt.gammaln(value + 1.0)
        at_zero = logaddexp(pt.log1p(-psi), pt.log(psi) - mu)
        logp = pt.switch(pt.eq(value, 0), at_zero, pt.log(psi) + poisson)
        logp = bound(logp, pt.ge(value, 0), pt.eq(value, pt.floor(value)))
        return _zero_inflated_checks(logp, psi, mu)

    @staticmethod
    def logcdf(value: Any, psi: Any, mu: Any) -> Any:
        # P(X <= k) = 1 - psi + psi * Q(k + 1, mu), Q the upper regularized incomplete gamma
        poisson_cdf = pt.gammaincc(pt.floor(value) + 1.0, mu)
        logcdf = bound(pt.log1p(-psi + psi * poisson_cdf), pt.ge(value, 0))
        return _zero_inflated_checks(logcdf, psi, mu)

    @classmethod
    def support_point(cls, rv: Any, psi: Any, mu: Any) -> Any:
        return pt.floor(psi * mu)


__all__ = ["Mixture", "NormalMixture", "ZeroInflatedPoisson"]
