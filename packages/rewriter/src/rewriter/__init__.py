"""The rewrite engine, the tensor rewrites and the FAST_RUN mode."""

__version__ = "0.1.0"
