"""Compiled functions of a point: ``{"mu": 0, "sigma_log__": -10, "x": 0}``.

``PointFunction`` compiles ``outputs`` once, with the value variables they depend on
as inputs, and is called with a point dict (extra entries are ignored, a missing one
is named). ``compile_logp``/``compile_dlogp``/``compile_d2logp`` are such functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import tensorops as pt
from graphcore import Variable, function, graph_inputs
from ppl.model.density import model_logp_terms, replace_rvs_by_values
from tensorops.opsupport import tensor_type


class PointFunction:
    """``f(point)`` computing ``outputs`` from the point's value variables."""

    def __init__(
        self,
        model: Any,
        outputs: Any,
        inputs: Sequence[Variable] | None = None,
        mode: Any = None,
        replace_rvs: bool = True,
        **function_kwargs: Any,
    ):
        single = not isinstance(outputs, (list, tuple))
        targets = [outputs] if single else list(outputs)
        targets = [pt.as_tensor(t) for t in targets]
        if replace_rvs:
            targets = replace_rvs_by_values(model, targets)
        if inputs is None:
            used = set(graph_inputs(targets))
            inputs = [v for v in model.value_vars if v in used]
        self.inputs = list(inputs)
        self.single = single
        self.function = function(
            self.inputs,
            targets[0] if single else targets,
            mode=mode,
            on_unused_input="ignore",
            **function_kwargs,
        )

    @property
    def input_names(self) -> list[str]:
        return [str(v.name) for v in self.inputs]

    def __call__(self, point: Mapping[str, Any] | None = None, **values: Any) -> Any:
        given = {**(point or {}), **values}
        args = []
        for var in self.inputs:
            if var.name not in given:
                raise KeyError(
                    f"the point has no value for {var.name!r}; this function reads "
                    f"{self.input_names}"
                )
            args.append(np.asarray(given[var.name], dtype=tensor_type(var).dtype))
        return self.function(*args)


def point_logps(model: Any, point: Mapping[str, Any] | None, round_vals: int) -> dict[str, float]:
    """Each variable's (and potential's) summed log density at ``point``."""
    terms = model_logp_terms(model, None, jacobian=True)
    names = [v.name for v in [*model.basic_RVs, *model.potentials]]
    sums = [pt.sum(t) for t in terms]
    values = PointFunction(model, sums, mode="FAST_COMPILE")(point or model.initial_point())
    return {name: round(float(v), round_vals) for name, v in zip(names, values, strict=True)}


def debug_text(model: Any, point: Mapping[str, Any] | None) -> str:
    """Which variables have a log density that is not finite at ``point``."""
    logps = point_logps(model, point, 6)
    bad = {name: value for name, value in logps.items() if not np.isfinite(value)}
    if not bad:
        return "every variable has a finite log density at the point"
    return "\n".join(f"{name}: log density {value}" for name, value in bad.items())
