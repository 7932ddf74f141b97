"""Threads of a block cooperating, on the CPU harness: reductions (warp shuffles, then
one value per warp through shared memory, then the fold of the blocks' partials) and the
tiled matrix product (tiles loaded by all threads between two ``__syncthreads``).

The op table's arrays are small, so most of a block's threads hold the identity there;
these arrays give every lane of every warp values of its own, with blocks of one to
eight warps and the launch sizes a GPU gets (``LaunchConfig()``), so a lost lane, a
missing barrier or a wrong partial index shows as a wrong result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cpu_grid import WARPS, CpuGrid, build, build_module, in_place

import tensorops as pt
from cudagen import kernels
from cudagen.executor import Executor
from cudagen.launch import Launch, LaunchConfig, i64
from cudagen.plan import Plan, build_plan
from graphcore import Mode, function

REWRITTEN = Mode(linker="py")
CONFIGS = {
    "two warps, three blocks": WARPS,
    "three warps, five blocks": LaunchConfig(threads=96, max_blocks=5, tile=8),
    "a GPU's launch sizes": LaunchConfig(),
}
REDUCTIONS = ["sum", "prod", "max", "min", "mean", "all", "any"]
SHAPES: dict[str, tuple[tuple[int, ...], tuple[int, ...] | None]] = {
    "vector": ((5003,), None),
    "rows": ((37, 129), (1,)),
    "columns": ((129, 37), (0,)),
    "few long rows": ((3, 2000), (1,)),
    "outer axes": ((6, 5, 300), (0, 2)),
}


def _values(reduction: str, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(abs(hash((reduction, dtype, shape))) % 2**32)
    if dtype == "bool":  # mostly true for all, mostly false for any: one lane decides
        rare = rng.random(shape) < 0.001
        return ~rare if reduction == "all" else rare
    if reduction == "prod":  # products that neither overflow nor vanish
        if dtype.startswith("int"):
            return rng.choice(np.array([-1, 1, 1, 1], dtype), size=shape)
        return rng.uniform(0.995, 1.005, shape).astype(dtype)
    if dtype.startswith("int"):
        return rng.integers(-1000, 1000, shape).astype(dtype)
    return rng.normal(size=shape).astype(dtype)


def _graph(reduction: str, dtype: str, ndim: int, axes: tuple[int, ...] | None) -> Any:
    x = pt.tensor("x", dtype=dtype, shape=(None,) * ndim)
    value = x if dtype == "bool" or reduction == "prod" else x * 2 - 1  # a fused program
    return function([x], [getattr(pt, reduction)(value, axis=axes)], mode=REWRITTEN)


CASES = [
    (reduction, dtype, shape_name)
    for reduction in REDUCTIONS
    for dtype in (["bool"] if reduction in ("all", "any") else ["float64", "float32", "int64"])
    for shape_name in SHAPES
]


REDUCED = {
    case: _graph(case[0], case[1], len(SHAPES[case[2]][0]), SHAPES[case[2]][1]) for case in CASES
}
"""Each case compiled by the Python backend (after the FAST_RUN rewrites)."""
REDUCED_PLANS = {case: build_plan(f.maker.fgraph) for case, f in REDUCED.items()}


def check_reduction(
    case: tuple[str, str, str], executor: Executor, on_device: Callable[[np.ndarray], Any]
) -> None:
    """The case's values, then reversed (a view passed in place by ``on_device``)."""
    reduction, dtype, shape_name = case
    assert REDUCED_PLANS[case].count("host") == 0, REDUCED_PLANS[case].describe()
    values = _values(reduction, dtype, SHAPES[shape_name][0])
    for arguments, host in ((values, values), (on_device(values[::-1]), values[::-1])):
        (got,), (expected,) = executor.run([arguments]), REDUCED[case](host)
        assert got.dtype == expected.dtype and got.shape == expected.shape
        if dtype.startswith(("int", "bool")):
            assert np.array_equal(got, expected), f"{case}: {got} != {expected}"
        else:
            rtol = 1e-4 if dtype == "float32" else 1e-11
            np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, err_msg=str(case))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Any:
    kernels = [kernel for plan in [*REDUCED_PLANS.values(), *PRODUCT_PLANS.values()]
               for kernel in plan.kernels]  # fmt: skip
    return build(kernels, Path(tmp_path_factory.mktemp("cooperation")))


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
def test_reductions_fold_every_lane(library: Any, case: Any, config: str) -> None:
    executor = Executor(REDUCED_PLANS[case], CpuGrid(library, CONFIGS[config]))
    check_reduction(case, executor, in_place)


