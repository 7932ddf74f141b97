"""TensorType: n-dimensional arrays of one dtype, with static sizes where known."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from graphcore import Type, Variable, config

if TYPE_CHECKING:
    from tensorops.variable import TensorConstant, TensorVariable

ALL_DTYPES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
)  # fmt: skip
FLOAT_DTYPES = ("float16", "float32", "float64")
COMPLEX_DTYPES = ("complex64", "complex128")
INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
DISCRETE_DTYPES = ("bool", *INTEGER_DTYPES)

StaticShape = tuple[int | None, ...]

_KIND_NAMES = {0: "Scalar", 1: "Vector", 2: "Matrix"}


_KNOWN_NAMES = {name: name for name in ALL_DTYPES}


def normalize_dtype(dtype: Any) -> str:
    """A dtype name from a name, a NumPy dtype or ``"floatX"``; refuses unknown dtypes."""
    if dtype is None or dtype == "floatX":
        return str(config.floatX)
    # Graph building calls this for every node: names we already use skip NumPy.
    if type(dtype) is str and dtype in _KNOWN_NAMES:
        return dtype
    name = str(np.dtype(dtype))
    if name not in ALL_DTYPES:
        raise TypeError(f"unsupported dtype {dtype!r}; supported: {list(ALL_DTYPES)}")
    return name


class TensorType(Type):
    """Arrays of ``dtype`` with ``shape`` entries that are ints (known) or None (any size)."""

    __props__ = ("dtype", "shape")
    # Set by tensorops.variable, which defines these classes (it imports this module).
    variable_type: ClassVar[type[TensorVariable]]
    constant_type: ClassVar[type[TensorConstant]]

    def __init__(self, dtype: Any, shape: Iterable[int | None] = ()):
        self.dtype = normalize_dtype(dtype)
        entries: list[int | None] = []
        for entry in shape:
            if entry is None:
                entries.append(None)
            elif isinstance(entry, (bool, np.bool_)):
                # Theano's broadcastable flags: True means a known length of 1.
                entries.append(1 if entry else None)
            elif isinstance(entry, (int, np.integer)) and entry >= 0:
                entries.append(int(entry))
            else:
                raise ValueError(
                    f"TensorType shape entries must be None or ints >= 0, got {entry!r}"
                )
        self.shape: StaticShape = tuple(entries)
        self.numpy_dtype = np.dtype(self.dtype)
        # Precomputed for filter's fast paths, which every compiled call goes through.
        self._open_shape = all(entry is None for entry in self.shape)
        self._python_float_ok = self.ndim == 0 and self.dtype == "float64"
        self._int_range: tuple[int, int] | None = None
        if self.ndim == 0 and self.numpy_dtype.kind in "iu":
            limits = np.iinfo(self.numpy_dtype)
            self._int_range = (int(limits.min), int(limits.max))

    def common_value(self) -> tuple[type, Callable[[Any], Any]] | None:
        """A Python float for a float64 scalar (``np.array`` makes it a 0-d float64); a
        Python int for an integer scalar (checked against the dtype's range)."""
        if self._python_float_ok:
            return (float, np.array)
        if self._int_range is not None:
            return (int, self._python_int)
        return None

    def _python_int(self, value: int) -> np.ndarray:
        """A Python int as a 0-d array of this integer dtype, through ``filter`` (which
        refuses it, naming the type) when it does not fit."""
        low, high = self._int_range  # type: ignore[misc]
        if low <= value <= high:
            return np.array(value, self.numpy_dtype)
        return self.filter(value)

    def make_variable(self, name: str | None = None) -> TensorVariable:
        return self.variable_type(self, None, None, name)

    def make_constant(self, value: Any, name: str | None = None) -> TensorConstant:
        return self.constant_type(self, value, name)

    def __call__(
        self, name: str | None = None, dtype: Any = None, shape: Iterable[Any] | None = None
    ) -> TensorVariable:
        """A symbolic input of this type: ``pt.dvector("x")``, ``pt.dvector("x", shape=(3,))``.

        ``shape`` fixes sizes this type leaves open (None keeps one open); ``dtype``, if
        given, must be this type's own.
        """
        if dtype is not None and normalize_dtype(dtype) != self.dtype:
            raise TypeError(
                f"{self} holds {self.dtype} values, not {normalize_dtype(dtype)}; "
                "use pt.tensor(dtype=..., shape=...) for another dtype"
            )
        if shape is None:
            return self.make_variable(name)
        return self.clone(shape=self._merge_shape(tuple(shape))).make_variable(name)

    def _merge_shape(self, given: tuple[Any, ...]) -> StaticShape:
        """This type's static shape with the sizes in ``given`` filled in (True means 1)."""
        if len(given) != self.ndim:
            raise ValueError(
                f"{self}: shape {given} has {len(given)} entries, "
                f"but the type has {self.ndim} dimensions"
            )
        merged: list[int | None] = []
        for axis, (fixed, entry) in enumerate(zip(self.shape, given, strict=True)):
            size = (1 if entry else None) if isinstance(entry, (bool, np.bool_)) else entry
            if fixed is not None and size is not None and size != fixed:
                raise ValueError(f"{self}: axis {axis} has length {fixed}, shape says {size}")
            merged.append(fixed if size is None else size)
        return tuple(merged)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def broadcastable(self) -> tuple[bool, ...]:
        return tuple(entry == 1 for entry in self.shape)

    def clone(self, dtype: Any = None, shape: Iterable[int | None] | None = None) -> TensorType:
        return TensorType(
            self.dtype if dtype is None else dtype, self.shape if shape is None else shape
        )

    def filter(
        self, value: Any, strict: bool = False, allow_downcast: bool | None = None
    ) -> np.ndarray:
        """``value`` as an ndarray of this type, or a TypeError naming what was expected.

        Lists and scalars are converted; a conversion that would lose information
        (floats into integers, float64 into float32 unless ``allow_downcast``) is refused.
        """
        value_type = type(value)
        if value_type is np.ndarray:
            if value.dtype == self.numpy_dtype and value.ndim == self.ndim and self._open_shape:
                return value
        elif value_type is float and self._python_float_ok:
            return np.array(value)
        if value_type is np.ndarray and value.dtype == self.numpy_dtype:
            array = value
        else:
            if isinstance(value, Variable):
                raise TypeError(
                    f"expected a value for {self}, got the symbolic variable {value}; "
                    "symbolic variables go in the graph, not in calls"
                )
            array = self._convert(value, strict, allow_downcast)
        if array.ndim != self.ndim:
            raise TypeError(
                f"expected {self} (ndim {self.ndim}), got an array with ndim {array.ndim} "
                f"and shape {array.shape}"
            )
        for axis, (known, actual) in enumerate(zip(self.shape, array.shape, strict=True)):
            if known is not None and known != actual:
                raise TypeError(
                    f"expected {self}, got an array of shape {array.shape} "
                    f"(axis {axis} must have length {known})"
                )
        return array

    def _convert(self, value: Any, strict: bool, allow_downcast: bool | None) -> np.ndarray:
        if strict:
            if not isinstance(value, np.ndarray):
                raise TypeError(f"expected an ndarray for {self}, got {type(value).__name__}")
            raise TypeError(f"expected dtype {self.dtype} for {self}, got {value.dtype}")
        source = np.asarray(value)
        if source.dtype == object:
            raise TypeError(f"expected numbers for {self}, got {value!r}"[:200])
        if source.dtype == self.numpy_dtype:
            return source
        converted = source.astype(self.numpy_dtype)
        if allow_downcast or self._safe(
            source, converted, python_value=not isinstance(value, np.ndarray)
        ):
            return converted
        raise TypeError(
            f"expected {self}, got values of dtype {source.dtype} that would change when "
            f"converted to {self.dtype}; convert them first or pass allow_input_downcast=True"
        )

    def _safe(self, source: np.ndarray, converted: np.ndarray, python_value: bool) -> bool:
        if np.can_cast(source.dtype, self.numpy_dtype, casting="safe"):
            return True
        # Python numbers (and lists of them) are accepted when no value changes,
        # as ``[1, 2.7]`` for a float32 vector or ``3`` for an int8 scalar.
        if python_value or source.ndim == 0:
            with np.errstate(invalid="ignore", over="ignore"):
                back = converted.astype(source.dtype)
            if source.dtype.kind == "f" and self.numpy_dtype.kind == "f":
                return bool(np.all(np.isclose(back, source, equal_nan=True) | ~np.isfinite(source)))
            return bool(np.array_equal(back, source))
        return False

    def value_key(self, value: np.ndarray) -> Any:
        return (value.shape, value.dtype.str, value.tobytes())

    def values_eq(self, a: Any, b: Any) -> bool:
        return bool(np.array_equal(a, b, equal_nan=True))

    def values_eq_approx(
        self, a: Any, b: Any, rtol: float | None = None, atol: float | None = None
    ) -> bool:
        """Equal within the dtype's tolerance (used to compare backends)."""
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if self.dtype in FLOAT_DTYPES or self.dtype in COMPLEX_DTYPES:
            tight = self.dtype in ("float64", "complex128")
            return bool(
                np.allclose(
                    a,
                    b,
                    rtol=rtol or (1e-5 if tight else 1e-3),
                    atol=atol or (1e-8 if tight else 1e-4),
                    equal_nan=True,
                )
            )
        return bool(np.array_equal(a, b))

    def convert_variable(self, var: Variable) -> Variable | None:
        """``var`` itself if its type is this one or more specific (sizes known where
        this type leaves them open); such a variable can stand wherever this type is read."""
        other = var.type
        if other == self:
            return var
        if (
            not isinstance(other, TensorType)
            or other.dtype != self.dtype
            or other.ndim != self.ndim
        ):
            return None
        if all(
            mine is None or mine == theirs
            for mine, theirs in zip(self.shape, other.shape, strict=True)
        ):
            return var
        return None

    def __str__(self) -> str:
        shape = "(" + ", ".join("?" if s is None else str(s) for s in self.shape)
        shape += ",)" if self.ndim == 1 else ")"
        kind = _KIND_NAMES.get(self.ndim, "Tensor")
        if self.ndim == 0:
            return f"Scalar({self.dtype}, shape=())"
        return f"{kind}({self.dtype}, shape={shape})"
