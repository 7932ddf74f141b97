"""GPU benchmarks of issue 18 (run by bench/gpu.sh on a machine with an NVIDIA GPU).

- ``exp(a*x**3 + y**2).sum()`` and the logistic curve ``1 / (1 + exp(-x))`` on 1e7 and
  1e8 float32/float64 elements: mode='CUDA' (inputs resident on the device as shared
  values, outputs borrowed, so the kernels are timed, not the PCIe copies), beside NumPy
  on the host and CuPy / jax.jit where installed. Each is set against the device's
  bandwidth bound: the bytes the workload must move at the rate of a device-to-device
  copy (goal: within 1.3x).
- a 4096^2 matmul: mode='CUDA' (cuBLAS through cffi), the tiled fallback kernel, and
  cuBLAS called directly (goal: within 1.2x).

Prints one JSON line per measurement, then a summary table.
"""

# Closures over loop variables are timed inside the iteration that made them.
# ruff: noqa: B023

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

ROWS: list[dict[str, Any]] = []


def timed(fn: Callable[[], Any], sync: Callable[[], None], repeats: int = 7) -> float:
    """Median seconds per call (after a warm-up call), the device synchronized."""
    fn()
    sync()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def record(workload: str, case: str, impl: str, seconds: float, bound: float | None) -> None:
    row = {"workload": workload, "case": case, "impl": impl, "ms": seconds * 1e3}
    if bound:
        row["x_bound"] = seconds / bound
    ROWS.append(row)
    print(json.dumps(row), flush=True)


def bandwidth(driver: Any) -> float:
    """Bytes per second of a 1 GiB device-to-device copy (read + write counted)."""
    nbytes = 1 << 30
    src, dst = driver.mem_alloc(nbytes), driver.mem_alloc(nbytes)
    seconds = timed(lambda: driver.memcpy_dtod(dst, src, nbytes), driver.Context.synchronize)
    return 2 * nbytes / seconds


def optional(name: str) -> Any:
    try:
        return __import__(name)
    except Exception:
        return None


def elementwise(driver: Any, rate: float, sizes: list[int]) -> None:
    import tensorops as pt
    from graphcore import Out, function, shared

    cupy, jax = optional("cupy"), optional("jax")
    sync = driver.Context.synchronize
    for dtype in ("float32", "float64"):
        for n in sizes:
            case = f"{dtype} n={n:.0e}"
            itemsize = np.dtype(dtype).itemsize
            rng = np.random.default_rng(0)
            xs = rng.uniform(-1, 1, n).astype(dtype)
            ys = rng.uniform(-1, 1, n).astype(dtype)
            a = np.asarray(0.5, dtype)
            x, y = shared(xs, name="x"), shared(ys, name="y")
            fused = function([], pt.exp(a * x**3 + y**2).sum(), mode="CUDA")
            logistic = function([], Out(1 / (1 + pt.exp(-x)), borrow=True), mode="CUDA")
            for workload, ours, bytes_moved, host in (
                ("exp(a*x**3+y**2).sum()", fused, 2 * n * itemsize,
                 lambda: np.exp(a * xs**3 + ys**2).sum()),
                ("logistic", logistic, 2 * n * itemsize, lambda: 1 / (1 + np.exp(-xs))),
            ):  # fmt: skip
                bound = bytes_moved / rate
                record(workload, case, "cudagen", timed(ours, sync), bound)
                record(workload, case, "numpy (host)", timed(host, lambda: None, 3), bound)
                if cupy is not None:
                    cx, cy = cupy.asarray(xs), cupy.asarray(ys)
                    cupy_fn = (
                        (lambda: cupy.exp(a * cx**3 + cy**2).sum())
                        if workload != "logistic"
                        else (lambda: 1 / (1 + cupy.exp(-cx)))
                    )
                    cupy_sync = cupy.cuda.Device().synchronize  # its stream, not ours
                    record(workload, case, "cupy", timed(cupy_fn, cupy_sync), bound)
                if jax is not None:
                    import jax.numpy as jnp

                    jx, jy = jax.device_put(xs), jax.device_put(ys)
                    if workload == "logistic":
                        jit = jax.jit(lambda u: 1 / (1 + jnp.exp(-u)))
                        record(workload, case, "jax.jit",
                               timed(lambda: jit(jx).block_until_ready(), sync), bound)  # fmt: skip
                    else:
                        jit2 = jax.jit(lambda u, v: jnp.exp(a * u**3 + v**2).sum())
                        seconds = timed(lambda: jit2(jx, jy).block_until_ready(), sync)
                        record(workload, case, "jax.jit", seconds, bound)
            del x, y, fused, logistic


def matmul(driver: Any, n: int = 4096) -> None:
    import tensorops as pt
    from cudagen.cublas import cublas
    from cudagen.executor import Executor
    from graphcore import Out, function, shared

    sync = driver.Context.synchronize
    for dtype in ("float32", "float64"):
        case = f"{dtype} {n}x{n}"
        rng = np.random.default_rng(0)
        av, bv = rng.normal(size=(n, n)).astype(dtype), rng.normal(size=(n, n)).astype(dtype)
        a, b = shared(av, name="a"), shared(bv, name="b")
        f = function([], Out(pt.dot(a, b), borrow=True), mode="CUDA")
        record("matmul", case, "cudagen (cuBLAS)", timed(f, sync), None)
        program = f.program  # type: ignore[attr-defined]
        executor: Executor = program.executor
        original = program.device.matmul
        program.device.matmul = lambda *args: False  # the tiled kernel
        record("matmul", case, "cudagen (tiled kernel)", timed(f, sync), None)
        program.device.matmul = original
        library = cublas()
        if library is not None:
            da, db = executor.to_device(av), executor.to_device(bv)
            out = executor.empty((n, n), np.dtype(dtype))
            record("matmul", case, "cuBLAS direct", timed(
                lambda: library.gemm(dtype, n, n, n, (da.address, (n, 1)), (db.address, (n, 1)),
                                     out.address), sync), None)  # fmt: skip
        record("matmul", case, "numpy (host)", timed(lambda: av @ bv, lambda: None, 3), None)


def summary(device_name: str, rate: float) -> None:
    print(f"\n{device_name}: device-to-device copy {rate / 1e9:.0f} GB/s")
    print(f"{'workload':26s} {'case':18s} {'impl':24s} {'ms':>10s} {'x bound':>8s}")
    for row in ROWS:
        bound = f"{row['x_bound']:.2f}" if "x_bound" in row else ""
        print(f"{row['workload']:26s} {row['case']:18s} {row['impl']:24s} "
              f"{row['ms']:10.3f} {bound:>8s}")  # fmt: skip


def main() -> int:
    from cudagen.device import no_device_reason, require_driver

    reason = no_device_reason()
    if reason is not None:
        print(f"no CUDA device: {reason}; nothing to measure")
        return 1
    driver = require_driver()
    import pycuda.autoprimaryctx  # noqa: F401

    from cudagen.cublas import cublas, library_path

    print(f"cuBLAS: {library_path()} ({'loaded' if cublas() else 'did not load: tiled kernel'})")
    rate = bandwidth(driver)
    sizes = [int(1e7), int(1e8)] if "--quick" not in sys.argv else [int(1e6)]
    elementwise(driver, rate, sizes)
    matmul(driver, 4096 if "--quick" not in sys.argv else 512)
    summary(driver.Context.get_device().name(), rate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
