"""Turn C source into a cffi extension module: find the compiler, emit the C, compile it."""

from __future__ import annotations

import functools
import os
import platform
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import numpy

# Kept readable: the first lines of a compiler's complaint say what went wrong.
ERROR_LINES = 40

# -ffp-contract=off: no fused multiply-adds where the source has a multiply and an add.
# NumPy rounds after each operation, and with -march=native's FMA the same C formula would
# round differently: results drift from the Python backend's, by thousands of ulp where a
# formula cancels (SciPy's lgamma near its roots).
BASE_FLAGS = ("-O3", "-fno-math-errno", "-fno-trapping-math", "-ffp-contract=off", "-fPIC")


class CCompileError(RuntimeError):
    """The C compiler rejected a module (or the result would not load).

    ``c_path`` is the generated C file kept for the reader, ``stderr`` the compiler's output.
    """

    def __init__(self, message: str, *, c_path: Path | None = None, stderr: str = ""):
        super().__init__(message)
        self.c_path = c_path
        self.stderr = stderr


class CompilerNotFound(CCompileError):  # noqa: N818 (the name the API promises)
    """No usable C toolchain: no compiler, or no Python headers to compile against."""


@dataclass(frozen=True)
class Compiler:
    """The command that compiles, and what identifies its output (for the cache key)."""

    command: tuple[str, ...]
    path: str
    version: str
    flags: tuple[str, ...]
    cpu: str

    def identity(self) -> dict[str, object]:
        return {
            "compiler": self.version,
            "compiler_path": self.path,
            "flags": list(self.flags),
            "cpu": self.cpu,
        }


def _native_flags() -> tuple[str, ...]:
    """Tune for this CPU: the cache is per machine, and the CPU is part of the key.

    Only on x86-64, where gcc and clang both accept ``-march=native``; elsewhere the
    spelling differs between compilers, so the portable baseline is used.
    """
    if platform.machine().lower() in {"x86_64", "amd64"}:
        return ("-march=native",)
    return ()


def _link_flags() -> tuple[str, ...]:
    if sys.platform == "darwin":
        # Python symbols come from the interpreter that loads the module.
        return ("-bundle", "-undefined", "dynamic_lookup")
    return ("-shared",)


def _cpu_identity() -> str:
    """What ``-march=native`` compiles for: model and feature flags of this CPU.

    A cache shared between machines (a home directory on a cluster) must not hand
    AVX-512 code to a CPU without it.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            fields: dict[str, str] = {}
            for line in cpuinfo:
                if not line.strip():
                    break
                name, _, value = line.partition(":")
                fields[name.strip()] = value.strip()
        described = " | ".join(
            fields.get(name, "") for name in ("vendor_id", "model name", "flags", "Features")
        )
        if described.strip(" |"):
            return described
    except OSError:
        pass
    return f"{platform.machine()} {platform.processor()}"


def _probe(cc_variable: str | None) -> Compiler:
    """The compiler named by ``CC`` (if set) or the first of cc, gcc, clang on PATH."""
    if cc_variable:
        command = shlex.split(cc_variable)
        if not command or shutil.which(command[0]) is None:
            raise CompilerNotFound(
                f"CC={cc_variable!r} does not name a program on PATH; "
                "set CC to a C compiler or unset it to use cc/gcc/clang"
            )
    else:
        found = next((name for name in ("cc", "gcc", "clang") if shutil.which(name)), None)
        if found is None:
            raise CompilerNotFound(
                "no C compiler found (tried CC, cc, gcc, clang on PATH); install one "
                "(e.g. `apt install gcc`) or set CC; graphs still run on the Python backend"
            )
        command = [found]
    executable = shutil.which(command[0])
    assert executable is not None
    try:
        probe = subprocess.run(
            [*command, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise CompilerNotFound(f"the C compiler {command[0]!r} does not run: {error}") from error
    if probe.returncode != 0:
        raise CompilerNotFound(
            f"`{shlex.join([*command, '--version'])}` failed: {probe.stderr.strip()[:500]}"
        )
    header = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not header.exists():
        raise CompilerNotFound(
            f"Python headers not found ({header}); install them (e.g. python3-dev) "
            "to compile C modules; graphs still run on the Python backend"
        )
    version = (probe.stdout.strip().splitlines() or [""])[0]
    flags = (*BASE_FLAGS, *_native_flags(), *_link_flags())
    return Compiler(tuple(command), os.path.realpath(executable), version, flags, _cpu_identity())


@functools.cache
def _probe_once(cc_variable: str | None) -> Compiler | CompilerNotFound:
    try:
        return _probe(cc_variable)
    except CompilerNotFound as error:
        return error


def find_compiler() -> Compiler:
    """The C compiler for this process (probed once per value of ``CC``).

    Raises ``CompilerNotFound`` when there is none.
    """
    found = _probe_once(os.environ.get("CC"))
    if isinstance(found, CompilerNotFound):
        raise CompilerNotFound(str(found))
    return found


def have_c_compiler() -> bool:
    """Whether C modules can be built here (answered once per value of ``CC``)."""
    return isinstance(_probe_once(os.environ.get("CC")), Compiler)


def _include_flags() -> list[str]:
    paths = sysconfig.get_paths()
    # Python's headers, and NumPy's: generated code reads NumPy arrays' fields directly.
    folders = dict.fromkeys(
        [paths["include"], paths.get("platinclude", paths["include"]), numpy.get_include()]
    )
    return [flag for folder in folders for flag in ("-I", folder)]


def _readable(stderr: str, c_name: str, kept: Path) -> str:
    """The compiler's first lines, pointing at the kept C file instead of the temporary one."""
    lines = stderr.replace(c_name, str(kept)).strip().splitlines()
    shown = lines[:ERROR_LINES]
    if len(lines) > ERROR_LINES:
        shown.append(f"... ({len(lines) - ERROR_LINES} more lines)")
    return "\n".join(shown)


def build_extension(
    module_name: str, source: str, cdef: str, workdir: Path, *, keep_failed: Path
) -> Path:
    """Compile ``source`` as the cffi module ``module_name`` inside ``workdir``; return the .so.

    On failure the generated C is moved to ``keep_failed`` and ``CCompileError`` names it.
    """
    compiler = find_compiler()
    import cffi

    ffi = cffi.FFI()
    try:
        ffi.cdef(cdef)
    except (cffi.CDefError, cffi.FFIError) as error:
        raise CCompileError(f"the cdef does not parse: {error}\ncdef:\n{cdef}") from error
    # compiler_verbose reaches cffi's recompile(): it would print "generating <file>".
    ffi.set_source(module_name, source, compiler_verbose=False)
    c_name = f"{module_name}.c"
    so_name = module_name + sysconfig.get_config_var("EXT_SUFFIX")
    ffi.emit_c_code(str(workdir / c_name))
    # Relative names from inside workdir: the output does not depend on the folder's name.
    command = [*compiler.command, *compiler.flags, *_include_flags(), c_name, "-o", so_name, "-lm"]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        keep_failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(workdir / c_name, keep_failed)
        message = _readable(result.stderr, c_name, keep_failed)
        raise CCompileError(
            f"C compilation failed (exit {result.returncode}); generated C kept at "
            f"{keep_failed}\n{message}",
            c_path=keep_failed,
            stderr=result.stderr,
        )
    return workdir / so_name
