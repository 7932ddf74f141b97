"""The trace a user reads: the samplers' trace over value variables, turned into one
over the model's variables.

Free variables come back on their constrained space under their own names
(``sigma``, not ``sigma_log__``) and deterministics are computed from the draws:
one compiled function of the value variables, vectorized over a leading axis of all
draws of all chains (autodiff's ``vectorize_graph``), evaluated once. The trace also
carries the model's coordinates and dims and its observed data, for
``to_inference_data``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import tensorops as pt
from autodiff.vectorize import vectorize_graph
from graphcore import Variable, function
from ppl.model.density import replace_rvs_by_values
from samplers import Trace


class PosteriorValues:
    """Compiled once per model: value-variable draws -> free variables and deterministics."""

    def __init__(self, model: Any):
        self.model = model
        free = list(model.free_RVs)
        self.copied = {  # free variables whose value variable is the value itself
            str(rv.name): str(model.rvs_to_values[rv].name)
            for rv in free
            if model.rvs_to_transforms.get(rv) is None
        }
        self.order = [str(v.name) for v in [*free, *model.deterministics]]
        computed = [rv for rv in free if str(rv.name) not in self.copied]
        targets = [*computed, *model.deterministics]
        self.computed_names = [str(v.name) for v in targets]
        self.inputs: list[Variable] = []
        self.function = None
        if not targets:
            return
        expressions = replace_rvs_by_values(model, targets)
        batched: dict[Variable, Any] = {}
        for value in model.value_vars:
            static = tuple(value.type.shape)
            batched[value] = pt.tensor(
                dtype=value.type.dtype, shape=(None, *static), name=f"{value.name}_draws"
            )
        outputs = vectorize_graph(expressions, batched)
        self.inputs = list(model.value_vars)
        self.function = function(
            [batched[v] for v in self.inputs],
            outputs,
            mode="FAST_COMPILE",
            on_unused_input="ignore",
        )

    def values(self, draws: dict[str, np.ndarray], chains: int, n: int) -> dict[str, np.ndarray]:
        """Every free variable and deterministic, (chains, n, *shape), from the value
        variables' draws (chains, n, *shape)."""
        result = {name: draws[value_name] for name, value_name in self.copied.items()}
        if self.function is None:
            return result
        if chains * n == 0:
            # nothing drawn: empty arrays of the right trailing shapes need one evaluation
            result.update(self._empty(draws, chains, n))
            return {name: result[name] for name in self.order}
        stacked = [
            np.ascontiguousarray(
                draws[str(v.name)].reshape(chains * n, *draws[str(v.name)].shape[2:])
            )
            for v in self.inputs
        ]
        outputs = self.function(*stacked)
        for name, output in zip(self.computed_names, outputs, strict=True):
            array = np.asarray(output)
            result[name] = array.reshape(chains, n, *array.shape[1:])
        return {name: result[name] for name in self.order}

    def _empty(self, draws: dict[str, np.ndarray], chains: int, n: int) -> dict[str, np.ndarray]:
        one = {
            name: np.zeros((1, 1, *array.shape[2:]), array.dtype) for name, array in draws.items()
        }
        sample = self.values(one, 1, 1)
        return {
            name: np.empty((chains, n, *array.shape[2:]), array.dtype)
            for name, array in sample.items()
            if name in self.computed_names
        }


def _dims_and_coords(model: Any, names: list[str]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    dims: dict[str, list[str]] = {}
    used: set[str] = set()
    for name in names:
        declared = model.named_vars_to_dims.get(name)
        if declared is None:
            continue
        dims[name] = [d if d is not None else f"{name}_dim_{i}" for i, d in enumerate(declared)]
        used.update(d for d in declared if d is not None)
    coords: dict[str, Any] = {}
    for dim in used:
        values = model.coords.get(dim)
        if values is None:
            length = model.dim_length(dim)
            if length is None:
                continue
            values = tuple(range(length))
        coords[dim] = list(values)
    return dims, coords


def observed_data(model: Any) -> dict[str, np.ndarray]:
    """The observed variables' data, by name (their current values for ``pm.Data``)."""
    observed = list(model.observed_RVs)
    if not observed:
        return {}
    values = function([], [model.rvs_to_values[rv] for rv in observed], mode="FAST_COMPILE")()
    return {str(rv.name): np.asarray(v) for rv, v in zip(observed, values, strict=True)}


def model_trace(model: Any, raw: Trace, posterior: PosteriorValues | None = None) -> Trace:
    """``raw`` (blocks named by value variables) as the trace of the model's variables."""
    posterior = posterior or PosteriorValues(model)

    def convert(source: Trace) -> dict[str, np.ndarray]:
        draws = {name: source.posterior[name] for name in source.varnames}
        return posterior.values(draws, source.nchains, len(source))

    values = convert(raw)
    data = observed_data(model)
    dims, coords = _dims_and_coords(model, [*values, *data])
    warmup = None
    if raw.warmup is not None:
        warmup = Trace(convert(raw.warmup), dict(raw.warmup.stats))
    return Trace(
        values,
        dict(raw.stats),
        warmup=warmup,
        attrs=raw.attrs,
        coords=coords,
        dims=dims,
        data_groups={"observed_data": data} if data else None,
    )
