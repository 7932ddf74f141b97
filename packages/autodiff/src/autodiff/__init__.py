"""Reverse and forward mode differentiation of tensor graphs."""

__version__ = "0.1.0"
