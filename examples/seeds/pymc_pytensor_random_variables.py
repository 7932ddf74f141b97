"""Seed "PyMC and PyTensor": PyTensor RandomVariables, and the first PyMC section.

Draws with NumPy, then a random variable in a graph: ``eval`` gives the same value every
time (its generator is not advanced); ``pm.draw`` gives new draws. Both histograms of the
seed are written to the plot folder.
"""

import io
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import scipy.stats

import graphcore
import ppl as pm
import tensorops as pt

OUTPUT = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-"))
OUTPUT.mkdir(parents=True, exist_ok=True)
plt.switch_backend("Agg")


def tree(variable):
    """dprint's lines with the tree drawing stripped, to compare with the seed's."""
    text = io.StringIO()
    graphcore.dprint(variable, file=text)
    return [line.lstrip(" │├└─") for line in text.getvalue().splitlines()]


a = np.random.normal(loc=0, scale=1, size=1_000)
fig, ax = plt.subplots(figsize=(8, 6))
ax.hist(a, color="C0", bins=15)
ax.set(title="Samples from a normal distribution using numpy", ylabel="count")
fig.savefig(OUTPUT / "pymc_pytensor_numpy_normal_hist.png")
plt.close(fig)

# Now let's try to do it in PyTensor.
y = pt.random.normal(loc=0, scale=1, name="y")
print(y.type)
assert str(y.type) == "Scalar(float64, shape=())"

graphcore.dprint(y)
# The inputs are the generator, the size (empty: one draw) and the parameters.
lines = tree(y)
assert lines[0].startswith("normal_rv") and lines[0].endswith("'y'")
assert lines[2:] == ["[] [id C]", "0 [id D]", "1 [id E]"], lines

print(repr(y.eval()))
samples = []
for i in range(10):
    sample = y.eval()
    samples.append(sample)
    print(f"Sample {i}: {sample}")
assert len(set(map(float, samples))) == 1  # "these samples are always the same!"

# PyMC
x = pm.Normal.dist(mu=0, sigma=1)
graphcore.dprint(x)
assert tree(x)[0].startswith("normal_rv")

x_samples = []
for i in range(10):
    sample = x.eval()
    x_samples.append(sample)
    print(f"Sample {i}: {sample}")
assert len(set(map(float, x_samples))) == 1

# The correct way to generate random samples is using draw().
draws = pm.draw(x, draws=1_000)
fig, ax = plt.subplots(figsize=(8, 6))
ax.hist(draws, color="C1", bins=15)
ax.set(title="Samples from a normal distribution using pymc", ylabel="count")
path = OUTPUT / "pymc_pytensor_pm_draw_normal_hist.png"
fig.savefig(path)
plt.close(fig)
print("histograms written to", OUTPUT)

assert draws.shape == (1_000,) and len(np.unique(draws)) == 1_000
# A standard normal by a Kolmogorov-Smirnov test (p < 1e-4 would be a broken sampler).
assert scipy.stats.kstest(draws, "norm").pvalue > 1e-4
np.testing.assert_array_equal(
    pm.draw(x, draws=5, random_seed=7), pm.draw(x, draws=5, random_seed=7)
)
