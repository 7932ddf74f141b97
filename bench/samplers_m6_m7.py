"""M6 (correlated Gaussian, d=100, condition number 100) and M7 (Neal's funnel,
non-centered): the same NumPy densities handed to our NUTS, to nutpie (through
``from_pyfunc``) and, written as PyMC models, to PyMC's NUTS. Reports ESS per gradient
evaluation, ESS per second and sampler overhead per gradient evaluation."""

from __future__ import annotations

import itertools
import time

import numpy as np
from common import optional_import, record, unavailable

WORKLOAD = "M6/M7"
CHAINS, TUNE, DRAWS, CORES, SEED = 4, 1000, 1000, 2, 1
SEEDS = (1, 2, 3)  # as ANCHORS.md: each figure is the median over these seeds


def correlated_gaussian() -> tuple[np.ndarray, np.ndarray]:
    """Σ and its inverse, built exactly as shared/bench/WORKLOADS.md M6 says."""
    rng = np.random.default_rng(1234)
    q, r = np.linalg.qr(rng.normal(size=(100, 100)))
    q = q * np.sign(np.diag(r))
    cov = q @ np.diag(np.logspace(0, 2, 100)) @ q.T
    cov = (cov + cov.T) / 2
    return cov, np.linalg.inv(cov)


COV, PRECISION = correlated_gaussian()


def m6_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    gradient = -(PRECISION @ x)
    return 0.5 * float(x @ gradient), gradient


def m7_logp_dlogp(x: np.ndarray) -> tuple[float, np.ndarray]:
    """v ~ N(0, 3), z ~ N(0, 1)^9 over x = (v, z)."""
    v, z = x[0], x[1:]
    gradient = -x.copy()
    gradient[0] = -v / 9.0
    return -0.5 * float(v * v / 9.0 + z @ z), gradient


MODELS = {"M6 corr. Gaussian": (m6_logp_dlogp, 100), "M7 funnel": (m7_logp_dlogp, 10)}


RUNS: dict[tuple[str, str], list[dict[str, float]]] = {}


def report(
    case: str, impl: str, draws: np.ndarray, seconds: float, grad_evals: float, divergences: int
) -> None:
    """Keep one seed's figures; ``record_medians`` reports the median over seeds."""
    import samplers

    ess = np.array([samplers.ess(draws[..., i]) for i in range(draws.shape[-1])])
    min_ess = float(ess.min())
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
    for (case, impl), runs in RUNS.items():
        medians = {key: float(np.median([run[key] for run in runs])) for key in runs[0]}
        best = max(run["ess_per_grad"] for run in runs)
        ess_per_grad = medians.pop("ess_per_grad")
        record(
            WORKLOAD,
            f"{case} min-ESS per grad eval",
            impl,
            "",
            ess_per_grad,
            best,
            better="higher",
            seeds=len(runs),
            **medians,
        )


def run_ours() -> None:
    import samplers

    for seed, (case, (density, dim)) in itertools.product(SEEDS, MODELS.items()):
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
        seconds = time.perf_counter() - started
        grad_evals = float(trace.stats["n_grad_evals"].sum())
        report(
            case,
            "ours NUTS",
            trace.posterior["x"],
            seconds,
            grad_evals,
            int(trace.stats["diverging"].sum()),
        )
    overhead_per_gradient()


def overhead_per_gradient() -> None:
    """Sampler time per gradient evaluation minus the density's own cost, on a 10-d normal."""
    import samplers

    calls = [0]

    def standard_normal(x: np.ndarray) -> tuple[float, np.ndarray]:
        calls[0] += 1
        return -0.5 * float(x @ x), -x

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
    from nutpie.compiled_pyfunc import from_pyfunc

    for seed, (case, (density, dim)) in itertools.product(SEEDS, MODELS.items()):

        def make_logp(density=density):
            return lambda x, **_: density(x)

        def make_expand(seed1, seed2, chain):
            return lambda x, **_: {"x": x}

        model = from_pyfunc(dim, make_logp, make_expand, [np.dtype("float64")], [(dim,)], ["x"])
        started = time.perf_counter()
        result = nutpie.sample(
            model, chains=CHAINS, tune=TUNE, draws=DRAWS, cores=CORES, seed=seed, progress_bar=False
        )
        seconds = time.perf_counter() - started
        draws = np.asarray(result.posterior["x"])
        stats = result.sample_stats
        grad_evals = float(np.asarray(stats["n_steps"]).sum())
        report(
            case, "nutpie", draws, seconds, grad_evals, int(np.asarray(stats["diverging"]).sum())
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
        with pm.Model():
            if case.startswith("M6"):
                pm.MvNormal("x", mu=np.zeros(100), cov=COV)
            else:
                v = pm.Normal("v", 0.0, 3.0)
                pm.Normal("z", 0.0, 1.0, shape=9)
                del v
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
        if case.startswith("M6"):
            draws = np.asarray(posterior["x"])
        else:
            draws = np.concatenate(
                [np.asarray(posterior["v"])[..., None], np.asarray(posterior["z"])], axis=-1
            )
        stats = idata.sample_stats
        grad_evals = float(np.asarray(stats["n_steps"]).sum())
        report(
            case, "pymc NUTS", draws, seconds, grad_evals, int(np.asarray(stats["diverging"]).sum())
        )


def main() -> None:
    run_ours()
    for competitor in (run_nutpie, run_pymc):
        try:
            competitor()
        except (
            Exception
        ) as error:  # report and go on: one competitor's failure hides nothing of ours
            unavailable(WORKLOAD, competitor.__name__, f"{type(error).__name__}: {error}")


if __name__ == "__main__":
    main()
