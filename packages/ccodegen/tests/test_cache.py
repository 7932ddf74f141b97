"""The compile-and-cache layer: values against NumPy, hits across processes, concurrent
builders, damaged entries, failed compiles, LRU trimming and the command line.

Every test works in its own ``tmp_path`` cache (``config.cache_dir``); C builds are
shared where the test allows it: the session fixture compiles three small modules once
and tests copy their entries into their own caches.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import ccodegen.cache as cache_module
from ccodegen import (
    CCompileError,
    CompiledModule,
    CompilerNotFound,
    cache_info,
    cache_key,
    have_c_compiler,
    load_module,
    stats,
    trim_cache,
)
from ccodegen.cache import forget_loaded
from graphcore.config import config

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")

ARITHMETIC = """
#include <math.h>

double add(double a, double b) { return a + b; }

double dot(long n, const double *x, const double *y)
{
    double total = 0.0;
    for (long i = 0; i < n; i++) total += x[i] * y[i];
    return total;
}

void exp_into(long n, const double *x, double *out)
{
    for (long i = 0; i < n; i++) out[i] = exp(x[i]);
}
"""
ARITHMETIC_CDEF = """
double add(double, double);
double dot(long, const double *, const double *);
void exp_into(long, const double *, double *);
"""
SOURCES = {
    "arithmetic": (ARITHMETIC, ARITHMETIC_CDEF),
    "square": ("double square(double x) { return x * x; }", "double square(double);"),
    "cube": ("double cube(double x) { return x * x * x; }", "double cube(double);"),
}


@dataclasses.dataclass
class Built:
    folder: Path
    modules: dict[str, CompiledModule]
    keys: dict[str, str]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The three SOURCES compiled once into a shared cache."""
    root = tmp_path_factory.mktemp("shared-cache")
    with config.change_flags(cache_dir=str(root)):
        modules = {name: load_module(*texts) for name, texts in SOURCES.items()}
    forget_loaded()
    return Built(root / "c", modules, {name: module.key for name, module in modules.items()})


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    """A fresh, empty cache for one test; yields its ``c/`` folder."""
    forget_loaded()
    with config.change_flags(cache_dir=str(tmp_path / "cache")):
        yield tmp_path / "cache" / "c"
    forget_loaded()


def copy_entry(built: Built, name: str, folder: Path) -> str:
    """Put a shared entry into ``folder`` as if this cache had built it; return its key."""
    key = built.keys[name]
    folder.mkdir(parents=True, exist_ok=True)
    for path in built.folder.glob(f"{key}.*"):
        shutil.copy2(path, folder / path.name)
    return key


def entry_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def so_path(folder: Path, key: str) -> Path:
    return folder / f"{key}{cache_module.EXT_SUFFIX}"


def counts() -> dict[str, int]:
    return dataclasses.asdict(stats)


def since(before: dict[str, int]) -> dict[str, int]:
    """What load_module did since ``before = counts()``."""
    return {name: value - before[name] for name, value in counts().items()}


def run_python(code: str, cache_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "GRAPHCORE_FLAGS": f"cache_dir={cache_dir}"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


# A child process: load the texts in argv[1] (JSON) and report what happened.
LOAD_IN_CHILD = """
import dataclasses, json, sys, time
from pathlib import Path
import ccodegen
source, cdef, ready, go = json.loads(Path(sys.argv[1]).read_text())
if ready:
    Path(ready).touch()
    while not Path(go).exists():
        time.sleep(0.002)
module = ccodegen.load_module(source, cdef)
print(json.dumps({"key": module.key, "value": module.lib.square(1.5),
                  "stats": dataclasses.asdict(ccodegen.stats)}))
"""


def test_compiled_functions_compute_numpy_values(built: Built) -> None:
    compiled = built.modules["arithmetic"]
    ffi, lib = compiled.ffi, compiled.lib
    assert lib.add(1.5, 2.25) == 3.75
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=101), rng.normal(size=101)
    as_c = lambda array: ffi.from_buffer("double[]", array)  # noqa: E731
    np.testing.assert_allclose(lib.dot(101, as_c(x), as_c(y)), np.dot(x, y), rtol=1e-13)
    out = np.empty_like(x)
    lib.exp_into(101, as_c(x), as_c(out))
    np.testing.assert_allclose(out, np.exp(x), rtol=1e-14)
    assert built.modules["cube"].lib.cube(3.0) == 27.0


def test_key_is_content_addressed() -> None:
    source, cdef = SOURCES["square"]
    key = cache_key(source, cdef)
    assert cache_key(source.replace("\n", "  \r\n") + "\n\n", cdef + "   ") == key
    assert cache_key(source + "\n/* other */", cdef) != key
    assert cache_key(source, cdef, name_hint="op") != key


