"""Making tensors: symbolic inputs of every dtype and kind, constants, shared tensors, and
``as_tensor``, which every op uses to take its inputs.

Theano's constructors are generated from two tables, dtype prefixes and kinds:
``pt.dvector`` is the TensorType float64 of kind vector (calling a type makes a variable),
``pt.imatrices('a', 'b')`` two int32 matrices.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from graphcore import Apply, SharedVariable, Variable, config, shared_constructor
from tensorops.dtypes import is_python_scalar
from tensorops.type import ALL_DTYPES, TensorType, normalize_dtype
from tensorops.variable import TensorConstant, TensorOperators, TensorVariable

DTYPE_PREFIXES = {
    "b": "int8", "w": "int16", "i": "int32", "l": "int64",
    "f": "float32", "d": "float64", "c": "complex64", "z": "complex128",
}  # fmt: skip

KINDS: dict[str, tuple[int | None, ...]] = {
    "scalar": (),
    "vector": (None,),
    "matrix": (None, None),
    "row": (1, None),
    "col": (None, 1),
    **{f"tensor{n}": (None,) * n for n in range(3, 8)},
}

ShapeArg = Sequence[int | bool | None] | None


def floatx_constructor(kind: str) -> Callable[..., TensorVariable]:
    """``pt.vector(name=None, dtype=None, shape=None)``: a symbolic input of one kind whose
    dtype is ``config.floatX`` unless given, read at each call."""

    def make(name: str | None = None, dtype: Any = None, shape: ShapeArg = None) -> TensorVariable:
        return TensorType(dtype, KINDS[kind])(name, shape=shape)

    make.__name__ = make.__qualname__ = kind
    make.__doc__ = f"A symbolic {kind} of ``dtype`` (``config.floatX`` by default)."
    return make


def plural(constructor: Callable[..., TensorVariable], name: str) -> Callable[..., Any]:
    """``dscalars('a', 'b')`` -> two variables; ``dscalars(3)`` -> three unnamed ones."""

    def several(*names: Any, **kwargs: Any) -> Any:
        # Theano's rules: an int gives that many, one name gives one variable,
        # a single string of several letters gives one variable per letter.
        if names and isinstance(names[0], int):
            return [constructor(None, **kwargs) for _ in range(names[0])]
        flat: Any = names[0] if len(names) == 1 else names
        if isinstance(flat, str) and len(flat) == 1:
            return constructor(flat, **kwargs)
        return [constructor(each, **kwargs) for each in flat]

    several.__name__ = several.__qualname__ = name
    return several


def _family(dtype: str) -> tuple[TensorType, ...]:
    """``pt.dscalar``, ``pt.dvector``...: the TensorTypes of one dtype, one per kind (a
    type is called to make a variable, so ``pt.dvector("x").type == pt.dvector``)."""
    return tuple(TensorType(dtype, shape) for shape in KINDS.values())


def _plurals(family: Sequence[Callable[..., TensorVariable]], prefix: str) -> tuple[Any, ...]:
    return tuple(
        plural(constructor, prefix + name)
        for constructor, name in zip(family, _plural_kinds(), strict=True)
    )


def _plural_kinds() -> list[str]:
    return [kind[:-2] + "ices" if kind.endswith("matrix") else kind + "s" for kind in KINDS]


# fmt: off
_float = tuple(floatx_constructor(kind) for kind in KINDS)
scalar, vector, matrix, row, col, tensor3, tensor4, tensor5, tensor6, tensor7 = _float
(scalars, vectors, matrices, rows, cols,
 tensor3s, tensor4s, tensor5s, tensor6s, tensor7s) = _plurals(_float, "")
_b, _w, _i, _l = _family("int8"), _family("int16"), _family("int32"), _family("int64")
_f, _d, _c, _z = _family("float32"), _family("float64"), _family("complex64"), _family("complex128")
bscalar, bvector, bmatrix, brow, bcol, btensor3, btensor4, btensor5, btensor6, btensor7 = _b
wscalar, wvector, wmatrix, wrow, wcol, wtensor3, wtensor4, wtensor5, wtensor6, wtensor7 = _w
iscalar, ivector, imatrix, irow, icol, itensor3, itensor4, itensor5, itensor6, itensor7 = _i
lscalar, lvector, lmatrix, lrow, lcol, ltensor3, ltensor4, ltensor5, ltensor6, ltensor7 = _l
fscalar, fvector, fmatrix, frow, fcol, ftensor3, ftensor4, ftensor5, ftensor6, ftensor7 = _f
dscalar, dvector, dmatrix, drow, dcol, dtensor3, dtensor4, dtensor5, dtensor6, dtensor7 = _d
cscalar, cvector, cmatrix, crow, ccol, ctensor3, ctensor4, ctensor5, ctensor6, ctensor7 = _c
zscalar, zvector, zmatrix, zrow, zcol, ztensor3, ztensor4, ztensor5, ztensor6, ztensor7 = _z
(bscalars, bvectors, bmatrices, brows, bcols,
 btensor3s, btensor4s, btensor5s, btensor6s, btensor7s) = _plurals(_b, "b")
(wscalars, wvectors, wmatrices, wrows, wcols,
 wtensor3s, wtensor4s, wtensor5s, wtensor6s, wtensor7s) = _plurals(_w, "w")
(iscalars, ivectors, imatrices, irows, icols,
 itensor3s, itensor4s, itensor5s, itensor6s, itensor7s) = _plurals(_i, "i")
(lscalars, lvectors, lmatrices, lrows, lcols,
 ltensor3s, ltensor4s, ltensor5s, ltensor6s, ltensor7s) = _plurals(_l, "l")
(fscalars, fvectors, fmatrices, frows, fcols,
 ftensor3s, ftensor4s, ftensor5s, ftensor6s, ftensor7s) = _plurals(_f, "f")
(dscalars, dvectors, dmatrices, drows, dcols,
 dtensor3s, dtensor4s, dtensor5s, dtensor6s, dtensor7s) = _plurals(_d, "d")
(cscalars, cvectors, cmatrices, crows, ccols,
 ctensor3s, ctensor4s, ctensor5s, ctensor6s, ctensor7s) = _plurals(_c, "c")
(zscalars, zvectors, zmatrices, zrows, zcols,
 ztensor3s, ztensor4s, ztensor5s, ztensor6s, ztensor7s) = _plurals(_z, "z")
# fmt: on

CONSTRUCTOR_NAMES = [*KINDS, *(prefix + kind for prefix in DTYPE_PREFIXES for kind in KINDS)]
PLURAL_NAMES = [
    name[:-2] + "ices" if name.endswith("matrix") else name + "s" for name in CONSTRUCTOR_NAMES
]
__all__ = ["TensorSharedVariable", "as_tensor", "as_tensor_variable", "constant", "tensor"]
__all__.extend(CONSTRUCTOR_NAMES + PLURAL_NAMES)


def tensor(*args: Any, dtype: Any = None, shape: ShapeArg = None, name: str | None = None,
           ndim: int | None = None, broadcastable: ShapeArg = None) -> TensorVariable:  # fmt: skip
    """A symbolic input: ``tensor(dtype="float32", shape=(None, 3), name="x")``.

    Also ``tensor("x", shape=...)`` (PyTensor) and ``tensor("float64", (False, True))``
    (Theano: a dtype and broadcastable flags).
    """
    positional = list(args)
    if (
        positional
        and isinstance(positional[0], str)
        and positional[0] not in (*ALL_DTYPES, "floatX")
    ):
        name = positional.pop(0)
    if positional:
        dtype = positional.pop(0)
    if positional:
        shape = positional.pop(0)
    if positional:
        name = positional.pop(0)
    shape = broadcastable if shape is None else shape
    if shape is None:
        shape = (None,) * (ndim or 0)
    elif ndim is not None and len(tuple(shape)) != ndim:
        raise ValueError(f"tensor: shape {tuple(shape)} does not have ndim={ndim} entries")
    return TensorType(dtype, tuple(shape)).make_variable(name)


def constant(
    value: Any, dtype: Any = None, name: str | None = None, ndim: int | None = None
) -> TensorConstant:
    """A constant tensor; Python floats become ``config.floatX``, ints int64 (as NumPy)."""
    if isinstance(value, Variable):
        raise TypeError(f"constant: expected a value, got the symbolic variable {value}")
    if dtype is not None:
        array = np.asarray(value, dtype=normalize_dtype(dtype))
    else:
        array = np.asarray(value)
        if array.dtype == np.float64 and not isinstance(value, (np.ndarray, np.generic)):
            array = array.astype(config.floatX)
    if ndim is not None and array.ndim != ndim:
        if array.ndim > ndim and all(n == 1 for n in array.shape[: array.ndim - ndim]):
            array = array.reshape(array.shape[array.ndim - ndim :])
        else:
            raise ValueError(f"constant: {value!r} has ndim {array.ndim}, expected {ndim}")
    if array.dtype == object:
        raise TypeError(f"constant: cannot make a tensor of {value!r}"[:200])
    return TensorConstant(TensorType(array.dtype, array.shape), array, name)


def weak_constant(value: bool | int | float | complex) -> TensorConstant:
    """A constant from a Python number, which adapts its dtype to the arrays it meets."""
    result = constant(value)
    result.weak = True
    return result


def as_tensor(
    x: Any, dtype: Any = None, ndim: int | None = None, name: str | None = None
) -> TensorVariable:
    """``x`` as a tensor variable: variables pass through, values become constants.

    Lists holding variables are stacked. ``dtype`` casts, ``ndim`` checks the rank
    (leading length-1 axes are dropped to meet it).
    """
    if isinstance(x, Apply):
        x = x.out
    if isinstance(x, Variable):
        if not isinstance(x.type, TensorType):
            raise TypeError(f"expected a tensor, got {x} of type {x.type}")
        # A tensor-typed variable: a TensorVariable, TensorConstant or TensorSharedVariable,
        # which all share TensorVariable's interface (see tensorops.variable).
        result = typing.cast(TensorVariable, x)
    elif isinstance(x, (list, tuple)) and _holds_variable(x):
        if _stack is None:
            raise RuntimeError("as_tensor: import tensorops first (it installs stack)")
        result = _stack([as_tensor(item) for item in x])
    elif is_python_scalar(x) and dtype is None:
        result = typing.cast(TensorVariable, weak_constant(x))
    else:
        try:
            return typing.cast(TensorVariable, constant(x, dtype=dtype, name=name, ndim=ndim))
        except (TypeError, ValueError) as error:
            raise TypeError(f"cannot convert {x!r} to a tensor: {error}"[:300]) from None
    if ndim is not None and result.ndim != ndim:
        result = _to_ndim(result, ndim)
    if dtype is not None and result.dtype != normalize_dtype(dtype):
        result = result.astype(dtype)
    return result


as_tensor_variable = as_tensor

Stack = Callable[[list[TensorVariable]], TensorVariable]
_stack: Stack | None = None


def install_stack(stack: Stack) -> None:
    """Let ``as_tensor`` stack lists holding variables with ``stack`` (``pt.stack``).

    ``stack`` is built from Join and MakeVector, ops that take their own inputs through
    ``as_tensor``, so it lives above this module; ``tensorops.methods`` installs it when
    ``tensorops`` is imported, as it attaches the variables' methods.
    """
    global _stack
    _stack = stack


def _holds_variable(items: Sequence[Any]) -> bool:
    return any(
        isinstance(item, Variable) or (isinstance(item, (list, tuple)) and _holds_variable(item))
        for item in items
    )


def _to_ndim(x: TensorVariable, ndim: int) -> TensorVariable:
    extra = x.ndim - ndim
    if extra > 0 and all(entry == 1 for entry in x.type.shape[:extra]):
        return x.dimshuffle(*range(extra, x.ndim))
    raise TypeError(f"expected a tensor with ndim {ndim}, got {x} of type {x.type}")


class TensorSharedVariable(TensorOperators, SharedVariable):
    """A shared tensor: a value kept between calls, with ``get_value``/``set_value``."""

    __slots__ = ()
    type: TensorType


@shared_constructor
def tensor_shared(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
    shape: ShapeArg = None,
    broadcastable: ShapeArg = None,
) -> TensorSharedVariable:
    """``shared(array)``: arrays and numbers become shared tensors of their dtype.

    The static shape is open (``set_value`` may change sizes) unless ``shape``
    (or Theano's ``broadcastable``) fixes entries.
    """
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, np.generic) or is_python_scalar(value):
        array = np.asarray(value)
    else:
        raise TypeError(f"shared tensors hold arrays or numbers, not {type(value).__name__}")
    if array.dtype.name not in ALL_DTYPES:
        raise TypeError(f"shared: dtype {array.dtype} is not a tensor dtype")
    static = broadcastable if shape is None else shape
    if static is None:
        static = (None,) * array.ndim
    tensor_type = TensorType(array.dtype, tuple(static))
    try:
        return TensorSharedVariable(tensor_type, value, name, strict, allow_downcast, borrow)
    except TypeError as error:
        # A ValueError: ``shared`` would take a TypeError as "try the next constructor".
        raise ValueError(str(error)) from None
