"""``pm.sample_prior_predictive`` and ``pm.sample_posterior_predictive``.

Both compile one function that draws everything at once (``ppl.draw.batched_forward``):
the model's forward graph gets a leading axis of the number of draws, so no Python runs
per draw. For the posterior predictive, each free variable is replaced by an input that
holds its posterior draws laid end to end, (chains * draws, *shape); the observed
variables downstream are then drawn with batched parameters, one draw per posterior
draw, and deterministics are recomputed from the posterior draws and the model's data
as it is now (``pm.set_data`` may have changed it, its shape too).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

import tensorops as pt
from graphcore import Variable, ancestors
from ppl.draw import compile_forward, reseed
from ppl.groups import InferenceGroups
from ppl.model.core import Model
from ppl.options import refuse_unknown
from ppl.sampling.competence import free_rv_of
from ppl.sampling.posterior import observed_data


def _named(model: Model, names: str | Sequence[str]) -> list[Variable]:
    """The model's variables called ``names`` (free, observed or deterministic)."""
    chosen = [names] if isinstance(names, str) else list(names)
    variables = []
    for name in chosen:
        var = model[name]
        if var in model.rvs_to_values.values() and var not in model.basic_RVs:
            var = free_rv_of(model, var)
        variables.append(var)
    return variables


def _data_groups(model: Model) -> dict[str, dict[str, NDArray]]:
    """``observed_data`` (each observed variable's data now) and ``constant_data``."""
    return {
        "observed_data": observed_data(model),
        "constant_data": {str(data.name): np.asarray(data.get_value()) for data in model.data_vars},
    }


def _mode(compile_kwargs: Mapping[str, Any] | None) -> Any:
    return (compile_kwargs or {}).get("mode")


