"""``pm.find_MAP``: the mode of the posterior density, by scipy.optimize.

The search runs on the flat vector of the continuous value variables (the
unconstrained space, ``sigma_log__`` rather than ``sigma``) with the model's compiled
log density and gradient (``model.logp_dlogp_function()``, the function samplers use);
discrete variables stay at their start values. The mode is returned on the constrained
space under the user's names, with the value variables (``include_transformed``) and
the deterministics computed there. Note that the mode of the transformed density
includes the transforms' Jacobians, as PyMC's does.
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

import tensorops as pt
from graphcore import Variable
from ppl.model.core import Model
from ppl.sampling.competence import free_rv_of
from samplers.progress import is_terminal

GRADIENT_FREE = {"powell", "nelder-mead", "cobyla", "cobyqa"}
"""scipy methods that take the objective alone."""

_EVALUATION_LIMIT = {
    "l-bfgs-b": "maxfun",
    "tnc": "maxfun",
    "nelder-mead": "maxfev",
    "powell": "maxfev",
}
"""The scipy option that bounds the number of evaluations, by method (others: maxiter)."""

BAR_WIDTH = 24


class OptimizationProgress:
    """``logp = -12.3, ||grad|| = 1.2e-06: 100%|███| 23/23 [0.01s]`` on stderr.

    Redrawn in place on a terminal (at most every ``min_interval`` seconds); elsewhere
    written once, at the end.
    """

    def __init__(self, limit: int, enabled: bool, stream: TextIO | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.live = enabled and is_terminal(self.stream)
        self.limit = limit
        self.evaluations = 0
        self.logp = np.nan
        self.grad_norm = np.nan
        self.start = time.monotonic()
        self._last_draw = -np.inf

    def update(self, logp: float, gradient: NDArray | None) -> None:
        self.evaluations += 1
        self.logp = logp
        if gradient is not None:
            self.grad_norm = float(np.linalg.norm(gradient))
        if self.live and time.monotonic() - self._last_draw >= 0.1:
            self._last_draw = time.monotonic()
            self.stream.write("\r" + self.line(self.evaluations, self.limit))
            self.stream.flush()

    def line(self, done: int, total: int) -> str:
        filled = round(BAR_WIDTH * done / total) if total else BAR_WIDTH
        bar = "█" * filled + " " * (BAR_WIDTH - filled)
        gradient = "" if np.isnan(self.grad_norm) else f", ||grad|| = {self.grad_norm:.4g}"
        percent = round(100 * done / total) if total else 100
        elapsed = time.monotonic() - self.start
        return (
            f"logp = {self.logp:,.5g}{gradient}: {percent}%|{bar}| {done}/{total} [{elapsed:.2f}s]"
        )

    def finish(self) -> None:
        """The final line: the evaluations made count as the whole run."""
        if self.enabled:
            prefix = "\r" if self.live else ""
            done = self.evaluations
            self.stream.write(prefix + self.line(done, done) + "\n")
            self.stream.flush()


def _rv_of(model: Model, item: Any) -> Variable:
    """The random variable named or given by ``item`` (a value variable maps to its own)."""
    var = model[item] if isinstance(item, str) else item
    if var in model.value_vars:
        return free_rv_of(model, var)
    if var not in model.free_RVs:
        raise ValueError(f"find_MAP: vars must be free random variables, got {var}")
    return var


def start_point(model: Model, start: Mapping[str, Any] | None) -> dict[str, NDArray]:
    """The initial point with ``start``'s entries in it; an entry under a variable's own
    name (``sigma=2``) is mapped to its value variable's space (``sigma_log__``)."""
    point = model.initial_point()
    given = dict(start or {})
    for rv in model.free_RVs:
        value_name = str(model.rvs_to_values[rv].name)
        if value_name in given:
            point[value_name] = np.asarray(given.pop(value_name))
        elif str(rv.name) in given:
            value = given.pop(str(rv.name))
            transform = model.rvs_to_transforms.get(rv)
            if transform is not None and rv.owner is not None:
                forward = transform.forward(pt.as_tensor(value), *rv.owner.inputs[2:])
                value = model.compile_fn(forward, mode="FAST_COMPILE")(point)
            point[value_name] = np.asarray(value, dtype=str(rv.dtype))
    if given:
        raise KeyError(f"find_MAP: start names {sorted(given)}, which are not free variables")
    return point


