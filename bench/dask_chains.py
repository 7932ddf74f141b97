"""Chains and models on Dask (issue 17): ``pm.sample(executor=client)`` on a 2-worker
``distributed.LocalCluster`` beside local processes (``cores=2``), for M1 eight schools
(non-centred) and M4 hierarchical (100 groups x 20), and a 20-model ``pm.sample_many``.

Chains: 4 chains x (1000 tune + 1000 draws), progress bars and convergence checks off,
after one untimed run of each way (compile caches warm here and on the workers, as
they are after a cluster's first model). "total" is ``pm.sample``'s wall time. The
cluster runs at the default chunk (200 draws: a tenth of a chain, 40 tasks) and at 50
draws (160 tasks); as two workers run the chunks, the overhead of one chunk is
(T(50) - T(200)) / ((160 - 40) / 2): pickling the step, sending it, unpickling it (a
compile-cache hit), and sending the draws back.

Many models: 20 eight-schools data sets (y + k for k = 0..19), 2 chains x (500 + 500)
each, one task per model on the cluster (the model built on the worker) beside the
same 20 fits one after another here.

Run alone: ``python bench/dask_chains.py`` (needs ``distributed``, the samplers[dask] extra).
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import record, unavailable

WORKLOAD = "Dask"
CHAINS, TUNE, DRAWS, CORES = 4, 1000, 1000, 2
SMALL_CHUNK = 50
REPS = 3
MODELS, MODEL_TUNE, MODEL_DRAWS = 20, 500, 500
SCHOOLS_Y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
SCHOOLS_SIGMA = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])


def eight_schools(y: np.ndarray) -> Any:
    """M1, non-centred, on the data set ``y``."""
    import ppl as pm

    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfCauchy("tau", 5.0)
        theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, shape=8)
        pm.Normal("y", mu + tau * theta_tilde, SCHOOLS_SIGMA, observed=y)
    return model


def ppl_sampling_model(case: str) -> Any:
    """A model of ppl_sampling's table (the same code, ours)."""
    import ppl_sampling

    import ppl as pm

    with pm.Model() as model:
        ppl_sampling.MODELS[case](pm)
    return model


def seconds(run: Callable[[], Any], reps: int | None = None) -> list[float]:
    """Wall times of ``reps`` (default REPS) runs after one untimed run."""
    run()
    times = []
    for _ in range(REPS if reps is None else reps):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def chains(client: Any, name: str, model: Any) -> None:
    import ppl as pm
    from samplers.remote import default_chunk_draws

    options = {
        "chains": CHAINS,
        "tune": TUNE,
        "draws": DRAWS,
        "random_seed": 1,
        "progressbar": False,
        "compute_convergence_checks": False,
    }

    def run(**where: Any) -> Callable[[], Any]:
        def sample() -> Any:
            with model:
                return pm.sample(**options, **where)

        return sample

    local = seconds(run(cores=CORES))
    default = seconds(run(executor=client))
    small = seconds(run(executor=client, chunk_draws=SMALL_CHUNK))
    total = CHAINS * (TUNE + DRAWS)
    default_chunk = default_chunk_draws(TUNE + DRAWS)
    default_tasks = CHAINS * -(-(TUNE + DRAWS) // default_chunk)
    small_tasks = CHAINS * -(-(TUNE + DRAWS) // SMALL_CHUNK)
    per_chunk = (statistics.median(small) - statistics.median(default)) / (
        (small_tasks - default_tasks) / CORES
    )
    for impl, times, extra in (
        (f"local processes, cores={CORES}", local, {}),
        (
            f"ours on a 2-worker LocalCluster, {default_chunk}-draw chunks",
            default,
            {"tasks": default_tasks},
        ),
        (
            f"ours on a 2-worker LocalCluster, {SMALL_CHUNK}-draw chunks",
            small,
            {"tasks": small_tasks},
        ),
    ):
        record(
            WORKLOAD,
            f"{name} {CHAINS}x({TUNE}+{DRAWS}) total",
            impl,
            "s",
            statistics.median(times),
            min(times),
            reps=len(times),
            draws=total,
            **extra,
        )
    record(
        WORKLOAD,
        f"{name} overhead per chunk",
        "ours on a 2-worker LocalCluster",
        "ms",
        per_chunk * 1e3,
        per_chunk * 1e3,
        note="(T(small chunks) - T(default chunks)) / (extra tasks per worker)",
    )


def many_models(client: Any) -> None:
    import ppl as pm

    datasets = [SCHOOLS_Y + k for k in range(MODELS)]
    options = {
        "chains": 2,
        "tune": MODEL_TUNE,
        "draws": MODEL_DRAWS,
        "random_seed": 1,
        "progressbar": False,
        "compute_convergence_checks": False,
    }
    on_cluster = seconds(
        lambda: pm.sample_many(eight_schools, datasets, executor=client, **options), reps=2
    )
    here = seconds(lambda: pm.sample_many(eight_schools, datasets, **options), reps=2)
    case = f"{MODELS} eight-schools models, 2x({MODEL_TUNE}+{MODEL_DRAWS}) each"
    record(WORKLOAD, case, "ours, sample_many on a 2-worker LocalCluster", "s",
           statistics.median(on_cluster), min(on_cluster), reps=len(on_cluster))  # fmt: skip
    record(WORKLOAD, case, "one after another here", "s",
           statistics.median(here), min(here), reps=len(here))  # fmt: skip


def main() -> None:
    if importlib.util.find_spec("distributed") is None:
        unavailable(WORKLOAD, "ours", "distributed is not installed (the samplers[dask] extra)")
        return
    from samplers.testing import local_cluster

    with local_cluster() as client:
        chains(client, "M1 eight schools", eight_schools(SCHOOLS_Y))
        chains(client, "M4 hierarchical", ppl_sampling_model("M4 hierarchical"))
        many_models(client)


if __name__ == "__main__":
    main()
