"""Our NUTS against nutpie over several seeds: min and mean bulk ESS per gradient
evaluation on M1 (eight schools, non-centered), M4 (hierarchical normal, 103
parameters), M6 (100-d correlated Gaussian), M7 (non-centered funnel) and a 10-d
standard normal. Gradient evaluations are the post-warmup ones: our
``trace.stats["n_grad_evals"]``, nutpie's ``sample_stats["n_steps"]``.

The seeds default to 1000, 2000, ..., 16000. One seed's min-ESS figure on M6 has a
standard deviation of about 6%, so four seeds can put either sampler 5% ahead by
chance: nutpie's seeds 1-4 averaged 0.0319 on M6, its sixteen default seeds 0.0297.
Each figure is the mean over seeds with its standard error (about 35 minutes for
every target):

    PYTHONPATH=packages/samplers/src .nox/bench/bin/python bench/nuts_vs_nutpie.py \
        [--seeds 1000 2000] [--impl ours nutpie] [--targets M1 M4 M6 M7 N10]
"""

from __future__ import annotations

import argparse
import statistics
import sys

import numpy as np
from common import optional_import, ratio_table, record, unavailable
from models import SAMPLING_TARGETS, standard_normal_logp_dlogp
from samplers_nuts import coordinate_ess, sample_nutpie, sample_ours

WORKLOAD = "NUTS/nutpie"
SEEDS = tuple(range(1000, 16001, 1000))


TARGETS = {**SAMPLING_TARGETS, "N10": (standard_normal_logp_dlogp, 10)}


def ess_per_gradient(draws: np.ndarray, grad_evals: float) -> tuple[float, float]:
    """(min, mean) over coordinates of bulk ESS, divided by the gradient evaluations."""
    ess = coordinate_ess(draws)
    return float(ess.min()) / grad_evals, float(ess.mean()) / grad_evals


def run_ours(target: str, seed: int) -> tuple[float, float]:
    density, dim = TARGETS[target]
    trace, _ = sample_ours(density, dim, seed)
    grad_evals = float(trace.stats["n_grad_evals"].sum())
    return ess_per_gradient(np.asarray(trace.posterior["x"]), grad_evals)


def run_nutpie(nutpie, target: str, seed: int) -> tuple[float, float]:
    density, dim = TARGETS[target]
    result, _ = sample_nutpie(nutpie, density, dim, seed)
    grad_evals = float(np.asarray(result.sample_stats["n_steps"]).sum())
    return ess_per_gradient(np.asarray(result.posterior["x"]), grad_evals)


def measure(impl: str, target: str, seeds: list[int], run) -> None:
    per_seed = [run(target, seed) for seed in seeds]
    mins = [m for m, _ in per_seed]
    means = [m for _, m in per_seed]
    for kind, values in (("min", mins), ("mean", means)):
        record(
            WORKLOAD,
            f"{target} {kind}-ESS per grad eval",
            impl,
            "",
            statistics.mean(values),
            max(values),
            better="higher",
            seeds=seeds,
            # the standard error of the mean over seeds: ratios within about two of
            # them (of either implementation) are seed noise
            standard_error=statistics.stdev(values) / len(values) ** 0.5
            if len(values) > 1
            else None,
            per_seed=[round(v, 5) for v in values],
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--impl", nargs="+", default=["ours", "nutpie"])
    parser.add_argument("--targets", nargs="+", default=list(TARGETS))
    args = parser.parse_args(argv)
    nutpie = optional_import("nutpie") if "nutpie" in args.impl else None
    for target in args.targets:
        if "ours" in args.impl:
            measure("ours NUTS", target, args.seeds, run_ours)
        if "nutpie" in args.impl:
            if nutpie is None:
                unavailable(WORKLOAD, "nutpie", "not installed")
            else:
                measure("nutpie", target, args.seeds, lambda t, s: run_nutpie(nutpie, t, s))
    print(ratio_table(), file=sys.stderr)


if __name__ == "__main__":
    main()
