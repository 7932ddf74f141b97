"""Sampling (issue 14, "Performance"): ``pm.sample`` end to end on M1 eight schools
(non-centred), M2 bioassay, M4 hierarchical and M5 coal mining, (a) as written with its
automatic compound step and (b) with the switchpoint summed out by a ``Potential`` of a
logsumexp, and M6, the 100-d correlated Gaussian (issue 16: sampling time with the
model's C density against nutpie's); ours (``import ppl as pm``) beside PyMC (its default
sampler) and nutpie (``compile_pymc_model`` + ``nutpie.sample``; not M5a, which has a
discrete variable).

Every run is a fresh process, with an empty compile cache ("cold": ours through
``GRAPHCORE_FLAGS=cache_dir``, PyMC's through ``PYTENSOR_FLAGS=base_compiledir``,
numba's through ``NUMBA_CACHE_DIR``; every process gets all three) and with the cache
a cold run left ("warm"). 4 chains x (1000 tune + 1000 draws) on 2 cores, progress
bars off, everything else at the tool's defaults (convergence checks included).

Python's bytecode is there for every tool, as after ``pip install``: the bench session's
environment has no ``.pyc`` files and sets PYTHONDONTWRITEBYTECODE, which made every
process compile each imported module from source (``import pymc`` 5.5 s instead of
2.4 s, ``import ppl`` 0.57 s instead of 0.22 s). The children write bytecode under a
PYTHONPYCACHEPREFIX of this run, filled by one untimed import per tool first.

"total" is the wall time from starting the process to ``pm.sample`` (or
``nutpie.sample``) returning: interpreter start, imports, model, compile, sampling and
whatever the tool does after it. "sampling" is the sampler's own time (ours and PyMC's
``sampling_time``; nutpie's ``nutpie.sample`` call). Min bulk ESS over every element of
the free variables (constrained, under their user names) and max R-hat come from
``samplers.ess`` / ``samplers.rhat`` on the (chains, draws) arrays for all three tools,
computed after the timed part. ESS/s divides by "total".

The model code is written once against a module named ``pm`` (ours or PyMC's).
"""

from __future__ import annotations

import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import record, unavailable

HERE = Path(__file__).resolve().parent
WORKLOAD = "Sampling"
CHAINS, TUNE, DRAWS, CORES = 4, 1000, 1000, 2
COLD_REPS, WARM_REPS = 2, 2
TIMEOUT_S = 120  # one process; a competitor that hangs is a reported skip

# fmt: off
COAL_COUNTS = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
                        3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                        2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0,
                        1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                        0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
                        3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                        0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])
# fmt: on
COAL_YEARS = np.arange(1851, 1962)


def eight_schools(pm: Any) -> list[str]:
    """M1, non-centred."""
    y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    sigma = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
    mu = pm.Normal("mu", 0.0, 5.0)
    tau = pm.HalfCauchy("tau", 5.0)
    theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, shape=8)
    pm.Normal("y", mu + tau * theta_tilde, sigma, observed=y)
    return ["mu", "tau", "theta_tilde"]


def bioassay(pm: Any) -> list[str]:
    """M2."""
    dose = np.array([-0.86, -0.3, -0.05, 0.73])
    deaths = np.array([0, 1, 3, 5])
    alpha = pm.Normal("alpha", 0.0, 10.0)
    beta = pm.Normal("beta", 0.0, 10.0)
    pm.Binomial("deaths", n=5, p=pm.math.invlogit(alpha + beta * dose), observed=deaths)
    return ["alpha", "beta"]


def hierarchical(pm: Any) -> list[str]:
    """M4, 100 groups x 20."""
    import models

    groups, y = models.hierarchical_data()
    mu = pm.Normal("mu", 0.0, 5.0)
    tau = pm.HalfNormal("tau", 5.0)
    sigma = pm.HalfNormal("sigma", 5.0)
    z = pm.Normal("z", 0.0, 1.0, shape=100)
    theta = mu + tau * z
    pm.Normal("y", theta[groups], sigma, observed=y)
    return ["mu", "tau", "sigma", "z"]


def coal_discrete(pm: Any) -> list[str]:
    """M5 (a): the switchpoint a discrete variable, the compound step chosen automatically."""
    switchpoint = pm.DiscreteUniform("switchpoint", 1851, 1961)
    early_rate = pm.Exponential("early_rate", 1.0)
    late_rate = pm.Exponential("late_rate", 1.0)
    rate = pm.math.switch(switchpoint >= COAL_YEARS, early_rate, late_rate)
    pm.Poisson("disasters", rate, observed=COAL_COUNTS)
    return ["switchpoint", "early_rate", "late_rate"]


