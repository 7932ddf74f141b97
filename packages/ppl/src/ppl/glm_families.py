"""Likelihood families of ``pm.glm``, with PyMC 3's defaults (``pm.glm.families``).

A family names the likelihood of the response, the parameter the linear predictor
drives (``parent``), the inverse link that maps the predictor to it (called ``link``
as in PyMC 3: ``invlogit`` for binomial, ``exp`` for Poisson) and priors for its other
parameters, each a ``Prior`` to declare, a ``.dist()`` variable, or a fixed number:

| family | likelihood | link | priors |
|---|---|---|---|
| normal | Normal(mu, sd) | identity | sd ~ HalfCauchy(10) |
| student | StudentT(nu, mu, lam) | identity | lam ~ HalfCauchy(10), nu = 1 |
| binomial | Binomial(n, p) | invlogit | n = 1 |
| poisson | Poisson(mu) | exp | |
| negative_binomial | NegativeBinomial(mu, alpha) | exp | alpha ~ HalfCauchy(10) |

``Normal(priors={"sd": pm.HalfNormal.dist(5)})`` replaces a default prior.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

import tensorops as pt
from graphcore import Variable
from ppl import distributions as dists
from ppl.distributions.variable import as_distribution_variable
from ppl.math import exp, invlogit
from randomstreams import RandomVariable, default_rng_variable


class Prior:
    """A distribution to declare later under a name: ``Prior(pm.HalfCauchy, beta=10)``."""

    def __init__(self, distribution: Any, initval: Any = None, **params: Any):
        self.distribution = distribution
        self.initval = initval
        self.params = params

    def declare(self, name: str, model: Any) -> Any:
        return self.distribution(name, initval=self.initval, model=model, **self.params)

    def __repr__(self) -> str:
        params = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"{self.distribution.__name__}({params})"


def declare_prior(model: Any, name: str, prior: Any) -> Any:
    """``prior`` as the variable ``name`` of ``model``: a ``Prior`` or a distribution class
    is declared, a ``.dist()`` variable is declared afresh (so one may serve several
    names), a number or array stays a fixed value."""
    if isinstance(prior, Prior):
        return prior.declare(name, model)
    if isinstance(prior, type) and issubclass(prior, dists.Distribution):
        return prior(name, model=model)
    if isinstance(prior, Variable) and isinstance(getattr(prior.owner, "op", None), RandomVariable):
        node: Any = prior.owner
        _rng, size, *params = node.inputs
        dtype = str(prior.type.dtype)  # type: ignore[attr-defined]
        fresh = node.op.make_node(default_rng_variable(), size, *params, dtype=dtype).outputs[1]
        return model.register_rv(as_distribution_variable(fresh), name)
    if isinstance(prior, Variable):
        raise TypeError(
            f"the prior of {name!r} must be a distribution (such as pm.Normal.dist(0, 10)), a "
            f"pm.glm.families.Prior or a number; got {prior}, which is not a random variable"
        )
    return pt.as_tensor(np.asarray(prior))


def identity(x: Any) -> Any:
    return x


class Family:
    """A likelihood whose ``parent`` parameter is ``link(linear predictor)``."""

    likelihood: ClassVar[Any]
    parent: ClassVar[str]
    link: Callable[[Any], Any] = staticmethod(identity)
    default_priors: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, priors: Mapping[str, Any] | None = None, link: Any = None):
        self.priors: dict[str, Any] = {**self.default_priors, **(priors or {})}
        if link is not None:
            self.link = link

    def create_likelihood(self, name: str, y_est: Any, y_data: Any, model: Any) -> Any:
        """Declare the observed variable ``{name}y`` (``y`` for no name) on ``y_data``."""
        params = {
            key: declare_prior(model, f"{name}{key}", prior) for key, prior in self.priors.items()
        }
        params[self.parent] = self.link(y_est)
        return self.likelihood(f"{name}y", observed=y_data, model=model, **params)

    def __repr__(self) -> str:
        priors = ", ".join(f"{key}={value!r}" for key, value in self.priors.items())
        link = getattr(self.link, "__name__", repr(self.link))
        return f"{type(self).__name__}({self.likelihood.__name__}, link={link}, {priors})"


class Normal(Family):
    likelihood = dists.Normal
    parent = "mu"
    default_priors: ClassVar[Mapping[str, Any]] = {
        "sd": Prior(dists.HalfCauchy, beta=10.0, initval=1.0)
    }


class StudentT(Family):
    likelihood = dists.StudentT
    parent = "mu"
    default_priors: ClassVar[Mapping[str, Any]] = {
        "lam": Prior(dists.HalfCauchy, beta=10.0, initval=1.0),
        "nu": 1,
    }


class Binomial(Family):
    likelihood = dists.Binomial
    parent = "p"
    link = staticmethod(invlogit)
    default_priors: ClassVar[Mapping[str, Any]] = {"n": 1}


class Poisson(Family):
    likelihood = dists.Poisson
    parent = "mu"
    link = staticmethod(exp)
    default_priors: ClassVar[Mapping[str, Any]] = {}


class NegativeBinomial(Family):
    likelihood = dists.NegativeBinomial
    parent = "mu"
    link = staticmethod(exp)
    default_priors: ClassVar[Mapping[str, Any]] = {
        "alpha": Prior(dists.HalfCauchy, beta=10.0, initval=1.0)
    }


FAMILIES: dict[str, type[Family]] = {
    "normal": Normal,
    "student": StudentT,
    "binomial": Binomial,
    "poisson": Poisson,
    "negative_binomial": NegativeBinomial,
}


def family_of(family: str | Family) -> Family:
    """A family instance from its name (``"normal"``...) or as given."""
    if isinstance(family, Family):
        return family
    if isinstance(family, type) and issubclass(family, Family):
        return family()
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)} or a Family; got {family!r}")
    return FAMILIES[family]()
