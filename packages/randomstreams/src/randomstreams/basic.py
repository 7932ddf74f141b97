"""Random variables outside a stream: ``randomstreams.normal(0, 1, size=3)``.

Each function draws with ``rng`` (a shared generator) or, when none is given, with a
fresh one of its own. Nothing advances that generator: compiled functions draw the
same numbers again unless an update is installed (which ``RandomStream`` does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import tensorops as pt
from graphcore import Variable, shared
from randomstreams.op import RandomVariable
from randomstreams.table import DISTRIBUTIONS, REQUIRED, Distribution
from tensorops.variable import TensorVariable

# Alternative parameter names: rate = 1 / scale, as PyTensor and PyMC accept.
_RATE_ALIASES = {"gamma", "exponential", "invgamma"}


def _bind(row: Distribution, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    names = [name for name, _ in row.params]
    if len(args) > len(names):
        raise TypeError(
            f"{row.name} takes at most {len(names)} parameters ({', '.join(names)}), "
            f"got {len(args)}"
        )
    values = dict(zip(names, args, strict=False))
    if "rate" in kwargs and row.name in _RATE_ALIASES:
        if "scale" in kwargs or "scale" in values:
            raise TypeError(f"{row.name}: give scale or rate, not both")
        values["scale"] = 1.0 / pt.as_tensor(kwargs.pop("rate"))
    for key, value in kwargs.items():
        if key not in names:
            raise TypeError(f"{row.name} has no parameter {key!r}; its parameters are {names}")
        if key in values:
            raise TypeError(f"{row.name}: parameter {key!r} given twice")
        values[key] = value
    bound = []
    for name, default in row.params:
        if name in values:
            bound.append(values[name])
        elif default is REQUIRED:
            raise TypeError(f"{row.name} needs a value for its parameter {name!r}")
        else:
            bound.append(default)
    return bound


def default_rng_variable() -> Variable:
    """A shared generator of its own, seeded from fresh entropy."""
    return shared(np.random.default_rng())


def _make(row: Distribution) -> Callable[..., Variable]:
    def draw(
        *args: Any,
        size: Any = None,
        rng: Variable | None = None,
        dtype: Any = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> Variable:
        params = _bind(row, args, kwargs)
        out: Variable = row.op(
            rng if rng is not None else default_rng_variable(), size, *params, dtype=dtype
        )
        if name is not None:
            out.name = name
        return out

    parameters = ", ".join(
        name if default is REQUIRED else f"{name}={default}" for name, default in row.params
    )
    draw.__name__ = row.name
    draw.__doc__ = f"A {row.name} random variable: {row.name}({parameters}, size=None, rng=None)."
    return draw


FUNCTIONS: dict[str, Callable[..., Variable]] = {
    name: _make(row) for name, row in DISTRIBUTIONS.items()
}
globals().update(FUNCTIONS)


def _choice_sampler(replace: bool) -> Any:
    def sample(rng: np.random.Generator, a: Any, p: Any, size: Any) -> Any:
        return rng.choice(a, size=size, replace=replace, p=p if len(p) else None)

    return sample


_CHOICE = {
    replace: RandomVariable(
        f"choice_{'with' if replace else 'without'}_replacement",
        "(n),(m)->()",
        "int64",
        _choice_sampler(replace),
        ["a", "p"],
    )
    for replace in (True, False)
}
_PERMUTATION = RandomVariable(
    "permutation", "(n)->(n)", "int64", lambda rng, x, size: rng.permutation(x), ["x"]
)


def _as_population(a: Any) -> TensorVariable:
    population = pt.as_tensor(a)
    return pt.arange(population) if population.ndim == 0 else population


def choice(
    a: Any, size: Any = None, replace: bool = True, p: Any = None, rng: Variable | None = None
) -> Variable:
    """Draws from ``a`` (a vector, or ``arange(a)`` for an int), with probabilities ``p``."""
    population = _as_population(a)
    op = _CHOICE[bool(replace)]
    weights = pt.as_tensor(np.zeros(0)) if p is None else pt.as_tensor(p)
    generator = rng if rng is not None else default_rng_variable()
    draw: Variable = op(generator, size, population, weights, dtype=population.type.dtype)
    return draw


def permutation(x: Any, rng: Variable | None = None) -> Variable:
    """A random permutation of the vector ``x``, or of ``arange(x)`` for an int."""
    population = _as_population(x)
    generator = rng if rng is not None else default_rng_variable()
    draw: Variable = _PERMUTATION(generator, None, population, dtype=population.type.dtype)
    return draw


__all__ = ["FUNCTIONS", "choice", "default_rng_variable", "permutation"]
