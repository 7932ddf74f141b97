"""MCMC step methods, traces and diagnostics for any log density."""

__version__ = "0.1.0"
