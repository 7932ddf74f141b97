"""Seed "A Brief Intro to Theano" (and the PyMC3 paper): the logistic curve, elementwise."""

import numpy as np

import tensorops as pt
from graphcore import function

x = pt.dmatrix("x")

# The logistic transformation:
s = 1 / (1 + pt.exp(-x))

logistic = function([x], s)
result = logistic([[0, 1], [-1, -2]])
print(result)

# The seed prints [[0.5 0.73105858] [0.26894142 0.11920292]]
np.testing.assert_allclose(result, [[0.5, 0.73105858], [0.26894142, 0.11920292]], atol=5e-9)
