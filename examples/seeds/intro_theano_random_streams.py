"""Seed "A Brief Intro to Theano" (and the PyMC3 paper): Random Numbers with RandomStreams.

A compiled function draws new numbers on every call; a seeded stream reproduces them.
"""

import numpy as np

from graphcore import function
from randomstreams import RandomStreams

srng = RandomStreams(seed=234)
rv_u = srng.uniform((2, 2))
f = function([], rv_u)

first = f()
second = f()
print(first)
print(second)

assert first.shape == (2, 2) and ((first >= 0) & (first < 1)).all()
assert not np.array_equal(first, second)  # a new draw on every call

# The same seed gives the same sequence of draws.
again = function([], RandomStreams(seed=234).uniform((2, 2)))
np.testing.assert_array_equal(again(), first)
np.testing.assert_array_equal(again(), second)
print("a stream seeded with 234 repeats the same draws")