def test_same_source_builds_once_and_hits_in_a_new_process(cache: Path, tmp_path: Path) -> None:
    source = "double square(double x) { return x * x; } /* hit test */"
    cdef = "double square(double);"
    before = counts()
    first = load_module(source, cdef)
    assert first.lib.square(1.5) == 2.25
    assert load_module(source, cdef) is first
    assert since(before) == {"memo_hits": 1, "disk_hits": 0, "builds": 1, "rejected": 0}
    so = so_path(cache, first.key)
    assert first.path == so
    stamp = (so.stat().st_ino, so.stat().st_mtime_ns)
    files = entry_files(cache)
    assert files == sorted([so.name, f"{first.key}.c", f"{first.key}.json"])

    forget_loaded()  # the same process again, without its memo: a disk hit
    again = load_module(source, cdef)
    assert again.key == first.key and again.lib.square(3.0) == 9.0
    assert since(before) == {"memo_hits": 1, "disk_hits": 1, "builds": 1, "rejected": 0}

    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps([source, cdef, None, None]))
    report = json.loads(run_python(LOAD_IN_CHILD, cache.parent, str(texts)).stdout)
    assert report["key"] == first.key  # the key is the same in another process
    assert report["value"] == 2.25
    assert report["stats"] == {"memo_hits": 0, "disk_hits": 1, "builds": 0, "rejected": 0}
    assert (so.stat().st_ino, so.stat().st_mtime_ns) == stamp
    assert entry_files(cache) == files


