"""The C trajectories of NUTS and HamiltonianMC (``nuts_kernel.c``) and what feeds them:
density, metric, random numbers, adaptation.

The kernel consumes the very random numbers the Python NUTS would, in the same order.
Python draws uniforms one at a time (the step-size jitter) and in batches, and standard
normals in batches of momentum rows. A NumPy Generator's uniforms are consecutive
outputs of its bit generator however they are grouped, so the kernel gets a *stream* of
them drawn ahead, and the generator's state from before. Whenever Python itself must
use the generator (a momentum batch, a step-size search), ``sync_rng`` puts it back
where the Python sampler's would be: the saved state, advanced by the uniforms used.
"""

from __future__ import annotations

import ctypes
import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from samplers.cmodule import load_module
from samplers.integrator import DENSITY_ERRORS, Leapfrog
from samplers.mass_matrix import (
    FixedMassMatrix,
    GradientDiagonal,
    MassMatrixAdaptation,
    RunningMoments,
    WindowedDense,
    WindowedDiagonal,
)
from samplers.step_size import DualAveraging

STAT_COLUMNS = (
    "diverging", "tree_depth", "energy", "energy_error", "max_energy_error",
    "accept", "accept_sym", "n_grad_evals", "step_size", "logp", "moved", "step_size_bar",
)  # fmt: skip
"""Columns of the kernel's statistics, in this order (STAT_COUNT in nuts_kernel.c)."""
STAT_COUNT = len(STAT_COLUMNS)
RUNNING, NEED_STREAM, NEED_MOMENTA, ABORTED, NEED_STEP_SEARCH = 0, 1, 2, 3, 4
# One Generator call per random number would cost more than the arithmetic of a leapfrog
# step: the Python samplers too draw uniforms and momenta in batches of these sizes.
UNIFORM_BATCH = 4096
NORMAL_BATCH_ELEMENTS = 1 << 16
NEVER = 2**62  # a tuning draw no chain reaches
STREAM_EXTRA = 4096  # uniforms drawn ahead beyond one batch: about 4000 jitters

_HERE = Path(__file__).parent


def _sources() -> tuple[str, str]:
    header = (_HERE / "nuts_kernel.h").read_text()
    kernel = (_HERE / "nuts_kernel.c").read_text()
    source = header + kernel + (_HERE / "python_density.c").read_text()
    return source, header


_module: Any = None


def kernel_module() -> Any:
    """The compiled kernel (built on first use, then from the disk cache)."""
    global _module
    if _module is None:
        _module = load_module(*_sources(), name_hint="nuts")
    return _module


class PythonDensity:
    """A Python ``logp_dlogp`` called from C (``python_density.c``) on a NumPy view of the
    kernel's buffer, its gradient copied into another.

    The C side reads this object's attributes as raw object pointers (CPython's ``id``),
    so it holds every object it hands over, bound methods included, for its lifetime.
    """

    def __init__(self, ffi: Any, function: Any, x: NDArray, grad: NDArray):
        self.function = function
        self.x = x
        self.grad = grad
        self.error: BaseException | None = None
        self._finish = self.finish
        self._keep_error = self.keep_error
        self.errors = DENSITY_ERRORS
        self.context = ffi.new("python_density *")
        owned = (function, x, self._finish, self._keep_error, self.errors)
        for field, thing in zip(_OBJECT_FIELDS, owned, strict=True):
            setattr(self.context, field, ffi.cast("void *", id(thing)))
        self.context.dim = x.size

    def finish(self, result: Any) -> float:
        """What C does not do itself: unpack ``result``, store its gradient (any array-like
        NumPy broadcasts to the point's shape), return its log density as a float."""
        value, gradient = result
        self.grad[:] = gradient
        return float(value)

    def keep_error(self, error: BaseException) -> None:
        """Keep an error of the density that is not a divergence, to raise it in Python."""
        self.error = error


_OBJECT_FIELDS = ("function", "x", "finish", "keep_error", "density_errors")


def c_density(density: Any) -> tuple[Any, Any] | None:
    """The density's C entry point and context (``c_logp_dlogp``, ``c_context``), if any."""
    pointer = getattr(density, "c_logp_dlogp", None)
    if pointer is None:
        return None
    return pointer, getattr(density, "c_context", None)


