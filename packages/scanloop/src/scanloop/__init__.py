"""Symbolic loops: ``scan`` and its friends ``map``, ``reduce``, ``foldl``, ``foldr``.

``result, updates = scan(fn, sequences=..., outputs_info=..., non_sequences=...,
n_steps=...)`` as in Theano and PyTensor. The loop is one ``Scan`` op holding its
step graph; gradients flow through it (autodiff), rewrites keep only the steps that
are read and move work out of the loop, and under ccodegen the whole loop runs in C.
"""

from scanloop import gradient as _gradient  # noqa: F401 - registers the gradient of Scan
from scanloop import rewrites as _rewrites  # noqa: F401 - registers the Scan rewrites
from scanloop import thunk as _thunk  # noqa: F401 - the Python backend's loop
from scanloop.body import until
from scanloop.build import scan
from scanloop.helpers import foldl, foldr, map, reduce
from scanloop.info import ScanInfo
from scanloop.inner import InnerGraph
from scanloop.op import Scan

__version__ = "0.1.0"

__all__ = [
    "InnerGraph",
    "Scan",
    "ScanInfo",
    "foldl",
    "foldr",
    "map",
    "reduce",
    "scan",
    "until",
]
