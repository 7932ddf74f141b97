"""Seed "PyMC3 and Theano": How PyMC3 uses Theano.

The seed's three models, and what each one is underneath: a log density over the free
variables (value variables), one term per random variable; a positive variable is
sampled on the log scale (``sd_log__``) with the Jacobian added; variables are tensors, so
any operation (here ``pt.dot`` with a design matrix) applies to them.
"""

import numpy as np
import scipy.stats

import ppl as pm
import tensorops as pt

rng = np.random.default_rng(2018)
true_mu = 0.1
data = true_mu + rng.standard_normal(50)

# 1. A free variable and an observed one
with pm.Model() as model:
    mu = pm.Normal("mu", mu=0, sd=1)
    y = pm.Normal("y", mu=mu, sd=1, observed=data)

print("free:", model.free_RVs, "observed:", model.observed_RVs, "values:", model.value_vars)
assert [rv.name for rv in model.free_RVs] == ["mu"]
assert [rv.name for rv in model.observed_RVs] == ["y"]

# What happens in the background: one logp term per variable, built from
# pm.Normal.dist(...).logp(...) on a plain scalar standing for the free variable mu.
mu_scalar = pt.scalar("mu")
terms = pm.Normal.dist(0, 1).logp(mu_scalar) + pm.Normal.dist(mu_scalar, 1).logp(data).sum()
for mu_here in (0.0, 0.3):
    by_model = model.compile_logp()({"mu": mu_here})
    by_hand = terms.eval({mu_scalar: mu_here})
    by_scipy = scipy.stats.norm.logpdf(mu_here) + scipy.stats.norm.logpdf(data, mu_here).sum()
    print(f"logp at mu={mu_here}: model {float(by_model):.6f}, by hand {float(by_hand):.6f}")
    np.testing.assert_allclose([by_model, by_hand], [by_scipy, by_scipy], rtol=1e-12)

# pm.Normal.dist does not touch the model
assert len(model.basic_RVs) == 2

# 2. A positive variable: its free variable is sd_log__
with pm.Model() as model:
    mu = pm.Normal("mu", 0, 1)
    sd = pm.HalfNormal("sd", 1)
    y = pm.Normal("y", mu=mu, sd=sd, observed=data)

print("value variables:", model.value_vars)
assert [value.name for value in model.value_vars] == ["mu", "sd_log__"]

point = {"mu": 0.2, "sd_log__": np.log(1.5)}
by_model = model.compile_logp()(point)
# corrected_logp_half_normal(sd_log__): the HalfNormal density of exp(sd_log__) plus the
# Jacobian of exp, sd_log__ itself
by_scipy = (
    scipy.stats.norm.logpdf(0.2)
    + scipy.stats.halfnorm.logpdf(1.5)
    + np.log(1.5)
    + scipy.stats.norm.logpdf(data, 0.2, 1.5).sum()
)
print(f"logp at mu=0.2, sd=1.5: {float(by_model):.6f}")
np.testing.assert_allclose(by_model, by_scipy, rtol=1e-12)

# 3. Variables are tensors: a linear predictor from a design matrix
design_matrix = rng.standard_normal((50, 3))
true_beta = np.array([0.5, -1.0, 2.0])
data = design_matrix @ true_beta + 0.3 * rng.standard_normal(50)

with pm.Model() as model:
    # beta is a vector of doubles
    beta = pm.Normal("beta", 0, 1, shape=design_matrix.shape[1])
    predict = pt.dot(design_matrix, beta)
    sd = pm.HalfCauchy("sd", beta=2.5)
    pm.Normal("y", mu=predict, sd=sd, observed=data)

print("beta:", beta.type, "value variables:", model.value_vars)
assert beta.ndim == 1 and beta.dtype == "float64"
assert [value.name for value in model.value_vars] == ["beta", "sd_log__"]

point = {"beta": true_beta, "sd_log__": np.log(0.3)}
by_model = model.compile_logp()(point)
by_scipy = (
    scipy.stats.norm.logpdf(true_beta).sum()
    + scipy.stats.halfcauchy.logpdf(0.3, scale=2.5)
    + np.log(0.3)
    + scipy.stats.norm.logpdf(data, design_matrix @ true_beta, 0.3).sum()
)
print(f"logp at the true beta: {float(by_model):.6f}")
np.testing.assert_allclose(by_model, by_scipy, rtol=1e-12)
