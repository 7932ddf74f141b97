"""Seed "A Brief Intro to Theano" (and the PyMC3 paper): Adding Two Matrices, and the types.

The same sum with matrix types, then every type constructor of the seed's table.
"""

import numpy as np

import tensorops as pt
from graphcore import function

x = pt.dmatrix("x")
y = pt.dmatrix("y")
z = x + y
f = function([x, y], z)

result = f([[1, 2], [3, 4]], [[10, 20], [30, 40]])
print(repr(result))
np.testing.assert_array_equal(result, [[11.0, 22.0], [33.0, 44.0]])  # the seed's output
assert result.dtype == np.float64

# The types of the seed's table: byte, 16-, 32-, 64-bit integers, float, double, complex.
dtypes = {
    "b": "int8",
    "w": "int16",
    "i": "int32",
    "l": "int64",
    "f": "float32",
    "d": "float64",
    "c": "complex64",
}
kinds = {"scalar": 0, "vector": 1, "matrix": 2, "row": 2, "col": 2, "tensor3": 3, "tensor4": 4}
for prefix, dtype in dtypes.items():
    names = []
    for kind, ndim in kinds.items():
        variable = getattr(pt, prefix + kind)(prefix + kind)
        assert (variable.dtype, variable.ndim) == (dtype, ndim), (prefix + kind, variable.type)
        names.append(prefix + kind)
    print(f"{dtype:>9}: {', '.join(names)}")
assert pt.brow().type.shape[0] == 1 and pt.dcol().type.shape[1] == 1  # broadcastable axes
