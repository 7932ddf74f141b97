"""Symbolic graphs, compilation, shared state and printing.

The foundation of the stack: variables and ops form graphs, ``function``
compiles them through the installed rewrites and linkers, shared variables hold
state between calls. Tensor types and ops live in ``tensorops``.
"""

from graphcore.compile import evaluate as _evaluate  # noqa: F401 - attaches Variable.eval
from graphcore.compile.compiled import Function, FunctionMaker
from graphcore.compile.debug import DebugModeError
from graphcore.compile.function import UnusedInputError, function
from graphcore.compile.io import In, Out
from graphcore.compile.linkers import (
    available_linkers,
    make_linker,
    register_linker,
    unregister_linker,
)
from graphcore.compile.modes import (
    Mode,
    RewriteQuery,
    get_mode,
    register_rewrites,
    unregister_rewrites,
)
from graphcore.compile.nanguard import NonFiniteError
from graphcore.compile.program import CallLayout, CellProgram, Linker, Program, StoragePlan
from graphcore.compile.thunks import Cell, Thunk, ThunkMaker, python_thunk, python_thunks
from graphcore.compile.vm import PythonLinker, allocate_storage, python_program, thunk_program
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
    write_dot,
)
from graphcore.registry import OpRegistry
from graphcore.shared import Container, SharedVariable, shared, shared_constructor

__version__ = "0.1.0"

__all__ = [
    "Apply",
    "CallLayout",
    "Cell",
    "CellProgram",
    "Constant",
    "Container",
    "DebugModeError",
    "Function",
    "FunctionGraph",
    "FunctionMaker",
    "FunctionPrinter",
    "GenericType",
    "In",
    "Linker",
    "MissingInputError",
    "Mode",
    "NonFiniteError",
    "Op",
    "OpRegistry",
    "OperatorPrinter",
    "Out",
    "Program",
    "PythonLinker",
    "RewriteQuery",
    "SharedVariable",
    "StoragePlan",
    "Thunk",
    "ThunkMaker",
    "Type",
    "UnusedInputError",
    "Variable",
    "__version__",
    "allocate_storage",
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
    "make_linker",
    "pp",
    "python_program",
    "python_thunk",
    "python_thunks",
    "register_linker",
    "register_printer",
    "register_rewrites",
    "shared",
    "shared_constructor",
    "thunk_program",
    "toposort",
    "unregister_linker",
    "unregister_rewrites",
    "vars_between",
    "write_dot",
]
