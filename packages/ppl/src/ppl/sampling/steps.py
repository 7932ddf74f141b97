"""Step methods built from the model in context: ``pm.NUTS()``, ``pm.Metropolis()``, ...

Each constructor takes ``vars`` (names, random variables or value variables; default:
every free variable it can sample), finds their value variables, compiles the
model's density for them (the flat log density and gradient for NUTS and HMC, the
log density alone for the others) and builds the samplers step over those blocks.
The other value variables stay inputs of that density, set from the chain's point
before each transition, so steps combined in a ``CompoundStep`` see each other's
values. A failure inside a step names the step and the values it was at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import samplers
from graphcore import Variable
from ppl.model.core import Model
from ppl.model.density import value_vars_of
from ppl.sampling.competence import (
    free_rv_of,
    is_binary,
    is_continuous,
    n_categories,
    user_names,
)
from ppl.sampling.density import BlockLogp
from samplers.blocks import Point

CompoundStep = samplers.CompoundStep


class StepError(RuntimeError):
    """A step method raised; the message names the step and the point it was at."""


def describe_point(point: Mapping[str, Any], names: Sequence[str] | None = None) -> str:
    """``mu = 0.31, sigma_log__ = -1.2``: the point's values, long arrays abbreviated."""
    chosen = list(point) if names is None else [n for n in names if n in point]
    parts = []
    for name in chosen:
        text = np.array2string(np.asarray(point[name]), precision=4, threshold=8, separator=", ")
        parts.append(f"{name} = {text}")
    return ", ".join(parts)


class ModelStep:
    """What the model's steps add to the samplers' ones: the user's variable names, and a
    failure that says where it happened."""

    var_names: tuple[str, ...] = ()
    """The user's names of the variables this step samples (``sigma``, not ``sigma_log__``)."""
    _depends_on_others: bool
    """The samplers step's flag (set in its constructor): whether its density reads blocks
    other steps update, so that it must be evaluated again at the start of each draw."""

    def adopt(self, setup: _HamiltonianSetup | _LogpSetup) -> None:
        """Take the user's names of the setup's variables. A density of every value
        variable depends on no other step's blocks: the samplers step may then reuse the
        log density (and gradient) of its last draw instead of evaluating it again at the
        start of the next one."""
        self.var_names = setup.user_names
        if not setup.density.fixed_vars:
            self._depends_on_others = False

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        try:
            return super().step(point)  # type: ignore[misc]
        except StepError:
            raise
        except Exception as error:
            raise self._failure(point, error) from error

    def step_many(self, point: Point, limit: int, seconds: float) -> Any:
        """samplers' chunked draws (the C NUTS), failures named as ``step``'s are."""
        try:
            return super().step_many(point, limit, seconds)  # type: ignore[misc]
        except StepError:
            raise
        except Exception as error:
            raise self._failure(point, error) from error

    def _failure(self, point: Point, error: Exception) -> StepError:
        return StepError(
            f"{type(self).__name__} on {list(self.var_names)} failed at the point "
            f"{describe_point(point)}: {type(error).__name__}: {error}"
        )


def _chosen(
    model: Model, vars: Any, default: Sequence[Variable], suits: Any, step_name: str, what: str
) -> list[Variable]:
    chosen = list(default) if vars is None else value_vars_of(model, vars, f"{step_name}: vars=")
    unsuited = [v for v in chosen if not suits(v)]
    if unsuited:
        raise TypeError(
            f"{step_name} samples {what} variables only; {user_names(model, unsuited)} are not"
        )
    if not chosen:
        kind = f"{what} " if what else ""
        raise ValueError(f"{step_name}: the model has no {kind}free variables to sample")
    return chosen


