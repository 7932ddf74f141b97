"""C code generation for tensor graphs, compiled through cffi."""

__version__ = "0.1.0"
