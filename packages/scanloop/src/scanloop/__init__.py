"""Symbolic loops: scan, map, reduce, foldl, foldr."""

__version__ = "0.1.0"
