"""For tests and benchmarks: a standard normal in NumPy and in C, and a local Dask cluster.

``CStandardNormal`` is the smallest density that takes the kernel's C way in (a function
pointer and its context), so the tests and ``bench/nuts_overhead.py`` measure the
sampler, not a model compiler. ``local_cluster`` is the cluster the executor tests and
``bench/dask_chains.py`` sample on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from numpy.typing import NDArray

from samplers.cmodule import load_module

C_STANDARD_NORMAL = """
int standard_normal_logp_dlogp(const double *x, double *grad, double *logp, void *context) {
    int n = *(const int *)context;
    double sum = 0.0;
    for (int i = 0; i < n; i++) { sum += x[i] * x[i]; grad[i] = -x[i]; }
    *logp = -0.5 * sum;
    return 0;
}
"""
C_STANDARD_NORMAL_CDEF = (
    "int standard_normal_logp_dlogp(const double *x, double *grad, double *logp, void *context);"
)


def standard_normal(x: NDArray) -> tuple[float, NDArray]:
    """log N(x | 0, I) up to a constant, and its gradient."""
    return -0.5 * float(x.dot(x)), -x


class CStandardNormal:
    """N(0, I) over ``dim`` values in C, as ``c_logp_dlogp`` and ``c_context`` (cffi pointers,
    or plain int addresses with ``as_int``), and in Python as ``logp_dlogp`` for what stays
    in Python (the start, step-size searches); ``python_calls`` counts those."""

    def __init__(self, dim: int, as_int: bool = False):
        if dim < 1:
            raise ValueError(f"CStandardNormal: dim must be at least 1, got {dim}")
        module = load_module(C_STANDARD_NORMAL, C_STANDARD_NORMAL_CDEF, "standard_normal")
        ffi = module.ffi
        self.dim = dim
        self._size = ffi.new("int *", dim)  # the context: kept alive with this object
        pointer = ffi.addressof(module.lib, "standard_normal_logp_dlogp")
        self.c_logp_dlogp: Any = int(ffi.cast("uintptr_t", pointer)) if as_int else pointer
        self.c_context: Any = int(ffi.cast("uintptr_t", self._size)) if as_int else self._size
        self.python_calls = 0

    def logp_dlogp(self, x: NDArray) -> tuple[float, NDArray]:
        self.python_calls += 1
        return standard_normal(x)


@contextlib.contextmanager
def local_cluster(n_workers: int = 2) -> Iterator[Any]:
    """A ``distributed.Client`` of a LocalCluster: ``n_workers`` worker processes of one
    thread each, on 127.0.0.1 only, no dashboard (needs the ``samplers[dask]`` extra)."""
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
