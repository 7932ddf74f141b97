"""Text and picture views of graphs: ``pp`` (infix), ``dprint`` (tree), ``graphviz`` (.dot)."""

from graphcore.printing.dprint import dprint
from graphcore.printing.graphviz import graphviz, write_dot
from graphcore.printing.pp import FunctionPrinter, OperatorPrinter, pp, register_printer

__all__ = [
    "FunctionPrinter",
    "OperatorPrinter",
    "dprint",
    "graphviz",
    "pp",
    "register_printer",
    "write_dot",
]
