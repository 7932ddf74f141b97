"""Seed: the PyMC3 paper, "Comparison of Metropolis and NUTS".

A univariate linear model fitted to simulated data through the glm module (PyMC3's
``glm_linear`` example: intercept 1, slope 2, noise 0.5, fifty points), sampled once with
Metropolis and once with NUTS; their traceplots are written side by side. NUTS mixes far
better: its effective sample size per draw is much higher.
"""

import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import ppl as pm

REQUIRES = ["ppl.sample", "ppl.glm", "ppl.Metropolis", "ppl.NUTS", "ppl.traceplot", "ppl.ess"]

OUTPUT = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-"))
OUTPUT.mkdir(parents=True, exist_ok=True)
plt.switch_backend("Agg")

# The glm_linear example's data
size = 50
true_intercept = 1.0
true_slope = 2.0
rng = np.random.default_rng(42)
x = np.linspace(0, 1, size)
y = true_intercept + x * true_slope + rng.normal(scale=0.5, size=size)
data = {"x": x, "y": y}

with pm.Model() as model:
    pm.glm.GLM.from_formula("y ~ x", data)

print("free variables:", [rv.name for rv in model.free_RVs])
assert sorted(rv.name for rv in model.free_RVs) == ["Intercept", "sd", "x"]

# The seed's glm.glm('y ~ x', data) spelling builds the same model.
with pm.Model() as same_model:
    pm.glm("y ~ x", data)
point = model.initial_point()
assert same_model.initial_point().keys() == point.keys()
assert float(same_model.compile_logp()(point)) == float(model.compile_logp()(point))

# Small runs so that the demo stays quick (the seed draws 1000 of each).
with model:
    trace_metropolis = pm.sample(500, tune=500, chains=2, step=pm.Metropolis(), random_seed=1)
with model:
    trace_nuts = pm.sample(500, tune=500, chains=2, step=pm.NUTS(), random_seed=1)

for name, trace in [("Metropolis", trace_metropolis), ("NUTS", trace_nuts)]:
    figure = pm.traceplot(trace)
    figure.suptitle(f"glm linear model, {name}")
    path = OUTPUT / f"pymc3_paper_glm_traceplot_{name.lower()}.png"
    figure.savefig(path)
    plt.close(figure)
    print(f"{name}: traceplot written to {path}")

# The least-squares line is the posterior mode under these flat-ish priors: both samplers
# must find it, NUTS within a few posterior standard deviations.
slope_ls, intercept_ls = np.polyfit(x, y, 1)
print(f"least squares: Intercept {intercept_ls:.3f}, x {slope_ls:.3f}")
for name, trace in [("Metropolis", trace_metropolis), ("NUTS", trace_nuts)]:
    ess = pm.ess(trace)
    means = ", ".join(
        f"{v} {trace[v].mean():.3f} (ess {float(ess[v]):.0f})" for v in ("Intercept", "x", "sd")
    )
    print(f"{name:>10}: {means}")
for name, least_squares in [("Intercept", intercept_ls), ("x", slope_ls)]:
    draws = trace_nuts[name]
    assert abs(draws.mean() - least_squares) < 4 * draws.std(), name
assert 0.3 < trace_nuts["sd"].mean() < 0.8

# NUTS mixes better: more effective draws for the slope than Metropolis from as many draws.
ess_nuts = float(pm.ess(trace_nuts)["x"])
ess_metropolis = float(pm.ess(trace_metropolis)["x"])
print(f"ESS of the slope: NUTS {ess_nuts:.0f}, Metropolis {ess_metropolis:.0f}")
assert ess_nuts > ess_metropolis
