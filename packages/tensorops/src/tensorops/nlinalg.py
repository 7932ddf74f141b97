"""Linear algebra with NumPy (``np.linalg``): det, inv, pinv, eigh, eig, svd, slogdet, qr,
matrix_power, norm, trace and matrix_dot, batched over leading axes as NumPy is."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from graphcore import Apply
from graphcore.graph.op import OutputStorage
from tensorops.dtypes import accumulating_dtype, linalg_dtype, real_of
from tensorops.opsupport import (
    ValueOp,
    as_tensor_input,
    describe_shape,
    normalize_axis,
    reduced_shape,
    store,
    tensor_output,
    tensor_type,
)
from tensorops.shape_entries import minimum

if TYPE_CHECKING:
    from graphcore.fgraph import FunctionGraph
    from tensorops.variable import TensorVariable

__all__ = [
    "QR",
    "SVD",
    "BatchedMatrixOp",
    "Det",
    "Eig",
    "Eigh",
    "MatrixInverse",
    "MatrixPinv",
    "MatrixPower",
    "Norm",
    "SLogDet",
    "Trace",
    "det",
    "eig",
    "eigh",
    "inv",
    "linalg_dtype",
    "matrix_dot",
    "matrix_inverse",
    "matrix_power",
    "norm",
    "pinv",
    "qr",
    "slogdet",
    "svd",
    "trace",
]

# NumPy's stubs type option arguments as literals; ours are checked by the ops themselves.
numpy_linalg: Any = np.linalg

Shape = tuple[Any, ...]
Minimum = Callable[[Any, Any], Any]


def complex_of(dtype: str) -> str:
    """The complex dtype of a float dtype (for eigenvalues of non-symmetric matrices)."""
    return "complex64" if dtype in ("float32", "complex64") else "complex128"


def static_minimum(a: int | None, b: int | None) -> int | None:
    """``min(a, b)`` of static sizes; a known 0 is the answer even when the other is unknown."""
    if a == 0 or b == 0:
        return 0
    if a is None or b is None:
        return None
    return min(a, b)


class BatchedMatrixOp(ValueOp):
    """An ``np.linalg`` function of a stack of matrices ``(..., m, n)``.

    Subclasses say how the core ``(m, n)`` maps to output shapes and dtypes, and how to
    compute; make_node checks the rank (and squareness) and infer_shape follows.
    """

    name = ""
    square = True
    """Whether the last two axes must have equal lengths."""

    def output_dtypes(self, dtype: str) -> list[str]:
        """Output dtypes, given the (already LAPACK-compatible) input dtype."""
        return [dtype]

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        """Output shapes from the batch shape and the core sizes."""
        return [(*batch, rows, columns)]

    def compute(self, x: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define compute")

    def input_dtype(self, dtype: str) -> str:
        return linalg_dtype(dtype)

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, self.name)
        shape = x.type.shape
        if len(shape) < 2:
            raise ValueError(
                f"{self.name}: expected a matrix or a stack of matrices (ndim >= 2), "
                f"got shape {describe_shape(shape)}"
            )
        rows, columns = shape[-2:]
        if self.square and rows is not None and columns is not None and rows != columns:
            raise ValueError(
                f"{self.name}: expected square matrices, got shape {describe_shape(shape)}"
            )
        dtypes = self.output_dtypes(self.input_dtype(x.type.dtype))
        shapes = self.output_shapes(shape[:-2], rows, columns, static_minimum)
        outputs = [tensor_output(dtype, out) for dtype, out in zip(dtypes, shapes, strict=True)]
        return Apply(self, [x], outputs)

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        x = np.asarray(inputs[0], dtype=self.input_dtype(str(inputs[0].dtype)))
        values = self.compute(x)
        if len(node.outputs) == 1:
            values = (values,)
        for index, (out, value) in enumerate(zip(node.outputs, values, strict=True)):
            store(output_storage, index, value, tensor_type(out).dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        shape = tuple(input_shapes[0])
        return self.output_shapes(shape[:-2], shape[-2], shape[-1], minimum)


class Det(BatchedMatrixOp):
    """Determinant of each square matrix."""

    name = "det"

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        return [batch]

    def compute(self, x: np.ndarray) -> Any:
        return np.linalg.det(x)


class MatrixInverse(BatchedMatrixOp):
    """Inverse of each square matrix (LinAlgError when singular)."""

    name = "inv"

    def compute(self, x: np.ndarray) -> Any:
        return np.linalg.inv(x)


class MatrixPinv(BatchedMatrixOp):
    """Moore-Penrose pseudo-inverse (via the SVD); ``(m, n)`` gives ``(n, m)``."""

    __props__ = ("hermitian",)
    name = "pinv"
    square = False

    def __init__(self, hermitian: bool = False):
        self.hermitian = bool(hermitian)

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        return [(*batch, columns, rows)]

    def compute(self, x: np.ndarray) -> Any:
        return np.linalg.pinv(x, hermitian=self.hermitian)


class Eigh(BatchedMatrixOp):
    """Eigenvalues (ascending, real) and eigenvectors (columns) of symmetric/Hermitian
    matrices, reading the ``UPLO`` triangle."""

    __props__ = ("UPLO",)
    name = "eigh"

    def __init__(self, UPLO: str = "L"):
        if UPLO not in ("L", "U"):
            raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
        self.UPLO = UPLO

    def output_dtypes(self, dtype: str) -> list[str]:
        return [real_of(dtype), dtype]

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        return [(*batch, rows), (*batch, rows, columns)]

    def compute(self, x: np.ndarray) -> Any:
        return numpy_linalg.eigh(x, UPLO=self.UPLO)


class Eig(BatchedMatrixOp):
    """Eigenvalues and right eigenvectors of general matrices, always complex (NumPy
    returns real arrays when every eigenvalue happens to be real; the type cannot)."""

    name = "eig"

    def output_dtypes(self, dtype: str) -> list[str]:
        return [complex_of(dtype), complex_of(dtype)]

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        return [(*batch, rows), (*batch, rows, columns)]

    def compute(self, x: np.ndarray) -> Any:
        return np.linalg.eig(x)


class SVD(BatchedMatrixOp):
    """Singular value decomposition ``x = u @ diag(s) @ vh``; only ``s`` when not
    ``compute_uv``. With ``k = min(m, n)``, reduced factors are ``(m, k)`` and ``(k, n)``."""

    __props__ = ("full_matrices", "compute_uv")
    name = "svd"
    square = False

    def __init__(self, full_matrices: bool = True, compute_uv: bool = True):
        self.full_matrices = bool(full_matrices)
        self.compute_uv = bool(compute_uv)

    def output_dtypes(self, dtype: str) -> list[str]:
        return [dtype, real_of(dtype), dtype] if self.compute_uv else [real_of(dtype)]

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        k = minimum(rows, columns)
        singular = (*batch, k)
        if not self.compute_uv:
            return [singular]
        if self.full_matrices:
            return [(*batch, rows, rows), singular, (*batch, columns, columns)]
        return [(*batch, rows, k), singular, (*batch, k, columns)]

    def compute(self, x: np.ndarray) -> Any:
        return numpy_linalg.svd(x, full_matrices=self.full_matrices, compute_uv=self.compute_uv)


class SLogDet(BatchedMatrixOp):
    """Sign and log of the absolute value of the determinant, without overflow."""

    name = "slogdet"

    def output_dtypes(self, dtype: str) -> list[str]:
        return [dtype, real_of(dtype)]

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        return [batch, batch]

    def compute(self, x: np.ndarray) -> Any:
        return tuple(np.linalg.slogdet(x))


class QR(BatchedMatrixOp):
    """QR decomposition; ``mode`` as ``np.linalg.qr``: "reduced" (q, r), "complete"
    (q, r with square q) or "r" (r only)."""

    __props__ = ("mode",)
    name = "qr"
    square = False

    def __init__(self, mode: str = "reduced"):
        if mode not in ("reduced", "complete", "r"):
            raise ValueError(f"qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
        self.mode = mode

    def output_dtypes(self, dtype: str) -> list[str]:
        return [dtype] if self.mode == "r" else [dtype, dtype]

    def output_shapes(self, batch: Shape, rows: Any, columns: Any, minimum: Minimum) -> list[Shape]:
        k = minimum(rows, columns)
        if self.mode == "complete":
            return [(*batch, rows, rows), (*batch, rows, columns)]
        r = (*batch, k, columns)
        return [r] if self.mode == "r" else [(*batch, rows, k), r]

    def compute(self, x: np.ndarray) -> Any:
        return numpy_linalg.qr(x, mode=self.mode)


class MatrixPower(BatchedMatrixOp):
    """``x`` multiplied by itself ``n`` times (``n < 0``: powers of the inverse). Integer
    matrices keep their dtype for ``n >= 0``, as in NumPy."""

    __props__ = ("n",)
    name = "matrix_power"

    def __init__(self, n: int):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(
                f"matrix_power: the exponent must be an int known at build time, got {n!r}"
            )
        self.n = int(n)

    def input_dtype(self, dtype: str) -> str:
        return dtype if self.n >= 0 else linalg_dtype(dtype)

    def compute(self, x: np.ndarray) -> Any:
        value = np.linalg.matrix_power(x, self.n)
        # For n == 1 NumPy hands back the input itself; an output must own its data.
        return value.copy() if np.shares_memory(value, x) else value


def det(x: Any) -> TensorVariable:
    """Determinant of a square matrix (or of each in a stack)."""
    result: TensorVariable = Det()(x)
    return result


def inv(x: Any) -> TensorVariable:
    """Inverse of a square matrix (or of each in a stack)."""
    result: TensorVariable = MatrixInverse()(x)
    return result


matrix_inverse = inv


def pinv(x: Any, hermitian: bool = False) -> TensorVariable:
    """Moore-Penrose pseudo-inverse."""
    result: TensorVariable = MatrixPinv(hermitian)(x)
    return result


def eigh(x: Any, UPLO: str = "L") -> tuple[TensorVariable, TensorVariable]:
    """``(w, v)``: ascending eigenvalues and eigenvectors of a symmetric matrix."""
    w, v = Eigh(UPLO)(x)
    return w, v


def eig(x: Any) -> tuple[TensorVariable, TensorVariable]:
    """``(w, v)``: complex eigenvalues and right eigenvectors of a square matrix."""
    w, v = Eig()(x)
    return w, v


def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """``(u, s, vh)``, or only ``s`` when ``compute_uv`` is False, as ``np.linalg.svd``."""
    outputs = SVD(full_matrices, compute_uv)(x)
    return tuple(outputs) if compute_uv else outputs


def slogdet(x: Any) -> tuple[TensorVariable, TensorVariable]:
    """``(sign, log|det|)`` of a square matrix."""
    sign, logabsdet = SLogDet()(x)
    return sign, logabsdet


def qr(x: Any, mode: str = "reduced") -> Any:
    """``(q, r)``, or only ``r`` for ``mode="r"``, as ``np.linalg.qr``."""
    outputs = QR(mode)(x)
    return outputs if mode == "r" else tuple(outputs)


def matrix_power(x: Any, n: int) -> TensorVariable:
    """``x @ x @ ... @ x`` (``n`` factors); ``n = 0`` gives the identity."""
    result: TensorVariable = MatrixPower(n)(x)
    return result


def matrix_dot(*matrices: Any) -> TensorVariable:
    """``dot(dot(m0, m1), m2)...``: the product of several matrices, left to right."""
    if not matrices:
        raise TypeError("matrix_dot needs at least one matrix")
    result: TensorVariable = functools.reduce(
        lambda product, matrix: product.dot(matrix),
        matrices[1:],
        as_tensor_input(matrices[0], "matrix_dot"),
    )
    return result


# --- trace and norm: reductions over matrix axes --------------------------------------------


class Trace(ValueOp):
    """``np.trace``: the sum of the ``offset`` diagonal of the ``(axis1, axis2)`` planes."""

    __props__ = ("offset", "axis1", "axis2")

    def __init__(self, offset: int = 0, axis1: int = 0, axis2: int = 1):
        self.offset, self.axis1, self.axis2 = int(offset), int(axis1), int(axis2)
        if self.axis1 == self.axis2:
            raise ValueError(f"trace: axis1 and axis2 must differ, got {axis1} twice")

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "trace")
        for axis in (self.axis1, self.axis2):
            normalize_axis(axis, x.type.ndim, "trace")
        shape = reduced_shape(x.type.shape, (self.axis1, self.axis2), keepdims=False)
        return Apply(self, [x], [tensor_output(accumulating_dtype(x.type.dtype), shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        dtype = tensor_type(node.outputs[0]).dtype
        value = np.trace(inputs[0], self.offset, self.axis1, self.axis2, dtype=dtype)
        store(output_storage, 0, value, dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [reduced_shape(input_shapes[0], (self.axis1, self.axis2), keepdims=False)]


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> TensorVariable:
    """Sum of a diagonal, as ``np.trace`` (of a matrix: the sum of its diagonal)."""
    tensor = as_tensor_input(x, "trace")
    first = normalize_axis(axis1, tensor.type.ndim, "trace")
    second = normalize_axis(axis2, tensor.type.ndim, "trace")
    result: TensorVariable = Trace(offset, first, second)(tensor)
    return result


NormOrder = int | float | str | None


class Norm(ValueOp):
    """``np.linalg.norm`` over ``axis``: one axis (vector norms) or two (matrix norms);
    axis None means the whole vector or matrix."""

    __props__ = ("ord", "axis", "keepdims")

    def __init__(self, ord: NormOrder, axis: tuple[int, ...] | None, keepdims: bool = False):
        self.ord = ord
        self.axis = None if axis is None else tuple(int(a) for a in axis)
        self.keepdims = bool(keepdims)

    def _axes(self, ndim: int) -> tuple[int, ...]:
        return tuple(range(ndim)) if self.axis is None else self.axis

    def make_node(self, x: Any) -> Apply:
        x = as_tensor_input(x, "norm")
        if self.axis is None and self.ord is not None and x.type.ndim not in (1, 2):
            raise ValueError(
                f"norm: ord={self.ord!r} needs a vector or a matrix (or axis=), "
                f"got ndim {x.type.ndim}"
            )
        for axis in self._axes(x.type.ndim):
            normalize_axis(axis, x.type.ndim, "norm")
        dtype = real_of(linalg_dtype(x.type.dtype))
        shape = reduced_shape(x.type.shape, self._axes(x.type.ndim), self.keepdims)
        return Apply(self, [x], [tensor_output(dtype, shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        value = numpy_linalg.norm(inputs[0], ord=self.ord, axis=self.axis, keepdims=self.keepdims)
        store(output_storage, 0, value, tensor_type(node.outputs[0]).dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [reduced_shape(input_shapes[0], self._axes(len(input_shapes[0])), self.keepdims)]


def norm(
    x: Any, ord: NormOrder = None, axis: int | tuple[int, int] | None = None, keepdims: bool = False
) -> TensorVariable:
    """Vector or matrix norm, as ``np.linalg.norm`` (default: 2-norm / Frobenius)."""
    tensor = as_tensor_input(x, "norm")
    axes: tuple[int, ...] | None = None
    if axis is not None:
        entries = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        if len(entries) not in (1, 2):
            raise ValueError(f"norm: axis must name one or two axes, got {axis!r}")
        axes = tuple(normalize_axis(a, tensor.type.ndim, "norm") for a in entries)
        if len(set(axes)) != len(axes):
            raise ValueError(f"norm: duplicate axes in {axis!r}")
    if isinstance(ord, float) and ord.is_integer() and np.isfinite(ord):
        ord = int(ord)
    result: TensorVariable = Norm(ord, axes, keepdims)(tensor)
    return result
