"""Public elementwise functions: one per row of the scalar table, plus NumPy-style helpers.

``pt.exp``, ``pt.add``, ``pt.eq``... are generated from ``tensorops.scalar_ops.SCALAR_OPS``
(a row added there is a function here), under the row's name (``and_``/``or_`` for
Python keywords) and NumPy's aliases.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tensorops.basic import as_tensor, cast
from tensorops.elemwise import Elemwise
from tensorops.scalar_ops import SCALAR_OPS, ScalarOp
from tensorops.variable import TensorVariable

ElementwiseFunction = Callable[..., TensorVariable]

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
    apply.__module__ = __name__
    return apply


_generated = {python_name(name): elementwise_function(op) for name, op in SCALAR_OPS.items()}
_generated.update({alias: _generated[python_name(target)] for alias, target in ALIASES.items()})
globals().update(_generated)

if TYPE_CHECKING:
    # The generated names, for type checkers.
    def __getattr__(name: str) -> ElementwiseFunction: ...


def where(condition: Any, if_true: Any = None, if_false: Any = None) -> Any:
    """``np.where``: an elementwise choice, or with one argument the indices of nonzeros."""
    if if_true is None and if_false is None:
        from tensorops.indexing import nonzero

        return nonzero(condition)
    if if_true is None or if_false is None:
        raise TypeError("where: give both if_true and if_false, or neither")
    return _generated["switch"](condition, if_true, if_false)


def round(x: Any, mode: str = "half_to_even") -> TensorVariable:
    """Round to the nearest integer value: ties to even (NumPy) or away from zero."""
    if mode == "half_to_even":
        return _generated["round"](x)
    if mode == "half_away_from_zero":
        x = as_tensor(x)
        magnitude = _generated["floor"](_generated["abs"](x) + 0.5)
        return _generated["mul"](_generated["sign"](x), magnitude)
    raise ValueError(f"round: mode must be 'half_to_even' or 'half_away_from_zero', got {mode!r}")


def isclose(
    a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> TensorVariable:
    """``np.isclose``: |a - b| <= atol + rtol |b|, infinities equal only to themselves."""
    a, b = as_tensor(a), as_tensor(b)
    eq, le, abs_ = _generated["eq"], _generated["le"], _generated["abs"]
    finite = _generated["and_"](_generated["isfinite"](a), _generated["isfinite"](b))
    near = _generated["and_"](finite, le(abs_(a - b), atol + rtol * abs_(b)))
    result = _generated["or_"](near, eq(a, b))
    if equal_nan:
        both_nan = _generated["and_"](_generated["isnan"](a), _generated["isnan"](b))
        result = _generated["or_"](result, both_nan)
    return result


def allclose(
    a: Any, b: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False
) -> TensorVariable:
    """``np.allclose``: whether every element is close."""
    from tensorops.reduction import all as all_

    return all_(isclose(a, b, rtol, atol, equal_nan))


__all__ = ["allclose", "cast", "isclose", "where"]
__all__.extend(sorted(set(_generated) - set(__all__)))
