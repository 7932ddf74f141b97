"""The C backend the Hamiltonian samplers share: random numbers in batches, chunked draws.

NUTS and HamiltonianMC draw their random numbers the same way in Python and in C:
uniforms in batches (``UNIFORM_BATCH``, popped from the end), momenta in batches of
rows, and one uniform straight from the generator per draw for the step-size jitter.
The kernel (``nuts_c.HamiltonianKernel``) consumes them in that order, so both
backends give the same draws for the same seed. A subclass says which trajectory the
kernel runs (``_kernel_trajectory``) and how many uniforms one draw may use.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from samplers.blocks import Point
from samplers.cmodule import compiler_problem
from samplers.hmc_base import BaseHMC
from samplers.nuts_c import (
    NORMAL_BATCH_ELEMENTS,
    STAT_COLUMNS,
    UNIFORM_BATCH,
    HamiltonianKernel,
    adapts_in_c,
    kernel_module,
)
from samplers.step_size import find_reasonable_step_size

BACKENDS = ("auto", "c", "python")


def choose_backend(backend: str, sampler: str) -> str:
    """ "c" or "python" for ``backend``; "auto" is C when the kernel compiles (or is cached)."""
    if backend not in BACKENDS:
        raise ValueError(f"{sampler}: backend must be one of {BACKENDS}, got {backend!r}")
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
        raise RuntimeError(f"{sampler}: backend='c' needs a C compiler: {problem}")
    warnings.warn(
        f"{sampler} runs its Python trajectory, not the C one: {problem}",
        RuntimeWarning,
        stacklevel=4,
    )
    return "python"


class KernelHMC(BaseHMC):
    """A Hamiltonian sampler whose draws run in Python or in the C kernel (``backend``).

    A subclass calls ``_use_backend`` at the end of its constructor and implements
    ``_kernel_trajectory``; its Python ``transition`` takes uniforms from
    ``_uniform_batch`` and momenta from ``_draw_momentum``.
    """

    _kernel: HamiltonianKernel | None = None
    _uniforms_needed = 1
    """The most uniforms one draw may take from the batch."""

    def _use_backend(self, backend: str) -> None:
        self._uniforms: list[float] = []
        self._momenta: list[NDArray] = []
        self._kernel = None
        self._kernel_x: NDArray | None = None  # the point the kernel's state is at
        self.backend = choose_backend(backend, type(self).__name__)

    def _kernel_trajectory(self) -> dict[str, Any]:
        """The keywords of ``HamiltonianKernel`` that choose this sampler's trajectory."""
        raise NotImplementedError(f"{type(self).__name__} must define _kernel_trajectory")

    # -- random numbers in batches ------------------------------------------------------

    # While the C kernel holds uniforms drawn ahead, the generator is ahead of where the
    # Python sampler's would be; reading ``rng`` puts it back first.
    @property
    def rng(self) -> np.random.Generator:
        kernel = self._kernel
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

    def _uniform_batch(self) -> list[float]:
        """The batch of uniforms, refilled when it holds fewer than one draw may need."""
        if len(self._uniforms) < self._uniforms_needed:
            size = max(UNIFORM_BATCH, 2 * self._uniforms_needed)
            self._uniforms = self.rng.random(size).tolist()
        return self._uniforms

    def _draw_momentum(self) -> NDArray:
        if not self._momenta:
            rows = max(1, NORMAL_BATCH_ELEMENTS // self.dim)
            self._momenta = list(self.rng.standard_normal((min(rows, 256), self.dim)))
        return self._momenta.pop()

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

    def _new_kernel(self) -> HamiltonianKernel:
        kernel = HamiltonianKernel(
            self.density, self.integrator.logp_dlogp, self.dim, self.max_energy_error,
            self.step_size_jitter, self._uniforms_needed, **self._kernel_trajectory(),
        )  # fmt: skip
        kernel.attach_rng(self._rng)
        kernel.load_batches(self._uniforms, self._momenta)
        self._uniforms, self._momenta = [], []
        return kernel

    def _push_adaptation(self, kernel: HamiltonianKernel) -> None:
        dual = self.dual_averaging if self.adapt_step_size else None
        # as BaseHMC._adapt: only a sampler reporting ``accept_sym`` switches to it
        symmetric = "accept_sym" in self.stat_dtypes
        kernel.push_adaptation(dual, self.mass_matrix, self._tune_draw, symmetric)

    def _take_metric(self, kernel: HamiltonianKernel, changed: bool) -> None:
        """Leave the integrator at the metric the kernel's adaptation made (when it did)."""
        if changed:
            self.integrator.set_inv_mass(self.mass_matrix.inv_mass)
            kernel.take_metric(self.integrator)

    def _step_search(self, row: NDArray) -> None:
        """What ``_adapt`` does when the metric changed so that the step size must be
        searched for again (or a dense metric factored), between two draws of the kernel;
        ``row`` holds the statistics of the draw before."""
        kernel = self._kernel
        assert kernel is not None
        dual = self.dual_averaging if self.adapt_step_size else None
        self._tune_draw, changed = kernel.pull_adaptation(dual, self.mass_matrix)
        kernel.settle(self.integrator, float(row[STAT_COLUMNS.index("step_size")]))
        self._take_metric(kernel, changed)
        if dual is not None:
            x, logp, grad = kernel.x.copy(), float(kernel.kernel.logp), kernel.grad.copy()
            self.step_size = float(kernel.kernel.nominal_step)  # the draw's, before its update
            self.step_size, evaluations = find_reasonable_step_size(
                self.integrator, x, logp, grad, self.rng, self.step_size, self.target_accept
            )
            dual.restart(self.step_size)
            row[STAT_COLUMNS.index("n_grad_evals")] += evaluations
            row[STAT_COLUMNS.index("step_size_bar")] = dual.averaged
        self._push_adaptation(kernel)
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
        if adapting:
            self._push_adaptation(kernel)
        else:
            kernel.stop_adapting()
        kernel.follow(self.integrator, self.step_size)
        positions, table = kernel.run(limit, seconds, self._step_search if adapting else None)
        count = positions.shape[0]
        columns = dict(zip(STAT_COLUMNS, table.T, strict=True))
        kernel.settle(self.integrator, float(columns["step_size"][-1]))
        if adapting:
            dual = self.dual_averaging if self.adapt_step_size else None
            self._tune_draw, changed = kernel.pull_adaptation(dual, self.mass_matrix)
            self.step_size = float(kernel.kernel.nominal_step)
            self._take_metric(kernel, changed)
        stats: dict[str, NDArray] = {
            name: columns[name].astype(dtype)
            for name, dtype in self.stat_dtypes.items()
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
