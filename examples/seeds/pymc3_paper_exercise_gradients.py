"""Seed: the PyMC3 paper's Theano section, "Exercises: Gradients and functions"."""

import tensorops as pt
from autodiff import grad


def grad_sum(x, y, z):
    """dz/dx + dz/dy, symbolically."""
    dz_dx, dz_dy = grad(z, [x, y])
    return dz_dx + dz_dy


x = pt.scalar()
y = pt.scalar()
z = x + y
s = grad_sum(x, y, z)
assert s.eval({x: 0, y: 0}) == 2
print("SUCCESS!")

# The same with a product: d(xy)/dx + d(xy)/dy = y + x.
product_sum = grad_sum(x, y, x * y)
assert product_sum.eval({x: 3.0, y: 4.0}) == 7.0
print("d(xy)/dx + d(xy)/dy at (3, 4) =", product_sum.eval({x: 3.0, y: 4.0}))
