"""How an op's C is asked for and what it gives back.

Every variable of a translated graph is a ``cg_arr`` named ``v<k>`` (data, lengths,
byte strides; see runtime.h). An op's C rule, registered on ``c_ops`` for its class,
receives a ``NodeContext`` naming its inputs and outputs and returns a ``NodeC``:
statements that set the outputs' lengths (the shape pass, run before any buffer is
given out), statements that compute them, and which outputs are views of an input
(they get no buffer). A rule returns None when it has no C for this node (a dtype
it does not handle): the node then runs in Python.

Other packages add rules for their own ops without ccodegen importing them: a module
named in the entry-point group ``ccodegen.rules`` registers its rules on ``c_ops`` when
imported, and ``load_rule_plugins`` imports every such module once, before the first
translation (scanloop's ``scan = "scanloop.c_loop"``: the C of a whole loop).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata

import numpy as np

from ccodegen.scalar_c import C_TYPES, COMPLEX_DTYPES
from graphcore import Apply, OpRegistry, Variable

MAX_DIMS = 16
"""CG_MAXDIM of runtime.h: higher ranks run in Python."""


@dataclass(frozen=True)
class CVar:
    """A tensor variable as the generated code names it."""

    name: str
    dtype: str
    broadcastable: tuple[bool, ...]

    @property
    def ndim(self) -> int:
        return len(self.broadcastable)

    @property
    def ctype(self) -> str:
        return C_TYPES[self.dtype]

    @property
    def itemsize(self) -> int:
        return np.dtype(self.dtype).itemsize

    @property
    def type_num(self) -> int:
        return np.dtype(self.dtype).num

    def dim(self, axis: int) -> str:
        return f"{self.name}.dims[{axis}]"

    def stride(self, axis: int) -> str:
        return f"{self.name}.strides[{axis}]"

    def pointer(self) -> str:
        return f"(({self.ctype} *){self.name}.data)"

    def element(self, index: str | int) -> str:
        """Element ``index`` of a 1-d value, whatever its stride."""
        return f"(*({self.ctype} *)({self.name}.data + ({index}) * {self.name}.strides[0]))"

    def first(self) -> str:
        """The first element's value (the only one of a 0-d or all-length-1 value)."""
        return f"(*{self.pointer()})"

    def size(self) -> str:
        return f"cg_size(&{self.name}, {self.ndim})"


@dataclass
class NodeContext:
    """One node to translate: its position (named in errors), inputs and outputs."""

    index: int
    node: Apply
    inputs: list[CVar]
    outputs: list[CVar]
    producer: NodeContext | None = None
    """The node computing input 0 when only this node reads it: a rule may compute its
    values itself (a sum over an elementwise program), setting ``NodeC.absorbs``."""

    def scratch(self, k: int, bytes_: str) -> str:
        """C for this node's own scratch buffer ``k`` (0-3) of at least ``bytes_`` bytes
        (kept between calls; NULL when out of memory)."""
        return f"cg_scratch(st, {self.index}, {k}, (size_t)({bytes_}))"

    def index_value(self, var: CVar) -> str:
        """C for the value of a 0-d integer input, as an ``npy_intp``."""
        return f"((npy_intp){var.first()})"

    def fail(self, kind: str, message: str, *c_arguments: str) -> str:
        """C that reports ``message`` (a printf format) as a ``kind`` error and returns."""
        text = message.replace("\\", "\\\\").replace('"', '\\"')
        arguments = "".join(f", {arg}" for arg in c_arguments)
        return f'return cg_fail(st, {self.index}, CG_{kind.upper()}, "{text}"{arguments});'


@dataclass
class NodeC:
    """The C of one node: ``shape`` sets every output's lengths; ``compute`` fills the
        outputs (and sets data and strides of views); ``views`` lists outputs that get no
        buffer: views of an input, or of storage the node keeps itself (a loop's, in its
        child state); ``support`` holds C definitions it needs, written once per unit
    however many nodes ask for the same text."""

    shape: str
    compute: str
    views: frozenset[int] = frozenset()
    support: tuple[str, ...] = field(default_factory=tuple)
    absorbs: bool = False
    """The node computes input 0's values itself from ``NodeContext.producer``'s inputs;
    the producer then only sets its output's lengths (no buffer, no loop)."""


CRule = Callable[[NodeContext], NodeC | None]

c_ops: OpRegistry[CRule] = OpRegistry("C code")

complex_ops: set[type] = set()
"""Op classes whose C rules handle complex values. A rule written for real numbers may
order them or call libm on them, so other nodes with a complex input or output run in
Python."""


RULE_PLUGINS = "ccodegen.rules"
"""The entry-point group of modules registering C rules for other packages' ops."""

_plugins_loaded = False


def load_rule_plugins() -> None:
    """Import each module of the ``ccodegen.rules`` group, once per process. One that
    fails to import is reported by a warning, and its ops run in Python."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for entry in metadata.entry_points(group=RULE_PLUGINS):
        try:
            entry.load()
        except Exception as error:  # a broken plug-in must not break C
            warnings.warn(
                f"ccodegen: the C rules of {entry.value!r} (entry point {entry.name!r} of "
                f"{RULE_PLUGINS}) did not load ({error!r}); their ops run in Python",
                RuntimeWarning,
                stacklevel=2,
            )


def takes_complex(node: Apply, names: Sequence[CVar]) -> bool:
    """Whether the node's rule may see these variables: no complex ones, or a rule that
    handles them."""
    return type(node.op) in complex_ops or not any(v.dtype in COMPLEX_DTYPES for v in names)


def c_var(name: str, var: Variable) -> CVar | None:
    """The C view of a tensor variable, or None when C cannot hold it."""
    dtype = getattr(var.type, "dtype", None)
    shape = getattr(var.type, "shape", None)
    if dtype not in C_TYPES or shape is None or len(shape) > MAX_DIMS:
        return None
    return CVar(name, dtype, tuple(length == 1 for length in shape))


def join_lines(lines: Sequence[str], indent: str = "    ") -> str:
    return "\n".join(indent + line if line else line for line in "\n".join(lines).splitlines())
