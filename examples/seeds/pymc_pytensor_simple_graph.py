"""Seed "PyMC and PyTensor": A simple example.

Two typed inputs, ``log(x + y)`` built and printed with ``dprint``, compiled, called by
keyword, and evaluated with ``eval`` (also from an intermediate value).
"""

import io

import numpy as np

import graphcore
import tensorops as pt


def tree(variable_or_function):
    """dprint's lines with the tree drawing stripped, to compare with the seed's."""
    text = io.StringIO()
    graphcore.dprint(variable_or_function, file=text)
    return [line.lstrip(" │├└─") for line in text.getvalue().splitlines()]


x = pt.scalar(name="x")
y = pt.vector(name="y")
print(
    f"""
x type: {x.type}
x name = {x.name}
---
y type: {y.type}
y name = {y.name}
"""
)
assert str(x.type) == "Scalar(float64, shape=())" and x.name == "x"
assert str(y.type) == "Vector(float64, shape=(?,))" and y.name == "y"

z = x + y
z.name = "x + y"
w = pt.log(z)
w.name = "log(x + y)"

graphcore.dprint(w)
assert tree(w) == [  # the seed's tree
    "Log [id A] 'log(x + y)'",
    "Add [id B] 'x + y'",
    "ExpandDims{axis=0} [id C]",
    "x [id D]",
    "y [id E]",
]

f = graphcore.function(inputs=[x, y], outputs=w)
print(repr(f(x=0, y=[1, np.e])))
print(repr(w.eval({x: 0, y: [1, np.e]})))
# You can set intermediate values as well
print(repr(w.eval({z: [1, np.e]})))

# The seed prints array([0., 1.]) three times
for value in (f(x=0, y=[1, np.e]), w.eval({x: 0, y: [1, np.e]}), w.eval({z: [1, np.e]})):
    np.testing.assert_allclose(value, [0.0, 1.0], atol=1e-15)
