"""Seed "PyMC and PyTensor": Enough with Random Variables, I want to see some (log)probabilities!

``pm.logp`` of a random variable at a value variable, its graph, its value against SciPy;
the model's joint log density, ``compile_logp`` and ``initial_point``.
"""

import io

import numpy as np
import scipy.stats

import graphcore
import ppl as pm
import tensorops as pt


def tree(variable):
    """dprint's lines with the tree drawing stripped, to compare with the seed's."""
    text = io.StringIO()
    graphcore.dprint(variable, file=text)
    return [line.lstrip(" │├└─") for line in text.getvalue().splitlines()]


with pm.Model() as model:
    z = pm.Normal(name="z", mu=np.array([0, 0]), sigma=np.array([1, 2]))

print(model)

z_value = pt.vector(name="z")
z_logp = pm.logp(rv=z, value=z_value)
graphcore.dprint(z_logp)
# Like the seed's: the density wrapped in the check of its parameter, sigma > 0.
assert tree(z_logp)[0].startswith("Check{") and "sigma > 0" in tree(z_logp)[0]

print(repr(z_logp.eval({z_value: [0, 0]})))
reference = scipy.stats.norm.logpdf(
    x=np.array([0, 0]), loc=np.array([0, 0]), scale=np.array([1, 2])
)
print(repr(reference))
# The seed prints array([-0.91893853, -1.61208571]) for both
np.testing.assert_allclose(z_logp.eval({z_value: [0, 0]}), [-0.91893853, -1.61208571], atol=5e-9)
np.testing.assert_allclose(z_logp.eval({z_value: [0, 0]}), reference, rtol=1e-14)
# and pm.logcdf exists beside it
np.testing.assert_allclose(
    pm.logcdf(z, z_value).eval({z_value: [0.5, -1.0]}),
    scipy.stats.norm.logcdf([0.5, -1.0], scale=[1, 2]),
    rtol=1e-12,
)

# The model's joint log density, term by term: here the one term of z
graphcore.dprint(model.logp(sum=False))
(z_term,) = model.logp(sum=False)
assert tree(z_term)[0].startswith("Check{")

logp_function = model.compile_logp(sum=False)
point = model.initial_point()
print(point)
assert list(point) == ["z"]
np.testing.assert_array_equal(point["z"], [0.0, 0.0])  # the seed's {'z': array([0., 0.])}

values = logp_function(point)
print(values)
assert len(values) == 1
np.testing.assert_allclose(values[0], [-0.91893853, -1.61208571], atol=5e-9)
