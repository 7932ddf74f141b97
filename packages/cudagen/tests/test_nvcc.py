"""Every kernel the op table generates compiles with nvcc, to PTX for each data-centre
architecture this nvcc knows, in one module per architecture (nvcc is slow: one call
each); and the disk cache hands back the same bytes without calling nvcc again."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cpu_grid import ON_DEVICE, ROWS
from test_indexing_cpu import COMPILED
from test_int_pow_cpu import DTYPES, power_graph
from test_join_guard_cpu import JOINS

from cudagen import nvcc
from cudagen.joined import guard_kernel, join_kernel
from cudagen.source import module_source

pytestmark = pytest.mark.skipif(nvcc.find_nvcc() is None, reason="nvcc is not installed")


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CUDAGEN_CACHE_DIR", str(tmp_path))
    return tmp_path


KERNELS = [kernel for name in ON_DEVICE for kernel in ROWS[name].plan.kernels]
KERNELS += [kernel for compiled in COMPILED.values() for kernel in compiled.plan.kernels]
KERNELS += [kernel for dtype in DTYPES for kernel in power_graph(dtype)[1].kernels]
KERNELS += [kernel for _, plan in JOINS.values() for kernel in plan.kernels]
KERNELS += [
    join_kernel("MakeVector{int64}", 0, ["int8", "int32", "int64"], "int64", 1, stacked=True),
    guard_kernel("Guard", [("bool", 0), ("bool", 2), ("float64", 1)], ValueError, "x > 0"),
]
"""The op table's kernels, with the gathers, scatters (atomics of every dtype they take),
integer powers, joins and guards of the tests beside it."""


def _op_table_module() -> str:
    return module_source(KERNELS)


def test_data_centre_archs_known() -> None:
    assert {"sm_80", "sm_90"} <= set(nvcc.data_centre_archs())


@pytest.mark.parametrize("arch", nvcc.DATA_CENTRE_ARCHS)
def test_op_table_compiles_to_ptx(cache: Path, arch: str) -> None:
    if nvcc.find_nvcc() is None or arch not in nvcc.toolkit().archs:
        pytest.skip(f"this nvcc does not compile for {arch}")
    source = _op_table_module()
    ptx = nvcc.compile_module(source, arch)
    text = ptx.decode()
    assert f".target {arch}" in text
    for kernel in {k.name: k for k in KERNELS}.values():
        for entry in kernel.kernel_names:
            assert f".entry {entry}(" in text, f"{entry} is missing from the PTX for {arch}"


def test_cache_is_keyed_and_reused(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = module_source([ROWS[ON_DEVICE[0]].plan.kernels[0]])
    first = nvcc.compile_module(source, "sm_80")
    entries = sorted(cache.glob("*.ptx"))
    assert len(entries) == 1 and entries[0].stem == nvcc.cache_key(source, "sm_80", "ptx")
    monkeypatch.setattr(nvcc.subprocess, "run", _no_nvcc)
    assert nvcc.compile_module(source, "sm_80") == first
    assert not list(cache.glob("build-*")), "a build folder was left behind"


def _no_nvcc(*args: object, **kwargs: object) -> None:
    raise AssertionError("nvcc ran although the cache holds the module")


def test_nvcc_errors_keep_the_source(cache: Path) -> None:
    with pytest.raises(nvcc.NvccError, match="nvcc failed for sm_80"):
        nvcc.compile_module("this is not CUDA", "sm_80")
    assert list((cache / "failed").glob("*.cu"))


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="'sm_90'"):
        nvcc.compile_module("", "90")
    with pytest.raises(ValueError, match="not 'fatbin'"):
        nvcc.compile_module("", "sm_90", kind="fatbin")
