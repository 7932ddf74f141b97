"""``pm.sample``: draw from the posterior of the model in context.

The model's density is compiled once per step (C when ccodegen is installed) and
handed to the samplers package, which runs the chains: in processes when ``cores`` >
1, or as tasks on a Dask cluster or another executor given as ``executor``. Each
chain has its own seed spawned from ``random_seed``, so a seed gives the same trace
whatever ``cores`` or ``executor`` is. The package shows the chains' progress and
keeps the draws taken when Ctrl-C stops it. The draws come back under the model's
names, on the constrained space, with deterministics computed after sampling.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import samplers
from ppl.model.core import Model
from ppl.sampling.assign import assign_steps
from ppl.sampling.init import check_start, init_method, start_point
from ppl.sampling.posterior import model_trace
from ppl.sampling.report import announce, announce_time, convergence_warnings
from ppl.sampling.steps import CompoundStep
from samplers import as_point


def _cores_and_chains(cores: Any, chains: Any, njobs: Any) -> tuple[int, int]:
    """PyMC's defaults: cores the machine's CPUs up to 4, chains at least 2 and at
    least cores; ``njobs`` is the old name of ``cores``."""
    if njobs is not None:
        if cores is not None and cores != njobs:
            raise ValueError(
                f"pm.sample: njobs={njobs!r} is the old name of cores={cores!r}; give one"
            )
        cores = njobs
    if cores is None:
        cores = min(4, os.cpu_count() or 1)
    if chains is None:
        chains = max(2, cores)
    return cores, chains


def _nuts_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The automatic NUTS's options: ``nuts={...}`` (as PyMC names that dict) and the
    other keyword arguments."""
    nuts_kwargs = dict(kwargs.pop("nuts", None) or {})
    nuts_kwargs.update(kwargs)
    return nuts_kwargs


def sample(
    draws: int = 1000,
    tune: int = 1000,
    chains: int | None = None,
    cores: int | None = None,
    step: Any = None,
    random_seed: Any = None,
    target_accept: float = 0.8,
    progressbar: bool = True,
    init: str = "auto",
    initvals: Mapping[Any, Any] | None = None,
    discard_tuned_samples: bool = True,
    model: Any = None,
    njobs: int | None = None,
    compute_convergence_checks: bool = True,
    return_inferencedata: bool = False,
    start: Mapping[Any, Any] | None = None,
    executor: Any = None,
    chunk_draws: int | None = None,
    **kwargs: Any,
) -> Any:
    """Draw ``draws`` draws of each of ``chains`` chains, after ``tune`` tuning steps.

    ``step`` is a step method or a list of them (``pm.NUTS(vars=[...])``,
    ``pm.Metropolis()``, ...); free variables they leave get automatic steps. ``init``
    chooses the start (see ``ppl.sampling.init``), ``initvals`` (old name ``start``)
    gives start values by variable name. Other keyword arguments go to the automatic
    NUTS (``max_treedepth=12``). Returns a ``samplers.Trace`` (ArviZ InferenceData with
    ``return_inferencedata=True``).

    ``executor`` (a ``distributed.Client`` or a ``concurrent.futures.Executor``) runs
    the chains there, as tasks of ``chunk_draws`` draws (see ``samplers.sample``); the
    trace is the one a local run with the same ``random_seed`` makes.
    """
    model = Model.get_context(model)
    if start is not None:
        if initvals is not None:
            raise ValueError("pm.sample: start= is the old name of initvals=; give one")
        initvals = start
    cores, chains = _cores_and_chains(cores, chains, njobs)
    nuts_kwargs = _nuts_options(kwargs)
    method = init_method(init)
    if not model.free_RVs:
        raise ValueError("pm.sample: the model has no free random variables to sample")
    point = start_point(model, initvals)
    steps = assign_steps(model, step, point, target_accept, method, nuts_kwargs)
    top = steps[0] if len(steps) == 1 else CompoundStep(steps)
    top.initial_point = as_point(point)
    check_start(model, top, point)
    announce(steps, chains, cores, tune, draws, executor)
    raw = samplers.sample(
        top,
        draws=draws,
        tune=tune,
        chains=chains,
        cores=cores,
        random_seed=random_seed,
        progressbar=progressbar,
        discard_tuned_samples=discard_tuned_samples,
        executor=executor,
        chunk_draws=chunk_draws,
    )
    trace = model_trace(model, raw)
    announce_time(trace, tune, draws)
    interrupted = bool(trace.attrs.get("interrupted"))
    checked = [str(v.name) for v in [*model.free_RVs, *model.deterministics]]
    convergence_warnings(trace, checked, compute_convergence_checks and not interrupted)
    return trace.to_inference_data() if return_inferencedata else trace