def address(ffi: Any, pointer: Any) -> int:
    """An address given as an int or as a cffi pointer of any FFI."""
    if isinstance(pointer, int):
        return pointer
    return int(ffi.cast("uintptr_t", pointer))


@functools.cache
def linear_algebra_addresses() -> tuple[int, int, int] | None:
    """Addresses of SciPy's BLAS ``ddot`` and ``dgemv`` and LAPACK ``dtrtrs`` (their Cython
    capsules), or None where they cannot be had.

    The kernel's dot products, dense products and triangular solves call them so that
    they round as NumPy's ``dot`` and ``matmul`` and ``scipy.linalg.solve_triangular`` do
    in the Python samplers (SciPy's and NumPy's OpenBLAS share their kernels; a test
    checks it where it runs). OpenBLAS sums vectors of 16 or more elements in blocks,
    so a plain loop would round differently there.
    """
    try:
        from scipy.linalg import cython_blas, cython_lapack
    except ImportError:
        return None
    # prototypes of our own: the shared ctypes.pythonapi functions keep their settings
    api = ctypes.pythonapi
    get_name = ctypes.PYFUNCTYPE(ctypes.c_char_p, ctypes.py_object)(("PyCapsule_GetName", api))
    get_pointer = ctypes.PYFUNCTYPE(ctypes.c_void_p, ctypes.py_object, ctypes.c_char_p)(
        ("PyCapsule_GetPointer", api)
    )
    addresses = []
    wanted = ((cython_blas, "ddot"), (cython_blas, "dgemv"), (cython_lapack, "dtrtrs"))
    for module, name in wanted:
        capsule = getattr(module, "__pyx_capi__", {}).get(name)
        if capsule is None:
            return None
        addresses.append(get_pointer(capsule, get_name(capsule)))
    return addresses[0], addresses[1], addresses[2]


def adapts_in_c(mass_matrix: MassMatrixAdaptation) -> bool:
    """Whether the kernel can run this mass-matrix strategy (and dual averaging) itself.
    (WindowedDense's matrix is factored in Python at the end of each window, when the
    kernel returns for the step-size search anyway.)"""
    return type(mass_matrix) in (GradientDiagonal, WindowedDiagonal, WindowedDense, FixedMassMatrix)


