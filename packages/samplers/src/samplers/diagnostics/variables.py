"""Reading named variables out of a trace, an InferenceData-like object or a plain mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard, runtime_checkable

import numpy as np

from samplers.diagnostics.draws import (
    MIN_DRAWS,
    Estimate,
    FloatArray,
    as_float_array,
    per_variable,
)


@runtime_checkable
class HasPosterior(Protocol):
    """A trace or InferenceData: ``.posterior`` maps names to (chains, draws, *shape) arrays."""

    @property
    def posterior(self) -> Any: ...


PosteriorLike = HasPosterior | Mapping[str, Any]
VarNames = str | Iterable[str] | None


@dataclass(frozen=True)
class PosteriorVariable:
    """One variable's draws, (chains, draws, *shape), and a row label per component."""

    name: str
    draws: FloatArray
    labels: tuple[str, ...]


def is_posterior(data: object) -> TypeGuard[PosteriorLike]:
    """Whether ``data`` is a collection of named variables rather than one array."""
    return isinstance(data, HasPosterior | Mapping)


def _mapping_of(data: PosteriorLike) -> Mapping[str, Any]:
    return data.posterior if isinstance(data, HasPosterior) else data


def select_names(available: list[str], var_names: VarNames) -> list[str]:
    """The variables to report: all, the given ones, or all but those written ``~name``."""
    if var_names is None:
        return available
    wanted = [var_names] if isinstance(var_names, str) else list(var_names)
    if wanted and all(name.startswith("~") for name in wanted):
        excluded = {name[1:] for name in wanted}
        unknown = sorted(excluded - set(available))
        chosen = [name for name in available if name not in excluded]
    else:
        unknown = [name for name in wanted if name not in available]
        chosen = wanted
    if unknown:
        raise KeyError(f"var_names {unknown} are not in the posterior; it has {available}")
    return chosen


def component_labels(name: str, values: Any, shape: tuple[int, ...]) -> tuple[str, ...]:
    """ArviZ's row labels: ``mu``, ``theta[0]``, ``L[0, 1]``; xarray coordinates when present."""
    if not shape:
        return (name,)
    coordinates = _coordinate_values(values, len(shape))
    axes = coordinates or [list(range(size)) for size in shape]
    labels = []
    for index in np.ndindex(*shape):
        parts = ", ".join(str(axis[i]) for axis, i in zip(axes, index, strict=True))
        labels.append(f"{name}[{parts}]")
    return tuple(labels)


def _coordinate_values(values: Any, n_axes: int) -> list[list[Any]] | None:
    """The coordinate values of an xarray DataArray's non-(chain, draw) dimensions, if any."""
    dims = getattr(values, "dims", None)
    coords = getattr(values, "coords", None)
    if dims is None or coords is None or len(dims) != n_axes + 2:
        return None
    axes = []
    for dim in dims[2:]:
        if dim not in coords:
            return None
        axes.append(list(np.asarray(coords[dim]).tolist()))
    return axes


def posterior_variables(data: PosteriorLike, var_names: VarNames = None) -> list[PosteriorVariable]:
    """The selected variables of ``data`` as float arrays of shape (chains, draws, *shape)."""
    mapping = _mapping_of(data)
    names = select_names([str(name) for name in mapping], var_names)
    variables = []
    for name in names:
        values = mapping[name]
        draws = as_float_array(values, f"posterior[{name!r}]")
        if draws.ndim < 2:
            raise ValueError(
                f"posterior[{name!r}] must have shape (chains, draws, *shape); "
                f"got shape {draws.shape}"
            )
        labels = component_labels(name, values, draws.shape[2:])
        variables.append(PosteriorVariable(name, draws, labels))
    return variables


def named_variables(data: Any, var_names: VarNames = None) -> list[PosteriorVariable]:
    """The selected variables of a trace or mapping; a bare array is one variable named "x"."""
    if is_posterior(data):
        return posterior_variables(data, var_names)
    # ArviZ names a lone array "x" when it converts it to a dataset.
    return posterior_variables({"x": data}, var_names)


def estimate_each(
    data: Any,
    var_names: VarNames,
    estimator: Callable[[FloatArray], FloatArray],
    min_draws: int = MIN_DRAWS,
) -> Estimate | dict[str, Estimate]:
    """Run a batched estimator on one array, or on each selected variable of a posterior."""
    if is_posterior(data):
        return {
            variable.name: per_variable(
                variable.draws, f"posterior[{variable.name!r}]", estimator, min_draws
            )
            for variable in posterior_variables(data, var_names)
        }
    if var_names is not None:
        raise ValueError(
            "var_names selects variables of a trace or mapping; "
            f"got it together with a single array ({type(data).__name__})"
        )
    return per_variable(data, "data", estimator, min_draws)
