"""``verify_grad``: the analytic gradient against central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autodiff.errors import GradientMismatchError

# Step and tolerances per dtype: float32 needs a larger step and looser checks.
_EPS = {"float64": 1e-7, "float32": 3e-3, "float16": 1e-1}
_TOLERANCE = {"float64": 1e-4, "float32": 1e-2, "float16": 1e-1}


def verify_grad(
    fn: Callable[..., Any],
    points: Sequence[Any],
    rng: np.random.Generator | np.random.RandomState | None = None,
    eps: float | None = None,
    abs_tol: float | None = None,
    rel_tol: float | None = None,
    mode: Any = None,
    n_tests: int = 2,
) -> None:
    """Raise ``GradientMismatchError`` when ``fn``'s gradient disagrees with finite differences.

    ``fn`` maps symbolic inputs (one per point) to a symbolic output. The output is
    projected on a random direction so one scalar checks every output element.
    """
    import tensorops as pt
    from autodiff.reverse import grad
    from graphcore import function

    generator = rng if rng is not None else np.random.default_rng(42)
    values = [
        np.array(p, dtype=np.asarray(p).dtype if np.asarray(p).dtype.kind == "f" else "float64")
        for p in points
    ]
    inputs = [
        pt.tensor(dtype=v.dtype, shape=(None,) * v.ndim, name=f"input{i}")
        for i, v in enumerate(values)
    ]
    output = pt.as_tensor(fn(*inputs))
    dtype = str(output.dtype)
    evaluate = function(inputs, output, mode=mode, on_unused_input="ignore")
    shape = np.shape(evaluate(*values))
    for _ in range(n_tests):
        direction = generator.uniform(0.5, 1.5, size=shape) * generator.choice(
            [-1.0, 1.0], size=shape
        )
        projection = pt.constant(direction.astype(dtype))
        cost = pt.sum(output * projection)
        gradients = grad(cost, inputs, disconnected_inputs="ignore")
        analytic = function(inputs, gradients, mode=mode, on_unused_input="ignore")(*values)
        project = function(inputs, cost, mode=mode, on_unused_input="ignore")
        for position, value in enumerate(values):
            # The least precise of the input and the output decides the step and tolerances.
            precision = _least_precise(str(value.dtype), dtype)
            step = eps if eps is not None else _EPS.get(precision, 1e-7)
            atol = abs_tol if abs_tol is not None else _TOLERANCE.get(precision, 1e-4)
            rtol = rel_tol if rel_tol is not None else _TOLERANCE.get(precision, 1e-4)
            numeric = _central_difference(project, values, position, step)
            _compare(position, value, np.asarray(analytic[position]), numeric, atol, rtol)


def _least_precise(*dtypes: str) -> str:
    for candidate in ("float16", "float32"):
        if candidate in dtypes:
            return candidate
    return "float64"


def _central_difference(
    cost: Callable[..., Any], values: list[np.ndarray], position: int, step: float
) -> np.ndarray:
    base = values[position]
    result = np.empty(base.shape, dtype=np.float64)
    for index in np.ndindex(base.shape):
        shifted = [v.copy() for v in values]
        shifted[position][index] = base[index] + step
        above = float(cost(*shifted))
        shifted[position][index] = base[index] - step
        below = float(cost(*shifted))
        result[index] = (above - below) / (2 * step)
    return result


def _compare(
    position: int,
    value: np.ndarray,
    analytic: np.ndarray,
    numeric: np.ndarray,
    atol: float,
    rtol: float,
) -> None:
    error = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    if np.all(error <= allowed):
        return
    worst = np.unravel_index(np.argmax(error - allowed), error.shape) if error.ndim else ()
    raise GradientMismatchError(
        f"verify_grad: the gradient with respect to input {position} (shape {value.shape}) "
        f"disagrees with finite differences at index {tuple(int(i) for i in worst)}: analytic "
        f"{analytic[worst]!r}, numeric {numeric[worst]!r} (abs error {error[worst]:.3g}, "
        f"allowed {allowed[worst]:.3g}); largest abs error {error.max():.3g}"
    )
