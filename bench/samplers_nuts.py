"""NUTS on M1 (eight schools), M4 (hierarchical normal), M6 (correlated Gaussian,
d=100, condition number 100) and M7 (Neal's funnel, non-centered): the same NumPy
densities handed to our NUTS and to nutpie (through ``from_pyfunc``), and the same
models written in PyMC for PyMC's NUTS. Reports min-over-parameters bulk ESS per
gradient evaluation, ESS per second, and sampler overhead per gradient evaluation.

Each figure is the median over seeds 1, 2 and 3, as ANCHORS.md measured them; three
seeds leave ESS ratios uncertain by about ±5%, which ``nuts_vs_nutpie.py`` narrows
with sixteen."""

from __future__ import annotations

import itertools
import time

import numpy as np
from common import optional_import, record, unavailable
from models import (
    EIGHT_SCHOOLS_SIGMA,
    EIGHT_SCHOOLS_Y,
    HIER_GROUPS,
    HIER_Y,
    M6_COV,
    SAMPLING_TARGETS,
    standard_normal_logp_dlogp,
)

WORKLOAD = "NUTS"
CHAINS, TUNE, DRAWS, CORES, SEED = 4, 1000, 1000, 2, 1
SEEDS = (1, 2, 3)  # as ANCHORS.md: each figure is the median over these seeds


CASES = {
    "M1 eight schools": "M1",
    "M4 hierarchical": "M4",
    "M6 corr. Gaussian": "M6",
    "M7 funnel": "M7",
}
MODELS = {case: SAMPLING_TARGETS[name] for case, name in CASES.items()}


RUNS: dict[tuple[str, str], list[dict[str, float]]] = {}


def coordinate_ess(draws: np.ndarray) -> np.ndarray:
    """Bulk ESS of each coordinate of ``draws`` (chains, draws, coordinates)."""
    import samplers

    return np.array([float(samplers.ess(draws[..., i])) for i in range(draws.shape[-1])])


def report(
    case: str, impl: str, draws: np.ndarray, seconds: float, grad_evals: float, divergences: int
) -> None:
    """Keep one seed's figures; ``record_medians`` reports the median over seeds."""
    import samplers

    min_ess = float(coordinate_ess(draws).min())
    RUNS.setdefault((case, impl), []).append(
        {
            "ess_per_grad": min_ess / grad_evals,
            "ess_per_second": min_ess / seconds,
            "seconds": seconds,
            "grad_evals": grad_evals,
            "divergences": divergences,
            "max_rhat": max(float(samplers.rhat(draws[..., i])) for i in range(draws.shape[-1])),
        }
    )


def record_medians() -> None:
    """Min-over-parameters ESS per gradient evaluation and per second (sampling wall
    time, tuning included), each the median over seeds, with the other medians beside."""
    for (case, impl), runs in RUNS.items():
        medians = {key: float(np.median([run[key] for run in runs])) for key in runs[0]}
        for key, label, unit in (
            ("ess_per_grad", "min-ESS per grad eval", ""),
            ("ess_per_second", "min-ESS per second", "/s"),
        ):
            others = {name: value for name, value in medians.items() if name != key}
            best = max(run[key] for run in runs)
            record(
                WORKLOAD,
                f"{case} {label}",
                impl,
                unit,
                medians[key],
                best,
                better="higher",
                seeds=len(runs),
                **others,
            )


def sample_ours(density, dim: int, seed: int):
    """Our NUTS on ``density`` from zeros (jittered): (trace, wall seconds)."""
    import samplers

    step = samplers.NUTS(density, initial_point=np.zeros(dim))
    started = time.perf_counter()
    trace = samplers.sample(
        step,
        draws=DRAWS,
        tune=TUNE,
        chains=CHAINS,
        cores=CORES,
        random_seed=seed,
        progressbar=False,
    )
    return trace, time.perf_counter() - started


def sample_nutpie(nutpie, density, dim: int, seed: int):
    """nutpie on the same Python density through ``from_pyfunc``: (result, wall seconds)."""
    from nutpie.compiled_pyfunc import from_pyfunc

    def make_logp():
        return lambda x, **_: density(x)

    def make_expand(seed1, seed2, chain):
        return lambda x, **_: {"x": x}

    model = from_pyfunc(dim, make_logp, make_expand, [np.dtype("float64")], [(dim,)], ["x"])
    started = time.perf_counter()
    result = nutpie.sample(
        model, chains=CHAINS, tune=TUNE, draws=DRAWS, cores=CORES, seed=seed, progress_bar=False
    )
    return result, time.perf_counter() - started


def run_ours() -> None:
    for seed, (case, (density, dim)) in itertools.product(SEEDS, MODELS.items()):
        trace, seconds = sample_ours(density, dim, seed)
        report(
            case,
            "ours NUTS",
            trace.posterior["x"],
            seconds,
            float(trace.stats["n_grad_evals"].sum()),
            int(trace.stats["diverging"].sum()),
        )
    overhead_per_gradient()


def overhead_per_gradient() -> None:
    """Sampler time per gradient evaluation minus the density's own cost, on a 10-d normal."""
    import samplers

    calls = [0]

    def standard_normal(x: np.ndarray) -> tuple[float, np.ndarray]:
        calls[0] += 1
        return standard_normal_logp_dlogp(x)

    step = samplers.NUTS(standard_normal, initial_point=np.zeros(10))
    started = time.perf_counter()
    samplers.sample(
        step, draws=DRAWS, tune=TUNE, chains=1, cores=1, random_seed=SEED, progressbar=False
    )
    seconds = time.perf_counter() - started
    x = np.zeros(10)
    density_start = time.perf_counter()
    for _ in range(calls[0]):
        standard_normal(x)
    density_seconds = time.perf_counter() - density_start
    per_gradient = (seconds - density_seconds) / calls[0] * 1e6
    record(WORKLOAD, "overhead per grad eval", "ours NUTS", "us", per_gradient, per_gradient)


