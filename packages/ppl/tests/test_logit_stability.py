"""Probabilities given as logits stay finite, with finite gradients, at any logit (where
1 - sigmoid(x) is 0 in doubles beyond x = 37): a sampler exploring far out must see a
density, not a divergence."""

import numpy as np
import pytest
import scipy.stats as st
from scipy.special import expit

import ppl as pm


@pytest.mark.parametrize(
    ("build", "reference"),
    [
        (
            lambda a: pm.Binomial("d", n=5, logit_p=a, observed=np.array([3, 0, 5])),
            lambda x: st.binom.logpmf([3, 0, 5], 5, expit(x)).sum(),
        ),
        (
            lambda a: pm.Bernoulli("b", logit_p=a, observed=np.array([0, 1, 1])),
            lambda x: st.bernoulli.logpmf([0, 1, 1], expit(x)).sum(),
        ),
    ],
    ids=["binomial", "bernoulli"],
)
def test_logit_densities_are_finite_far_out(build, reference):
    with pm.Model() as model:
        a = pm.Flat("a")
        build(a)
    density = model.logp_dlogp_function()
    for x in (-3.0, 0.5, 12.0):  # where SciPy is accurate
        logp, _ = density.logp_dlogp(np.array([x]))
        np.testing.assert_allclose(logp, reference(x), rtol=1e-10)
    for x in (-800.0, -60.0, 40.0, 60.0, 800.0):
        logp, dlogp = density.logp_dlogp(np.array([x]))
        assert np.isfinite(logp) and np.all(np.isfinite(dlogp)), (x, logp, dlogp)
        step = 1e-6 * max(1.0, abs(x))
        numeric = (
            density.logp_dlogp(np.array([x + step]))[0]
            - density.logp_dlogp(np.array([x - step]))[0]
        ) / (2 * step)
        np.testing.assert_allclose(dlogp[0], numeric, rtol=1e-5, atol=1e-8)
