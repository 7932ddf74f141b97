"""Seed "PyMC and PyTensor": What is going on behind the scenes?

A random variable registered in a model: ``model.basic_RVs``, ``eval`` (always the same
value) against ``pm.draw`` (new draws each call), and the 2-d histogram of 10,000 draws.
"""

import io
import os
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import graphcore
import ppl as pm

OUTPUT = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-"))
OUTPUT.mkdir(parents=True, exist_ok=True)
plt.switch_backend("Agg")


def tree(variable):
    """dprint's lines with the tree drawing stripped, to compare with the seed's."""
    text = io.StringIO()
    graphcore.dprint(variable, file=text)
    return [line.lstrip(" │├└─") for line in text.getvalue().splitlines()]


with pm.Model() as model:
    z = pm.Normal(name="z", mu=np.array([0, 0]), sigma=np.array([1, 2]))

graphcore.dprint(z)
assert tree(z)[0].startswith("normal_rv") and tree(z)[0].endswith("'z'")

print(model.basic_RVs)
assert str(model.basic_RVs) == "[z ~ Normal(<constant>, <constant>)]"  # the seed's output
graphcore.dprint(model.basic_RVs[0])
assert tree(model.basic_RVs[0]) == tree(z)

evaluated = []
for i in range(10):
    value = z.eval()
    evaluated.append(tuple(value))
    print(f"Sample {i}: {value}")
assert len(set(evaluated)) == 1  # the same sample at each iteration

drawn = []
for i in range(10):
    value = pm.draw(z)
    drawn.append(tuple(value))
    print(f"Sample {i}: {value}")
assert len(set(drawn)) == 10  # new draws each call

fig, ax = plt.subplots(figsize=(8, 8))
z_draws = pm.draw(vars=z, draws=10_000)
ax.hist2d(x=z_draws[:, 0], y=z_draws[:, 1], bins=25)
ax.set(title="Samples Histogram")
path = OUTPUT / "pymc_pytensor_z_draws_hist2d.png"
fig.savefig(path)
plt.close(fig)
print("histogram written to", path)

assert z_draws.shape == (10_000, 2)
# Standard deviations 1 and 2 (within 5 standard errors of 10,000 draws), means 0.
np.testing.assert_allclose(z_draws.std(axis=0), [1.0, 2.0], rtol=5 * 0.0071)
np.testing.assert_allclose(z_draws.mean(axis=0), [0.0, 0.0], atol=5 * 2.0 / 100)
