"""Seed "PyMC and PyTensor": What are value variables and why are they important?

A random variable, its draws and its density in SciPy's terms; then ``model_2``: each
random variable's value variable (``sigma`` is sampled on the log scale as
``sigma_log__``), the element-wise log density with the Jacobian term, ``compile_logp``,
and the gradient and Hessian.
"""

import numpy as np
import scipy.stats

import ppl as pm
import tensorops as pt

rv = scipy.stats.norm(0, 1)
# Equivalent to rv = pm.Normal("rv", 0, 1)
print(scipy.stats.norm(0, 1))
# Equivalent to rv_draw = pm.draw(rv, 3)
print(rv.rvs(3))
# Equivalent to rv_logp = pm.logp(rv, 1.25)
print(rv.logpdf(1.25))

# ... and the same three in our names
normal = pm.Normal.dist(0, 1)
print(pm.draw(normal, 3))
print(pm.logp(normal, 1.25).eval())
assert pm.draw(normal, 3).shape == (3,)
np.testing.assert_allclose(pm.logp(normal, 1.25).eval(), -1.7001885332046727, rtol=1e-14)

with pm.Model() as model_2:
    mu = pm.Normal(name="mu", mu=0, sigma=2)
    sigma = pm.HalfNormal(name="sigma", sigma=3)
    x = pm.Normal(name="x", mu=mu, sigma=sigma)

print(model_2.rvs_to_values)
print(model_2.value_vars)
# The seed: {mu ~ Normal(0, 2): mu, sigma ~ HalfNormal(0, 3): sigma_log__, x ~ Normal(mu, sigma): x}
assert [value.name for value in model_2.rvs_to_values.values()] == ["mu", "sigma_log__", "x"]
assert str(model_2.value_vars) == "[mu, sigma_log__, x]"

# extract values as tensor variables
mu_value = model_2.rvs_to_values[mu]
sigma_log_value = model_2.rvs_to_values[sigma]
x_value = model_2.rvs_to_values[x]
# element-wise log-probability of the model (we do not take the sum)
logp_graph = pt.stack(model_2.logp(sum=False))
# evaluate by passing concrete values
elementwise = logp_graph.eval({mu_value: 0, sigma_log_value: -10, x_value: 0})
print(repr(elementwise))

print(
    f"""
mu_value -> {scipy.stats.norm.logpdf(x=0, loc=0, scale=2)}
sigma_log_value -> {-10 + scipy.stats.halfnorm.logpdf(x=np.exp(-10), loc=0, scale=3)}
x_value -> {scipy.stats.norm.logpdf(x=0, loc=0, scale=np.exp(-10))}
"""
)
by_scipy = [
    scipy.stats.norm.logpdf(x=0, loc=0, scale=2),
    # the -10 is the log transform's Jacobian term
    -10 + scipy.stats.halfnorm.logpdf(x=np.exp(-10), loc=0, scale=3),
    scipy.stats.norm.logpdf(x=0, loc=0, scale=np.exp(-10)),
]
# The seed prints array([ -1.61208571, -11.32440364, 9.08106147])
np.testing.assert_allclose(elementwise, [-1.61208571, -11.32440364, 9.08106147], atol=5e-9)
np.testing.assert_allclose(elementwise, by_scipy, rtol=1e-13)

# compile_logp takes a dictionary {value variable name: value}
terms = model_2.compile_logp(sum=False)({"mu": 0, "sigma_log__": -10, "x": 0})
print(terms)
np.testing.assert_allclose(terms, by_scipy, rtol=1e-13)

# The gradient (dlogp) and, as in PyMC, minus the Hessian (d2logp) of the joint logp.
point = {"mu": 0.5, "sigma_log__": 0.0, "x": 1.0}
gradient = model_2.compile_dlogp()(point)
negative_hessian = model_2.compile_d2logp()(point)
print("dlogp at", point, "=", gradient)
print("d2logp =\n", negative_hessian)


# Against central finite differences: of the compiled logp for the gradient, and of the
# compiled gradient for minus the Hessian.
names = ["mu", "sigma_log__", "x"]
flat = np.array([point[name] for name in names])
step = 1e-5
logp_at, dlogp_at = model_2.compile_logp(), model_2.compile_dlogp()


def at(values):
    return dict(zip(names, values, strict=True))


numeric_gradient = [
    (logp_at(at(flat + step * e)) - logp_at(at(flat - step * e))) / (2 * step) for e in np.eye(3)
]
numeric_hessian = np.array(
    [
        (dlogp_at(at(flat + step * e)) - dlogp_at(at(flat - step * e))) / (2 * step)
        for e in np.eye(3)
    ]
)
np.testing.assert_allclose(gradient, numeric_gradient, rtol=1e-6, atol=1e-8)
np.testing.assert_allclose(negative_hessian, -numeric_hessian, rtol=1e-5, atol=1e-7)
