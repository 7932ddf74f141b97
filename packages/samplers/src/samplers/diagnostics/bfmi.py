"""Bayesian fraction of missing information of Hamiltonian samplers' energy."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from samplers.diagnostics.draws import FloatArray, as_float_array


def _energy_of(data: Any) -> ArrayLike:
    """The energy array of a trace (``.stats``), InferenceData (``.sample_stats``) or the array."""
    for group in ("stats", "sample_stats"):
        stats = getattr(data, group, None)
        if stats is not None:
            return np.asarray(stats["energy"])
    return np.asarray(data)


def bfmi(energy: Any) -> FloatArray:
    """E-BFMI of each chain: mean((Eₜ - Eₜ₋₁)²) / Var(E), from energy of shape (chains, draws).

    Betancourt (2016): it compares how far one momentum resampling moves the energy with
    how widely the energy varies; values below 0.3 say the momenta explore the energy
    distribution poorly. A 1-d array is one chain; a trace gives its ``energy`` statistic.
    """
    values = as_float_array(_energy_of(energy), "energy")
    if values.ndim == 1:
        values = values[np.newaxis, :]
    if values.ndim != 2:
        raise ValueError(f"energy must have shape (chains, draws) or (draws,); got {values.shape}")
    if values.shape[1] < 2:
        raise ValueError(f"energy needs at least 2 draws per chain; got shape {values.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        step_energy = np.square(np.diff(values, axis=1)).mean(axis=1)
        return step_energy / np.var(values, axis=1, ddof=1)
