"""Random variables in graphs and streams that draw anew."""

__version__ = "0.1.0"
