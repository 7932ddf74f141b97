"""Seed "PyMC3 and Theano": conditional execution needs ``switch``.

Python's ``if`` on a symbolic condition cannot work (its truth is not known until the
function runs): we raise a TypeError that names ``switch``. ``pt.switch`` does it.
"""

import numpy as np

import tensorops as pt

a = pt.vector("a")
try:
    if (a > 0).all():  # noqa: SIM108 - the seed's code, as a user writes it
        b = pt.sqrt(a)
    else:
        b = -a
except TypeError as error:
    print("TypeError:", error)
    assert "switch" in str(error)
else:
    raise AssertionError("a symbolic condition in an `if` must raise TypeError")

# To get the desired behaviour, we can use pt.switch:
a = pt.vector("a")
b = pt.switch((a > 0).all(), pt.sqrt(a), -a)

positive = b.eval({a: [1.0, 4.0, 9.0]})
mixed = b.eval({a: [1.0, -4.0, 9.0]})
print("all positive:", positive)
print("not all positive:", mixed)
np.testing.assert_array_equal(positive, [1.0, 2.0, 3.0])
np.testing.assert_array_equal(mixed, [-1.0, 4.0, -9.0])
