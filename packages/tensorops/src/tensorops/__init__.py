"""Tensor types and the NumPy-level operations on them: ``import tensorops as pt``.

Everything between ``import tensorops as pt`` and ``pt.function(...)``: typed
symbolic inputs, constants and shared tensors, NumPy's operators, functions and
dtype promotion, and graphcore's compile names for one-import scripts.
"""

from importlib import metadata
from typing import TYPE_CHECKING, Any

from graphcore import In as In
from graphcore import Mode as Mode
from graphcore import Out as Out
from graphcore import config as config
from graphcore import function as function
from graphcore import shared as shared
from tensorops import dtypes as dtypes
from tensorops import elemwise_thunk as _elemwise_thunk  # noqa: F401 - registers the thunks
from tensorops import math as math
from tensorops import methods as _methods  # noqa: F401 - attaches TensorVariable's methods
from tensorops import nlinalg as nlinalg
from tensorops import printing as _printing  # noqa: F401 - registers pp's tensor printers
from tensorops import scalar_ops as scalar_ops
from tensorops import slinalg as slinalg
from tensorops.basic import *  # noqa: F403
from tensorops.composite import Composite as Composite
from tensorops.creation import *  # noqa: F403
from tensorops.cumulative import *  # noqa: F403
from tensorops.dimshuffle import *  # noqa: F403
from tensorops.elemwise import Elemwise as Elemwise
from tensorops.ifelse import *  # noqa: F403
from tensorops.indexing import *  # noqa: F403
from tensorops.join import *  # noqa: F403
from tensorops.math import *  # noqa: F403
from tensorops.products import *  # noqa: F403
from tensorops.reduction import *  # noqa: F403
from tensorops.shape import *  # noqa: F403
from tensorops.sort import *  # noqa: F403
from tensorops.type import TensorType as TensorType
from tensorops.variable import TensorConstant as TensorConstant
from tensorops.variable import TensorVariable as TensorVariable

if TYPE_CHECKING:
    # Names generated from tables (constructors, elementwise functions), for type checkers.
    def __getattr__(name: str) -> Any: ...

else:

    def __getattr__(name: str) -> Any:
        """Submodules other packages plug in (``pt.random`` once randomstreams is installed)."""
        for entry in metadata.entry_points(group="tensorops.submodules"):
            if entry.name == name:
                module = entry.load()
                globals()[name] = module
                return module
        raise AttributeError(f"module 'tensorops' has no attribute {name!r}")


__version__ = "0.1.0"
