"""Elementwise functions: one per row of the scalar table, and ``cast``.

``exp``, ``add``, ``eq``... are generated from ``tensorops.scalar_ops.SCALAR_OPS`` (a row
added there is a function here), under the row's name (``and_``/``or_`` for Python
keywords) and NumPy's aliases. ``UFUNC_ROWS`` maps the NumPy and SciPy ufuncs of the
rows back to these functions, so ``np.exp(x)`` on a variable builds ``exp(x)``.
The public module is ``tensorops.math``; the shape arithmetic of the ops builds its
nodes from here.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from tensorops.basic import as_tensor
from tensorops.elemwise import Elemwise
from tensorops.scalar_ops import SCALAR_OPS, ScalarOp, cast_op
from tensorops.type import normalize_dtype

if TYPE_CHECKING:
    from tensorops.variable import TensorVariable

ElementwiseFunction = Callable[..., "TensorVariable"]

# NumPy's and PyTensor's other names for rows of the table.
ALIASES = {
    "bitwise_and": "and", "bitwise_or": "or", "bitwise_xor": "xor", "bitwise_not": "invert",
    "true_divide": "true_div", "divide": "true_div", "floor_div": "int_div",
    "floor_divide": "int_div", "subtract": "sub", "multiply": "mul", "negative": "neg",
    "power": "pow", "equal": "eq", "not_equal": "neq", "less": "lt", "less_equal": "le",
    "greater": "gt", "greater_equal": "ge", "absolute": "abs", "square": "sqr", "sgn": "sign",
    "psi": "digamma", "expit": "sigmoid", "invlogit": "sigmoid", "round_half_to_even": "round",
    "conjugate": "conj", "tensor_copy": "identity", "log1pexp": "softplus", "rint": "round",
}  # fmt: skip


def python_name(op_name: str) -> str:
    """The function name of a row: ``and`` -> ``and_``."""
    return op_name + "_" if keyword.iskeyword(op_name) else op_name


def elementwise_function(op: ScalarOp) -> ElementwiseFunction:
    """The public function applying ``op`` elementwise."""
    graph_op = Elemwise(op)

    def apply(*inputs: Any) -> TensorVariable:
        return graph_op(*inputs)

    apply.__name__ = apply.__qualname__ = python_name(op.name)
    source = getattr(op.function, "__name__", str(op.function))
    apply.__doc__ = f"Elementwise {op.name} of {op.nin} input(s), as NumPy/SciPy's {source}."
    apply.__module__ = "tensorops.math"
    return apply


FUNCTIONS: dict[str, ElementwiseFunction] = {
    python_name(name): elementwise_function(op) for name, op in SCALAR_OPS.items()
}
FUNCTIONS.update({alias: FUNCTIONS[python_name(target)] for alias, target in ALIASES.items()})
globals().update(FUNCTIONS)


def _ufunc_rows() -> dict[np.ufunc, ElementwiseFunction]:
    """The function of each row whose function is a NumPy or SciPy ufunc (``np.exp``,
    ``scipy.special.expit``), keyed by that ufunc."""
    rows: dict[np.ufunc, ElementwiseFunction] = {}
    for name, op in SCALAR_OPS.items():
        if isinstance(op.function, np.ufunc):
            rows.setdefault(op.function, FUNCTIONS[python_name(name)])
    return rows


UFUNC_ROWS = _ufunc_rows()

if TYPE_CHECKING:
    # The generated names, for type checkers.
    def __getattr__(name: str) -> ElementwiseFunction: ...


def cast(x: Any, dtype: Any) -> TensorVariable:
    """``x`` converted to ``dtype`` (``x`` itself when it already has it)."""
    x = as_tensor(x)
    target = normalize_dtype(dtype)
    if x.dtype == target:
        return x
    if x.dtype.startswith("complex") and not target.startswith("complex"):
        raise TypeError(
            f"cast: refusing to drop the imaginary part of {x} ({x.dtype} to {target}); "
            "take pt.real(x), pt.imag(x) or pt.abs(x) first"
        )
    result: TensorVariable = Elemwise(cast_op(target))(x)
    return result


__all__ = ["cast"]
__all__.extend(sorted(FUNCTIONS))