def _check_start(model: Model, point: Mapping[str, NDArray], logp: float) -> None:
    if np.isfinite(logp):
        return
    logps = model.point_logps(point)
    bad = {name: value for name, value in logps.items() if not np.isfinite(value)}
    values = {name: np.asarray(value).tolist() for name, value in point.items()}
    raise ValueError(
        f"find_MAP: the log density is not finite at the start point; the terms of {bad} are "
        f"not finite at {values}"
    )


def _options(method: str, maxeval: int, kwargs: dict[str, Any]) -> dict[str, Any]:
    options = dict(kwargs.pop("options", {}) or {})
    options.setdefault(_EVALUATION_LIMIT.get(method.lower(), "maxiter"), maxeval)
    return options


def _mode_values(model: Model, point: Mapping[str, NDArray], transformed: bool) -> dict[str, Any]:
    """Each free variable and deterministic at ``point``, under the user's names."""
    free = list(model.free_RVs)
    outputs = [*free, *model.deterministics]
    values = model.compile_fn(outputs, mode="FAST_COMPILE")(point) if outputs else []
    result: dict[str, Any] = {}
    for rv in free:
        value_name = str(model.rvs_to_values[rv].name)
        if transformed and value_name != rv.name:
            result[value_name] = np.asarray(point[value_name])
    for var, value in zip(outputs, values, strict=True):
        result[str(var.name)] = np.asarray(value)
    return result


def find_MAP(
    start: Mapping[str, Any] | None = None,
    vars: Sequence[Any] | None = None,
    method: str = "L-BFGS-B",
    return_raw: bool = False,
    include_transformed: bool = True,
    progressbar: bool = True,
    maxeval: int = 5000,
    model: Model | None = None,
    *args: Any,
    seed: Any = None,
    compile_kwargs: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    """The maximum a posteriori point: a dict of constrained values under the user's names
    (``{"mu": array(1.2), "sigma": array(0.5), "sigma_log__": array(-0.69)}``).

    ``start`` overrides the initial point (by value-variable or variable name), ``vars``
    restricts the search to some free variables (the others stay at ``start``),
    ``method`` and the remaining keywords go to ``scipy.optimize.minimize``;
    ``return_raw=True`` also returns scipy's result. ``seed`` is accepted for PyMC's
    signature only: the initial point has no random jitter.
    """
    model = Model.get_context(model, "pm.find_MAP")
    point = start_point(model, start)
    chosen = None if vars is None else [_rv_of(model, item) for item in vars]
    if chosen is not None:
        discrete = [rv for rv in chosen if not str(rv.type.dtype).startswith("float")]  # type: ignore[attr-defined]
        if discrete:
            warnings.warn(
                f"find_MAP optimizes continuous variables only; {[str(rv.name) for rv in discrete]}"
                " stay at their start values",
                UserWarning,
                stacklevel=2,
            )
        chosen = [rv for rv in chosen if rv not in discrete]
    value_vars = [model.rvs_to_values[rv] for rv in (chosen or [])] if chosen is not None else None
    density = model.logp_dlogp_function(vars=value_vars, **dict(compile_kwargs or {}))
    density.condition(point)
    x0 = density.point_to_array(point) if density.dim else np.zeros(0)
    _check_start(model, point, density(x0)[0])

    progress = OptimizationProgress(maxeval, progressbar)
    gradient_free = method.lower() in GRADIENT_FREE

    def objective(x: NDArray) -> Any:
        logp, dlogp = density(x)
        progress.update(logp, None if gradient_free else dlogp)
        return -logp if gradient_free else (-logp, -dlogp)

    # Imported here: scipy.optimize adds a quarter of a second to `import ppl`.
    import scipy.optimize

    options = _options(method, maxeval, kwargs)
    if density.dim:
        result = scipy.optimize.minimize(
            objective, x0, jac=not gradient_free, method=method, options=options, **kwargs
        )
        optimum = result.x
    else:
        result = scipy.optimize.OptimizeResult(x=x0, success=True, nfev=0, message="nothing to do")
        optimum = x0
    progress.finish()
    mode = {**point, **density.array_to_point(optimum)}
    values = _mode_values(model, mode, include_transformed)
    return (values, result) if return_raw else values
