"""Linear algebra with SciPy (``scipy.linalg``): cholesky, solve, solve_triangular,
cho_solve, expm and solve_discrete_lyapunov."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.linalg

from graphcore import Apply
from graphcore.graph.op import OutputStorage
from tensorops.dtypes import linalg_dtype, upcast
from tensorops.opsupport import (
    ValueOp,
    as_tensor_input,
    describe_shape,
    store,
    tensor_output,
    tensor_type,
)
from tensorops.shape_entries import broadcast_shapes, static_broadcast

if TYPE_CHECKING:
    from graphcore.fgraph import FunctionGraph
    from tensorops.variable import TensorVariable

__all__ = [
    "Cholesky",
    "CholeskySolve",
    "Expm",
    "Solve",
    "SolveDiscreteLyapunov",
    "SolveTriangular",
    "cho_solve",
    "cholesky",
    "expm",
    "solve",
    "solve_discrete_lyapunov",
    "solve_triangular",
]


def _square_matrices(op_name: str, a: TensorVariable, batched: bool) -> None:
    """Refuse at build time what cannot be a (stack of) square matrices."""
    shape = a.type.shape
    if len(shape) < 2 or (not batched and len(shape) != 2):
        wanted = "a square matrix or a stack of them" if batched else "a square matrix (ndim 2)"
        raise ValueError(f"{op_name}: expected {wanted}, got shape {describe_shape(shape)}")
    rows, columns = shape[-2:]
    if rows is not None and columns is not None and rows != columns:
        raise ValueError(f"{op_name}: expected square matrices, got shape {describe_shape(shape)}")


class _UnaryMatrixOp(ValueOp):
    """A SciPy function from a stack of square matrices to arrays of the same shape."""

    name = ""

    def make_node(self, a: Any) -> Apply:
        a = as_tensor_input(a, self.name)
        _square_matrices(self.name, a, batched=True)
        return Apply(self, [a], [tensor_output(linalg_dtype(a.type.dtype), a.type.shape)])

    def compute(self, a: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define compute")

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        dtype = tensor_type(node.outputs[0]).dtype
        store(output_storage, 0, self.compute(np.asarray(inputs[0], dtype=dtype)), dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [tuple(input_shapes[0])]


class Cholesky(_UnaryMatrixOp):
    """The Cholesky factor ``L`` with ``a = L @ L.T`` (``lower``) or ``U`` with ``a = U.T @ U``.

    Only the named triangle of ``a`` is read. When ``a`` is not positive definite it
    raises ``LinAlgError`` (``on_error="raise"``) or returns NaNs (``on_error="nan"``,
    useful inside samplers that reject such points).
    """

    __props__ = ("lower", "on_error")
    name = "cholesky"

    def __init__(self, lower: bool = True, on_error: str = "raise"):
        if on_error not in ("raise", "nan"):
            raise ValueError(f"cholesky: on_error must be 'raise' or 'nan', got {on_error!r}")
        self.lower = bool(lower)
        self.on_error = on_error

    def compute(self, a: np.ndarray) -> Any:
        try:
            return scipy.linalg.cholesky(a, lower=self.lower, check_finite=False)
        except np.linalg.LinAlgError as error:
            if self.on_error == "nan":
                return np.full_like(a, np.nan)
            raise np.linalg.LinAlgError(
                f"Cholesky: the matrix is not positive definite ({error}); pass "
                "on_error='nan' to get NaNs instead of an error"
            ) from None


class Expm(_UnaryMatrixOp):
    """The matrix exponential ``sum_k a^k / k!`` (Padé approximation with scaling)."""

    name = "expm"

    def compute(self, a: np.ndarray) -> Any:
        return scipy.linalg.expm(a)


def cholesky(x: Any, lower: bool = True, on_error: str = "raise") -> TensorVariable:
    """Cholesky factor of a symmetric positive definite matrix (or of each in a stack)."""
    result: TensorVariable = Cholesky(lower, on_error)(x)
    return result


def expm(x: Any) -> TensorVariable:
    """Matrix exponential of a square matrix (or of each in a stack)."""
    result: TensorVariable = Expm()(x)
    return result


# --- solvers: a @ x = b ----------------------------------------------------------------------


class _SolveBase(ValueOp):
    """Solve ``a @ x = b`` for ``x``. ``b`` is a vector when it is 1-d (``a`` then a single
    matrix), else a matrix ``(..., n, k)`` whose batch axes broadcast against ``a``'s."""

    name = ""
    batched = False
    """Whether SciPy's solver takes stacks of matrices."""

    def make_node(self, a: Any, b: Any) -> Apply:
        a, b = as_tensor_input(a, self.name), as_tensor_input(b, self.name)
        _square_matrices(self.name, a, batched=self.batched)
        a_shape, b_shape = a.type.shape, b.type.shape
        if b.type.ndim == 0 or (not self.batched and b.type.ndim > 2):
            raise ValueError(
                f"{self.name}: b must be a vector or a matrix, got shape {describe_shape(b_shape)}"
            )
        if b.type.ndim == 1 and a.type.ndim != 2:
            raise ValueError(
                f"{self.name}: a 1-d b needs a single matrix a (for stacks give b the shape "
                f"(..., n, k)), "
                f"got a {describe_shape(a_shape)} and b {describe_shape(b_shape)}"
            )
        n, rows = a_shape[-1], b_shape[0 if b.type.ndim == 1 else -2]
        if n is not None and rows is not None and n != rows:
            raise ValueError(
                f"{self.name}: shapes {describe_shape(a_shape)} and {describe_shape(b_shape)} "
                f"are incompatible: b must have {n} rows"
            )
        try:
            shape = self._shape(a_shape, b_shape, static_broadcast)
        except ValueError:
            raise ValueError(
                f"{self.name}: the batch axes of {describe_shape(a_shape)} and "
                f"{describe_shape(b_shape)} cannot be broadcast together"
            ) from None
        dtype = linalg_dtype(upcast(a.type.dtype, b.type.dtype))
        return Apply(self, [a, b], [tensor_output(dtype, shape)])

    @staticmethod
    def _shape(a_shape: Sequence[Any], b_shape: Sequence[Any], broadcast: Any) -> tuple[Any, ...]:
        if len(b_shape) == 1:
            return tuple(b_shape)
        batch = broadcast(tuple(a_shape[:-2]), tuple(b_shape[:-2]))
        return (*batch, *b_shape[-2:])

    def compute(self, a: np.ndarray, b: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define compute")

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        dtype = tensor_type(node.outputs[0]).dtype
        a, b = (np.asarray(value, dtype=dtype) for value in inputs)
        store(output_storage, 0, self.compute(a, b), dtype)

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [self._shape(input_shapes[0], input_shapes[1], broadcast_shapes)]


ASSUME_A = ("gen", "sym", "her", "pos")


class Solve(_SolveBase):
    """``scipy.linalg.solve``: LU for general ``a``; symmetric (``sym``), Hermitian
    (``her``) or positive definite (``pos``) solvers read only the ``lower``/upper triangle."""

    __props__ = ("assume_a", "lower")
    name = "solve"
    batched = True

    def __init__(self, assume_a: str = "gen", lower: bool = False):
        if assume_a not in ASSUME_A:
            raise ValueError(f"solve: assume_a must be one of {ASSUME_A}, got {assume_a!r}")
        self.assume_a = assume_a
        self.lower = bool(lower)

    def compute(self, a: np.ndarray, b: np.ndarray) -> Any:
        return scipy.linalg.solve(
            a, b, assume_a=self.assume_a, lower=self.lower, check_finite=False
        )


class SolveTriangular(_SolveBase):
    """``scipy.linalg.solve_triangular``: back or forward substitution, reading one
    triangle; ``trans`` 0, 1 or 2 solves with ``a``, ``a.T`` or ``a.H``."""

    __props__ = ("lower", "trans", "unit_diagonal")
    name = "solve_triangular"

    def __init__(self, lower: bool = False, trans: int = 0, unit_diagonal: bool = False):
        codes = {"N": 0, "T": 1, "C": 2}
        trans_code = codes.get(trans, trans) if isinstance(trans, str) else trans
        if trans_code not in (0, 1, 2):
            raise ValueError(
                f"solve_triangular: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}"
            )
        self.lower = bool(lower)
        self.trans = int(trans_code)
        self.unit_diagonal = bool(unit_diagonal)

    def compute(self, a: np.ndarray, b: np.ndarray) -> Any:
        return scipy.linalg.solve_triangular(
            a,
            b,
            trans=self.trans,
            lower=self.lower,
            unit_diagonal=self.unit_diagonal,
            check_finite=False,
        )


class CholeskySolve(_SolveBase):
    """``scipy.linalg.cho_solve``: solve ``a @ x = b`` given the Cholesky factor ``c`` of ``a``
    (``lower`` says which factor), by two triangular solves."""

    __props__ = ("lower",)
    name = "cho_solve"

    def __init__(self, lower: bool = True):
        self.lower = bool(lower)

    def compute(self, a: np.ndarray, b: np.ndarray) -> Any:
        return scipy.linalg.cho_solve((a, self.lower), b, check_finite=False)


def solve(a: Any, b: Any, assume_a: str = "gen", lower: bool = False) -> TensorVariable:
    """``x`` with ``a @ x = b``; ``assume_a`` picks the solver ("gen", "sym", "her", "pos")."""
    result: TensorVariable = Solve(assume_a, lower)(a, b)
    return result


def solve_triangular(
    a: Any, b: Any, lower: bool = False, trans: int | str = 0, unit_diagonal: bool = False
) -> TensorVariable:
    """``x`` with ``a @ x = b`` for a triangular ``a`` (``trans``: solve with ``a.T``/``a.H``)."""
    result: TensorVariable = SolveTriangular(lower, trans, unit_diagonal)(a, b)  # type: ignore[arg-type]
    return result


def cho_solve(c_and_lower: tuple[Any, bool], b: Any) -> TensorVariable:
    """``x`` with ``a @ x = b``, given ``(c, lower)`` where ``c`` is ``a``'s Cholesky factor."""
    c, lower = c_and_lower
    result: TensorVariable = CholeskySolve(lower)(c, b)
    return result


# --- Lyapunov ----------------------------------------------------------------------------------


class SolveDiscreteLyapunov(ValueOp):
    """``x`` with ``a @ x @ a.H - x + q = 0`` (scipy's bilinear or direct method)."""

    __props__ = ("method",)

    def __init__(self, method: str = "bilinear"):
        if method not in ("bilinear", "direct"):
            raise ValueError(
                f"solve_discrete_lyapunov: method must be 'bilinear' or 'direct', got {method!r}"
            )
        self.method = method

    def make_node(self, a: Any, q: Any) -> Apply:
        a = as_tensor_input(a, "solve_discrete_lyapunov")
        q = as_tensor_input(q, "solve_discrete_lyapunov")
        for matrix in (a, q):
            _square_matrices("solve_discrete_lyapunov", matrix, batched=False)
        sizes = {size for size in (*a.type.shape, *q.type.shape) if size is not None}
        if len(sizes) > 1:
            raise ValueError(
                f"solve_discrete_lyapunov: a {describe_shape(a.type.shape)} and q "
                f"{describe_shape(q.type.shape)} must be square matrices of one size"
            )
        shape = tuple(
            x if x is not None else y for x, y in zip(a.type.shape, q.type.shape, strict=True)
        )
        dtype = linalg_dtype(upcast(a.type.dtype, q.type.dtype))
        return Apply(self, [a, q], [tensor_output(dtype, shape)])

    def perform(self, node: Apply, inputs: Sequence[Any], output_storage: OutputStorage) -> None:
        dtype = tensor_type(node.outputs[0]).dtype
        a, q = (np.asarray(value, dtype=dtype) for value in inputs)
        store(
            output_storage, 0, scipy.linalg.solve_discrete_lyapunov(a, q, method=self.method), dtype
        )

    def infer_shape(
        self, fgraph: FunctionGraph | None, node: Apply, input_shapes: Sequence[Any]
    ) -> list[Any]:
        return [tuple(input_shapes[0])]


def solve_discrete_lyapunov(a: Any, q: Any, method: str = "bilinear") -> TensorVariable:
    """``x`` solving the discrete Lyapunov equation ``a x aᴴ - x + q = 0``."""
    result: TensorVariable = SolveDiscreteLyapunov(method)(a, q)
    return result