def sample_prior_predictive(
    draws: int = 500,
    model: Model | None = None,
    var_names: str | Sequence[str] | None = None,
    random_seed: Any = None,
    samples: int | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> InferenceGroups:
    """Draws of the model's variables from the prior, ``draws`` of each at once.

    Returns groups ``prior`` (free variables and deterministics) and ``prior_predictive``
    (observed variables), arrays of shape (1, draws, *shape), and ``observed_data``.
    ``samples=`` is PyMC 3's name for ``draws``; potentials are not drawn (a warning
    says so, as in PyMC).
    """
    refuse_unknown("pm.sample_prior_predictive", kwargs)
    model = Model.get_context(model, "pm.sample_prior_predictive")
    count = int(samples if samples is not None else draws)
    if count < 1:
        raise ValueError(f"sample_prior_predictive: draws must be positive, got {count}")
    if model.potentials:
        warnings.warn(
            "the effect of Potentials on other parameters is ignored during prior predictive "
            "sampling; the draws may not follow the model's density",
            UserWarning,
            stacklevel=2,
        )
    if var_names is None:
        targets: list[Variable] = [*model.free_RVs, *model.deterministics, *model.observed_RVs]
    else:
        targets = _named(model, var_names)
    fn, generators = compile_forward(targets, count, _mode(compile_kwargs))
    if random_seed is not None:
        reseed(generators, random_seed)
    values = fn() if targets else []
    prior: dict[str, NDArray] = {}
    predictive: dict[str, NDArray] = {}
    for var, value in zip(targets, values, strict=True):
        group = predictive if var in model.observed_RVs else prior
        group[str(var.name)] = np.asarray(value)[None]
    groups = {"prior": prior, "prior_predictive": predictive, **_data_groups(model)}
    return InferenceGroups(groups, model.coords, dict(model.named_vars_to_dims))


def _posterior_of(trace: Any) -> dict[str, NDArray]:
    """Name -> (chains, draws, *shape) arrays from a trace, InferenceData, a mapping of
    such arrays, or a list of points (one chain)."""
    if isinstance(trace, Sequence) and not isinstance(trace, (str, bytes)):
        points = list(trace)
        if not points:
            raise ValueError("sample_posterior_predictive: the list of points is empty")
        return {name: np.stack([point[name] for point in points])[None] for name in points[0]}
    posterior = getattr(trace, "posterior", trace)
    if not isinstance(posterior, Mapping) and not hasattr(posterior, "data_vars"):
        raise TypeError(
            "sample_posterior_predictive needs a trace (pm.sample's result), InferenceData, "
            f"a mapping name -> (chains, draws, ...) arrays, or a list of points; got "
            f"{type(trace).__name__}"
        )
    names = list(posterior.data_vars) if hasattr(posterior, "data_vars") else list(posterior)
    arrays = {str(name): np.asarray(posterior[name]) for name in names}
    for name, array in arrays.items():
        if array.ndim < 2:
            raise ValueError(
                f"sample_posterior_predictive: posterior[{name!r}] must have shape "
                f"(chains, draws, ...), got {array.shape}"
            )
    return arrays


def _thinned(posterior: dict[str, NDArray], samples: int) -> dict[str, NDArray]:
    """PyMC 3's ``samples=``: that many draws, taken across the chains in turn, one chain."""
    chains, draws = next(iter(posterior.values())).shape[:2]
    if not 0 < samples <= chains * draws:
        raise ValueError(
            f"sample_posterior_predictive: samples must be between 1 and {chains * draws} "
            f"(the trace's chains * draws), got {samples}"
        )
    index = np.arange(samples)
    return {name: array[index % chains, index // chains][None] for name, array in posterior.items()}


def _volatile(model: Model, targets: list[Variable], posterior: Mapping[str, Any]) -> set[Variable]:
    """Free variables drawn anew: those asked for, those the trace lacks, and every one
    that depends on such a variable (as PyMC decides)."""
    volatile: set[Variable] = {
        rv for rv in model.free_RVs if rv in targets or str(rv.name) not in posterior
    }
    for rv in model.free_RVs:
        if rv in volatile or rv.owner is None:
            continue
        kept = [other for other in model.free_RVs if other not in volatile and other is not rv]
        if any(var in volatile for var in ancestors(rv.owner.inputs, blockers=kept)):
            volatile.add(rv)
    return volatile


def _posterior_input(rv: Variable, array: NDArray, rows: int) -> tuple[Variable, NDArray]:
    """A batched input for ``rv`` and its value: the draws laid end to end."""
    static = tuple(rv.type.shape)  # type: ignore[attr-defined]
    have = array.shape[2:]
    if len(have) != len(static) or any(
        s is not None and s != h for s, h in zip(static, have, strict=True)
    ):
        raise ValueError(
            f"sample_posterior_predictive: the trace's draws of {rv.name!r} have shape {have}, "
            f"the model's variable has shape {static}"
        )
    dtype = str(rv.type.dtype)  # type: ignore[attr-defined]
    batched = pt.tensor(dtype=dtype, shape=(None, *static), name=str(rv.name))
    return batched, np.ascontiguousarray(array.reshape(rows, *have), dtype=dtype)


def sample_posterior_predictive(
    trace: Any,
    model: Model | int | None = None,
    var_names: str | Sequence[str] | None = None,
    random_seed: Any = None,
    progressbar: bool = True,
    samples: int | None = None,
    compile_kwargs: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> InferenceGroups:
    """The observed variables (default) or ``var_names`` drawn given each posterior draw.

    ``trace`` is what ``pm.sample`` returns (or InferenceData, a mapping of
    (chains, draws, ...) arrays, or a list of points). Free variables named in
    ``var_names``, those missing from the trace and those depending on them are drawn
    anew, as in PyMC; the others take the trace's values. Returns the group
    ``posterior_predictive`` of (chains, draws, *shape) arrays, with ``observed_data``
    and ``constant_data``. All draws are taken in one vectorized evaluation
    (``progressbar`` is accepted for PyMC's signature; there is no loop to follow).
    The arguments are in PyMC's order; a number second is PyMC 3's ``samples``.
    """
    refuse_unknown("pm.sample_posterior_predictive", kwargs)
    if isinstance(model, (int, np.integer)):
        samples = int(model)
    model = Model.get_context(
        None if isinstance(model, (int, np.integer)) else model, "pm.sample_posterior_predictive"
    )
    posterior = _posterior_of(trace)
    if not posterior:
        raise ValueError("sample_posterior_predictive: the trace holds no variables")
    if samples is not None:
        posterior = _thinned(posterior, int(samples))
    if var_names is None:
        targets: list[Variable] = list(model.observed_RVs)
    else:
        targets = _named(model, var_names)
    chains, draws = next(iter(posterior.values())).shape[:2]
    rows = chains * draws
    volatile = _volatile(model, targets, posterior)
    kept = [rv for rv in model.free_RVs if rv not in volatile]
    used = set(ancestors(targets, blockers=kept))
    givens: dict[Variable, Variable] = {}
    arguments: list[NDArray] = []
    for rv in kept:
        if rv in used:
            givens[rv], value = _posterior_input(rv, posterior[str(rv.name)], rows)
            arguments.append(value)
    fn, generators = compile_forward(targets, rows, _mode(compile_kwargs), givens)
    if random_seed is not None:
        reseed(generators, random_seed)
    values = fn(*arguments) if targets else []
    drawn = {
        str(var.name): np.asarray(value).reshape(chains, draws, *np.shape(value)[1:])
        for var, value in zip(targets, values, strict=True)
    }
    groups = {"posterior_predictive": drawn, **_data_groups(model)}
    resampled = [str(rv.name) for rv in model.free_RVs if rv in volatile and rv in used]
    attrs = {"resampled": resampled}
    return InferenceGroups(groups, model.coords, dict(model.named_vars_to_dims), attrs)
