"""The C trajectory of NUTS (``nuts_kernel.c``) and what feeds it: density, metric, random numbers.

The kernel consumes the very random numbers the Python NUTS would, in the same order.
Python draws uniforms one at a time (the step-size jitter) and in batches, and standard
normals in batches of momentum rows. Uniforms of a PCG64-like generator are consecutive
outputs however they are grouped, so the kernel gets a *stream* of them drawn ahead, and
the generator's state from before. Whenever Python itself must use the generator (a
momentum batch, a step-size search), ``sync_rng`` puts the generator back where the
Python sampler's would be: the saved state, advanced by the uniforms actually used.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from samplers.cmodule import load_module
from samplers.integrator import DENSITY_ERRORS, Leapfrog

STAT_COUNT = 11
"""Columns of the kernel's statistics, in this order."""
STAT_COLUMNS = (
    "diverging", "tree_depth", "energy", "energy_error", "max_energy_error",
    "accept", "accept_sym", "n_grad_evals", "step_size", "logp", "moved",
)  # fmt: skip
RUNNING, NEED_STREAM, NEED_MOMENTA, ABORTED = 0, 1, 2, 3
UNIFORM_BATCH = 4096  # as nuts.py
NORMAL_BATCH_ELEMENTS = 1 << 16
STREAM_EXTRA = 4096  # uniforms drawn ahead beyond one batch: about 4000 jitters

_HERE = Path(__file__).parent


def _sources() -> tuple[str, str]:
    header = (_HERE / "nuts_kernel.h").read_text()
    source = header + (_HERE / "nuts_kernel.c").read_text()
    cdef = header + (
        'extern "Python" int python_density(const double *, double *, double *, void *);\n'
    )
    return source, cdef


_module: Any = None


def kernel_module() -> Any:
    """The compiled kernel (built on first use, then from the disk cache)."""
    global _module
    if _module is None:
        module = load_module(*_sources(), name_hint="nuts")

        @module.ffi.def_extern(name="python_density")
        def python_density(x: Any, grad: Any, logp: Any, context: Any) -> int:
            return module.ffi.from_handle(context).evaluate(logp)

        _module = module
    return _module


class PythonDensity:
    """A Python ``logp_dlogp`` called back from C with NumPy views on the kernel's buffers."""

    def __init__(self, function: Any, x: NDArray, grad: NDArray):
        self.function = function
        self.x = x
        self.grad = grad
        self.error: BaseException | None = None

    def evaluate(self, logp: Any) -> int:
        """0 when evaluated, 1 outside the support (a divergence), -1 on an error to re-raise."""
        try:
            value, gradient = self.function(self.x)
            self.grad[:] = gradient
            logp[0] = float(value)
            return 0
        except DENSITY_ERRORS:
            return 1
        except BaseException as error:  # KeyboardInterrupt too: raised again in Python
            self.error = error
            return -1


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


class NutsKernel:
    """One chain's C kernel: its state (x, logp, grad, kick), metric and random numbers."""

    def __init__(
        self,
        density: Any,
        logp_dlogp: Any,
        dim: int,
        max_treedepth: int,
        max_energy_error: float,
        step_size_jitter: float,
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
        kernel.step_size_jitter = step_size_jitter
        needed = 2 ** (max_treedepth + 1)
        kernel.uniforms_needed = needed
        kernel.uniform_batch = max(UNIFORM_BATCH, 2 * needed)
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
                logp_dlogp, self._view(kernel.eval_x), self._view(kernel.eval_grad)
            )
            self._handle = ffi.new_handle(self._python_density)
            kernel.density = self.lib.python_density
            kernel.context = self._handle
        self.density_kind = "c" if pointer is not None else "python"
        self._metric: tuple[Any, ...] = ()
        self._seen_kick_factor: Any = None
        self._momenta = np.zeros((0, dim))
        self._stream = np.zeros(0)
        self._rng: np.random.Generator | None = None
        self._rng_state: Any = None

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

    def settle(self, integrator: Leapfrog) -> None:
        """Leave the Python integrator at the kernel's step size, as the Python sampler would."""
        eps = float(self.kernel.eps)
        if integrator.step_size != eps:
            integrator.set_step_size(eps)
        self._seen_kick_factor = integrator.kick_factor

    def set_state(self, x: NDArray, logp: float, grad: NDArray) -> None:
        """Start from ``(x, logp, grad)``, a state the kernel did not produce."""
        self.x[:] = x
        self.grad[:] = grad
        self.kernel.logp = logp
        self.kernel.kick_valid = 0

    def run(self, draws: int, seconds: float) -> tuple[NDArray, NDArray]:
        """Up to ``draws`` draws, returning after about ``seconds``: positions and statistics."""
        positions = np.empty((draws, self.dim))
        stats = np.empty((draws, STAT_COUNT))
        kernel, lib = self.kernel, self.lib
        done = 0
        while done < draws:
            done += lib.nuts_run(
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
            else:
                kernel.resume = 0
                kernel.kick_valid = 0
                error = self._python_density.error if self._python_density else None
                if self._python_density is not None:
                    self._python_density.error = None
                raise error or RuntimeError("the C density reported an error")
        return positions[:done], stats[:done]
