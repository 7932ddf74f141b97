"""Random variables built from other distributions: mixtures, random walks, LKJ covariances.

Such a variable draws from *components* (``pm.Normal.dist(...)`` given as ``comp_dists``,
``init_dist`` or ``sd_dist``). Its op keeps the components' ops as data (they are part
of ``__props__``: two mixtures of the same kinds of components are equal ops) and takes
the components' parameters as its own inputs, after its own. So the graph stays plain
data: ``pm.draw`` batches it like any random variable, the model replaces its parents by
their values, and its log density (``rule(op, value, *inputs)``, bound by
``density_rule``) applies the components' own log density rules.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from ppl.distributions.base import distribution_of
from ppl.distributions.rules import density_rule, logp_rules
from randomstreams import RandomVariable
from tensorops.variable import TensorVariable


class ComponentsRandomVariable(RandomVariable):
    """A random variable whose inputs are its own parameters, then each component's."""

    __props__: ClassVar[tuple[str, ...]] = (*RandomVariable.__props__, "components")  # type: ignore[assignment]
    rule_reads_op = True
    own_params: ClassVar[int] = 0
    """How many of the inputs (after rng and size) are the variable's own parameters."""

    def __init__(
        self,
        name: str,
        signature: str,
        dtype: str,
        components: Sequence[RandomVariable],
        param_names: Sequence[str] = (),
        inplace: bool = False,
    ):
        self.components = tuple(components)
        super().__init__(name, signature, dtype, self.sample, param_names, inplace)

    sample: Callable[..., Any]
    """``sample(rng, *params, size=...)``: the NumPy draws (each subclass defines it)."""

    def with_inplace(self, inplace: bool = True) -> RandomVariable:
        clone = copy.copy(self)
        clone.inplace = inplace
        clone.destroy_map = {0: [0]} if inplace else {}
        clone.sampler = clone.sample
        return clone

    def split(self, params: Sequence[Any]) -> tuple[list[Any], list[list[Any]]]:
        """``(own parameters, [parameters of each component])``."""
        own, rest = list(params[: self.own_params]), list(params[self.own_params :])
        parts = []
        for component in self.components:
            count = len(component.parsed.inputs)
            parts.append(rest[:count])
            rest = rest[count:]
        return own, parts

    def component_logp(
        self, position: int, value: Any, params: Sequence[Any], rules: Any = logp_rules
    ) -> Any:
        """Component ``position``'s elementwise log density (or log CDF, with ``rules``)."""
        rule = density_rule(rules, self.components[position])
        if rule is None:
            raise LookupError(
                f"{self.name}: no {rules.name} is declared for the component "
                f"{self.components[position].name}"
            )
        return rule(value, *params)

    def draw_component(
        self, position: int, rng: np.random.Generator, params: Sequence[Any], size: Any
    ) -> np.ndarray:
        """NumPy draws of component ``position`` of shape ``size``."""
        return np.asarray(self.components[position].sampler(rng, *params, size=tuple(size)))


def component_of(owner: str, role: str, dist: Any) -> tuple[RandomVariable, TensorVariable]:
    """``(op, draw)`` of a ``.dist`` variable given as a component; refuses anything else."""
    node = getattr(dist, "owner", None)
    if node is None or not isinstance(node.op, RandomVariable):
        raise TypeError(
            f"{owner}: {role} must be a distribution made with .dist(...) (such as "
            f"pm.Normal.dist(0, 1)), got {dist!r}"
        )
    if getattr(dist, "name", None):
        raise TypeError(
            f"{owner}: {role} must be unregistered (made with .dist), but {dist.name!r} "
            "belongs to a model"
        )
    return node.op, dist


def static_or_symbolic_shape(var: TensorVariable) -> Any:
    """``var``'s shape as ints when the type knows it, else symbolically."""
    static = var.type.shape
    if all(s is not None for s in static):
        return tuple(int(s) for s in static if s is not None)
    return pt.shape(var)


def params_broadcast_to(dist: TensorVariable, shape: Any) -> list[TensorVariable]:
    """The parameters of ``dist``, each broadcast to ``shape`` (a univariate component's
    draw shape), so that the component's own ``size`` is kept."""
    node = dist.owner
    assert node is not None, "a component is the draw of a random variable"
    return [pt.broadcast_to(pt.as_tensor(p), shape) for p in node.inputs[2:]]


def require_univariate(owner: str, role: str, op: RandomVariable) -> None:
    if op.ndim_supp != 0 or any(len(core) for core in op.parsed.inputs):
        raise TypeError(
            f"{owner}: {role} must be univariate with scalar parameters; {op.name} is not"
        )


def component_support_point(op: RandomVariable, params: Sequence[Any], shape: Any) -> Any:
    """The support point of a component with ``params``, broadcast to ``shape``."""
    cls = distribution_of(op)
    stand_in = pt.zeros(shape, dtype=op.output_dtype())
    point = stand_in if cls is None else cls.support_point(stand_in, *params)
    return pt.as_tensor(point) + pt.zeros(shape)


def categorical_draws(rng: np.random.Generator, weights: np.ndarray, batch: Any) -> np.ndarray:
    """Indices drawn with probabilities ``weights[..., k]``, of shape ``batch``."""
    cumulative = np.cumsum(np.asarray(weights, dtype=np.float64), axis=-1)
    cumulative = np.broadcast_to(cumulative, (*batch, cumulative.shape[-1]))
    uniform = rng.uniform(size=tuple(batch))[..., None] * cumulative[..., -1:]
    return np.minimum((uniform >= cumulative).sum(axis=-1), cumulative.shape[-1] - 1)


def batch_shape(size: Any, *shaped: tuple[Any, int]) -> tuple[int, ...]:
    """``size`` when given, else the broadcast of the batch shapes of ``(array, core_ndim)``."""
    if size is not None:
        return tuple(size)
    shapes = [np.shape(a)[: np.ndim(a) - core] for a, core in shaped]
    return tuple(np.broadcast_shapes(*shapes)) if shapes else ()
