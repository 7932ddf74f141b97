"""Seed "PyMC3 and Theano": What is Theano.

Symbolic inputs (a float scalar, a float vector, an integer vector), an expression built
from them without computing anything, and a compiled function called with arrays.
"""

import numpy as np

import graphcore
import tensorops as pt

# We don't specify the dtype of our input variables, so it
# defaults to using float64 without any special config.
a = pt.scalar("a")
x = pt.vector("x")
# `pt.ivector` creates a symbolic vector of integers.
y = pt.ivector("y")
assert (a.dtype, x.dtype, y.dtype) == ("float64", "float64", "int32")

inner = a * x**3 + y**2
out = pt.exp(inner).sum()
print("out is symbolic:", out, "of type", out.type)

func = graphcore.function([a, x, y], [out])

a_val = 1.2
rng = np.random.default_rng(0)
x_vals = rng.standard_normal(10)
y_vals = rng.standard_normal(10)
# The seed passes float draws for the integer vector y: that would change the values, so
# the function refuses them with a clear message ...
try:
    func(a_val, x_vals, y_vals)
except TypeError as error:
    print("TypeError:", error)
else:
    raise AssertionError("float values for an int32 input must be refused")

# ... and takes integers.
y_vals = rng.integers(-3, 4, size=10).astype("int32")
out = func(a_val, x_vals, y_vals)
print(out)
assert isinstance(out, list) and len(out) == 1  # outputs given as a list come back as one
np.testing.assert_allclose(out[0], np.exp(a_val * x_vals**3 + y_vals**2).sum(), rtol=1e-14)

# np.exp works on a symbolic variable too (NumPy hands the operation to it).
also_symbolic = np.exp(inner)
print("np.exp(inner) ->", also_symbolic)
np.testing.assert_allclose(
    also_symbolic.eval({a: a_val, x: x_vals, y: y_vals}), np.exp(a_val * x_vals**3 + y_vals**2)
)

# Linear algebra lives in pt.nlinalg and pt.slinalg
m = pt.matrix("m")
determinant = graphcore.function([m], pt.nlinalg.det(m))
print("det([[2, 1], [1, 3]]) =", determinant([[2.0, 1.0], [1.0, 3.0]]))
np.testing.assert_allclose(determinant([[2.0, 1.0], [1.0, 3.0]]), 5.0)
