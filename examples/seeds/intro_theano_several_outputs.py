"""Seed "A Brief Intro to Theano" (and the PyMC3 paper): a function with several outputs."""

import numpy as np

import tensorops as pt
from graphcore import function

a, b = pt.dmatrices("a", "b")
diff = a - b
abs_diff = abs(diff)
diff_squared = diff**2

f = function([a, b], [diff, abs_diff, diff_squared])
results = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
print(results)

assert isinstance(results, list) and len(results) == 3  # "returns ... as a list"
expected = [  # the seed's printed output
    [[1.0, 0.0], [-1.0, -2.0]],
    [[1.0, 0.0], [1.0, 2.0]],
    [[1.0, 0.0], [1.0, 4.0]],
]
for got, want in zip(results, expected, strict=True):
    np.testing.assert_array_equal(got, want)
