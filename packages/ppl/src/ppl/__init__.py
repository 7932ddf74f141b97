"""Bayesian models, distributions, transforms and sampling."""

__version__ = "0.1.0"
