"""Symbolic graphs, compilation, shared state and printing.

The foundation of the stack: variables and ops form graphs, ``function``
compiles them through the installed rewrites and linkers, shared variables hold
state between calls. Tensor types and ops live in ``tensorops``.
"""

from graphcore.compile.function import Function, UnusedInputError, function
from graphcore.compile.io import In, Out
from graphcore.compile.modes import (
    Mode,
    RewriteQuery,
    available_linkers,
    get_mode,
    register_linker,
    register_rewrites,
    unregister_rewrites,
)
from graphcore.compile.vm import PythonLinker
from graphcore.config import config
from graphcore.fgraph import FunctionGraph, MissingInputError
from graphcore.graph.apply import Apply
from graphcore.graph.op import Op
from graphcore.graph.traversal import (
    ancestors,
    applys_between,
    clone,
    clone_get_equiv,
    clone_replace,
    equal_computations,
    graph_inputs,
    io_toposort,
    toposort,
    vars_between,
)
from graphcore.graph.type import GenericType, Type, generic
from graphcore.graph.variable import Constant, Variable
from graphcore.printing import (
    FunctionPrinter,
    OperatorPrinter,
    dprint,
    graphviz,
    pp,
    register_printer,
)
from graphcore.shared import Container, SharedVariable, shared, shared_constructor

__version__ = "0.1.0"

__all__ = [
    "Apply",
    "Constant",
    "Container",
    "Function",
    "FunctionGraph",
    "FunctionPrinter",
    "GenericType",
    "In",
    "MissingInputError",
    "Mode",
    "Op",
    "OperatorPrinter",
    "Out",
    "PythonLinker",
    "RewriteQuery",
    "SharedVariable",
    "Type",
    "UnusedInputError",
    "Variable",
    "__version__",
    "ancestors",
    "applys_between",
    "available_linkers",
    "clone",
    "clone_get_equiv",
    "clone_replace",
    "config",
    "dprint",
    "equal_computations",
    "function",
    "generic",
    "get_mode",
    "graph_inputs",
    "graphviz",
    "io_toposort",
    "pp",
    "register_linker",
    "register_printer",
    "register_rewrites",
    "shared",
    "shared_constructor",
    "toposort",
    "unregister_rewrites",
    "vars_between",
]
