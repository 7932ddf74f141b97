"""Compile a small C source into a cffi module once per machine, cached on disk.

The cache folder is ``$SAMPLERS_CACHE_DIR``, else ``$XDG_CACHE_HOME/samplers`` or
``~/.cache/samplers``. An entry's key is the sha256 of the source, the cdef, the compiler's
identity and flags and the Python ABI. A build happens in a private folder and its module
is renamed into place, so concurrent processes never wait on a lock and never load a
half-written module. The newest ``KEEP`` modules of each name stay, older ones go.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from importlib.machinery import ExtensionFileLoader
from pathlib import Path
from typing import Any

# -ffp-contract=off: no fused multiply-adds, so C rounds as NumPy does after each operation.
# -D_CFFI_NO_LIMITED_API: a module is built for one Python (EXT_SUFFIX and the version are in
# its key), so it may use the whole C API (the kernel calls Python densities through it).
FLAGS = ("-O2", "-fno-math-errno", "-ffp-contract=off", "-fPIC", "-D_CFFI_NO_LIMITED_API")
EXT_SUFFIX: str = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
KEEP = 4  # modules kept per name: the cache stays bounded as sources change


class NoCompilerError(RuntimeError):
    """No C compiler, or no Python headers to compile a cffi module against."""


def cache_folder() -> Path:
    explicit = os.environ.get("SAMPLERS_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "samplers"


@functools.cache
def _compiler(cc_variable: str | None) -> tuple[list[str], str] | str:
    """(command, version line) of the compiler, or why there is none."""
    if cc_variable:
        command = shlex.split(cc_variable)
    else:
        found = next((name for name in ("cc", "gcc", "clang") if shutil.which(name)), None)
        if found is None:
            return "no C compiler found (tried $CC, cc, gcc, clang)"
        command = [found]
    if not command or shutil.which(command[0]) is None:
        return f"CC={cc_variable!r} does not name a program on PATH"
    try:
        probe = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        return f"the C compiler {command[0]!r} does not run: {error}"
    if probe.returncode != 0:
        return f"`{command[0]} --version` failed"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").exists():
        return "the Python headers (Python.h) are not installed"
    return command, (probe.stdout.strip().splitlines() or [""])[0]


def compiler_problem() -> str | None:
    """Why C modules cannot be built here, or None when they can."""
    found = _compiler(os.environ.get("CC"))
    return found if isinstance(found, str) else None


def _key(source: str, cdef: str, version: str) -> str:
    ingredients = (source, cdef, version, " ".join(FLAGS), EXT_SUFFIX, sys.version)
    return hashlib.sha256("\0".join(ingredients).encode()).hexdigest()


def _import(name: str, path: Path) -> Any:
    loader = ExtensionFileLoader(name, str(path))
    spec = importlib.util.spec_from_file_location(name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


_loaded: dict[str, Any] = {}


def load_module(source: str, cdef: str, name_hint: str) -> Any:
    """The cffi module (``.ffi``, ``.lib``) built from ``source`` declaring ``cdef``.

    Raises ``NoCompilerError`` without a toolchain, ``RuntimeError`` with the
    compiler's message when the C does not compile.
    """
    found = _compiler(os.environ.get("CC"))
    if isinstance(found, str):
        raise NoCompilerError(found)
    command, version = found
    key = _key(source, cdef, version)
    if key in _loaded:
        return _loaded[key]
    name = f"_samplers_{name_hint}_{key[:24]}"
    folder = cache_folder()
    path = folder / f"{name}{EXT_SUFFIX}"
    if path.exists():
        try:
            module = _import(name, path)
        except ImportError:
            module = None
        if module is not None:
            _loaded[key] = module
            return module
    folder.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="build-", dir=folder))
    try:
        built = _build(command, name, source, cdef, workdir)
        module = _import(name, built)  # what is published is known to load
        os.replace(built, path)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    _loaded[key] = module
    _trim(folder, name_hint, path)
    return module


def _trim(folder: Path, name_hint: str, newest: Path) -> None:
    """Keep ``newest`` and the KEEP - 1 most recent other modules of a name (other
    versions of its source)."""

    def built_at(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    others = [
        path for path in folder.glob(f"_samplers_{name_hint}_*{EXT_SUFFIX}") if path != newest
    ]
    for path in sorted(others, key=built_at)[: max(0, len(others) - (KEEP - 1))]:
        path.unlink(missing_ok=True)  # a process that loaded it keeps its mapping


def _build(command: list[str], name: str, source: str, cdef: str, workdir: Path) -> Path:
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(cdef)
    ffi.set_source(name, source, compiler_verbose=False)
    c_name = f"{name}.c"
    ffi.emit_c_code(str(workdir / c_name))
    paths = sysconfig.get_paths()
    includes = dict.fromkeys([paths["include"], paths.get("platinclude", paths["include"])])
    link = ["-bundle", "-undefined", "dynamic_lookup"] if sys.platform == "darwin" else ["-shared"]
    so_name = name + EXT_SUFFIX
    compile_command = [
        *command, *FLAGS, *link,
        *[flag for folder in includes for flag in ("-I", folder)],
        c_name, "-o", so_name, "-lm",
    ]  # fmt: skip
    result = subprocess.run(
        compile_command, cwd=workdir, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        kept = workdir.parent / "failed" / c_name
        kept.parent.mkdir(exist_ok=True)
        os.replace(workdir / c_name, kept)
        message = "\n".join(result.stderr.strip().splitlines()[:40])
        raise RuntimeError(f"C compilation failed; source kept at {kept}\n{message}")
    return workdir / so_name
