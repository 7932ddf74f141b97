"""A per-user disk cache of compiled C modules, keyed by content, written by atomic rename.

Layout of ``<config.cache_dir>/c/``: one entry per key, three files, ``<key><EXT_SUFFIX>``
(the module), ``<key>.c`` (the generated C, for reading) and ``<key>.json`` (metadata:
the module's sha256 and size, the key's ingredients, when it was made). ``failed/<key>.c``
keeps the C of a failed build; ``build-*`` folders are builds in progress.

No lock: each build happens in its own temporary folder and its files are renamed into
place, module first, metadata last. A reader trusts nothing it has not checked: it loads
a module only when its bytes match the digest in the metadata, so a missing, truncated or
damaged file (a crash, a disk full, a concurrent writer) means a rebuild, never a load.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import logging
import os
import platform
import re
import shutil
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass, field
from importlib.machinery import ExtensionFileLoader
from pathlib import Path
from types import ModuleType
from typing import Any

import _cffi_backend
import numpy

from ccodegen.build import CCompileError, build_extension, find_compiler
from graphcore.config import config

logger = logging.getLogger("ccodegen.cache")

# Bump when the layout or what a key means changes: old entries are then never read.
FORMAT = 1
EXT_SUFFIX: str = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
# A build folder this old belongs to a process that died; trimming removes it.
STALE_BUILD_SECONDS = 3600
_KEY = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class CompiledModule:
    """A loaded cffi module: call C through ``lib``, convert arrays through ``ffi``."""

    ffi: Any
    lib: Any
    key: str
    path: Path


@dataclass
class CacheStats:
    """What ``load_module`` did in this process (tests and curious users read it)."""

    memo_hits: int = 0
    disk_hits: int = 0
    builds: int = 0
    rejected: int = 0  # entries found invalid on disk, then rebuilt


stats = CacheStats()
# (cache folder, key) -> module loaded in this process; also what trimming must not delete.
_memo: dict[tuple[str, str], CompiledModule] = {}
# The same, by the caller's own texts: a repeated call skips normalizing and hashing.
_memo_by_text: dict[tuple[str, str, str, str, str | None], CompiledModule] = {}


def cache_folder() -> Path:
    """Where compiled modules live now: ``config.cache_dir`` + ``c/`` (read at each call)."""
    return Path(os.path.expanduser(config.cache_dir)) / "c"


def normalize_source(text: str) -> str:
    """One spelling per program: ``\\n`` newlines, no trailing blanks, one final newline."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@functools.cache
def _environment(cc_variable: str | None) -> str:
    """Everything besides the text that decides the bytes of a module, as canonical JSON."""
    del cc_variable  # the cache key: find_compiler reads CC itself
    return json.dumps(
        {
            "format": FORMAT,
            **find_compiler().identity(),
            "cffi": _cffi_backend.__version__,
            "numpy": numpy.__version__,  # generated code reads NumPy's array struct
            "ext_suffix": EXT_SUFFIX,
            "cache_tag": sys.implementation.cache_tag,
            "platform": sysconfig.get_platform(),
            "machine": platform.machine(),
        },
        sort_keys=True,
    )


def _hint(name_hint: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name_hint)[:40] or "module"


def _ingredients(source: str, cdef: str, hint: str) -> dict[str, Any]:
    return {
        "environment": json.loads(_environment(os.environ.get("CC"))),
        "source_sha256": _sha256(source),
        "cdef_sha256": _sha256(cdef),
        "name_hint": hint,
    }


def _key(source: str, cdef: str, hint: str) -> str:
    """sha256 over the normalized texts, the hint and the environment (compiler, flags, ABI)."""
    environment = _environment(os.environ.get("CC"))
    return _sha256("\n".join((environment, hint, _sha256(source), _sha256(cdef))))


def cache_key(source: str, cdef: str, *, name_hint: str = "graph") -> str:
    """The key ``load_module`` files these texts under (same inputs, same key, any process)."""
    return _key(normalize_source(source), normalize_source(cdef), _hint(name_hint))


def _module_name(hint: str, key: str) -> str:
    # The module's init symbol is named after it, so it must be unique per key.
    return f"_ccodegen_{hint}_{key[:32]}"


