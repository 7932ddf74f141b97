"""Seed: the PyMC3 paper, "Marginalization of discrete parameters".

The coal-mining disasters change-point model, twice: with the switchpoint marginalized out
by a ``Potential`` (all continuous: NUTS alone), and as originally written with a discrete
switchpoint (NUTS for the rates, a Metropolis-type step for the switchpoint, assigned
automatically). Both are compared by ``effective_n``, and both posteriors are plotted
with ``plot_posterior``.
"""

import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import scipy.special
import scipy.stats

from ppl import (
    DiscreteUniform,
    Exponential,
    Model,
    Poisson,
    Potential,
    effective_n,
    exp,
    log,
    plot_posterior,
    sample,
    switch,
)
from ppl import sum as tsum

REQUIRES = ["ppl.sample", "ppl.effective_n", "ppl.plot_posterior"]

OUTPUT = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-"))
OUTPUT.mkdir(parents=True, exist_ok=True)
plt.switch_backend("Agg")
DRAWS, TUNE, BURN = 1000, 500, 500  # the seed: sample(2000), then trace[1000:]

# fmt: off
disasters_data = np.array([4, 5, 4, 0, 1, 4, 3, 4, 0, 6, 3, 3, 4, 0, 2, 6,
                           3, 3, 5, 4, 5, 3, 1, 4, 4, 1, 5, 5, 3, 4, 2, 5,
                           2, 2, 3, 4, 2, 1, 3, 2, 2, 1, 1, 1, 1, 3, 0, 0,
                           1, 0, 1, 1, 0, 0, 3, 1, 0, 3, 2, 2, 0, 1, 1, 1,
                           0, 1, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 1, 1, 0, 2,
                           3, 3, 1, 1, 2, 1, 1, 1, 1, 2, 4, 2, 0, 0, 1, 4,
                           0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1])
# fmt: on
years = len(disasters_data)


def log_sum_exp(x):
    return log(tsum(exp(x)))


with Model() as marginal_model:
    # Priors for pre- and post-switch mean number of disasters
    early_mean = Exponential("early_mean", lam=1.0)
    late_mean = Exponential("late_mean", lam=1.0)

    # Generate all possible combinations of switchpoints and years
    year_idx = np.arange(years)
    s, t = np.array([(t, s) for t in year_idx for s in year_idx]).T

    # Marginalize the switchpoint
    log_like = log_sum_exp(
        -log(years)
        + Poisson.dist(switch(t < s, early_mean, late_mean))
        .logp(disasters_data[t])
        .reshape((years, years))
        .sum(1)
    )

    # Data likelihood
    disasters = Potential("disasters", log_like)


def marginal_log_likelihood(early, late):
    """The marginal likelihood of the data by SciPy: a mixture over switchpoints s of the
    years t < s at the early rate and the others at the late rate."""
    rates = np.where(year_idx[None, :] < year_idx[:, None], early, late)  # [s, t]
    per_switchpoint = scipy.stats.poisson.logpmf(disasters_data[None, :], rates).sum(1)
    return scipy.special.logsumexp(per_switchpoint) - np.log(years)


def log_prior(early, late):
    """Both rates' Exponential(1) densities on the log scale, with the log transform's
    Jacobian (log rate) added, as the model's density on its value variables has them."""
    return sum(scipy.stats.expon.logpdf(rate) + np.log(rate) for rate in (early, late))


# Before sampling: the model's density is the marginal likelihood plus the priors.
early, late = 3.0, 1.0
point = {"early_mean_log__": np.log(early), "late_mean_log__": np.log(late)}
model_logp = marginal_model.compile_logp()(point)
expected = log_prior(early, late) + marginal_log_likelihood(early, late)
print(f"marginal model logp at early_mean=3, late_mean=1: {float(model_logp):.6f}")
np.testing.assert_allclose(model_logp, expected, rtol=1e-10)

with marginal_model:
    trace_marginal = sample(DRAWS, tune=TUNE, chains=2, random_seed=11)

figure = plot_posterior(trace_marginal[BURN:])
path = OUTPUT / "pymc3_paper_coal_mining_marginal_posterior.png"
figure.savefig(path)
plt.close(figure)
print("plot_posterior written to", path)

ess_marginal = effective_n(trace_marginal[BURN:])
print("effective_n, marginalized:", {name: round(float(v)) for name, v in ess_marginal.items()})

# Let's compare this with the original formulation:
with Model() as original_model:
    # Prior for distribution of switchpoint location
    switchpoint = DiscreteUniform("switchpoint", lower=0, upper=years)
    # Priors for pre- and post-switch mean number of disasters
    early_mean = Exponential("early_mean", lam=1.0)
    late_mean = Exponential("late_mean", lam=1.0)

    # Allocate appropriate Poisson rates to years before and after current
    # switchpoint location
    idx = np.arange(years)
    rate = switch(switchpoint >= idx, early_mean, late_mean)

    # Data likelihood
    disasters = Poisson("disasters", rate, observed=disasters_data)

# Before sampling: the density at one point, by SciPy.
point = {"switchpoint": 40, "early_mean_log__": np.log(early), "late_mean_log__": np.log(late)}
rates = np.where(idx <= 40, early, late)  # switchpoint >= idx
expected = (
    scipy.stats.randint.logpmf(40, 0, years + 1)
    + log_prior(early, late)
    + scipy.stats.poisson.logpmf(disasters_data, rates).sum()
)
np.testing.assert_allclose(original_model.compile_logp()(point), expected, rtol=1e-10)

with original_model:  # the step is chosen automatically: NUTS and a discrete step, combined
    trace_original = sample(DRAWS, tune=TUNE, chains=2, njobs=2, random_seed=11)

ess_original = effective_n(trace_original[BURN:])
print("effective_n, original:", {name: round(float(v)) for name, v in ess_original.items()})

figure = plot_posterior(trace_original[BURN:])
path = OUTPUT / "pymc3_paper_coal_mining_original_posterior.png"
figure.savefig(path)
plt.close(figure)
print("plot_posterior written to", path)

# Both formulations describe the same rates: their posterior means agree (the late rate
# is near 0.9 disasters a year, the early one near 3), and marginalizing the switchpoint
# gives the rates more effective draws per draw than the compound step does.
for name in ("early_mean", "late_mean"):
    marginal_mean = trace_marginal[BURN:][name].mean()
    original_mean = trace_original[BURN:][name].mean()
    print(f"{name}: marginalized {marginal_mean:.3f}, original {original_mean:.3f}")
    assert abs(marginal_mean - original_mean) < 0.25, name
assert 2.5 < trace_marginal[BURN:]["early_mean"].mean() < 3.6
assert 0.7 < trace_marginal[BURN:]["late_mean"].mean() < 1.2
print(
    "early_mean ESS: marginalized",
    round(float(ess_marginal["early_mean"])),
    "vs original",
    round(float(ess_original["early_mean"])),
)
