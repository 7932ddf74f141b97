"""Symbolic graphs, compilation, shared state and printing."""

__version__ = "0.1.0"
