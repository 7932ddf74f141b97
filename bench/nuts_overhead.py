"""Sampler overhead per gradient evaluation of NUTS on a NumPy 10-d standard normal.

One chain in this process, 1000 tuning draws and 1000 draws, seeds 1-3 (medians):
sampling time / gradient evaluations, minus one direct call of the density, for the
Python backend, the C backend calling the NumPy density back, and the C backend with a
C density (a function pointer). Run: python bench/nuts_overhead.py (or in `nox -s bench`)
"""

from __future__ import annotations

import time
import timeit
from typing import Any

import numpy as np
from common import record

import samplers
from samplers.cmodule import load_module

WORKLOAD = "NUTS"
CASE = "overhead per gradient, NumPy 10-d normal"

C_NORMAL = """
int normal_logp_dlogp(const double *x, double *grad, double *logp, void *context) {
    int n = *(const int *)context;
    double sum = 0.0;
    for (int i = 0; i < n; i++) { sum += x[i] * x[i]; grad[i] = -x[i]; }
    *logp = -0.5 * sum;
    return 0;
}
"""


def normal(x: np.ndarray) -> tuple[float, np.ndarray]:
    return -0.5 * float(x.dot(x)), -x


class CNormal:
    """The same density in C, exposed as ``c_logp_dlogp`` and ``c_context``."""

    def __init__(self, dim: int):
        module = load_module(C_NORMAL, "int normal_logp_dlogp(const double *, double *, "
                             "double *, void *);", "bench_normal")  # fmt: skip
        self._dim = module.ffi.new("int *", dim)
        self.c_logp_dlogp = module.ffi.addressof(module.lib, "normal_logp_dlogp")
        self.c_context = self._dim
        self.logp_dlogp = normal


def sample_once(density: Any, backend: str, tune: int, draws: int, seed: int) -> tuple[float, int]:
    step = samplers.NUTS(density, initial_point=np.zeros(10), backend=backend)
    started = time.perf_counter()
    trace = samplers.sample(
        step, draws=draws, tune=tune, chains=1, cores=1, random_seed=seed,
        progressbar=False, discard_tuned_samples=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    gradients = int(trace.stats["n_grad_evals"].sum())
    if trace.warmup is not None:
        gradients += int(trace.warmup.stats["n_grad_evals"].sum())
    return seconds, gradients


def main() -> None:
    x = np.random.default_rng(0).normal(size=10)
    direct = min(timeit.repeat(lambda: normal(x), number=20000, repeat=5)) / 20000
    print(f"direct call of the NumPy density: {direct * 1e6:.2f} µs")
    # The target: the overhead is at most one direct call of the density.
    record(WORKLOAD, CASE, "one direct call of the density", "us", direct * 1e6, direct * 1e6)
    cases = [
        ("Python backend", normal, "python", direct),
        ("C backend, Python density", normal, "c", direct),
        ("C backend, C density", CNormal(10), "c", 0.0),
    ]
    for label, density, backend, density_cost in cases:
        sample_once(density, backend, 100, 100, 0)  # compile, warm caches
        rows = []
        for seed in (1, 2, 3):
            total = sample_once(density, backend, 1000, 1000, seed)
            tuning = sample_once(density, backend, 1000, 0, seed)
            rows.append((*total, *tuning))
        total_s, total_g, tune_s, tune_g = np.median(np.array(rows), axis=0)
        per_grad = total_s / total_g
        after = (total_s - tune_s) / (total_g - tune_g)
        print(
            f"{label:27s} {total_s:.3f} s, {total_g:.0f} gradients: {per_grad * 1e6:5.2f} µs each, "
            f"overhead {(per_grad - density_cost) * 1e6:5.2f} µs "
            f"(tuning {(tune_s / tune_g - density_cost) * 1e6:5.2f}, "
            f"after tuning {(after - density_cost) * 1e6:5.2f})"
        )
        overhead = (per_grad - density_cost) * 1e6
        record(WORKLOAD, CASE, f"ours, {label}", "us", overhead, overhead)


if __name__ == "__main__":
    main()
