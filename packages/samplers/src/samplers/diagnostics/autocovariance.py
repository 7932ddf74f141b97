"""Autocovariance of every chain at every lag, by FFT."""

from __future__ import annotations

import numpy as np
from scipy import fft

from samplers.diagnostics.draws import FloatArray


def autocovariance(chains: FloatArray) -> FloatArray:
    """Biased autocovariance γ̂ₜ = (1/N) Σᵢ (xᵢ - x̄)(xᵢ₊ₜ - x̄) along the last axis, t = 0..N-1.

    The correlation theorem gives Σᵢ yᵢ yᵢ₊ₜ as the inverse transform of |F(y)|²; padding
    to at least 2N keeps the circular correlation from wrapping one end onto the other.
    """
    n_draws = chains.shape[-1]
    padded = fft.next_fast_len(2 * n_draws, real=True)
    centered = chains - chains.mean(axis=-1, keepdims=True)
    spectrum = np.fft.rfft(centered, n=padded, axis=-1)
    spectrum *= np.conjugate(spectrum)
    covariance = np.fft.irfft(spectrum, n=padded, axis=-1)[..., :n_draws]
    covariance /= n_draws
    return covariance
