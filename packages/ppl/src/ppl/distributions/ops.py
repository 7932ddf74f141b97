"""Random variable ops that randomstreams' table lacks in PyMC's parametrization.

Each is a ``RandomVariable`` whose sampler draws with NumPy; ``Flat`` and ``HalfFlat``
are improper (no probability distribution to draw from), so their samplers raise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ppl.distributions.composite import batch_shape
from randomstreams import RandomVariable

Size = tuple[int, ...] | None


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
    return np.abs(rng.standard_t(nu, size=batch_shape(size, (nu, 0), (sigma, 0)))) * sigma


def _weibull_alpha_beta(rng: np.random.Generator, alpha: Any, beta: Any, size: Size) -> Any:
    """beta W with W a standard Weibull of shape ``alpha`` (NumPy's has scale 1)."""
    return beta * rng.weibull(alpha, size=batch_shape(size, (alpha, 0), (beta, 0)))


flat = RandomVariable("flat", "->()", "floatX", _improper("Flat"), [])
halfflat = RandomVariable("halfflat", "->()", "floatX", _improper("HalfFlat"), [])
halfstudentt = RandomVariable(
    "halfstudentt", "(),()->()", "floatX", _half_student_t, ["nu", "sigma"]
)
weibull_alpha_beta = RandomVariable(
    "weibull_alpha_beta", "(),()->()", "floatX", _weibull_alpha_beta, ["alpha", "beta"]
)
