"""``pm.sample_many``: one model per data set, each built and sampled where its task runs.

Only ``build_model`` and a data set travel to a worker; the model, its compiled
density and its steps are made there, so nothing compiled needs pickling, and the
workers' compile caches make the second model of a kind cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import samplers
from ppl.context import outside_models
from ppl.model.core import Model
from ppl.sampling.sample import sample


def fit_one(build_model: Callable[[Any], Model], sample_kwargs: dict[str, Any], data: Any) -> Any:
    """Build the model of ``data`` and sample it (its chains one after another unless
    ``cores`` says otherwise: the tasks are the parallelism)."""
    with outside_models():
        model = build_model(data)
    if not isinstance(model, Model):
        raise TypeError(
            f"pm.sample_many: build_model must return a pm.Model, got {model!r} "
            f"of type {type(model).__name__}"
        )
    return sample(model=model, **{"cores": 1, **sample_kwargs, "progressbar": False})


def sample_many(
    build_model: Callable[[Any], Model],
    datasets: Iterable[Any],
    executor: Any = None,
    progressbar: bool = True,
    **sample_kwargs: Any,
) -> list[Any]:
    """``[pm.sample(model=build_model(data), **sample_kwargs) for data in datasets]``,
    each model a task on ``executor`` (a ``distributed.Client`` or a
    ``concurrent.futures.Executor``; None: here), with one progress line per model.

    ``build_model`` and the data sets must pickle (a module-level function; with Dask a
    closure does too). Traces come back in the data sets' order; a ``random_seed`` in
    ``sample_kwargs`` seeds every model alike.
    """
    if "executor" in sample_kwargs or "chunk_draws" in sample_kwargs:
        raise TypeError(
            "pm.sample_many: each model samples inside one task, so its chains take no "
            "executor= or chunk_draws=; give the executor to sample_many itself"
        )
    fit = functools.partial(fit_one, build_model, sample_kwargs)
    return samplers.map_sample(fit, datasets, executor=executor, progressbar=progressbar)
