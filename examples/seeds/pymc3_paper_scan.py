"""Seed: the PyMC3 paper's Theano section and "A Brief Intro to Theano", "Looping in Theano".

``scan`` computing A**k elementwise by accumulation, and a polynomial from its
coefficients by iterating over sequences.
"""

import numpy as np

import tensorops as pt
from graphcore import function
from scanloop import scan

# Simple loop with accumulation: A**k
k = pt.iscalar("k")
A = pt.vector("A")

# Symbolic description of the result
result, updates = scan(
    fn=lambda prior_result, A: prior_result * A,
    outputs_info=pt.ones_like(A),
    non_sequences=A,
    n_steps=k,
)

# We only care about A**k, but scan has provided us with A**1 through A**k.
# Discard the values that we don't care about; only the last step is stored.
final_result = result[-1]

# compiled function that returns A**k
power = function(inputs=[A, k], outputs=final_result, updates=updates)

print(power(range(10), 2))
print(power(range(10), 4))
np.testing.assert_array_equal(power(range(10), 2), np.arange(10.0) ** 2)
np.testing.assert_array_equal(power(range(10), 4), np.arange(10.0) ** 4)

# Iterating over sequences: a polynomial from its coefficients
coefficients = pt.vector("coefficients")
x = pt.scalar("x")

# Generate the components of the polynomial
components, updates = scan(
    fn=lambda coefficient, power, val: coefficient * (val**power),
    outputs_info=None,
    sequences=[coefficients, pt.arange(1000)],
    non_sequences=x,
)
# Sum them up
polynomial = components.sum()

# Compile a function
calculate_polynomial = function(inputs=[coefficients, x], outputs=polynomial)

# Test
test_coefficients = np.asarray([1, 0, 2], dtype=np.float32)
test_value = 3
value = calculate_polynomial(test_coefficients, test_value)
print(value)
# 1 * 3**0 + 0 * 3**1 + 2 * 3**2 (the sequences stop at the shorter one)
assert value == 19.0