def run_nutpie() -> None:
    nutpie = optional_import("nutpie")
    if nutpie is None:
        unavailable(WORKLOAD, "nutpie", "not installed")
        return
    for seed, (case, (density, dim)) in itertools.product(SEEDS, MODELS.items()):
        result, seconds = sample_nutpie(nutpie, density, dim, seed)
        stats = result.sample_stats
        report(
            case,
            "nutpie",
            np.asarray(result.posterior["x"]),
            seconds,
            float(np.asarray(stats["n_steps"]).sum()),
            int(np.asarray(stats["diverging"]).sum()),
        )


def pymc_overhead_per_gradient(pm) -> None:
    """PyMC's NUTS on the same 10-d normal: sampling time per gradient evaluation minus
    the cost of its compiled logp and gradient, one chain in this process."""
    with pm.Model() as model:
        pm.Normal("x", 0.0, 1.0, shape=10)
        idata = pm.sample(
            draws=DRAWS,
            tune=TUNE,
            chains=1,
            cores=1,
            random_seed=SEED,
            progressbar=False,
            compute_convergence_checks=False,
            discard_tuned_samples=False,
        )
        value_and_grad = model.logp_dlogp_function(ravel_inputs=True)
    value_and_grad.set_extra_values({})
    seconds = float(idata.sample_stats.attrs["sampling_time"])
    grad_evals = float(np.asarray(idata.sample_stats["n_steps"]).sum())
    grad_evals += float(np.asarray(idata.warmup_sample_stats["n_steps"]).sum())
    x = np.zeros(10)
    density_start = time.perf_counter()
    for _ in range(2000):
        value_and_grad(x)
    density = (time.perf_counter() - density_start) / 2000
    per_gradient = (seconds / grad_evals - density) * 1e6
    record(WORKLOAD, "overhead per grad eval", "pymc NUTS", "us", per_gradient, per_gradient)


def pymc_model(pm, name: str) -> list[str]:
    """Declare WORKLOADS.md's model ``name`` in the current PyMC model; its free variables."""
    if name == "M1":
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfCauchy("tau", 5.0)
        theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, shape=8)
        theta = mu + tau * theta_tilde
        pm.Normal("y", theta, EIGHT_SCHOOLS_SIGMA, observed=EIGHT_SCHOOLS_Y)
        return ["mu", "tau", "theta_tilde"]
    if name == "M4":
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfNormal("tau", 5.0)
        sigma = pm.HalfNormal("sigma", 5.0)
        z = pm.Normal("z", 0.0, 1.0, shape=100)
        pm.Normal("y", (mu + tau * z)[HIER_GROUPS], sigma, observed=HIER_Y)
        return ["mu", "tau", "sigma", "z"]
    if name == "M6":
        pm.MvNormal("x", mu=np.zeros(100), cov=M6_COV)
        return ["x"]
    if name == "M7":
        pm.Normal("v", 0.0, 3.0)
        pm.Normal("z", 0.0, 1.0, shape=9)
        return ["v", "z"]
    raise ValueError(f"no PyMC model for {name!r}; the bench declares M1, M4, M6 and M7")


def check_same_density(model, name: str) -> None:
    """PyMC's log density on its unconstrained values must equal ours up to a constant."""
    density, dim = SAMPLING_TARGETS[name]
    logp = model.compile_logp()
    initial = model.initial_point()
    shapes = {var.name: initial[var.name].shape for var in model.value_vars}
    rng = np.random.default_rng(0)
    differences = []
    for _ in range(3):
        x = 0.3 * rng.normal(size=dim)
        point, start = {}, 0
        for var_name, shape in shapes.items():
            size = int(np.prod(shape))
            point[var_name] = x[start : start + size].reshape(shape)
            start += size
        differences.append(float(logp(point)) - density(x)[0])
    if np.ptp(differences) > 1e-8 * max(1.0, abs(differences[0])):
        raise AssertionError(f"the PyMC model of {name} is not the density handed to the others")


def run_pymc() -> None:
    pm = optional_import("pymc")
    if pm is None:
        unavailable(WORKLOAD, "pymc", "not installed")
        return
    try:
        pymc_overhead_per_gradient(pm)
    except Exception as error:  # one measurement's failure must not hide the others
        unavailable(WORKLOAD, "pymc overhead", f"{type(error).__name__}: {error}")
    for seed, case in itertools.product(SEEDS, MODELS):
        with pm.Model() as model:
            names = pymc_model(pm, CASES[case])
            check_same_density(model, CASES[case])
            started = time.perf_counter()
            idata = pm.sample(
                draws=DRAWS,
                tune=TUNE,
                chains=CHAINS,
                cores=CORES,
                random_seed=seed,
                progressbar=False,
                compute_convergence_checks=False,
            )
            seconds = time.perf_counter() - started
        posterior = idata.posterior
        draws = np.concatenate(
            [np.asarray(posterior[name]).reshape(CHAINS, DRAWS, -1) for name in names], axis=-1
        )
        stats = idata.sample_stats
        grad_evals = float(np.asarray(stats["n_steps"]).sum())
        report(
            case, "pymc NUTS", draws, seconds, grad_evals, int(np.asarray(stats["diverging"]).sum())
        )


def main() -> None:
    run_ours()
    for competitor in (run_nutpie, run_pymc):
        # report and go on: one competitor's failure hides nothing of ours
        try:
            competitor()
        except Exception as error:
            unavailable(WORKLOAD, competitor.__name__, f"{type(error).__name__}: {error}")
    record_medians()


if __name__ == "__main__":
    main()
