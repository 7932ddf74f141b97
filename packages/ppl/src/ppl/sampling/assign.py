"""Step methods for every free variable, as PyMC assigns them.

A user's ``step=`` (one step, a list, or a CompoundStep) keeps the variables it
samples; every other free variable gets an automatic step: the continuous ones one
NUTS over all of them, binary ones (Bernoulli) BinaryGibbsMetropolis, ones with a
finite support 0..k-1 (Categorical, DiscreteUniform from 0) CategoricalGibbsMetropolis,
and any other discrete one Metropolis.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from ppl.sampling.competence import free_rv_of, is_binary, is_categorical, is_continuous
from ppl.sampling.init import InitMethod
from ppl.sampling.steps import (
    NUTS,
    BinaryGibbsMetropolis,
    CategoricalGibbsMetropolis,
    CompoundStep,
    Metropolis,
)


def given_steps(step: Any) -> list[Any]:
    """The user's ``step=`` as a flat list of steps."""
    if step is None:
        return []
    if isinstance(step, CompoundStep):
        return list(step.steps)
    if isinstance(step, list | tuple):
        found: list[Any] = []
        for item in step:
            found.extend(given_steps(item))
        return found
    return [step]


def assign_steps(
    model: Any,
    step: Any,
    start: Mapping[str, Any],
    target_accept: float,
    init: InitMethod,
    nuts_kwargs: Mapping[str, Any],
) -> list[Any]:
    """The user's steps, then automatic ones for the free variables they leave."""
    steps = given_steps(step)
    covered = {name for s in steps for name in s.vars}
    unknown = sorted(covered - {str(v.name) for v in model.value_vars})
    if unknown:
        raise ValueError(
            f"pm.sample: step= samples {unknown}, which are not value variables of this model"
        )
    left = [v for v in model.value_vars if str(v.name) not in covered]
    continuous = [v for v in left if is_continuous(v)]
    discrete = [free_rv_of(model, v) for v in left if not is_continuous(v)]
    binary = [rv for rv in discrete if is_binary(rv)]
    categorical = [rv for rv in discrete if is_categorical(rv)]
    other = [rv for rv in discrete if rv not in binary and rv not in categorical]
    if continuous:
        options = dict(nuts_kwargs)
        options.setdefault("jitter", init.jitter)
        if init.mass_matrix is not None:
            options.setdefault("mass_matrix", init.mass_matrix)
        steps.append(
            NUTS(
                continuous,
                target_accept=target_accept,
                model=model,
                initial_point=start,
                **options,
            )
        )
    elif nuts_kwargs:
        warnings.warn(
            f"pm.sample: {sorted(nuts_kwargs)} were not used: no variable was left to NUTS",
            UserWarning,
            stacklevel=3,
        )
    if binary:
        steps.append(BinaryGibbsMetropolis(binary, model=model, initial_point=start))
    if categorical:
        steps.append(CategoricalGibbsMetropolis(categorical, model=model, initial_point=start))
    if other:
        steps.append(Metropolis(other, model=model, initial_point=start))
    return steps
