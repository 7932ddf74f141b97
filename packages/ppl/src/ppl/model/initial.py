"""``model.initial_point()``: where samplers start.

Each free variable starts at its ``initval`` when one was given, else at its
distribution's support point (a central value: the mean, median or mode), computed
with its parents at their own starting values, then mapped to the value variable's
space by its transform. One compiled evaluation gives every variable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import tensorops as pt
from graphcore import Variable, function
from ppl.distributions.base import distribution_of
from ppl.rebuild import substitute


def support_point(rv: Any) -> Any:
    """The distribution's central value, shaped like ``rv``."""
    node = rv.owner
    cls = distribution_of(node.op) if node is not None else None
    if cls is None:
        raise TypeError(f"{rv} is not a random variable of a ppl distribution")
    point = pt.as_tensor(cls.support_point(rv, *node.inputs[2:]))
    point = pt.broadcast_to(point, pt.shape(rv))
    return pt.cast(point, rv.dtype) if str(point.dtype) != str(rv.dtype) else point


def initial_point(
    model: Any, initvals: Mapping[Variable, Any] | None = None
) -> dict[str, np.ndarray]:
    """The start of every free variable's value variable; ``initvals`` (random variable ->
    constrained value) overrides the model's ``initval``s."""
    overrides = initvals or {}
    givens: dict[Variable, Variable] = {}
    outputs = []
    rv: Any
    for rv in [*model.free_RVs, *model.observed_RVs]:
        inputs = substitute(rv.owner.inputs[2:], givens)
        if rv in model.observed_RVs:
            givens[rv] = model.rvs_to_values[rv]
            continue
        given = overrides.get(rv, model.rvs_to_initial_values.get(rv))
        start: Any = pt.as_tensor(given) if given is not None else support_point(rv)
        if str(start.dtype) != str(rv.dtype):
            start = pt.cast(start, rv.dtype)
        start = pt.broadcast_to(start, pt.shape(rv)) if start.ndim < rv.ndim else start
        start = substitute([start], givens)[0]
        givens[rv] = start
        transform = model.rvs_to_transforms.get(rv)
        outputs.append(transform.forward(start, *inputs) if transform is not None else start)
    if not outputs:
        return {}
    values = function([], outputs, mode="FAST_COMPILE")()
    return {
        str(model.rvs_to_values[rv].name): np.asarray(value)
        for rv, value in zip(model.free_RVs, values, strict=True)
    }
