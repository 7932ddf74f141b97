"""Seed "A Brief Intro to Theano" (and the PyMC3 paper): default values for arguments with In."""

import tensorops as pt
from graphcore import In, function

x, y, w = pt.dscalars("x", "y", "w")
z = (x + y) * w
g = function([x, In(y, value=1), In(w, value=2, name="w_by_name")], z)

print(f"g(33) = {g(33)}")
print(f"g(33, 0, 1) = {g(33, 0, 1)}")
print(f"g(33, w_by_name=1) = {g(33, w_by_name=1)}")
print(f"g(33, w_by_name=1, y=0) = {g(33, w_by_name=1, y=0)}")

# The seed prints 68.0, 33.0, 34.0 and 33.0
assert g(33) == 68.0
assert g(33, 0, 1) == 33.0
assert g(33, w_by_name=1) == 34.0
assert g(33, w_by_name=1, y=0) == 33.0
