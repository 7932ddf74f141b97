"""Scalar ops: one row of the elementwise table, and its kernel for given input dtypes.

A scalar op is not a graph op: ``Elemwise`` applies it to whole arrays. The row's
function is a NumPy/SciPy vectorized function; a kernel binds it to input dtypes
(which inputs to cast first, which output dtype to produce, whether it can write
into a reused buffer).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from tensorops.dtypes import as_float, real_of, upcast

# How the output dtype follows from the (upcast) input dtype.
OUTPUT_RULES: dict[str, Callable[[str], str]] = {
    "same": lambda dtype: dtype,
    "float": as_float,
    "bool": lambda dtype: "bool",
    "real": real_of,
    "real_float": lambda dtype: real_of(as_float(dtype)),
}

KIND_NAMES = {"b": "bool", "i": "signed integer", "u": "unsigned integer", "f": "float",
              "c": "complex"}  # fmt: skip


@dataclass(frozen=True, eq=False)
class ScalarOp:
    """One elementwise operation: ``name``, vectorized ``function``, arity, dtype rule.

    - ``output``: a key of ``OUTPUT_RULES`` applied to the upcast of the inputs named
      by ``upcast_inputs`` (all by default); ``output_dtype`` fixes it instead (casts).
    - ``kinds``: the NumPy dtype kinds the inputs may have (``"biufc"``).
    - ``differentiable``: whether autodiff has a gradient for it (in the inputs
      ``grad_inputs``, all by default).
    - ``symbol``: the infix operator for printing (``"+"``), if any.
    """

    name: str
    function: Callable[..., Any]
    nin: int
    output: str = "same"
    differentiable: bool = True
    kinds: str = "biufc"
    upcast_inputs: tuple[int, ...] | None = None
    grad_inputs: tuple[int, ...] | None = None
    output_dtype: str | None = None
    symbol: str | None = None
    commutative: bool = False
    associative: bool = False
    display: str = ""
    nout: ClassVar[int] = 1
    takes_out: bool = field(init=False)

    def __post_init__(self) -> None:
        if self.output not in OUTPUT_RULES:
            raise ValueError(f"{self.name}: unknown output rule {self.output!r}")
        object.__setattr__(self, "takes_out", _takes_out(self.function))
        if not self.display:
            object.__setattr__(self, "display", camel_case(self.name))

    # Scalar ops are rows of a table: the name identifies one.
    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.name == self.name

    def __hash__(self) -> int:
        return hash((ScalarOp, self.name))

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"ScalarOp({self.name})"

    @property
    def input_dtypes(self) -> tuple[str, ...] | None:
        """Fixed input dtypes (Composite has them); None when any allowed dtype works."""
        return None

    def promoted_inputs(self) -> range | tuple[int, ...]:
        """Positions of the inputs whose dtypes decide the output's."""
        return range(self.nin) if self.upcast_inputs is None else self.upcast_inputs

    def check_inputs(self, dtypes: Sequence[str]) -> None:
        """Refuse dtypes NumPy would refuse or compute differently; names the op and dtype."""
        for position, dtype in enumerate(dtypes):
            kind = np.dtype(dtype).kind
            if kind not in self.kinds:
                allowed = ", ".join(KIND_NAMES[k] for k in self.kinds)
                raise TypeError(
                    f"{self.display}: input {position} has dtype {dtype}, but {self.name} "
                    f"accepts only {allowed} inputs"
                )

    def output_dtypes(self, dtypes: Sequence[str]) -> tuple[str, ...]:
        if self.output_dtype is not None:
            return (self.output_dtype,)
        promoted = upcast(*(dtypes[i] for i in self.promoted_inputs()))
        return (OUTPUT_RULES[self.output](promoted),)

    def kernel(self, dtypes: Sequence[str]) -> Kernel:
        """This op bound to input dtypes (cached: one per dtype combination)."""
        return _bind(self, tuple(dtypes))

    def expression(self, arguments: Sequence[str]) -> str:
        """Text of this op applied to argument texts: ``(a + b)`` or ``exp(a)``."""
        if self.symbol is not None and len(arguments) == 2:
            return f"({arguments[0]} {self.symbol} {arguments[1]})"
        if self.symbol is not None and len(arguments) == 1:
            return f"{self.symbol}{arguments[0]}"
        return f"{self.name}({', '.join(arguments)})"


def _takes_out(function: Callable[..., Any]) -> bool:
    if isinstance(function, np.ufunc):
        return True
    try:
        return "out" in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


class Kernel:
    """A scalar op applied to whole arrays of fixed dtypes: ``kernel(inputs, out) -> array``."""

    __slots__ = ("casts", "function", "out_dtype", "use_out")

    def __init__(self, op: ScalarOp, dtypes: tuple[str, ...]):
        (self.out_dtype,) = (np.dtype(d) for d in op.output_dtypes(dtypes))
        self.function = op.function
        # Float results of integer inputs are computed in the output's precision:
        # NumPy would pick float16 for exp(int8), SciPy float32.
        promoted = set(op.promoted_inputs())
        casts = tuple(
            self.out_dtype
            if position in promoted
            and op.output in ("float", "real_float")
            and np.dtype(d).kind in "biu"
            and np.dtype(d) != self.out_dtype
            else None
            for position, d in enumerate(dtypes)
        )
        self.casts = casts if any(c is not None for c in casts) else None
        natural = _natural_dtype(op, self._cast([np.ones((1,), dtype=d) for d in dtypes]))
        # ``out=`` works only when the function produces the output dtype by itself.
        self.use_out = op.takes_out and natural == self.out_dtype

    def _cast(self, inputs: Sequence[np.ndarray]) -> Sequence[np.ndarray]:
        if self.casts is None:
            return inputs
        return [x if c is None else x.astype(c) for x, c in zip(inputs, self.casts, strict=True)]

    def __call__(self, inputs: Sequence[np.ndarray], out: np.ndarray | None = None) -> np.ndarray:
        if self.casts is not None:
            inputs = self._cast(inputs)
        if out is not None and self.use_out:
            return self.function(*inputs, out=out)
        return np.asarray(self.function(*inputs), dtype=self.out_dtype)


def _natural_dtype(op: ScalarOp, probe: Sequence[np.ndarray]) -> np.dtype[Any] | None:
    try:
        with np.errstate(all="ignore"):
            return np.asarray(op.function(*probe)).dtype
    except (TypeError, ValueError):
        return None


@functools.lru_cache(maxsize=4096)
def _bind(op: ScalarOp, dtypes: tuple[str, ...]) -> Kernel:
    return Kernel(op, dtypes)


def camel_case(name: str) -> str:
    """``true_div`` -> ``TrueDiv``."""
    return re.sub(r"(?:^|_)([a-z0-9])", lambda m: m.group(1).upper(), name)