def test_eight_processes_build_one_new_module_together(cache: Path, tmp_path: Path) -> None:
    source = f"double square(double x) {{ return x * x; }} /* {tmp_path.name} */"
    ready, go = tmp_path / "ready", tmp_path / "go"
    ready.mkdir()
    environment = {**os.environ, "GRAPHCORE_FLAGS": f"cache_dir={cache.parent}"}
    children = []
    for index in range(8):
        child_texts = tmp_path / f"texts{index}.json"
        child_texts.write_text(
            json.dumps([source, "double square(double);", str(ready / str(index)), str(go)])
        )
        children.append(
            subprocess.Popen(
                [sys.executable, "-c", LOAD_IN_CHILD, str(child_texts)],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 120
    while len(list(ready.iterdir())) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()  # all eight are imported and waiting: they load at the same moment
    reports = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        reports.append(json.loads(out))
    assert {report["key"] for report in reports} == {cache_key(source, "double square(double);")}
    assert all(report["value"] == 2.25 for report in reports)
    assert all(report["stats"]["rejected"] == 0 for report in reports)
    assert sum(report["stats"]["builds"] + report["stats"]["disk_hits"] for report in reports) == 8
    key = reports[0]["key"]
    assert entry_files(cache) == sorted(
        [so_path(cache, key).name, f"{key}.c", f"{key}.json"]
    )  # one entry; no build folders, no failures


DAMAGES = {
    "truncated module": lambda so, meta: so.write_bytes(so.read_bytes()[: so.stat().st_size // 2]),
    "flipped bytes": lambda so, meta: so.write_bytes(flip(so.read_bytes())),
    "missing module": lambda so, meta: so.unlink(),
    "missing metadata": lambda so, meta: meta.unlink(),
    "garbled metadata": lambda so, meta: meta.write_bytes(b"{not json"),
    "truncated metadata": lambda so, meta: meta.write_bytes(meta.read_bytes()[:40]),
    "metadata of other bytes": lambda so, meta: meta.write_text(
        json.dumps({**json.loads(meta.read_text()), "so_sha256": "0" * 64})
    ),
}


def flip(data: bytes) -> bytes:
    damaged = bytearray(data)
    for offset in range(len(data) // 3, len(data) // 3 + 64, 8):
        damaged[offset] ^= 0xFF
    return bytes(damaged)


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_entry_is_rebuilt_not_loaded(
    damage: str, built: Built, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = copy_entry(built, "arithmetic", cache)
    so, meta = so_path(cache, key), cache / f"{key}.json"
    # Copies, loaded by no one: damaging them in place cannot hit a mapped module.
    DAMAGES[damage](so, meta)
    damaged = so.read_bytes() if so.exists() else None

    loaded_bytes: list[bytes] = []
    real_import = cache_module._import

    def recording_import(name: str, path: Path) -> ModuleType:
        loaded_bytes.append(Path(path).read_bytes())
        return real_import(name, path)

    monkeypatch.setattr(cache_module, "_import", recording_import)
    before = counts()
    compiled = load_module(*SOURCES["arithmetic"])
    assert compiled.key == key and compiled.lib.add(2.0, 0.5) == 2.5
    change = since(before)
    assert change["builds"] == 1 and change["disk_hits"] == 0
    assert change["rejected"] == (0 if damage == "missing metadata" else 1)
    if damaged is not None and damaged != so.read_bytes():
        assert damaged not in loaded_bytes
    record = json.loads(meta.read_text())
    assert record["so_size"] == so.stat().st_size
    assert record["so_sha256"] == cache_module._sha256(so.read_bytes())
    assert not [name for name in entry_files(cache) if name.startswith("build-")]


def test_syntax_error_raises_with_compiler_message_and_kept_c(cache: Path) -> None:
    source = "double broken(double x) { return x +; }"
    with pytest.raises(CCompileError) as caught:
        load_module(source, "double broken(double);")
    message = str(caught.value)
    kept = cache / "failed" / f"{cache_key(source, 'double broken(double);')}.c"
    assert caught.value.c_path == kept and str(kept) in message
    assert "expected expression" in message and "error" in caught.value.stderr
    assert "return x +;" in kept.read_text()
    assert entry_files(cache) == ["failed"]  # no entry, no build folder


def test_module_that_does_not_load_is_not_published(cache: Path) -> None:
    source = "double missing(double); double f(double x) { return missing(x); }"
    with pytest.raises(CCompileError, match=r"does not load.*missing") as caught:
        load_module(source, "double f(double);")
    assert caught.value.c_path is not None and caught.value.c_path.exists()
    assert entry_files(cache) == ["failed"]


def test_bad_cdef_raises_ccompile_error(cache: Path) -> None:
    with pytest.raises(CCompileError, match="cdef does not parse"):
        load_module("int f(void) { return 1; }", "int f(void")
    assert entry_files(cache) == []


def test_no_compiler_raises_compiler_not_found(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CC", "no-such-compiler-ccodegen")
    assert not have_c_compiler()
    with pytest.raises(CompilerNotFound, match="no-such-compiler-ccodegen") as caught:
        load_module(*SOURCES["square"])
    assert isinstance(caught.value, CCompileError) and isinstance(caught.value, RuntimeError)
    assert not cache.exists()


def age(folder: Path, key: str, seconds_ago: float) -> None:
    stamp = time.time() - seconds_ago
    os.utime(folder / f"{key}.json", (stamp, stamp))


def entry_size(folder: Path, key: str) -> int:
    return sum(path.stat().st_size for path in folder.glob(f"{key}.*"))


def test_trimming_evicts_least_recently_used(built: Built, cache: Path) -> None:
    keys = {name: copy_entry(built, name, cache) for name in SOURCES}
    age(cache, keys["arithmetic"], 300)
    age(cache, keys["square"], 200)
    age(cache, keys["cube"], 100)
    load_module(*SOURCES["arithmetic"])  # a use: arithmetic is now the most recent
    forget_loaded()  # ... and no longer protected as loaded here
    kept = entry_size(cache, keys["arithmetic"]) + entry_size(cache, keys["cube"])
    assert trim_cache(max_bytes=kept) == entry_size(built.folder, keys["square"])
    assert {path.name.partition(".")[0] for path in cache.iterdir()} == {
        keys["arithmetic"],
        keys["cube"],
    }
    trim_cache(max_bytes=entry_size(cache, keys["arithmetic"]))
    assert {path.name.partition(".")[0] for path in cache.iterdir()} == {keys["arithmetic"]}


def test_build_trims_to_the_configured_bound_but_keeps_loaded_modules(
    built: Built, cache: Path
) -> None:
    keys = {name: copy_entry(built, name, cache) for name in SOURCES}
    old_build = cache / "build-abandoned"
    old_build.mkdir()
    os.utime(old_build, (time.time() - 2 * 3600,) * 2)
    (cache / "build-in-progress").mkdir()
    load_module(*SOURCES["square"])  # loaded here: protected
    with config.change_flags(cache_size_limit_mb=0):
        fresh = load_module("double twice(double x) { return 2 * x; }", "double twice(double);")
    left = {path.name.partition(".")[0] for path in cache.iterdir()}
    assert left == {keys["square"], fresh.key, "build-in-progress"}
    assert fresh.lib.twice(4.0) == 8.0
    assert keys["arithmetic"] not in left and keys["cube"] not in left


def test_command_line_info_and_clear(built: Built, cache: Path) -> None:
    copy_entry(built, "arithmetic", cache)
    copy_entry(built, "square", cache)
    (cache / "failed").mkdir()
    (cache / "failed" / f"{'0' * 64}.c").write_text("int broken(")
    size = cache_info().size_bytes

    info = run_python("from ccodegen.__main__ import main; main()", cache.parent, "cache", "info")
    assert f"folder:  {cache}" in info.stdout
    assert "modules: 2" in info.stdout and "failed:  1" in info.stdout
    assert f"size:    {size / 1024:.1f} KB" in info.stdout
    assert "bound:   512.0 MB" in info.stdout

    cleared = subprocess.run(
        [sys.executable, "-m", "ccodegen", "cache", "clear"],
        env={**os.environ, "GRAPHCORE_FLAGS": f"cache_dir={cache.parent}"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"removed 2 modules ({size / 1024:.1f} KB) from {cache}" in cleared.stdout
    assert cache_info().modules == 0 and cache_info().size_bytes == 0
    assert entry_files(cache) == ["failed"] and entry_files(cache / "failed") == []