class HamiltonianKernel:
    """One chain's C kernel: its state (x, logp, grad, kick), metric and random numbers.

    It runs NUTS trajectories up to ``max_treedepth`` doublings, or, given a
    ``path_length``, HamiltonianMC's: ⌊path_length / ε⌋ leapfrogs (at most
    ``max_steps``) and a Metropolis test. One draw takes at most ``uniforms_needed``
    uniforms from the batch.
    """

    def __init__(
        self,
        density: Any,
        logp_dlogp: Any,
        dim: int,
        max_energy_error: float,
        step_size_jitter: float,
        uniforms_needed: int,
        max_treedepth: int = 0,
        path_length: float | None = None,
        max_steps: int = 0,
    ):
        module = kernel_module()
        self.ffi, self.lib = module.ffi, module.lib
        ffi = self.ffi
        raw = self.lib.nuts_new(dim, max_treedepth)
        if raw == ffi.NULL:
            raise MemoryError("cannot allocate the NUTS kernel")
        self.kernel = ffi.gc(raw, self.lib.nuts_free)
        kernel = self.kernel
        self.dim = dim
        kernel.max_energy_error = max_energy_error
        found = linear_algebra_addresses()
        if found is not None:
            kernel.ddot = ffi.cast("ddot_fn", found[0])
            kernel.dgemv = ffi.cast("dgemv_fn", found[1])
            kernel.dtrtrs = ffi.cast("dtrtrs_fn", found[2])
        kernel.step_size_jitter = step_size_jitter
        if path_length is not None:
            kernel.hmc = 1
            kernel.path_length, kernel.max_steps = path_length, max_steps
        kernel.uniforms_needed = uniforms_needed
        kernel.uniform_batch = max(UNIFORM_BATCH, 2 * uniforms_needed)
        self._uniforms = np.zeros(kernel.uniform_batch)
        kernel.uniforms = self._pointer(self._uniforms)
        self.x, self.grad, self.kick = (self._view(kernel.x), self._view(kernel.grad),
                                        self._view(kernel.kick))  # fmt: skip
        pointer = c_density(density)
        if pointer is not None:
            function, context = pointer
            kernel.density = ffi.cast("density_fn", address(ffi, function))
            kernel.context = ffi.cast("void *", address(ffi, context or 0))
            self._python_density: PythonDensity | None = None
        else:
            self._python_density = PythonDensity(
                ffi, logp_dlogp, self._view(kernel.eval_x), self._view(kernel.eval_grad)
            )
            kernel.density = ffi.addressof(self.lib, "call_python_density")
            kernel.context = self._python_density.context
        self.density_kind = "c" if pointer is not None else "python"
        self._density = density
        self._metric: tuple[Any, ...] = ()
        self._seen_kick_factor: Any = None
        self._momenta = np.zeros((0, dim))
        self._stream = np.zeros(0)
        self._rng: np.random.Generator | None = None
        self._rng_state: Any = None
        self._counts = np.zeros(2, dtype=np.int64)
        self._moments = np.zeros((2, 2, 2, dim))  # pair, (draws, grads), (mean, squares)
        self._inv_mass = np.ones(dim)
        self._dense_squares = np.zeros((0, 0))  # allocated for WindowedDense
        kernel.counts = ffi.cast("long *", self._counts.ctypes.data)
        kernel.moments = self._pointer(self._moments)
        kernel.inv_mass = self._pointer(self._inv_mass)

    def _view(self, pointer: Any) -> NDArray:
        return np.frombuffer(self.ffi.buffer(pointer, 8 * self.dim), dtype=np.float64)

    def _pointer(self, array: NDArray) -> Any:
        return self.ffi.cast("double *", array.ctypes.data)

    # -- random numbers -----------------------------------------------------------------

    def attach_rng(self, rng: np.random.Generator) -> None:
        """Use ``rng`` from now on (after ``sync_rng`` of the previous one)."""
        self.sync_rng()
        self._rng = rng

    def sync_rng(self) -> None:
        """Leave the generator where the Python sampler's would be; drop the stream."""
        if self._rng_state is None or self._rng is None:
            return
        self._rng.bit_generator.state = self._rng_state
        self._rng.random(int(self.kernel.stream_used))
        self._rng_state = None
        self._stream = np.zeros(0)
        self.kernel.stream_len = 0
        self.kernel.stream_used = 0

    def _new_stream(self) -> None:
        assert self._rng is not None
        self.sync_rng()
        self._rng_state = self._rng.bit_generator.state
        self._stream = self._rng.random(int(self.kernel.uniform_batch) + STREAM_EXTRA)
        self.kernel.stream = self._pointer(self._stream)
        self.kernel.stream_len = self._stream.size
        self.kernel.stream_used = 0

    def leftover_batches(self) -> tuple[list[float], list[NDArray]]:
        """The uniforms and momentum rows not used yet, as the Python NUTS keeps them
        (lists popped from the end)."""
        uniforms = self._uniforms[: int(self.kernel.uniforms_left)].tolist()
        return uniforms, list(self._momenta[: int(self.kernel.momenta_left)].copy())

    def load_batches(self, uniforms: list[float], momenta: list[NDArray]) -> None:
        """Start from the Python NUTS's unused uniforms and momentum rows."""
        if len(uniforms) > self._uniforms.size:
            raise ValueError("more leftover uniforms than a batch holds")
        self._uniforms[: len(uniforms)] = uniforms
        self.kernel.uniforms_left = len(uniforms)
        if momenta:
            self._momenta = np.array(momenta, dtype=np.float64).reshape(len(momenta), self.dim)
            self.kernel.momenta = self._pointer(self._momenta)
        self.kernel.momenta_left = len(momenta)

    def _new_momenta(self) -> None:
        assert self._rng is not None
        self.sync_rng()
        rows = max(1, NORMAL_BATCH_ELEMENTS // self.dim)
        self._momenta = self._rng.standard_normal((min(rows, 256), self.dim))
        self.kernel.momenta = self._pointer(self._momenta)
        self.kernel.momenta_left = self._momenta.shape[0]

    # -- state --------------------------------------------------------------------------

    def follow(self, integrator: Leapfrog, nominal_step: float) -> None:
        """Take the metric and any step-size change the Python side made since the last run."""
        kernel = self.kernel
        kernel.nominal_step = nominal_step
        if integrator.kick_factor is self._seen_kick_factor:
            return
        # a new kick factor: Python's NUTS would compute the start's kick again
        scale, scale_t = integrator.scale, integrator._scale_transposed
        if not self._metric or self._metric[0] is not scale:
            position_factor, kick_factor = np.empty_like(scale), np.empty_like(scale)
            copies = (np.ascontiguousarray(scale), np.ascontiguousarray(scale_t))
            self._metric = (scale, *copies, position_factor, kick_factor)
            kernel.dense = int(scale.ndim == 2)
            kernel.scale, kernel.scale_t = (self._pointer(array) for array in copies)
            kernel.position_factor = self._pointer(position_factor)
            kernel.kick_factor = self._pointer(kick_factor)
        kernel.eps = math.nan
        kernel.kick_valid = 0

    def settle(self, integrator: Leapfrog, eps: float) -> None:
        """Leave the Python integrator at the last draw's step size, as the Python sampler would."""
        if integrator.step_size != eps:
            integrator.set_step_size(eps)
        self._seen_kick_factor = integrator.kick_factor

    def set_state(self, x: NDArray, logp: float, grad: NDArray) -> None:
        """Start from ``(x, logp, grad)``, a state the kernel did not produce."""
        self.x[:] = x
        self.grad[:] = grad
        self.kernel.logp = logp
        self.kernel.kick_valid = 0

    # -- adaptation ---------------------------------------------------------------------

    def push_adaptation(
        self,
        dual: DualAveraging | None,
        mass: MassMatrixAdaptation,
        tune_draw: int,
        symmetric: bool,
    ) -> None:
        """Adapt in C from the state of the Python objects (``dual`` None: a fixed step size;
        ``symmetric``: whether the sampler targets ``accept_sym`` late in tuning)."""
        kernel = self.kernel
        kernel.adapt = 1
        kernel.adapt_step_size = int(dual is not None)
        kernel.tune_draw = tune_draw
        symmetric_from = mass.symmetric_accept_from
        kernel.symmetric_from = NEVER if symmetric_from is None or not symmetric else symmetric_from
        if dual is not None:
            kernel.da_target, kernel.da_gamma = dual.target_accept, dual.gamma
            kernel.da_t0, kernel.da_kappa, kernel.da_mu = dual.t0, dual.kappa, dual.mu
            kernel.da_error_sum, kernel.da_count = dual.error_sum, dual.count
            kernel.da_log_step, kernel.da_log_averaged = dual.log_step, dual.log_averaged_step
        kernel.adapt_mass = 0
        if isinstance(mass, WindowedDiagonal):  # or WindowedDense, see adapts_in_c
            self._push_windows(mass)
        if type(mass) is not GradientDiagonal:
            return
        kernel.adapt_mass = 1
        kernel.gd_draw, kernel.gd_changed_before = mass.draw, int(mass.changed_before)
        kernel.gd_early_end, kernel.gd_final_start = mass.early_end, mass.final_start
        kernel.gd_early_switch, kernel.gd_switch = mass.early_switch, mass.switch
        kernel.gd_foreground = 0
        for pair, moments in enumerate((mass.foreground, mass.background)):
            self._counts[pair] = moments[0].count
            for part, running in enumerate(moments):
                self._moments[pair, part] = running.mean, running.squares
        self._inv_mass[:] = mass.inv_mass

    def _push_windows(self, mass: WindowedDiagonal) -> None:
        kernel, windows, dim = self.kernel, mass.windows, self.dim
        kernel.adapt_mass = 3 if mass.dense else 2
        kernel.sw_enabled = int(windows.enabled)
        kernel.sw_n_tune, kernel.sw_counter = windows.n_tune, windows.counter
        kernel.sw_init_buffer, kernel.sw_term_buffer = windows.init_buffer, windows.term_buffer
        kernel.sw_window_size, kernel.sw_window_end = windows.window_size, windows.window_end
        self._counts[0] = mass.moments.count
        self._moments[0, 0, 0] = mass.moments.mean
        if mass.dense and self._dense_squares.shape != (dim, dim):
            self._dense_squares = np.zeros((dim, dim))
            self._inv_mass = np.zeros((dim, dim))
            kernel.dense_squares = self._pointer(self._dense_squares)
            kernel.inv_mass = self._pointer(self._inv_mass)
        if mass.dense:
            self._dense_squares[:] = mass.moments.squares
        else:
            self._moments[0, 0, 1] = mass.moments.squares
        self._inv_mass[:] = mass.inv_mass

    def _pull_windows(self, mass: WindowedDiagonal) -> bool:
        kernel, windows = self.kernel, mass.windows
        windows.counter = int(kernel.sw_counter)
        windows.window_size, windows.window_end = (
            int(kernel.sw_window_size),
            int(kernel.sw_window_end),
        )
        if mass.dense:
            moments = RunningMoments(self.dim, full=True)
            moments.count = int(self._counts[0])
            moments.mean = self._moments[0, 0, 0].copy()
            moments.squares = self._dense_squares.copy()
            mass.moments = moments
        else:
            mass.moments = self._running(0)[0]
        changed = not np.array_equal(mass.inv_mass, self._inv_mass)
        mass.inv_mass = self._inv_mass.copy()
        return changed

    def pull_adaptation(
        self, dual: DualAveraging | None, mass: MassMatrixAdaptation
    ) -> tuple[int, bool]:
        """Leave the Python objects as the kernel's adaptation left them: (the tuning
        draws done, whether the inverse mass matrix changed)."""
        kernel = self.kernel
        if dual is not None:
            dual.error_sum, dual.count = float(kernel.da_error_sum), int(kernel.da_count)
            dual.log_step = float(kernel.da_log_step)
            dual.log_averaged_step = float(kernel.da_log_averaged)
        changed = False
        if isinstance(mass, WindowedDiagonal):
            changed = self._pull_windows(mass)
        if type(mass) is GradientDiagonal:
            mass.draw, mass.changed_before = int(kernel.gd_draw), bool(kernel.gd_changed_before)
            order = (kernel.gd_foreground, 1 - kernel.gd_foreground)
            foreground, background = (self._running(pair) for pair in order)
            mass.foreground, mass.background = foreground, background
            changed = not np.array_equal(mass.inv_mass, self._inv_mass)
            mass.inv_mass = self._inv_mass.copy()
        return int(kernel.tune_draw), changed

    def _running(self, pair: int) -> tuple[RunningMoments, RunningMoments]:
        parts = []
        for part in range(2):
            running = RunningMoments(self.dim)
            running.count = int(self._counts[pair])
            running.mean, running.squares = self._moments[pair, part].copy()
            parts.append(running)
        return parts[0], parts[1]

    def stop_adapting(self) -> None:
        self.kernel.adapt = 0

    def take_metric(self, integrator: Leapfrog) -> None:
        """The integrator's metric, set from Python to the one the kernel's adaptation
        made: a diagonal one the kernel already uses; a dense one's Cholesky factor,
        computed in Python, it copies at the next ``follow``."""
        if integrator.dense:
            return
        self._metric = (integrator.scale, *self._metric[1:])
        self._seen_kick_factor = integrator.kick_factor

    def run(
        self, draws: int, seconds: float, step_search: Callable[[NDArray], None] | None = None
    ) -> tuple[NDArray, NDArray]:
        """Up to ``draws`` draws, returning after about ``seconds``: positions and statistics.

        ``step_search(row)`` runs when adaptation asks for a new step size after the
        draw whose statistics are ``row``."""
        positions = np.empty((draws, self.dim))
        stats = np.empty((draws, STAT_COUNT))
        kernel = self.kernel
        # a Python density runs with the GIL held for the whole chunk; a C one without it
        run = self.lib.nuts_run if self._python_density is None else self.lib.nuts_run_python
        done = 0
        while done < draws:
            done += run(
                kernel, draws - done, seconds,
                self._pointer(positions[done:]), self._pointer(stats[done:]),
            )  # fmt: skip
            status = kernel.status
            if status == RUNNING:
                break
            if status == NEED_STREAM:
                self._new_stream()
            elif status == NEED_MOMENTA:
                self._new_momenta()
            elif status == NEED_STEP_SEARCH:
                assert step_search is not None
                step_search(stats[done - 1])
            else:
                kernel.resume = 0
                kernel.kick_valid = 0
                raise self._density_error()
        return positions[:done], stats[:done]

    def _density_error(self) -> BaseException:
        """What the density raised; for a C density, what its ``c_error()`` says (a
        density may offer one to turn its C failure into an exception)."""
        if self._python_density is not None:
            error, self._python_density.error = self._python_density.error, None
            if error is not None:
                return error
        describe = getattr(self._density, "c_error", None)
        error = describe() if callable(describe) else None
        return error or RuntimeError("the C density reported an error")
