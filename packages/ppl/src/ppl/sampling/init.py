"""Where chains start: the model's initial point, the user's ``initvals``, jitter, and a
clear error when the density is not finite there.

``init`` names the start and the adaptation of NUTS as PyMC does: ``"auto"`` is
``"jitter+adapt_diag"``, a uniform jitter in [-1, 1] added to the unconstrained start
of each chain (drawn from the chain's own seed, retried when the density is not
finite there) and a diagonal mass matrix learnt while tuning; ``"adapt_diag"`` starts
every chain at the start point itself; ``"adapt_full"`` learns a dense mass matrix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ppl.model.initial import initial_point
from ppl.sampling.steps import describe_point
from samplers import SamplingError


@dataclass(frozen=True)
class InitMethod:
    """How automatically assigned NUTS starts: jitter or not, and its mass matrix."""

    jitter: bool
    mass_matrix: str | None  # None: the samplers' default (a diagonal one)


INIT_METHODS: dict[str, InitMethod] = {
    "auto": InitMethod(True, None),
    "jitter+adapt_diag": InitMethod(True, None),
    "adapt_diag": InitMethod(False, None),
    "jitter+adapt_diag_grad": InitMethod(True, "grad"),
    "jitter+adapt_full": InitMethod(True, "dense"),
    "adapt_full": InitMethod(False, "dense"),
}


def init_method(init: str) -> InitMethod:
    if init not in INIT_METHODS:
        raise ValueError(f"pm.sample: init must be one of {sorted(INIT_METHODS)}, got {init!r}")
    return INIT_METHODS[init]


def start_point(model: Any, initvals: Mapping[Any, Any] | None) -> dict[str, np.ndarray]:
    """The model's initial point with ``initvals`` applied.

    ``initvals`` maps a free variable (its name or itself) to a constrained value, or a
    value variable's name (``sigma_log__``) to an unconstrained one.
    """
    by_rv: dict[Any, Any] = {}
    by_value: dict[str, Any] = {}
    value_names = {str(model.rvs_to_values[rv].name): rv for rv in model.free_RVs}
    for key, value in (initvals or {}).items():
        if isinstance(key, str) and key in value_names and key not in model.named_vars:
            by_value[key] = value
            continue
        rv = model[key] if isinstance(key, str) and key in model.named_vars else key
        if rv not in model.free_RVs:
            raise ValueError(
                f"initvals: {key!r} is not a free variable of the model; its free variables "
                f"are {[str(v.name) for v in model.free_RVs]}"
            )
        by_rv[rv] = value
    point = initial_point(model, by_rv)
    for name, value in by_value.items():
        point[name] = np.asarray(value, dtype=point[name].dtype).reshape(point[name].shape)
    return point


def _evaluate(step: Any, point: Mapping[str, np.ndarray]) -> tuple[float, dict[str, bool]]:
    """A step's log density at ``point`` and, per block, whether its gradient is finite."""
    density = step.density
    condition = getattr(density, "condition", None)
    if callable(condition):
        condition(point)
    x = step.layout.flatten(point)
    if hasattr(density, "logp_dlogp"):
        logp, grad = density.logp_dlogp(x)
        grad = np.asarray(grad, dtype=np.float64)
        finite = {
            name: bool(np.all(np.isfinite(grad[where])))
            for name, where in step.layout.slices.items()
        }
        return float(logp), finite
    logp = density.logp(x) if hasattr(density, "logp") else density(x)
    return float(logp), {}


def _substeps(step: Any) -> Sequence[Any]:
    return list(getattr(step, "steps", [step]))


def check_start(model: Any, step: Any, point: Mapping[str, np.ndarray]) -> None:
    """Raise SamplingError naming the variables whose log density (or gradient) is not
    finite at ``point``, with the point's values."""
    bad_gradient: list[str] = []
    finite_logp = True
    for sub in _substeps(step):
        if not hasattr(sub, "density") or not hasattr(sub, "layout"):
            continue
        logp, gradient_ok = _evaluate(sub, point)
        finite_logp = finite_logp and math.isfinite(logp)
        bad_gradient += [name for name, ok in gradient_ok.items() if not ok]
    if finite_logp and not bad_gradient:
        return
    lines = ["pm.sample: the chains cannot start at the initial point."]
    if not finite_logp:
        logps = model.point_logps(point, round_vals=6)
        bad = {name: value for name, value in logps.items() if not math.isfinite(value)}
        listed = ", ".join(f"{name} ({value})" for name, value in bad.items())
        lines.append(f"The log density is not finite for: {listed or 'the whole model'}.")
    if bad_gradient:
        lines.append(
            "The gradient of the log density is not finite for: "
            f"{', '.join(dict.fromkeys(bad_gradient))}."
        )
    lines.append(f"The initial point: {describe_point(point)}.")
    lines.append(
        "Give a valid start with initvals={name: value}, or check the data and the "
        "parameters of those variables (model.debug() lists them too)."
    )
    raise SamplingError("\n".join(lines))