def _start(model: Model, initial_point: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(model.initial_point() if initial_point is None else initial_point)


class _HamiltonianSetup:
    """The model, its continuous value variables and their flat density, for NUTS and HMC."""

    def __init__(self, step_name: str, vars: Any, model: Any, initial_point: Any):
        self.model = Model.get_context(model)
        self.value_vars = _chosen(
            self.model,
            vars,
            self.model.continuous_value_vars,
            is_continuous,
            step_name,
            "continuous",
        )
        self.density = self.model.logp_dlogp_function(self.value_vars)
        self.start = _start(self.model, initial_point)
        self.names = [str(v.name) for v in self.value_vars]
        self.user_names = tuple(user_names(self.model, self.value_vars))


def _pymc_hmc_names(kwargs: dict[str, Any]) -> dict[str, Any]:
    """PyMC's ``k`` is the dual averaging's kappa."""
    if "k" in kwargs:
        kwargs["kappa"] = kwargs.pop("k")
    return kwargs


class NUTS(ModelStep, samplers.NUTS):
    """The No-U-Turn Sampler on the flat density of continuous free variables (default:
    all of them); keyword arguments go to ``samplers.NUTS`` (``max_treedepth``,
    ``step_scale``, ``mass_matrix``, ``jitter``, ...)."""

    def __init__(
        self,
        vars: Any = None,
        target_accept: float = 0.8,
        model: Any = None,
        initial_point: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ):
        setup = _HamiltonianSetup("NUTS", vars, model, initial_point)
        super().__init__(
            setup.density,
            setup.start,
            vars=setup.names,
            target_accept=target_accept,
            **_pymc_hmc_names(kwargs),
        )
        self.adopt(setup)


class HamiltonianMC(ModelStep, samplers.HamiltonianMC):
    """Hamiltonian Monte Carlo with a fixed path length on continuous free variables."""

    def __init__(
        self,
        vars: Any = None,
        path_length: float = 2.0,
        target_accept: float = 0.65,
        model: Any = None,
        initial_point: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ):
        setup = _HamiltonianSetup("HamiltonianMC", vars, model, initial_point)
        super().__init__(
            setup.density,
            setup.start,
            vars=setup.names,
            path_length=path_length,
            target_accept=target_accept,
            **_pymc_hmc_names(kwargs),
        )
        self.adopt(setup)


class _LogpSetup:
    """The model, the chosen value variables and their log density, for gradient-free steps."""

    def __init__(
        self,
        step_name: str,
        vars: Any,
        model: Any,
        initial_point: Any,
        suits: Any,
        what: str,
    ):
        self.model = Model.get_context(model)
        candidates = [v for v in self.model.value_vars if suits(free_rv_of(self.model, v))]
        self.value_vars = _chosen(
            self.model,
            vars,
            candidates,
            lambda v: suits(free_rv_of(self.model, v)),
            step_name,
            what,
        )
        self.density = BlockLogp(self.model, self.value_vars)
        self.start = _start(self.model, initial_point)
        self.names = [str(v.name) for v in self.value_vars]
        self.user_names = tuple(user_names(self.model, self.value_vars))


def _any(rv: Any) -> bool:
    return True


def _continuous_rv(rv: Any) -> bool:
    return str(rv.dtype).startswith("float")


class Metropolis(ModelStep, samplers.Metropolis):
    """Random-walk Metropolis, jointly over ``vars`` (default: every free variable);
    integer variables get rounded jumps. ``S``, ``proposal_dist``, ``scaling``,
    ``tune``, ``tune_interval`` as in PyMC."""

    def __init__(
        self,
        vars: Any = None,
        S: Any = None,
        proposal_dist: Any = None,
        scaling: float = 1.0,
        tune: bool = True,
        tune_interval: int = 100,
        model: Any = None,
        initial_point: Mapping[str, Any] | None = None,
    ):
        setup = _LogpSetup("Metropolis", vars, model, initial_point, _any, "")
        super().__init__(
            setup.density,
            setup.start,
            vars=setup.names,
            S=S,
            proposal_dist=proposal_dist,
            scaling=scaling,
            tune=tune,
            tune_interval=tune_interval,
        )
        self.adopt(setup)


class Slice(ModelStep, samplers.Slice):
    """Univariate slice sampling of each coordinate of continuous ``vars`` in turn."""

    def __init__(
        self,
        vars: Any = None,
        w: Any = 1.0,
        tune: bool = True,
        model: Any = None,
        initial_point: Mapping[str, Any] | None = None,
    ):
        setup = _LogpSetup("Slice", vars, model, initial_point, _continuous_rv, "continuous")
        super().__init__(setup.density, setup.start, vars=setup.names, w=w, tune=tune)
        self.adopt(setup)


class BinaryGibbsMetropolis(ModelStep, samplers.BinaryGibbsMetropolis):
    """Element-wise Gibbs-Metropolis flips of 0/1 variables (Bernoulli; default: all)."""

    def __init__(
        self,
        vars: Any = None,
        model: Any = None,
        initial_point: Mapping[str, Any] | None = None,
    ):
        setup = _LogpSetup("BinaryGibbsMetropolis", vars, model, initial_point, is_binary, "binary")
        super().__init__(setup.density, setup.start, vars=setup.names)
        self.adopt(setup)


def _has_categories(rv: Any) -> bool:
    return n_categories(rv) is not None


def _categories(rv: Any) -> int:
    k = n_categories(rv)
    if k is None:
        raise TypeError(f"{rv.name} has no finite set of categories 0..k-1")
    return k


class CategoricalGibbsMetropolis(ModelStep, samplers.CategoricalGibbsMetropolis):
    """Element-wise Metropolised Gibbs over the categories 0..k-1 of variables with such a
    finite support (Categorical; DiscreteUniform from 0; default: all of them)."""

    def __init__(
        self,
        vars: Any = None,
        proposal: str = "proportional",
        model: Any = None,
        initial_point: Mapping[str, Any] | None = None,
    ):
        setup = _LogpSetup(
            "CategoricalGibbsMetropolis",
            vars,
            model,
            initial_point,
            _has_categories,
            "finite categorical",
        )
        counts = {str(v.name): _categories(free_rv_of(setup.model, v)) for v in setup.value_vars}
        super().__init__(
            setup.density, setup.start, vars=setup.names, n_categories=counts, proposal=proposal
        )
        self.adopt(setup)