def coal_marginal(pm: Any) -> list[str]:
    """M5 (b): the switchpoint summed out, as seed 001 writes it: a ``Potential`` of
    log(sum(exp(.))) over every (switchpoint, year) pair."""
    early_rate = pm.Exponential("early_rate", 1.0)
    late_rate = pm.Exponential("late_rate", 1.0)
    n = len(COAL_YEARS)
    index = np.arange(n)
    s, t = np.array([(t, s) for t in index for s in index]).T
    rate = pm.math.switch(t <= s, early_rate, late_rate)
    per_pair = pm.logp(pm.Poisson.dist(rate), COAL_COUNTS[t])
    per_switchpoint = -np.log(n) + per_pair.reshape((n, n)).sum(1)
    pm.Potential("disasters", pm.math.log(pm.math.sum(pm.math.exp(per_switchpoint))))
    return ["early_rate", "late_rate"]


def correlated(pm: Any) -> list[str]:
    """M6: a 100-d Gaussian, condition number 100 (models.correlated_gaussian)."""
    import models

    covariance, _ = models.correlated_gaussian()
    pm.MvNormal("x", mu=np.zeros(len(covariance)), cov=covariance)
    return ["x"]


MODELS = {
    "M1 eight schools": eight_schools,
    "M2 bioassay": bioassay,
    "M4 hierarchical": hierarchical,
    "M5a coal, compound step": coal_discrete,
    "M5b coal, marginalized": coal_marginal,
    "M6 correlated Gaussian": correlated,
}
NUTPIE_CANNOT = {"M5a coal, compound step": "a discrete variable (nutpie samples continuous ones)"}

CHILD = """
import sys, time
started = time.time()
sys.path.insert(0, {here!r})
{imports}
imported = time.time()
import numpy as np
import ppl_sampling
with pm.Model() as model:
    names = ppl_sampling.MODELS[{case!r}](pm)
built = time.time()
{sample}
sampled = time.time()
ppl_sampling.child_report(names, draws_of, stats, started, imported, built, compiled,
                          sampled, sampling)
"""

IMPORTS = {"ours": "import ppl as pm", "pymc": "import pymc as pm", "nutpie": "import pymc as pm"}
PRIME = {  # untimed, once per tool: every module a run imports, so bytecode is on disk
    "ours": "import ppl, samplers",
    "pymc": "import pymc, samplers",
    "nutpie": "import pymc, nutpie, samplers",
}
PYCACHE = Path(tempfile.mkdtemp(prefix="ppl-sampling-pyc-"))

SAMPLE = {
    "ours": """
compiled = None
with model:
    trace = pm.sample(draws={draws}, tune={tune}, chains={chains}, cores={cores},
                      random_seed={seed}, progressbar=False)
sampling = float(trace.attrs["sampling_time"])
draws_of = lambda name: trace.posterior[name]
stats = {{"diverging": trace.stats["diverging"]}}
""",
    "pymc": """
compiled = None
with model:
    idata = pm.sample(draws={draws}, tune={tune}, chains={chains}, cores={cores},
                      random_seed={seed}, progressbar=False)
sampling = float(idata.sample_stats.attrs["sampling_time"])
draws_of = lambda name: idata.posterior[name].values
stats = {{"diverging": idata.sample_stats["diverging"].values}}
""",
    "nutpie": """
import nutpie
model_compiled = nutpie.compile_pymc_model(model)
compiled = time.time()
result = nutpie.sample(model_compiled, draws={draws}, tune={tune}, chains={chains},
                       cores={cores}, seed={seed}, progress_bar=False)
sampling = time.time() - compiled
draws_of = lambda name: result.posterior[name].values
stats = {{"diverging": result.sample_stats["diverging"].values}}
""",
}


def child_report(
    names: list[str],
    draws_of: Any,
    stats: dict[str, Any],
    started: float,
    imported: float,
    built: float,
    compiled: float | None,
    sampled: float,
    sampling: float,
) -> None:
    """In the child, after the timed part: its timestamps and the draws' diagnostics, as
    one JSON line on stdout."""
    import samplers

    ess, rhat = [], []
    for name in names:
        draws = np.asarray(draws_of(name), dtype=np.float64)
        flat = draws.reshape(draws.shape[0], draws.shape[1], -1)
        for i in range(flat.shape[-1]):
            ess.append(float(samplers.ess(flat[..., i])))
            rhat.append(float(samplers.rhat(flat[..., i])))
    worst = int(np.argmin(ess))
    sizes = [int(np.prod(np.shape(draws_of(n))[2:])) for n in names]
    owner = names[int(np.searchsorted(np.cumsum(sizes), worst, side="right"))]
    result = {
        "started": started,
        "import": imported - started,
        "build": built - imported,
        "compile": None if compiled is None else compiled - built,
        "sampled": sampled,
        "sampling": sampling,
        "min_ess": min(ess),
        "min_ess_param": owner,
        "max_rhat": max(rhat),
        "divergences": int(np.sum(stats["diverging"])),
    }
    print("RESULT " + json.dumps(result), flush=True)


def child_environment(cache: Path) -> dict[str, str]:
    """Every tool's compile cache under ``cache``; bytecode written under PYCACHE."""
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    environment["GRAPHCORE_FLAGS"] = f"cache_dir={cache / 'graphcore'}"
    environment["PYTENSOR_FLAGS"] = f"base_compiledir={cache / 'pytensor'}"
    environment["NUMBA_CACHE_DIR"] = str(cache / "numba")
    return environment


