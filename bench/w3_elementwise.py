"""W3: elementwise throughput of ``exp(a*x**3 + y**2).sum()`` and ``1/(1+exp(-x))`` on
float64 vectors of 10^6 and 10^7 elements: milliseconds per call and GB/s of input read.

Ours runs FAST_RUN (fusion makes each expression one Composite, compiled to one C loop
that calls glibc's vectorized exp), also with fusion turned off, beside plain NumPy,
``jax.jit`` and PyTensor's FAST_RUN.
"""

from __future__ import annotations

import numpy as np
from common import jax_with_x64, optional_import, record, time_call, unavailable

WORKLOAD = "W3"
SIZES = (10**6, 10**7)


def polynomial(module, a, x, y):
    return module.exp(a * x**3 + y**2).sum()


def logistic(module, x):
    return 1 / (1 + module.exp(-x))


def data(n: int) -> tuple[float, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return 0.5, rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)


def report(case: str, impl: str, call, input_bytes: int) -> None:
    call()  # warm: the first call allocates the buffers later calls reuse
    median, best = time_call(call, repeats=5, min_seconds=0.2)
    record(
        WORKLOAD, case, impl, "ms", median * 1e3, best * 1e3, gb_per_s=input_bytes / median / 1e9
    )


def measure(impl: str, pt, function, mode) -> None:
    a, x, y = pt.dscalar("a"), pt.dvector("x"), pt.dvector("y")
    poly = function([a, x, y], polynomial(pt, a, x, y), mode=mode)
    logi = function([x], logistic(pt, x), mode=mode)
    for n in SIZES:
        av, xv, yv = data(n)
        report(
            f"exp(a*x**3+y**2).sum() n={n:.0e}",
            impl,
            lambda a=av, x=xv, y=yv: poly(a, x, y),
            2 * xv.nbytes,
        )
        report(f"1/(1+exp(-x)) n={n:.0e}", impl, lambda x=xv: logi(x), xv.nbytes)


def measure_numpy() -> None:
    for n in SIZES:
        av, xv, yv = data(n)
        report(
            f"exp(a*x**3+y**2).sum() n={n:.0e}",
            "numpy",
            lambda a=av, x=xv, y=yv: polynomial(np, a, x, y),
            2 * xv.nbytes,
        )
        report(f"1/(1+exp(-x)) n={n:.0e}", "numpy", lambda x=xv: logistic(np, x), xv.nbytes)


def measure_jax() -> None:
    jax = jax_with_x64(WORKLOAD)
    if jax is None:
        return
    import jax.numpy as jnp

    poly = jax.jit(lambda a, x, y: polynomial(jnp, a, x, y))
    logi = jax.jit(lambda x: logistic(jnp, x))
    for n in SIZES:
        av, xv, yv = data(n)
        xj, yj = jnp.asarray(xv), jnp.asarray(yv)  # on the device once, as jax users do
        report(
            f"exp(a*x**3+y**2).sum() n={n:.0e}",
            "jax.jit",
            lambda a=av, x=xj, y=yj: poly(a, x, y).block_until_ready(),
            2 * xv.nbytes,
        )
        report(
            f"1/(1+exp(-x)) n={n:.0e}",
            "jax.jit",
            lambda x=xj: logi(x).block_until_ready(),
            xv.nbytes,
        )


def main() -> None:
    import graphcore
    import rewriter.pipeline
    import tensorops as pt

    # Running from source no entry point is installed; registering twice is harmless.
    graphcore.register_rewrites(rewriter.pipeline.build)
    measure("ours FAST_RUN", pt, pt.function, "FAST_RUN")
    unfused = graphcore.get_mode("FAST_RUN").excluding("fusion")
    measure("ours FAST_RUN, fusion off", pt, pt.function, unfused)
    measure_numpy()
    measure_jax()
    pytensor = optional_import("pytensor")
    if pytensor is None:
        unavailable(WORKLOAD, "pytensor", "not installed")
        return
    import pytensor.tensor as ptt

    measure("pytensor FAST_RUN", ptt, pytensor.function, "FAST_RUN")


if __name__ == "__main__":
    main()