def _so_path(folder: Path, key: str) -> Path:
    return folder / f"{key}{EXT_SUFFIX}"


def _import(module_name: str, path: Path) -> ModuleType:
    loader = ExtensionFileLoader(module_name, str(path))
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _reject(key: str, reason: str) -> None:
    stats.rejected += 1
    logger.warning("ccodegen cache: entry %s %s; rebuilding it", key[:16], reason)


def _load_entry(folder: Path, key: str, module_name: str) -> CompiledModule | None:
    """The cached module for ``key`` if its bytes check out, else None (rebuild)."""
    meta_path = folder / f"{key}.json"
    try:
        meta = json.loads(meta_path.read_bytes())
        digest, size = meta["so_sha256"], meta["so_size"]
        if meta["key"] != key:
            raise ValueError("metadata of another key")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        _reject(key, "has unreadable metadata")
        return None
    so_path = _so_path(folder, key)
    try:
        data = so_path.read_bytes()
    except OSError:
        _reject(key, "lost its module file")
        return None
    if len(data) != size or _sha256(data) != digest:
        _reject(key, "has a damaged module file")
        return None
    try:
        module = _import(module_name, so_path)
    except (ImportError, OSError):
        # Deleted between the check and the load (a concurrent clear), or unloadable.
        _reject(key, "does not load")
        return None
    with contextlib.suppress(OSError):
        os.utime(meta_path)  # the metadata's mtime is the entry's last use
    stats.disk_hits += 1
    return CompiledModule(module.ffi, module.lib, key, so_path)


def _build_entry(
    folder: Path, key: str, module_name: str, source: str, cdef: str, hint: str
) -> CompiledModule:
    """Compile in a private folder, check the module loads, then rename it into place."""
    folder.mkdir(parents=True, exist_ok=True)
    failed_c = folder / "failed" / f"{key}.c"
    workdir = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
    try:
        started = time.perf_counter()
        built = build_extension(module_name, source, cdef, workdir, keep_failed=failed_c)
        seconds = time.perf_counter() - started
        data = built.read_bytes()
        # Load before publishing: what is published is known to load. The loaded inode
        # is the one renamed into place below.
        try:
            module = _import(module_name, built)
        except ImportError as error:
            failed_c.parent.mkdir(exist_ok=True)
            os.replace(workdir / f"{module_name}.c", failed_c)
            raise CCompileError(
                f"the compiled module does not load: {error}; generated C kept at {failed_c}",
                c_path=failed_c,
            ) from error
        so_path = _so_path(folder, key)
        os.replace(built, so_path)
        os.replace(workdir / f"{module_name}.c", folder / f"{key}.c")
        meta = {
            "key": key,
            "module": module_name,
            "so_sha256": _sha256(data),
            "so_size": len(data),
            "created": time.time(),
            "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_seconds": round(seconds, 4),
            "ingredients": _ingredients(source, cdef, hint),
        }
        staged = workdir / "meta.json"
        staged.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
        os.replace(staged, folder / f"{key}.json")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    failed_c.unlink(missing_ok=True)
    stats.builds += 1
    logger.debug("ccodegen cache: built %s in %.3f s", key[:16], seconds)
    return CompiledModule(module.ffi, module.lib, key, so_path)


def load_module(source: str, cdef: str, *, name_hint: str = "graph") -> CompiledModule:
    """The cffi module compiled from C ``source`` exposing the functions declared in ``cdef``.

    Looked up in this process, then in the disk cache, built only when neither has it.
    Raises ``CCompileError`` when the C does not compile, ``CompilerNotFound`` without a
    C toolchain.
    """
    # Strings, not Paths, on this path: a repeated call should cost about a dict lookup.
    folder = os.path.join(os.path.expanduser(config.cache_dir), "c")
    text_key = (folder, source, cdef, name_hint, os.environ.get("CC"))
    compiled = _memo_by_text.get(text_key)
    if compiled is not None:
        stats.memo_hits += 1
        return compiled
    compiled = _load_normalized(Path(folder), source, cdef, name_hint)
    _memo_by_text[text_key] = compiled
    return compiled


