"""Random variable ops that randomstreams' table lacks in PyMC's parametrization.

Each is a ``RandomVariable`` whose sampler draws with NumPy; ``Flat`` and ``HalfFlat``
are improper (no probability distribution to draw from), so their samplers raise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from randomstreams import RandomVariable

Size = tuple[int, ...] | None


def _shape(size: Size, *params: Any) -> tuple[int, ...]:
    return size if size is not None else np.broadcast_shapes(*(np.shape(p) for p in params))


def _improper(name: str) -> Any:
    def sample(rng: np.random.Generator, *params: Any, size: Size) -> Any:
        raise ValueError(
            f"{name} is an improper distribution (its density does not integrate to one): "
            f"values cannot be drawn from it; give {name} variables an initval, or use a "
            "proper prior to draw from the prior"
        )

    sample.__name__ = f"{name.lower()}_sampler"
    return sample


def _half_student_t(rng: np.random.Generator, nu: Any, sigma: Any, size: Size) -> Any:
    """|T| sigma with T a standard Student t of ``nu`` degrees of freedom."""
    return np.abs(rng.standard_t(nu, size=_shape(size, nu, sigma))) * sigma


def _weibull_alpha_beta(rng: np.random.Generator, alpha: Any, beta: Any, size: Size) -> Any:
    """beta W with W a standard Weibull of shape ``alpha`` (NumPy's has scale 1)."""
    return beta * rng.weibull(alpha, size=_shape(size, alpha, beta))


flat = RandomVariable("flat", "->()", "floatX", _improper("Flat"), [])
halfflat = RandomVariable("halfflat", "->()", "floatX", _improper("HalfFlat"), [])
halfstudentt = RandomVariable(
    "halfstudentt", "(),()->()", "floatX", _half_student_t, ["nu", "sigma"]
)
weibull_alpha_beta = RandomVariable(
    "weibull_alpha_beta", "(),()->()", "floatX", _weibull_alpha_beta, ["alpha", "beta"]
)
