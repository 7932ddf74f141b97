"""A model whose likelihood is a scan: its log density and gradient equal those of the
same model written without a loop, and optimizing either finds the same point."""

from __future__ import annotations

import numpy as np

import ppl as pm
import tensorops as pt
from scanloop import scan

SERIES = 0.5 * np.cumsum(np.random.default_rng(0).normal(size=30))


def _ar1_model(by_scan: bool) -> pm.Model:
    with pm.Model() as model:
        rho = pm.Uniform("rho", -1, 1)
        sigma = pm.HalfNormal("sigma", 1.0)
        data = pt.as_tensor(SERIES)
        if by_scan:
            terms, _ = scan(
                lambda before, now, rho, sigma: (
                    -0.5 * ((now - rho * before) / sigma) ** 2 - pt.log(sigma)
                ),
                sequences=dict(input=data, taps=[-1, 0]),
                non_sequences=[rho, sigma],
            )
            total = terms.sum()
        else:
            residual = (data[1:] - rho * data[:-1]) / sigma
            total = (-0.5 * residual**2 - pt.log(sigma)).sum()
        pm.Potential("ar1", total)
    return model


def test_scan_likelihood_matches_the_vectorized_one() -> None:
    looped, vectorized = _ar1_model(True), _ar1_model(False)
    logp_a, logp_b = looped.compile_logp(), vectorized.compile_logp()
    dlogp_a, dlogp_b = looped.compile_dlogp(), vectorized.compile_dlogp()
    rng = np.random.default_rng(1)
    for _ in range(5):
        point = {"rho_interval__": rng.normal(), "sigma_log__": rng.normal()}
        np.testing.assert_allclose(logp_a(point), logp_b(point), rtol=1e-12)
        np.testing.assert_allclose(dlogp_a(point), dlogp_b(point), rtol=1e-10)


def test_find_map_through_a_scan() -> None:
    found = pm.find_MAP(model=_ar1_model(True), progressbar=False)
    expected = pm.find_MAP(model=_ar1_model(False), progressbar=False)
    np.testing.assert_allclose(found["rho"], expected["rho"], rtol=1e-6)
    np.testing.assert_allclose(found["sigma"], expected["sigma"], rtol=1e-6)
