"""The No-U-Turn Sampler as Stan defines it: multinomial, with the generalized U-turn criterion."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from samplers.blocks import Point
from samplers.cmodule import compiler_problem
from samplers.hmc import HAMILTONIAN_STATS, BaseHMC
from samplers.integrator import DENSITY_ERRORS
from samplers.mass_matrix import MassMatrixAdaptation
from samplers.nuts_c import STAT_COLUMNS, NutsKernel, adapts_in_c, kernel_module
from samplers.step_size import find_reasonable_step_size

NUTS_STATS: dict[str, np.dtype] = {
    **HAMILTONIAN_STATS,
    "tree_depth": np.dtype(np.int64),
    "accept_sym": np.dtype(np.float64),
}

Subtree = tuple[Any, ...]
"""(log weight, sample, rho, p_first, p_last, |p_first|², |p_last|², p_first·rho, p_last·rho)."""

# Random numbers come in batches: one Generator call per number would cost more than
# the arithmetic of a leapfrog step.
UNIFORM_BATCH = 4096
NORMAL_BATCH_ELEMENTS = 1 << 16

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


BACKENDS = ("auto", "c", "python")
MAX_C_TREEDEPTH = 30  # the kernel's fixed arrays; 2^30 leapfrogs is far beyond any use


def choose_backend(backend: str) -> str:
    """ "c" or "python" for ``backend``; "auto" is C when the kernel compiles (or is cached)."""
    if backend not in BACKENDS:
        raise ValueError(f"NUTS: backend must be one of {BACKENDS}, got {backend!r}")
    if backend == "python":
        return backend
    problem = compiler_problem()
    if problem is None:
        try:
            kernel_module()
        except (RuntimeError, OSError, ImportError) as error:
            problem = f"the C kernel does not build: {error}"
    if problem is None:
        return "c"
    if backend == "c":
        raise RuntimeError(f"NUTS: backend='c' needs a C compiler: {problem}")
    warnings.warn(
        f"NUTS runs its Python trajectory, not the C one: {problem}", RuntimeWarning, stacklevel=3
    )
    return "python"


class NUTS(BaseHMC):
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
    ``nuts_c.NutsKernel``) with the same random numbers in the same order, hence the
    same draws as this Python code for the same seed. The density is called back from
    C, or called directly when it exposes ``c_logp_dlogp`` and ``c_context`` (``int
    logp_dlogp(const double *x, double *grad, double *logp, void *context)``: 0 on
    success, > 0 outside the support, < 0 an error). ``step_many`` then runs many
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
        self._kernel: NutsKernel | None = None
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
        self._uniforms: list[float] = []
        self._momenta: list[NDArray] = []
        self._kick_cache: tuple[Any, Any, NDArray | None] = (None, None, None)
        self._tally: list[Any] = [0, 0.0, 0.0, False, 0.0]
        if self.max_treedepth > MAX_C_TREEDEPTH and backend != "python":
            if backend == "c":
                raise ValueError(
                    f"NUTS: backend='c' builds trees up to depth {MAX_C_TREEDEPTH}, "
                    f"got max_treedepth={self.max_treedepth}"
                )
            backend = "python"
        self.backend = choose_backend(backend)
        self._kernel_x: NDArray | None = None  # the point the kernel's state is at

    # While the C kernel holds uniforms drawn ahead, the generator is ahead of where the
    # Python sampler's would be; reading ``rng`` puts it back first.
    @property
    def rng(self) -> np.random.Generator:
        kernel = getattr(self, "_kernel", None)
        if kernel is not None:
            kernel.sync_rng()
        return self._rng

    @rng.setter
    def rng(self, rng: np.random.Generator) -> None:
        self._rng = rng

    def __getstate__(self) -> dict[str, Any]:
        # the kernel is C memory: a copy (another chain, another process) makes its own,
        # and takes over the random numbers drawn but not used yet, as the Python one does
        state = self.__dict__.copy()
        if self._kernel is not None:
            self._kernel.sync_rng()
            state["_uniforms"], state["_momenta"] = self._kernel.leftover_batches()
        state["_kernel"] = None
        state["_kernel_x"] = None
        return state

    def set_rng(self, rng: np.random.Generator) -> None:
        super().set_rng(rng)
        self._uniforms = []
        self._momenta = []
        self._kernel = None
        self._kernel_x = None

    def _draw_momentum(self) -> NDArray:
        if not self._momenta:
            rows = max(1, NORMAL_BATCH_ELEMENTS // self.dim)
            self._momenta = list(self.rng.standard_normal((min(rows, 256), self.dim)))
        return self._momenta.pop()

    def transition(
        self, x: NDArray, logp: float, grad: NDArray
    ) -> tuple[NDArray, float, NDArray, dict[str, Any]]:
        if len(self._uniforms) < self._uniforms_needed:
            self._uniforms = self.rng.random(max(UNIFORM_BATCH, 2 * self._uniforms_needed)).tolist()
        uniform = self._uniforms.pop
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

    # -- the C backend ----------------------------------------------------------------

    @property
    def chunked(self) -> bool:
        """Whether ``step_many`` runs many draws per call: the C backend, after tuning or
        while tuning with an adaptation the kernel runs itself."""
        return self.backend == "c" and (not self.tuning or self._adapts_in_c)

    @property
    def _adapts_in_c(self) -> bool:
        return adapts_in_c(self.mass_matrix)

    def step(self, point: Point) -> tuple[Point, dict[str, Any]]:
        if self.backend != "c":
            return super().step(point)
        point, _, stats = self._run_kernel(point, 1, math.inf)
        row = {name: column[0].item() for name, column in stats.items()}
        if self.tuning and not self._adapts_in_c:
            x, logp, grad = self._kernel_state()
            row["n_grad_evals"] += self._adapt(x, logp, grad, row)
            row["step_size_bar"] = (
                self.dual_averaging.averaged if self.adapt_step_size else self.step_size
            )
        return point, row

    def step_many(
        self, point: Point, limit: int, seconds: float
    ) -> tuple[Point, dict[str, NDArray], dict[str, NDArray]]:
        """Up to ``limit`` draws in about ``seconds``: the last point, per-block values
        (n, *shape) and statistics (n,). Needs the C backend (see ``chunked``)."""
        return self._run_kernel(point, limit, seconds)

    def _kernel_state(self) -> tuple[NDArray, float, NDArray]:
        assert self._remembered is not None
        _, x, logp, grad = self._remembered
        return x, logp, grad

    def _new_kernel(self) -> NutsKernel:
        kernel = NutsKernel(
            self.density, self.integrator.logp_dlogp, self.dim, self.max_treedepth,
            self.max_energy_error, self.step_size_jitter,
        )  # fmt: skip
        kernel.attach_rng(self._rng)
        kernel.load_batches(self._uniforms, self._momenta)
        self._uniforms, self._momenta = [], []
        return kernel

    def _step_search(self, row: NDArray) -> None:
        """What ``_adapt`` does when the metric asks for a new step size, between two
        draws of the kernel; ``row`` holds the statistics of the draw before."""
        kernel = self._kernel
        assert kernel is not None
        dual = self.dual_averaging
        self._tune_draw, changed = kernel.pull_adaptation(dual, self.mass_matrix)
        kernel.settle(self.integrator, float(row[STAT_COLUMNS.index("step_size")]))
        if changed:
            self.integrator.set_inv_mass(self.mass_matrix.inv_mass)
            kernel.keep_metric(self.integrator)
        x, logp, grad = kernel.x.copy(), float(kernel.kernel.logp), kernel.grad.copy()
        self.step_size = float(kernel.kernel.nominal_step)  # the draw's, before its update
        self.step_size, evaluations = find_reasonable_step_size(
            self.integrator, x, logp, grad, self.rng, self.step_size, self.target_accept
        )
        dual.restart(self.step_size)
        row[STAT_COLUMNS.index("n_grad_evals")] += evaluations
        row[STAT_COLUMNS.index("step_size_bar")] = dual.averaged
        kernel.push_adaptation(dual, self.mass_matrix, self._tune_draw)
        kernel.follow(self.integrator, self.step_size)

    def _run_kernel(
        self, point: Point, limit: int, seconds: float
    ) -> tuple[Point, dict[str, NDArray], dict[str, NDArray]]:
        if not self._started:
            jitter, self.jitter = self.jitter, False
            point = self.start(point)
            self.jitter = jitter
        self.condition(point)
        if self._kernel is None:
            self._kernel = self._new_kernel()
        kernel = self._kernel
        x, logp, grad, evaluations = self._current_state(point)
        if x is not self._kernel_x:
            kernel.set_state(x, logp, grad)
        adapting = self.tuning and self._adapts_in_c
        dual = self.dual_averaging if self.adapt_step_size else None
        if adapting:
            kernel.push_adaptation(dual, self.mass_matrix, self._tune_draw)
        else:
            kernel.stop_adapting()
        kernel.follow(self.integrator, self.step_size)
        positions, table = kernel.run(limit, seconds, self._step_search if adapting else None)
        count = positions.shape[0]
        columns = dict(zip(STAT_COLUMNS, table.T, strict=True))
        kernel.settle(self.integrator, float(columns["step_size"][-1]))
        if adapting:
            self._tune_draw, changed = kernel.pull_adaptation(dual, self.mass_matrix)
            self.step_size = float(kernel.kernel.nominal_step)
            if changed:
                self.integrator.set_inv_mass(self.mass_matrix.inv_mass)
                kernel.keep_metric(self.integrator)
        stats: dict[str, NDArray] = {
            name: columns[name].astype(dtype)
            for name, dtype in NUTS_STATS.items()
            if name in columns
        }
        stats["n_grad_evals"][0] += evaluations
        if not (adapting and self.adapt_step_size):
            bar = self.dual_averaging.averaged if self.adapt_step_size else self.step_size
            stats["step_size_bar"] = np.full(count, bar)
        stats["tune"] = np.full(count, self.tuning)
        moved = np.flatnonzero(columns["moved"])
        if moved.size:
            x = positions[moved[-1]].copy()
            point = self._point_with(point, x)
            logp, grad = float(columns["logp"][-1]), kernel.grad.copy()
        self._remember(point, x, logp, grad)
        self._kernel_x = x
        values: dict[str, NDArray] = {}
        for name, where, shape in self._block_places:
            block = positions if where is None else positions[:, where]
            values[name] = block.reshape(count, *shape)
        return point, values, stats