def prime_bytecode(impl: str) -> None:
    """Import what ``impl``'s runs import, untimed, with a throwaway compile cache."""
    with tempfile.TemporaryDirectory(prefix="ppl-sampling-prime-") as cache:
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(HERE)!r}); "
                f"{PRIME[impl]}, ppl_sampling, models",
            ],
            env=child_environment(Path(cache)),
            capture_output=True,
            check=False,
            timeout=TIMEOUT_S,
        )


def in_fresh_process(impl: str, case: str, cache: Path, seed: int) -> dict[str, Any]:
    """One run; "total" counts from the parent's spawn to the sampler's return."""
    code = CHILD.format(
        here=str(HERE),
        imports=IMPORTS[impl],
        case=case,
        sample=SAMPLE[impl].format(draws=DRAWS, tune=TUNE, chains=CHAINS, cores=CORES, seed=seed),
    )
    environment = child_environment(cache)
    spawned = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=TIMEOUT_S,
    )
    lines = [line for line in out.stdout.splitlines() if line.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{impl} {case}: exit {out.returncode}: {out.stderr[-1500:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    result["total"] = result["sampled"] - spawned
    result["start_up"] = result["started"] - spawned
    return result


def runs_of(impl: str, case: str) -> dict[str, list[dict[str, Any]]]:
    """COLD_REPS runs each in an empty cache, then WARM_REPS in the first one's cache."""
    seeds = iter(range(1, COLD_REPS + WARM_REPS + 1))
    with tempfile.TemporaryDirectory(prefix="ppl-sampling-") as root:
        cold = [
            in_fresh_process(impl, case, Path(root) / f"cold{k}", next(seeds))
            for k in range(COLD_REPS)
        ]
        warm = [
            in_fresh_process(impl, case, Path(root) / "cold0", next(seeds))
            for _ in range(WARM_REPS)
        ]
    return {"cold cache": cold, "warm cache": warm}


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def report(impl: str, case: str, by_cache: dict[str, list[dict[str, Any]]]) -> None:
    for cache, runs in by_cache.items():
        totals = [run["total"] for run in runs]
        ess_per_s = [run["min_ess"] / run["total"] for run in runs]
        details = {
            "reps": len(runs),
            "seeds": "1..4",
            "start_up_s": _median(runs, "start_up"),
            "import_s": _median(runs, "import"),
            "build_s": _median(runs, "build"),
            "sampling_s": _median(runs, "sampling"),
            "min_ess": _median(runs, "min_ess"),
            "min_ess_params": sorted({run["min_ess_param"] for run in runs}),
            "divergences": [run["divergences"] for run in runs],
            "max_rhat": max(run["max_rhat"] for run in runs),
        }
        if runs[0]["compile"] is not None:
            details["compile_s"] = _median(runs, "compile")
        record(
            WORKLOAD,
            f"{case} total, {cache}",
            impl,
            "s",
            float(np.median(totals)),
            min(totals),
            **details,
        )
        record(
            WORKLOAD,
            f"{case} ESS/s (total), {cache}",
            impl,
            "/s",
            float(np.median(ess_per_s)),
            max(ess_per_s),
            better="higher",
        )
        if cache == "warm cache":  # sampling alone and the draws' quality do not need both
            sampling = [run["sampling"] for run in runs]
            record(
                WORKLOAD,
                f"{case} sampling only",
                impl,
                "s",
                float(np.median(sampling)),
                min(sampling),
            )
            min_ess = [run["min_ess"] for run in [*by_cache["cold cache"], *runs]]
            record(
                WORKLOAD,
                f"{case} min bulk ESS",
                impl,
                "",
                float(np.median(min_ess)),
                max(min_ess),
                better="higher",
            )


def measure(impl: str, case: str) -> bool:
    """Run and record ``impl`` on ``case``; a failure is reported (False), not raised."""
    try:
        by_cache = runs_of(impl, case)
    except Exception as error:
        unavailable(WORKLOAD, f"{impl} {case}", f"{type(error).__name__}: {error}")
        return False
    report(impl, case, by_cache)
    return True


def main(cases: list[str] | None = None) -> None:
    impls = ["ours"]
    for competitor in ("pymc", "nutpie"):
        if importlib.util.find_spec(competitor) is None:
            unavailable(WORKLOAD, competitor, "not installed")
        else:
            impls.append(competitor)
    for impl in impls:
        prime_bytecode(impl)
    ours_failed = []
    for case in cases or list(MODELS):
        for impl in impls:
            if impl == "nutpie" and case in NUTPIE_CANNOT:
                unavailable(WORKLOAD, f"nutpie {case}", NUTPIE_CANNOT[case])
                continue
            if not measure(impl, case) and impl == "ours":
                ours_failed.append(case)
    if ours_failed:  # the competitors' failures are skips; ours fail the workload
        raise RuntimeError(f"pm.sample failed on {ours_failed}")


if __name__ == "__main__":
    from common import ratio_table

    main(sys.argv[1:] or None)
    print(ratio_table())
