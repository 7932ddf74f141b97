"""nvcc: generated modules compiled to PTX or cubin, cached on disk.

The cache (``$CUDAGEN_CACHE_DIR``, else ``~/.cache/cudagen``) holds one file per key,
``<key>.ptx`` or ``<key>.cubin``; the key is a hash of the source, nvcc's version, the
architecture, the output kind and the flags, so a new toolkit or flag never reads an
old entry. Each build runs in a private temporary folder inside the cache and its
output is renamed into place (atomic on one file system): readers see a whole file or
none, and concurrent builders of one key just both rename the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1
"""Bump when what a key means changes."""

FLAGS = ("-std=c++17", "-O3", "-diag-suppress=177")
"""No fast math: results follow NumPy's within the op table's tolerances."""

DATA_CENTRE_ARCHS = ("sm_80", "sm_90", "sm_100")
"""A100, H100/H200, B200: compiled for when nvcc knows them."""


class NvccError(RuntimeError):
    """nvcc is missing or refused a module (the message holds its diagnostics)."""


@dataclass(frozen=True)
class Toolkit:
    path: str
    version: str
    archs: tuple[str, ...]
    """Real architectures nvcc compiles for (``sm_80`` ...)."""


def find_nvcc() -> str | None:
    """``$CUDAGEN_NVCC``, else nvcc on the PATH, else the toolkit's usual place."""
    named = os.environ.get("CUDAGEN_NVCC")
    if named:
        return named
    found = shutil.which("nvcc")
    if found:
        return found
    usual = Path("/usr/local/cuda/bin/nvcc")
    return str(usual) if usual.exists() else None


@functools.cache
def toolkit() -> Toolkit:
    """nvcc's path, version and architectures (an ``NvccError`` when there is none)."""
    path = find_nvcc()
    if path is None:
        raise NvccError(
            "cudagen: nvcc was not found (install the CUDA toolkit or set CUDAGEN_NVCC)"
        )
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)
        listed = subprocess.run(
            [path, "--list-gpu-arch"], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError) as error:
        raise NvccError(f"cudagen: {path} does not run: {error}") from error
    release = re.search(r"V(\d+\.\d+\.\d+)", version.stdout)
    archs = tuple(f"sm_{number}" for number in re.findall(r"compute_(\d+)", listed.stdout))
    return Toolkit(path, release.group(1) if release else version.stdout.strip(), archs)


def data_centre_archs() -> tuple[str, ...]:
    """The architectures of current data-centre GPUs that this nvcc compiles for."""
    known = toolkit().archs
    return tuple(arch for arch in DATA_CENTRE_ARCHS if arch in known)


def cache_dir() -> Path:
    folder = Path(os.environ.get("CUDAGEN_CACHE_DIR") or Path.home() / ".cache" / "cudagen")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cache_key(source: str, arch: str, kind: str) -> str:
    ingredients = "\0".join([str(FORMAT), toolkit().version, arch, kind, *FLAGS, source])
    return hashlib.sha256(ingredients.encode()).hexdigest()


def compile_module(source: str, arch: str, kind: str = "ptx") -> bytes:
    """The module compiled for ``arch`` (``sm_90``) as ``kind`` (``ptx`` or ``cubin``),
    from the cache when it holds it."""
    if kind not in ("ptx", "cubin"):
        raise ValueError(f"cudagen: compile_module makes 'ptx' or 'cubin', not {kind!r}")
    if not re.fullmatch(r"sm_\d+a?", arch):
        raise ValueError(f"cudagen: an architecture is named like 'sm_90', got {arch!r}")
    folder = cache_dir()
    target = folder / f"{cache_key(source, arch, kind)}.{kind}"
    if target.exists():
        return target.read_bytes()
    with tempfile.TemporaryDirectory(prefix="build-", dir=folder) as private:
        cu = Path(private) / "module.cu"
        cu.write_text(source)
        out = Path(private) / f"module.{kind}"
        command = [toolkit().path, f"--{kind}", f"-arch={arch}", *FLAGS, "-o", str(out), str(cu)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            kept = folder / "failed"
            kept.mkdir(exist_ok=True)
            failed = kept / f"{target.stem}.cu"
            shutil.copyfile(cu, failed)
            raise NvccError(
                f"cudagen: nvcc failed for {arch} (the source is kept in {failed}):\n"
                + done.stderr[-6000:]
            )
        os.replace(out, target)
    return target.read_bytes()
