"""The No-U-Turn Sampler as Stan defines it: multinomial, with the generalized U-turn criterion."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.hmc_base import HAMILTONIAN_STATS
from samplers.integrator import DENSITY_ERRORS
from samplers.kernel_hmc import KernelHMC
from samplers.mass_matrix import MassMatrixAdaptation

NUTS_STATS: dict[str, np.dtype] = {
    **HAMILTONIAN_STATS,
    "tree_depth": np.dtype(np.int64),
    "accept_sym": np.dtype(np.float64),
}

Subtree = tuple[Any, ...]
"""(log weight, sample, rho, p_first, p_last, |p_first|², |p_last|², p_first·rho, p_last·rho)."""

exp = math.exp
log1p = math.log1p
INF = math.inf


def log_add_exp(a: float, b: float) -> float:
    """log(eᵃ + eᵇ) for finite a or b."""
    if a > b:
        return a + log1p(exp(b - a))
    return b + log1p(exp(a - b))


def merged_end_dots(
    rho_l: NDArray,
    first_l: NDArray,
    last_l: NDArray,
    norm_last_l: float,
    dot_first_l: float,
    rho_r: NDArray,
    first_r: NDArray,
    last_r: NDArray,
    norm_first_r: float,
    dot_last_r: float,
) -> tuple[float, float] | None:
    """The U-turn test of two adjacent subtrees L then R; None if their union turns.

    Momenta are whitened, so p♯ₐ·rho (p♯ = M⁻¹p, rho = Σ p over a subtree) is
    p̃ₐ·ρ̃. A tree keeps growing while both of its ends still move apart along rho
    (Betancourt's generalized criterion): p♯_first·rho > 0 and p♯_last·rho > 0.
    Stan checks it on the union, then on L extended by R's first point and on R
    extended by L's last point, which catches U-turns that fall between the
    halves. Dot products a subtree already knows are reused, e.g.
    p_first·(rho_L + rho_R) = p_first·rho_L + p_first·rho_R. ``norm_*`` are |p|²
    and ``dot_first_l``, ``dot_last_r`` the subtrees' own p_first·rho, p_last·rho.
    Returns the union's (p_first·rho, p_last·rho).
    """
    dot_first = dot_first_l + first_l.dot(rho_r)
    dot_last = dot_last_r + last_r.dot(rho_l)
    if not (dot_first > 0.0 and dot_last > 0.0):
        return None
    # L plus the first point of R
    if not (dot_first_l + first_l.dot(first_r) > 0.0 and first_r.dot(rho_l) + norm_first_r > 0.0):
        return None
    # the last point of L plus R
    if not (norm_last_l + last_l.dot(rho_r) > 0.0 and last_r.dot(last_l) + dot_last_r > 0.0):
        return None
    return float(dot_first), float(dot_last)


def joined_points_dots(
    first: NDArray, last: NDArray, norm_first: float, norm_last: float
) -> tuple[float, float] | None:
    """``merged_end_dots`` for two single points: p_first·rho = |p_first|² + p_first·p_last.

    Stan's extra checks coincide with the main one here.
    """
    cross = float(first.dot(last))
    dot_first = norm_first + cross
    dot_last = norm_last + cross
    if dot_first > 0.0 and dot_last > 0.0:
        return dot_first, dot_last
    return None


def close_subtrees(
    pending: list[Subtree], current: Subtree, leaf: int, uniform: Callable[[], float]
) -> tuple[Subtree | None, int]:
    """Merge leaf number ``leaf`` (as ``current``) with the pending subtrees it completes.

    Leaf i completes one subtree per trailing 1 bit of i; each merge joins the
    pending earlier sibling of that level. Returns the merged subtree and its
    level, or None when a merge turns.
    """
    weight, point, rho, first, last, norm_first, norm_last, dot_first, dot_last = current
    level = 0
    while leaf & 1:
        (weight_l, point_l, rho_l, first_l, last_l,
         norm_first_l, norm_last_l, dot_first_l, _) = pending[level]  # fmt: skip
        total = log_add_exp(weight_l, weight)
        # uniform progressive sampling: the later half's pick with probability
        # w_later / (w_earlier + w_later)
        if uniform() >= exp(weight - total):
            point = point_l
        weight = total
        if level == 0:
            ends = joined_points_dots(first_l, last, norm_first_l, norm_last)
        else:
            ends = merged_end_dots(
                rho_l, first_l, last_l, norm_last_l, dot_first_l,
                rho, first, last, norm_first, dot_last,
            )  # fmt: skip
        if ends is None:
            return None, level
        dot_first, dot_last = ends
        rho = rho_l + rho
        first, norm_first = first_l, norm_first_l
        level += 1
        leaf >>= 1
    return (weight, point, rho, first, last, norm_first, norm_last, dot_first, dot_last), level


def reversed_subtree(subtree: Subtree) -> Subtree:
    """A subtree read in the other order: its ends and their products swap."""
    log_weight, sample, rho, first, last, norm_first, norm_last, dot_first, dot_last = subtree
    return (log_weight, sample, rho, last, first, norm_last, norm_first, dot_last, dot_first)


MAX_C_TREEDEPTH = 30  # the kernel's fixed arrays; 2^30 leapfrogs is far beyond any use


class NUTS(KernelHMC):
    """The No-U-Turn Sampler (Hoffman & Gelman 2014, in Stan's multinomial form).

    Each draw doubles a trajectory forward or backward in time until it makes a
    U-turn, diverges, or reaches ``max_treedepth`` doublings, then returns one of
    its points with probability proportional to exp(−H): uniform progressive
    sampling inside each new subtree, and a pick biased towards the new subtree,
    min(1, w_new/w_old), when it joins the trajectory. A point whose energy exceeds
    the start's by more than ``max_energy_error`` (or is not finite) is a
    divergence: the subtree holding it is dropped and the trajectory ends. The
    acceptance statistic is the mean of min(1, exp(H0 − H)) over every leapfrog;
    ``accept_sym``, nutpie's symmetric one, the mean of 2 / (1 + exp|H − H0|),
    which late tuning targets instead (see ``BaseHMC._adapt``).

    Like nutpie, each draw multiplies the step size by a uniform factor in
    [0.9, 1.1] (``step_size_jitter=0.1``), which breaks the resonances of fixed
    step sizes and gains about 10% effective draws per gradient on Gaussian-like
    targets; ``step_size_jitter=0`` is Stan's exact behaviour.

    ``backend="c"`` runs the trajectories in C (``nuts_kernel.c``, driven by
    ``kernel_hmc.KernelHMC``) with the same random numbers in the same order, hence the
    same draws as this Python code for the same seed. The density is called back from
    C, or called directly when it exposes ``c_logp_dlogp`` and ``c_context`` (``int
    logp_dlogp(const double *x, double *grad, double *logp, void *context)``: 0 on
    success, > 0 outside the support, < 0 an error, which the density's ``c_error()``,
    when it has one, turns into the exception to raise). ``step_many`` then runs many
    draws per call, while tuning too when the kernel runs the adaptation (dual
    averaging with a diagonal strategy, see ``nuts_c.adapts_in_c``); otherwise one
    kernel call per draw. ``"auto"`` picks C when the kernel builds, else Python with a
    warning; ``step.backend`` says which runs.
    """

    stat_dtypes = NUTS_STATS

    def __init__(
        self,
        logp_dlogp: Any,
        initial_point: ArrayLike | Mapping[str, ArrayLike],
        vars: Sequence[str] | None = None,
        target_accept: float = 0.8,
        max_treedepth: int = 10,
        max_energy_error: float = 1000.0,
        mass_matrix: str | ArrayLike | MassMatrixAdaptation = "grad",
        jitter: bool = True,
        step_scale: float = 0.25,
        step_size_jitter: float = 0.1,
        backend: str = "auto",
        **kwargs: Any,
    ):
        super().__init__(
            logp_dlogp,
            initial_point,
            vars,
            target_accept=target_accept,
            mass_matrix=mass_matrix,
            max_energy_error=max_energy_error,
            jitter=jitter,
            step_scale=step_scale,
            step_size_jitter=step_size_jitter,
            **kwargs,
        )
        self.max_treedepth = int(max_treedepth)
        # a draw uses at most one uniform per merge and two per doubling
        self._uniforms_needed = 2 ** (self.max_treedepth + 1)
        self._kick_cache: tuple[Any, Any, NDArray | None] = (None, None, None)
        self._tally: list[Any] = [0, 0.0, 0.0, False, 0.0]
        if self.max_treedepth > MAX_C_TREEDEPTH and backend != "python":
            if backend == "c":
                raise ValueError(
                    f"NUTS: backend='c' builds trees up to depth {MAX_C_TREEDEPTH}, "
                    f"got max_treedepth={self.max_treedepth}"
                )
            backend = "python"
        self._use_backend(backend)

    def _kernel_trajectory(self) -> dict[str, Any]:
        return {"max_treedepth": self.max_treedepth}

    def transition(
        self, x: NDArray, logp: float, grad: NDArray
    ) -> tuple[NDArray, float, NDArray, dict[str, Any]]:
        uniform = self._uniform_batch().pop
        kick_factor = self.integrator.kick_factor
        p = self._draw_momentum()
        norm = float(p.dot(p))
        energy0 = 0.5 * norm - logp
        # the start's kick is the last draw's, unless the step size or metric changed
        cached_grad, cached_factor, kick = self._kick_cache
        if kick is None or cached_grad is not grad or cached_factor is not kick_factor:
            kick = self.integrator.kick(grad)
        # leapfrogs, Σ acceptance, max |error|, diverged, Σ symmetric acceptance
        self._tally = [0, 0.0, 0.0, False, 0.0]

        # the trajectory so far as a subtree in time order; a sample is (x, logp, grad, H, kick)
        sample = (x, logp, grad, energy0, kick)
        trajectory: Subtree = (0.0, sample, p, p, p, norm, norm, norm, norm)
        edges = {True: (x, p, kick), False: (x, p, kick)}  # the latest and the earliest point
        log_weight = 0.0
        depth = 0
        while depth < self.max_treedepth:
            forward = uniform() > 0.5
            subtree, edges[forward] = self._build_subtree(
                depth, forward, edges[forward], energy0, uniform
            )
            if subtree is None:
                break
            # biased progressive sampling: move to the new subtree's pick with probability
            # min(1, w_new / w_old), which favours points far from the start
            if subtree[0] > log_weight or uniform() < exp(subtree[0] - log_weight):
                sample = subtree[1]
            log_weight = log_add_exp(log_weight, subtree[0])
            # built backwards in time, a subtree's first point is its latest
            earlier, later = (
                (trajectory, subtree) if forward else (reversed_subtree(subtree), trajectory)
            )
            if depth == 0:
                ends = joined_points_dots(earlier[3], later[4], earlier[5], later[6])
            else:
                ends = merged_end_dots(
                    earlier[2], earlier[3], earlier[4], earlier[6], earlier[7],
                    later[2], later[3], later[4], later[5], later[8],
                )  # fmt: skip
            depth += 1
            if ends is None:
                break
            trajectory = (
                log_weight, sample, earlier[2] + later[2], earlier[3], later[4],
                earlier[5], later[6], *ends,
            )  # fmt: skip

        new_x, new_logp, new_grad, energy, new_kick = sample
        if new_x is not x:
            # the density may have reused its gradient's array since; the kick is ours
            new_grad = self.integrator.gradient_from_kick(new_kick)
        self._kick_cache = (new_grad, kick_factor, new_kick)
        n_leapfrog, accept_sum, max_error, diverging, accept_sym_sum = self._tally
        stats: dict[str, Any] = {
            "diverging": diverging,
            "tree_depth": depth,
            "energy": energy,
            "energy_error": energy - energy0,
            "max_energy_error": max_error,
            "accept": accept_sum / n_leapfrog,
            "accept_sym": accept_sym_sum / n_leapfrog,
            "n_grad_evals": n_leapfrog,
        }
        return new_x, new_logp, new_grad, stats

    def _build_subtree(
        self,
        depth: int,
        forward: bool,
        edge: tuple[NDArray, NDArray, NDArray],
        energy0: float,
        uniform: Callable[[], float],
    ) -> tuple[Subtree | None, tuple[NDArray, NDArray, NDArray]]:
        """2^depth leapfrogs from ``edge`` as a balanced binary tree: (subtree or None, new edge).

        Built iteratively, leaf by leaf (see ``close_subtrees``). A subtree lists its
        points in the order built; it is None when a leapfrog diverged or a merge turned.
        """
        integrator = self.integrator
        times_scale = integrator.times_scale
        position_factor = integrator.position_factor
        kick_factor = integrator.kick_factor
        logp_dlogp = integrator.logp_dlogp
        max_energy_error = self.max_energy_error
        move = np.add if forward else np.subtract
        edge_x, edge_p, edge_kick = edge
        n_leapfrog, accept_sum, max_error, diverging, accept_sym_sum = self._tally
        pending: list[Subtree] = [()] * depth
        subtree: Subtree | None = None
        for leaf in range(1 << depth):
            # one leapfrog step, as Leapfrog.step does it
            p_half = move(edge_p, edge_kick)
            edge_x = move(edge_x, times_scale(position_factor, p_half))
            try:
                logp, grad = logp_dlogp(edge_x)
                logp = float(logp)
            except DENSITY_ERRORS:
                logp, grad = -INF, edge_x
            edge_kick = times_scale(kick_factor, grad)
            edge_p = move(p_half, edge_kick)
            norm = float(edge_p.dot(edge_p))
            energy = 0.5 * norm - logp
            error = energy - energy0
            n_leapfrog += 1
            # acceptance statistic min(1, exp(H0 − H)), and its symmetric form
            # 2 / (1 + exp|H − H0|); NaN adds nothing to either
            if error > 0.0:
                shrink = exp(-error)
                accept_sum += shrink
                accept_sym_sum += 2.0 * shrink / (1.0 + shrink)
            elif error <= 0.0:
                shrink = exp(error)
                accept_sum += 1.0
                accept_sym_sum += 2.0 * shrink / (1.0 + shrink)
            if not abs(error) <= abs(max_error):  # larger, or NaN
                max_error = error
            if not error <= max_energy_error:
                diverging = True
                break
            # a point's multinomial weight is exp(H0 − H), kept as its log
            current: Subtree = (
                -error, (edge_x, logp, grad, energy, edge_kick),
                edge_p, edge_p, edge_p, norm, norm, norm, norm,
            )  # fmt: skip
            level = 0
            if leaf & 1:
                merged, level = close_subtrees(pending, current, leaf, uniform)
                if merged is None:  # a merge turned: the new subtree is dropped
                    break
                current = merged
            if level == depth:
                subtree = current
            else:
                pending[level] = current
        self._tally = [n_leapfrog, accept_sum, max_error, diverging, accept_sym_sum]
        return subtree, (edge_x, edge_p, edge_kick)
