"""Random-walk Metropolis with PyMC's proposals and its acceptance-rate tuning of the scale."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Point
from samplers.logp_step import LogpStep


class Proposal(ABC):
    """A zero-centred random jump; ``s`` sets its scale per coordinate."""

    def __init__(self, s: ArrayLike):
        self.s = np.asarray(s, dtype=np.float64)

    @abstractmethod
    def __call__(self, rng: np.random.Generator) -> NDArray:
        """One jump, drawn with ``rng``."""


class NormalProposal(Proposal):
    """Normal jumps with standard deviations ``s``."""

    def __call__(self, rng: np.random.Generator) -> NDArray:
        return rng.standard_normal(self.s.shape) * self.s


class CauchyProposal(Proposal):
    """Cauchy jumps with scales ``s``: heavy tails, for occasional long moves."""

    def __call__(self, rng: np.random.Generator) -> NDArray:
        return rng.standard_cauchy(self.s.shape) * self.s


class LaplaceProposal(Proposal):
    """Laplace (double exponential) jumps with scales ``s``."""

    def __call__(self, rng: np.random.Generator) -> NDArray:
        return rng.laplace(0.0, 1.0, self.s.shape) * self.s


class PoissonProposal(Proposal):
    """Integer jumps of variance ``s`` for discrete blocks: the difference of two Poisson(s/2).

    The jump must be symmetric for the plain Metropolis ratio to be right; Poisson(s) - s
    is centred but skewed (it falls by 1 more often than it rises by 1), which biases the
    chain toward smaller values.
    """

    def __call__(self, rng: np.random.Generator) -> NDArray:
        half = self.s / 2.0
        return (rng.poisson(half) - rng.poisson(half)).astype(np.float64)


class MultivariateNormalProposal(Proposal):
    """Correlated normal jumps with covariance matrix ``s``: L z with L L^T = s, z ~ N(0, I)."""

    def __init__(self, s: ArrayLike):
        super().__init__(s)
        if self.s.ndim != 2 or self.s.shape[0] != self.s.shape[1]:
            raise ValueError(
                "MultivariateNormalProposal needs a square covariance matrix, "
                f"got shape {self.s.shape}"
            )
        self.cholesky = np.linalg.cholesky(self.s)

    def __call__(self, rng: np.random.Generator) -> NDArray:
        return self.cholesky @ rng.standard_normal(self.s.shape[0])


def tune_scaling(scale: Any, acceptance_rate: float) -> Any:
    """PyMC's rule: shrink the jump when too few proposals are accepted, grow it when too many."""
    if acceptance_rate < 0.001:
        return scale * 0.1
    if acceptance_rate < 0.05:
        return scale * 0.5
    if acceptance_rate < 0.2:
        return scale * 0.9
    if acceptance_rate > 0.95:
        return scale * 10.0
    if acceptance_rate > 0.75:
        return scale * 2.0
    if acceptance_rate > 0.5:
        return scale * 1.1
    return scale


def make_proposal(S: ArrayLike | None, proposal_dist: Any, size: int) -> Proposal:
    """The proposal for a step over ``size`` coordinates, PyMC's way.

    ``proposal_dist`` is a Proposal class (called with ``S``) or an instance; without
    one, a matrix ``S`` gives MultivariateNormalProposal and a vector NormalProposal.
    ``S`` defaults to ones.
    """
    if isinstance(proposal_dist, Proposal):
        return proposal_dist
    scale = np.ones(size) if S is None else np.asarray(S, dtype=np.float64)
    if proposal_dist is None:
        proposal_dist = MultivariateNormalProposal if scale.ndim == 2 else NormalProposal
    if scale.ndim == 2:
        if scale.shape != (size, size):
            raise ValueError(
                f"S: expected a ({size}, {size}) covariance matrix, got shape {scale.shape}"
            )
    elif scale.ndim <= 1:
        if scale.size not in (1, size):
            raise ValueError(f"S: expected a scalar or {size} scales, got shape {scale.shape}")
        scale = np.broadcast_to(scale, (size,)).copy()
    else:
        raise ValueError(
            f"S: expected a vector of scales or a covariance matrix, got shape {scale.shape}"
        )
    proposal = proposal_dist(scale)
    if not callable(proposal):
        raise TypeError(f"proposal_dist: expected a Proposal class, got {proposal_dist!r}")
    return proposal


def log_accept_to_probability(log_ratio: float) -> float:
    """min(1, exp(log_ratio)), with NaN (an undefined ratio) as 0."""
    if math.isnan(log_ratio):
        return 0.0
    return math.exp(min(log_ratio, 0.0))


class Metropolis(LogpStep):
    """Random-walk Metropolis over the step's blocks, jointly.

    A jump ``scaling * proposal()`` is accepted with probability
    min(1, p(x') / p(x)); integer coordinates get rounded jumps. While tuning, every
    ``tune_interval`` steps the scaling follows PyMC's acceptance-rate rule.
    """

    stat_dtypes: dict[str, np.dtype] = {  # noqa: RUF012
        "accept": np.dtype(np.float64),
        "accepted": np.dtype(bool),
        "scaling": np.dtype(np.float64),
    }

    def __init__(
        self,
        logp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        S: ArrayLike | None = None,
        proposal_dist: Any = None,
        scaling: float = 1.0,
        tune: bool = True,
        tune_interval: int = 100,
    ):
        super().__init__(logp, initial_point, vars)
        if tune_interval < 1:
            raise ValueError(f"tune_interval: expected a positive integer, got {tune_interval!r}")
        self.proposal = make_proposal(S, proposal_dist, self.size)
        self.scaling = float(scaling)
        self.tune = bool(tune)
        self.tune_interval = int(tune_interval)
        self.steps_until_tune = self.tune_interval
        self.accepted_since_tune = 0

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        if self.tuning and self.tune and self.steps_until_tune == 0:
            self.scaling = tune_scaling(self.scaling, self.accepted_since_tune / self.tune_interval)
            self.steps_until_tune = self.tune_interval
            self.accepted_since_tune = 0
        self.steps_until_tune -= 1

        x, logp_current = self.begin(point)
        jump = self.proposal(self.rng) * self.scaling
        if self.all_discrete:
            jump = np.round(jump).astype(np.int64)
        elif self.any_discrete:
            jump[self.discrete_mask] = np.round(jump[self.discrete_mask])
        proposed = x + jump
        logp_proposed = self.logp(proposed)
        log_ratio = logp_proposed - logp_current
        # accept when log u < log_ratio, u ~ U(0, 1); log u = -Exp(1). NaN never accepts.
        accepted = bool(log_ratio > -self.rng.standard_exponential())
        if accepted:
            self.accepted_since_tune += 1
            new_point = self.finish(point, proposed, logp_proposed)
        else:
            new_point = self.finish(point, None, logp_current)
        stats = {
            "accept": log_accept_to_probability(log_ratio),
            "accepted": accepted,
            "scaling": self.scaling,
        }
        return new_point, stats
