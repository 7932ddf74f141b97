"""Seed "PyMC3 and Theano": indexing as in NumPy, and ``set_subtensor``."""

import numpy as np

import graphcore
import tensorops as pt

a = pt.vector("a")
# Access the 10th element. This will fail when a function built
# from this expression is executed with an array that is too short.
b = a[10]
element = graphcore.function([a], b)
print("a[10] of 0..11:", element(np.arange(12.0)))
assert element(np.arange(12.0)) == 10.0
try:
    element(np.arange(5.0))
except IndexError as error:
    print("IndexError:", error)
else:
    raise AssertionError("a[10] of a vector of 5 must raise IndexError")

# Extract a subvector
b = a[[1, 2, 10]]
print("a[[1, 2, 10]]:", b.eval({a: np.arange(12.0)}))
np.testing.assert_array_equal(b.eval({a: np.arange(12.0)}), [1.0, 2.0, 10.0])

# Changing elements of an array is possible using set_subtensor:
a = pt.vector("a")
b = pt.set_subtensor(a[:10], 1)

# is roughly equivalent to this (without the copy when `a` isn't used anymore)
a_value = np.random.default_rng(3).standard_normal(12)
expected = a_value.copy()
expected[:10] = 1

result = b.eval({a: a_value})
print("set_subtensor(a[:10], 1):", result)
np.testing.assert_array_equal(result, expected)
