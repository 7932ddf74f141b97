"""The row-major to column-major mapping of cuBLAS's gemm, checked without a GPU: a
stand-in library computes what cuBLAS's gemm documents (column-major, op N or T, leading
dimensions, strided batches) on host memory, and the product must be NumPy's, for
contiguous, transposed and sliced operands, vectors and matmul's batches; strides cuBLAS
cannot take are refused."""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
import pytest
from cpu_grid import in_place

from cudagen.cublas import CDEF, OP_N, Cublas
from cudagen.kernels import matmul_kernel

cffi = pytest.importorskip("cffi")


def _column_major(ffi: Any, pointer: Any, rows: int, cols: int, ld: int) -> np.ndarray:
    address = int(ffi.cast("uintptr_t", pointer))
    flat = np.ctypeslib.as_array(
        ctypes.cast(address, ctypes.POINTER(ctypes.c_double)), shape=(ld * max(cols, 1),)
    )
    return np.lib.stride_tricks.as_strided(flat, (rows, cols), (8, 8 * ld))


class FakeGemm:
    """cublasDgemm_v2 as its documentation states it, on host memory."""

    def __init__(self, ffi: Any):
        self.ffi = ffi

    def cublasDgemm_v2(self, handle: Any, ta: int, tb: int, m: int, n: int, k: int,
                       alpha: Any, a: Any, lda: int, b: Any, ldb: int, beta: Any, c: Any,
                       ldc: int) -> int:  # fmt: skip
        op_a = _column_major(self.ffi, a, *((m, k) if ta == OP_N else (k, m)), lda)
        op_b = _column_major(self.ffi, b, *((k, n) if tb == OP_N else (n, k)), ldb)
        op_a = op_a if ta == OP_N else op_a.T
        op_b = op_b if tb == OP_N else op_b.T
        out = _column_major(self.ffi, c, m, n, ldc)
        product = alpha[0] * (op_a @ op_b)
        out[...] = product if beta[0] == 0 else product + beta[0] * out  # beta 0: C unread
        return 0

    def cublasDgemmStridedBatched(self, handle: Any, ta: int, tb: int, m: int, n: int, k: int,
                                  alpha: Any, a: Any, lda: int, stride_a: int, b: Any, ldb: int,
                                  stride_b: int, beta: Any, c: Any, ldc: int, stride_c: int,
                                  count: int) -> int:  # fmt: skip
        for z in range(count):  # product z reads A + z strideA, B + z strideB
            self.cublasDgemm_v2(handle, ta, tb, m, n, k, alpha, a + z * stride_a, lda,
                                b + z * stride_b, ldb, beta, c + z * stride_c, ldc)  # fmt: skip
        return 0


def _library() -> Cublas:
    library = Cublas.__new__(Cublas)
    library.ffi = cffi.FFI()
    library.ffi.cdef(CDEF)
    library.lib = FakeGemm(library.ffi)
    library.handle = None
    return library


def _operand(array: np.ndarray) -> tuple[int, tuple[int, int]]:
    strides = tuple(s // array.itemsize for s in array.strides)
    if array.ndim == 1:  # as the matmul kernel sees vectors
        strides = (0, strides[0])
    return array.__array_interface__["data"][0], strides  # type: ignore[return-value]


rng = np.random.default_rng(0)
BASE = rng.normal(size=(6, 8))
OPERANDS = {
    "contiguous": lambda: (BASE[:, :5], rng.normal(size=(5, 4))),
    "transposed": lambda: (BASE.T[:5, :3], BASE[:3, :7].T[:3, :2]),
    "row-major times transposed": lambda: (BASE[:3, :5], BASE[:4, :5].T),
    "transposed times row-major": lambda: (BASE[:5, :3].T, BASE[:5, 2:6]),
    "Fortran": lambda: (np.asfortranarray(BASE[:4, :6]), np.asfortranarray(BASE[:6, :3])),
}


@pytest.mark.parametrize("layout", sorted(OPERANDS))
def test_gemm_equals_numpy(layout: str) -> None:
    a, b = OPERANDS[layout]()
    a, b = np.asarray(a, order="K"), np.asarray(b, order="K")
    assert a.shape[1] == b.shape[0]
    m, k, n = a.shape[0], a.shape[1], b.shape[1]
    out = np.full((m, n), np.nan)
    assert _library().gemm("float64", m, n, k, _operand(a), _operand(b), _operand(out)[0])
    np.testing.assert_allclose(out, a @ b, rtol=1e-12)


def test_row_vector_times_matrix() -> None:
    v, b = BASE[1, :6], BASE[:6, :3]
    out = np.full((1, 3), np.nan)
    address, (_, stride) = _operand(v)
    assert _library().gemm(
        "float64", 1, 3, 6, (address, (0, stride)), _operand(b), _operand(out)[0]
    )
    np.testing.assert_allclose(out[0], v @ b, rtol=1e-12)


def test_strides_cublas_cannot_take_are_refused() -> None:
    a, b = BASE[::2, ::2], BASE[:4, :3]  # no unit stride on either axis of a
    out = np.empty((a.shape[0], 3))
    assert not _library().gemm("float64", 3, 3, 4, _operand(a), _operand(b), _operand(out)[0])


BATCHES = {
    "contiguous batches": lambda: (rng.normal(size=(2, 3, 4, 5)), rng.normal(size=(2, 3, 5, 6))),
    "a matrix for every batch": lambda: (rng.normal(size=(3, 4, 5)), rng.normal(size=(5, 2))),
    "transposed matrices": lambda: (
        rng.normal(size=(3, 5, 4)).transpose(0, 2, 1),
        rng.normal(size=(3, 5, 2)),
    ),
    "every other batch": lambda: (rng.normal(size=(6, 4, 5))[::2], rng.normal(size=(1, 5, 2))),
    "a vector times batches": lambda: (rng.normal(size=5), rng.normal(size=(3, 5, 2))),
}


@pytest.mark.parametrize("layout", sorted(BATCHES))
def test_strided_batches_equal_numpy(layout: str) -> None:
    """As the runtime calls cuBLAS for matmul: the kernel's strided batch, then gemm."""
    a, b = BATCHES[layout]()
    kernel = matmul_kernel("matmul", "float64", (a.ndim, b.ndim))
    ins = [in_place(a), in_place(b)]
    (shape,) = kernel.output_shapes([a.shape, b.shape])
    out = np.full(shape, np.nan)
    batch = kernel.strided_batch(ins)
    assert batch is not None, layout
    m, n, k, a_strides, b_strides = kernel.matrices(ins)
    done = _library().gemm(
        "float64", m, n, k, (ins[0].address, a_strides), (ins[1].address, b_strides),
        out.__array_interface__["data"][0], batch,
    )  # fmt: skip
    assert done
    np.testing.assert_allclose(out, np.matmul(a, b), rtol=1e-12)


def test_batches_no_one_stride_reaches_are_left_to_the_kernel() -> None:
    a = rng.normal(size=(2, 4, 3, 5))[:, :3]  # batch strides 4 and 1 matrices: no one step
    kernel = matmul_kernel("matmul", "float64", (4, 2))
    assert kernel.strided_batch([in_place(a), in_place(rng.normal(size=(5, 2)))]) is None


def test_integers_are_left_to_the_kernel() -> None:
    a, b = np.arange(6, dtype="int32").reshape(2, 3), np.arange(6, dtype="int32").reshape(3, 2)
    out = np.zeros((2, 2), "int32")
    assert not _library().gemm("int32", 2, 2, 3, _operand(a), _operand(b), _operand(out)[0])
    assert not out.any()
