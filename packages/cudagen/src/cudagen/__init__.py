"""CUDA kernels and GPU arrays for tensor graphs."""

__version__ = "0.1.0"
