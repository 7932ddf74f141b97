"""Sampling a model: ``pm.sample`` and the model-aware step methods."""

from ppl.sampling.many import sample_many
from ppl.sampling.report import SamplingWarning
from ppl.sampling.sample import sample
from ppl.sampling.steps import (
    NUTS,
    BinaryGibbsMetropolis,
    CategoricalGibbsMetropolis,
    CompoundStep,
    HamiltonianMC,
    Metropolis,
    Slice,
    StepError,
)
from samplers import SamplingError

__all__ = [
    "NUTS",
    "BinaryGibbsMetropolis",
    "CategoricalGibbsMetropolis",
    "CompoundStep",
    "HamiltonianMC",
    "Metropolis",
    "SamplingError",
    "SamplingWarning",
    "Slice",
    "StepError",
    "sample",
    "sample_many",
]