@pytest.mark.parametrize("case", [case for case in CASES if case[2] != "vector"],
                         ids=["-".join(case) for case in CASES if case[2] != "vector"])  # fmt: skip
def test_a_block_folds_output_after_output(
    library: Any, case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Grids of at most 4 rows of blocks: each block reduces one output after another,
    reusing its shared memory (on a GPU, past 65535 outputs)."""
    monkeypatch.setattr(kernels, "GRID_Y_LIMIT", 4)
    check_reduction(case, Executor(REDUCED_PLANS[case], CpuGrid(library, WARPS)), in_place)


PRODUCT_DTYPES = ["float64", "float32", "int32"]
"""Integers run through the tiled kernel only (cuBLAS multiplies floats)."""
PRODUCTS: dict[str, tuple[tuple[int, ...], tuple[int, ...], Callable[[Any, Any], Any]]] = {
    "matrix @ matrix": ((33, 47), (47, 29), pt.dot),
    "transposed views": ((47, 33), (29, 47), lambda a, b: pt.dot(a.T, b.T)),
    "matrix @ vector": ((70, 45), (45,), pt.dot),
    "vector @ matrix": ((45,), (45, 70), pt.dot),
    "batches (matmul)": ((3, 20, 30), (3, 30, 17), pt.matmul),
    "broadcast batches (matmul)": ((2, 1, 9, 30), (4, 30, 11), pt.matmul),
    "vector @ batches (matmul)": ((30,), (5, 30, 7), pt.matmul),
    "tensordot over two axes": ((4, 6, 7), (6, 7, 5), lambda a, b: pt.tensordot(a, b, 2)),
    "tensordot over transposed axes": (
        (6, 4, 7),
        (7, 5, 6),
        lambda a, b: pt.tensordot(a, b, [[0, 2], [2, 0]]),
    ),
    "dot of tensors": ((3, 4, 9), (2, 9, 6), pt.dot),
}
"""(a's shape, b's shape, the product)."""


def _product(dtype: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...], product: Any) -> Any:
    a = pt.tensor("a", dtype=dtype, shape=(None,) * len(a_shape))
    b = pt.tensor("b", dtype=dtype, shape=(None,) * len(b_shape))
    return function([a, b], [product(a, b)], mode=REWRITTEN)


PRODUCT_FUNCTIONS = {
    (dtype, label): _product(dtype, *shapes)
    for dtype in PRODUCT_DTYPES
    for label, shapes in PRODUCTS.items()
}
PRODUCT_PLANS = {key: build_plan(f.maker.fgraph) for key, f in PRODUCT_FUNCTIONS.items()}


def _a_length(var: Any) -> bool:
    """A length or a shape (0-d, or 1-d of known length): the host computes those."""
    shape = var.type.shape
    return len(shape) == 0 or (len(shape) == 1 and shape[0] is not None)


def check_products(dtype: str, executor_of: Callable[[Plan], Executor]) -> None:
    rng = np.random.default_rng(7)
    for label, (a_shape, b_shape, _) in PRODUCTS.items():
        plan = PRODUCT_PLANS[dtype, label]
        on_host = [s for s in plan.steps if s.role == "host" and not _a_length(s.node.outputs[0])]
        assert not on_host and not plan.transfers, plan.describe()
        scale = 20 if dtype.startswith("int") else 1  # integers from -60 to 60
        av, bv = (rng.normal(scale=scale, size=shape).astype(dtype) for shape in (a_shape, b_shape))
        (got,), (expected,) = (
            executor_of(plan).run([av, bv]),
            PRODUCT_FUNCTIONS[dtype, label](av, bv),
        )
        rtol = 1e-4 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, err_msg=label)


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("dtype", PRODUCT_DTYPES)
def test_tiled_products_share_their_tiles(library: Any, dtype: str, config: str) -> None:
    check_products(dtype, lambda plan: Executor(plan, CpuGrid(library, CONFIGS[config])))


DIVERGENT = """extern "C" __global__ void cu_divergent(long long n) {
    long long v = n;
    if (threadIdx.x < 16) v = __shfl_down_sync(0xffffffffu, v, 1);
    else __syncthreads();
}
"""


def test_threads_that_wait_where_others_never_come_fail_the_launch(tmp_path: Path) -> None:
    """Half a warp at a shuffle, the rest of the block at a barrier: CUDA leaves that
    undefined; the harness says so instead of hanging."""
    grid = CpuGrid(build_module(DIVERGENT, tmp_path), WARPS)
    with pytest.raises(AssertionError, match="cu_divergent: some threads of a block never"):
        grid.launch(Launch("cu_divergent", (1, 1, 1), (64, 1, 1), i64(0)))