def _load_normalized(folder: Path, source: str, cdef: str, name_hint: str) -> CompiledModule:
    source, cdef, hint = normalize_source(source), normalize_source(cdef), _hint(name_hint)
    key = _key(source, cdef, hint)
    memo_key = (str(folder), key)
    compiled = _memo.get(memo_key)
    if compiled is not None:
        stats.memo_hits += 1
        return compiled
    module_name = _module_name(hint, key)
    compiled = _load_entry(folder, key, module_name)
    if compiled is not None:
        _memo[memo_key] = compiled
        return compiled
    compiled = _build_entry(folder, key, module_name, source, cdef, hint)
    _memo[memo_key] = compiled
    trim_cache()
    return compiled


def forget_loaded() -> None:
    """Drop this process's memo (modules stay loaded; the next load reads the disk)."""
    _memo.clear()
    _memo_by_text.clear()


@dataclass
class _Entry:
    """The files of one key (or one kept failure) and when it was last used."""

    name: str
    files: list[Path] = field(default_factory=list)
    size: int = 0
    last_used: float = 0.0
    has_metadata: bool = False

    def remove(self) -> int:
        """Delete the files, metadata first (readers then see a miss); return bytes freed."""
        freed = 0
        for path in sorted(self.files, key=lambda path: path.suffix != ".json"):
            try:
                size = path.stat().st_size
                path.unlink()
                freed += size
            except OSError:
                pass  # another process removed it first
        return freed


def _scan(folder: Path) -> list[_Entry]:
    entries: dict[str, _Entry] = {}

    def add(name: str, path: Path) -> None:
        try:
            status = path.stat()
        except OSError:
            return
        entry = entries.setdefault(name, _Entry(name))
        entry.files.append(path)
        entry.size += status.st_size
        if path.suffix == ".json":
            entry.has_metadata, entry.last_used = True, status.st_mtime
        elif not entry.has_metadata:
            entry.last_used = max(entry.last_used, status.st_mtime)

    for path in _listing(folder):
        stem = path.name.partition(".")[0]
        if path.is_file() and _KEY.fullmatch(stem):
            add(stem, path)
    for path in _listing(folder / "failed"):
        if path.is_file():
            add(f"failed/{path.name}", path)
    return list(entries.values())


def _listing(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _remove_stale_builds(folder: Path, older_than: float) -> None:
    now = time.time()
    for path in _listing(folder):
        if not path.name.startswith("build-") or not path.is_dir():
            continue
        try:
            if now - path.stat().st_mtime > older_than:
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass


def trim_cache(max_bytes: int | None = None) -> int:
    """Delete least-recently-used entries until the cache fits; return the bytes freed.

    The bound is ``config.cache_size_limit_mb`` unless ``max_bytes`` is given. Entries
    loaded in this process are kept whatever their age.
    """
    folder = cache_folder()
    limit = config.cache_size_limit_mb * 2**20 if max_bytes is None else max_bytes
    _remove_stale_builds(folder, STALE_BUILD_SECONDS)
    entries = _scan(folder)
    total = sum(entry.size for entry in entries)
    loaded = {key for where, key in _memo if where == str(folder)}
    freed = 0
    for entry in sorted(entries, key=lambda entry: entry.last_used):
        if total - freed <= limit:
            break
        if entry.name not in loaded:
            freed += entry.remove()
    return freed


@dataclass(frozen=True)
class CacheInfo:
    """A summary of the cache folder."""

    folder: Path
    modules: int
    failed: int
    size_bytes: int
    bound_bytes: int


def cache_info() -> CacheInfo:
    folder = cache_folder()
    entries = _scan(folder)
    return CacheInfo(
        folder=folder,
        modules=sum(entry.has_metadata for entry in entries),
        failed=sum(entry.name.startswith("failed/") for entry in entries),
        size_bytes=sum(entry.size for entry in entries),
        bound_bytes=config.cache_size_limit_mb * 2**20,
    )


def clear_cache() -> int:
    """Remove every entry and kept failure; return how many modules were removed.

    Safe beside running processes: builds in progress keep their folders and publish
    afterwards, and a module already loaded elsewhere stays loaded.
    """
    folder = cache_folder()
    entries = _scan(folder)
    for entry in entries:
        entry.remove()
    _remove_stale_builds(folder, STALE_BUILD_SECONDS)
    return sum(entry.has_metadata for entry in entries)
