"""Tensor types and the NumPy-level operations on them."""

__version__ = "0.1.0"
