"""Sampler overhead per gradient evaluation of NUTS and HamiltonianMC on a 10-d standard normal.

One chain in this process, 1000 tuning draws and 1000 draws, seeds 1-3 (medians):
sampling time / gradient evaluations, minus one direct call of the density, for the
Python backend, the C backend calling the NumPy density back, and the C backend with a
C density (a function pointer); NUTS also with Stan's dense adaptation, which tunes in C
since the dense metric's adaptation moved there. Run: python bench/nuts_overhead.py (or
in `nox -s bench`)
"""

from __future__ import annotations

import time
import timeit
from typing import Any

import numpy as np
from common import record

import samplers
from samplers.testing import CStandardNormal, standard_normal

WORKLOAD = "NUTS"
CASE = "overhead per gradient, NumPy 10-d normal"
DIM = 10


def sample_once(
    sampler: type, density: Any, backend: str, options: dict[str, Any], tune: int, draws: int,
    seed: int,
) -> tuple[float, int]:  # fmt: skip
    step = sampler(density, initial_point=np.zeros(DIM), backend=backend, **options)
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
    x = np.random.default_rng(0).normal(size=DIM)
    direct = min(timeit.repeat(lambda: standard_normal(x), number=20000, repeat=5)) / 20000
    print(f"direct call of the NumPy density: {direct * 1e6:.2f} µs")
    # The target: the overhead is at most one direct call of the density.
    record(WORKLOAD, CASE, "one direct call of the density", "us", direct * 1e6, direct * 1e6)
    dense = {"mass_matrix": "dense"}
    cases = [
        ("Python backend", samplers.NUTS, standard_normal, "python", {}, direct),
        ("C backend, Python density", samplers.NUTS, standard_normal, "c", {}, direct),
        ("C backend, C density", samplers.NUTS, CStandardNormal(DIM), "c", {}, 0.0),
        ("dense, Python backend", samplers.NUTS, standard_normal, "python", dense, direct),
        ("dense, C, Python density", samplers.NUTS, standard_normal, "c", dense, direct),
        ("dense, C, C density", samplers.NUTS, CStandardNormal(DIM), "c", dense, 0.0),
        ("HMC, Python backend", samplers.HamiltonianMC, standard_normal, "python", {}, direct),
        ("HMC, C, Python density", samplers.HamiltonianMC, standard_normal, "c", {}, direct),
        ("HMC, C, C density", samplers.HamiltonianMC, CStandardNormal(DIM), "c", {}, 0.0),
    ]  # fmt: skip
    for label, sampler, density, backend, options, density_cost in cases:
        sample_once(sampler, density, backend, options, 100, 100, 0)  # compile, warm caches
        rows = []
        for seed in (1, 2, 3):
            total = sample_once(sampler, density, backend, options, 1000, 1000, seed)
            tuning = sample_once(sampler, density, backend, options, 1000, 0, seed)
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
