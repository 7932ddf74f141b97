"""cuBLAS's gemm through cffi, from the toolkit's libcublas (no Python binding needed).

NumPy arrays are row-major and cuBLAS is column-major: C = A B row-major is
C^T = B^T A^T column-major, so the call passes B first. Batches of products (matmul)
whose operands each start a fixed stride after the previous one are one strided batched
call. Integers, and operands whose strides are not a matrix cuBLAS takes (unit stride
along one axis, the other at least the length), are left to the tiled kernel.
"""

from __future__ import annotations

import ctypes.util
import functools
import os
from pathlib import Path
from typing import Any

CDEF = """
typedef void *cublasHandle_t;
int cublasCreate_v2(cublasHandle_t *handle);
int cublasDgemm_v2(cublasHandle_t h, int ta, int tb, int m, int n, int k,
    const double *alpha, const double *A, int lda, const double *B, int ldb,
    const double *beta, double *C, int ldc);
int cublasSgemm_v2(cublasHandle_t h, int ta, int tb, int m, int n, int k,
    const float *alpha, const float *A, int lda, const float *B, int ldb,
    const float *beta, float *C, int ldc);
int cublasDgemmStridedBatched(cublasHandle_t h, int ta, int tb, int m, int n, int k,
    const double *alpha, const double *A, int lda, long long strideA,
    const double *B, int ldb, long long strideB, const double *beta,
    double *C, int ldc, long long strideC, int batchCount);
int cublasSgemmStridedBatched(cublasHandle_t h, int ta, int tb, int m, int n, int k,
    const float *alpha, const float *A, int lda, long long strideA,
    const float *B, int ldb, long long strideB, const float *beta,
    float *C, int ldc, long long strideC, int batchCount);
"""
OP_N, OP_T = 0, 1
INT_MAX = 2**31 - 1


def library_path() -> str | None:
    """libcublas: ``$CUDAGEN_CUBLAS``, the loader's, the toolkit's, or the one NVIDIA's
    wheels install (``nvidia/*/lib``, beside CuPy or PyTorch)."""
    if os.environ.get("CUDAGEN_CUBLAS"):
        return os.environ["CUDAGEN_CUBLAS"]
    found = ctypes.util.find_library("cublas")
    if found:
        return found
    folders = [Path("/usr/local/cuda/lib64"), Path("/usr/local/cuda/targets/x86_64-linux/lib")]
    folders += sorted(Path("/usr/local").glob("cuda-*/lib64"))
    try:
        import nvidia

        folders += [Path(p) / kind / "lib" for p in nvidia.__path__ for kind in ("cu13", "cublas")]
    except ImportError:
        pass
    for folder in folders:
        candidates = sorted(folder.glob("libcublas.so*"))
        if candidates:
            return str(candidates[0])
    return None


class Cublas:
    """One handle on the current context; ``gemm`` returns False when it cannot help."""

    def __init__(self) -> None:
        import cffi

        path = library_path()
        if path is None:
            raise OSError("libcublas was not found")
        self.ffi = cffi.FFI()
        self.ffi.cdef(CDEF)
        self.lib = self.ffi.dlopen(path)
        handle = self.ffi.new("cublasHandle_t *")
        status = self.lib.cublasCreate_v2(handle)
        if status:
            raise OSError(f"cublasCreate failed with status {status}")
        self.handle = handle[0]

    @staticmethod
    def _operand(rows: int, cols: int, strides: tuple[int, int]) -> tuple[int, int] | None:
        """A row-major rows x cols operand as cuBLAS sees its transpose: (op, ld)."""
        s0, s1 = strides
        if s1 == 1 and s0 >= max(cols, 1):
            return OP_N, s0
        if s0 == 1 and s1 >= max(rows, 1):
            return OP_T, s1
        if rows == 1 and s1 == 1:
            return OP_N, max(cols, 1)
        if cols == 1 and s0 == 1:
            return OP_T, max(rows, 1)
        return None

    def gemm(self, dtype: str, m: int, n: int, k: int, a: tuple[int, tuple[int, int]],
             b: tuple[int, tuple[int, int]], c: int,
             batch: tuple[int, int, int] = (1, 0, 0)) -> bool:  # fmt: skip
        """C (m x n, contiguous at address ``c``) = A (m x k) B (k x n), operands given as
        (address, element strides); ``batch``: (count, A's stride, B's stride) for that
        many products, C's one after another. False when the strides do not suit cuBLAS."""
        count, batch_a, batch_b = batch
        if dtype not in ("float32", "float64"):
            return False  # cuBLAS's gemm multiplies floats
        if max(m, n, k, count) > INT_MAX or 0 in (m, n, k, count):
            return False
        op_a = self._operand(m, k, a[1])
        op_b = self._operand(k, n, b[1])
        if op_a is None or op_b is None:
            return False
        ctype = "double" if dtype == "float64" else "float"
        one, zero = self.ffi.new(f"{ctype} *", 1.0), self.ffi.new(f"{ctype} *", 0.0)
        pointer = f"{ctype} *"
        b_matrix = (self.ffi.cast(pointer, b[0]), op_b[1])
        a_matrix = (self.ffi.cast(pointer, a[0]), op_a[1])
        c_matrix = (self.ffi.cast(pointer, c), max(n, 1))
        if count == 1:
            gemm = self.lib.cublasDgemm_v2 if dtype == "float64" else self.lib.cublasSgemm_v2
            status = gemm(self.handle, op_b[0], op_a[0], n, m, k, one, *b_matrix, *a_matrix,
                          zero, *c_matrix)  # fmt: skip
        else:
            batched = (
                self.lib.cublasDgemmStridedBatched
                if dtype == "float64"
                else self.lib.cublasSgemmStridedBatched
            )
            status = batched(
                self.handle, op_b[0], op_a[0], n, m, k, one, *b_matrix, batch_b,
                *a_matrix, batch_a, zero, *c_matrix, m * n, count,
            )  # fmt: skip
        return status == 0


@functools.cache
def cublas() -> Cublas | None:
    """The process's cuBLAS, or None where it does not load (the tiled kernel runs)."""
    try:
        return Cublas()
    except Exception:
        return None


def handle() -> Any:
    return cublas()
