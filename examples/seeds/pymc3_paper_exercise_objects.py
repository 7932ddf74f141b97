"""Seed: the PyMC3 paper's Theano section, "Exercise: Create and manipulate Theano objects".

The exercise's four functions filled in, then its own check.
"""

import numpy as np

import tensorops as pt
from graphcore import function


def make_vector():
    """Create and return a new vector."""
    return pt.vector()


def make_matrix():
    """Create and return a new matrix."""
    return pt.matrix()


def elemwise_mul(a, b):
    """The elementwise product of a and b."""
    return a * b


def matrix_vector_mul(a, b):
    """The matrix-vector product of a and b."""
    return pt.dot(a, b)


a = make_vector()
b = make_vector()
c = elemwise_mul(a, b)
d = make_matrix()
e = matrix_vector_mul(d, c)

f = function([a, b, d], e)

rng = np.random.RandomState([1, 2, 3])
a_value = rng.randn(5).astype(a.dtype)
b_value = rng.rand(5).astype(b.dtype)
c_value = a_value * b_value
d_value = rng.randn(5, 5).astype(d.dtype)
expected = np.dot(d_value, c_value)

actual = f(a_value, b_value, d_value)

assert np.allclose(actual, expected)
print("SUCCESS!")
