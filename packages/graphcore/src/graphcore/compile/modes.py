"""Compile modes: which rewrites run and which linker runs the result.

Backends (see ``linkers.py``) and rewrite pipelines plug in from other packages
through entry points, never by graphcore importing them:

- group ``graphcore.rewrites``: ``name = module:build``, where
  ``build(query: RewriteQuery)`` returns a callable that rewrites a
  ``FunctionGraph`` in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any

from graphcore.compile.debug import DebugLinker
from graphcore.compile.linkers import register_linker
from graphcore.compile.nanguard import NanGuardLinker
from graphcore.compile.vm import PythonLinker
from graphcore.config import config
from graphcore.fgraph import FunctionGraph

for _linker in (PythonLinker, DebugLinker, NanGuardLinker):
    register_linker(_linker.name, _linker)


@dataclass(frozen=True)
class RewriteQuery:
    """Which rewrites to run: those tagged with any of ``include``, minus ``exclude``."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    require: tuple[str, ...] = ()


GraphRewrite = Callable[[FunctionGraph], Any]
PipelineBuilder = Callable[[RewriteQuery], GraphRewrite]

_pipelines: list[PipelineBuilder] = []
_entry_points_loaded = False


def register_rewrites(build: PipelineBuilder) -> None:
    """Add a rewrite pipeline builder; every mode's query is passed to each builder."""
    if build not in _pipelines:
        _pipelines.append(build)


def unregister_rewrites(build: PipelineBuilder) -> None:
    """Remove a pipeline builder added by ``register_rewrites``."""
    if build in _pipelines:
        _pipelines.remove(build)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in metadata.entry_points(group="graphcore.rewrites"):
        register_rewrites(entry.load())


def rewrite_pipeline(query: RewriteQuery | None) -> GraphRewrite:
    """The installed rewrites for ``query``, chained; a no-op when none is installed."""
    _load_entry_points()
    if query is None:
        return _no_rewrites
    stages = [build(query) for build in _pipelines]

    def rewrite(fgraph: FunctionGraph) -> None:
        for stage in stages:
            stage(fgraph)

    return rewrite


def _no_rewrites(fgraph: FunctionGraph) -> None:
    return None


@dataclass(frozen=True)
class Mode:
    """A rewrite query and a linker name. ``Mode(linker="py", optimizer="fast_compile")``."""

    linker: str = "auto"
    optimizer: RewriteQuery | None = RewriteQuery(include=("fast_run",))
    name: str = "Mode"

    def including(self, *tags: str) -> Mode:
        base = self.optimizer or RewriteQuery()
        return replace(self, optimizer=replace(base, include=base.include + tags))

    def excluding(self, *tags: str) -> Mode:
        base = self.optimizer or RewriteQuery()
        return replace(self, optimizer=replace(base, exclude=base.exclude + tags))

    def requiring(self, *tags: str) -> Mode:
        base = self.optimizer or RewriteQuery()
        return replace(self, optimizer=replace(base, require=base.require + tags))


PREDEFINED_MODES: dict[str, Mode] = {
    "FAST_RUN": Mode("auto", RewriteQuery(include=("fast_run",)), "FAST_RUN"),
    "FAST_COMPILE": Mode("py", RewriteQuery(include=("fast_compile",)), "FAST_COMPILE"),
    "DebugMode": Mode("debug", RewriteQuery(include=("fast_run",)), "DebugMode"),
    "DEBUG_MODE": Mode("debug", RewriteQuery(include=("fast_run",)), "DebugMode"),
    "NanGuardMode": Mode("nanguard", RewriteQuery(include=("fast_run",)), "NanGuardMode"),
    "NO_REWRITES": Mode("auto", None, "NO_REWRITES"),
    # cudagen's linker: FAST_RUN's graph on an NVIDIA GPU.
    "CUDA": Mode("cuda", RewriteQuery(include=("fast_run",)), "CUDA"),
}


def get_mode(mode: str | Mode | None) -> Mode:
    """A ``Mode`` from a mode, a predefined mode's name, or ``None`` (``config.mode``)."""
    if mode is None:
        mode = config.mode
    if isinstance(mode, Mode):
        return mode
    if isinstance(mode, str):
        if mode in PREDEFINED_MODES:
            return PREDEFINED_MODES[mode]
        raise ValueError(f"unknown mode {mode!r}; known modes: {sorted(PREDEFINED_MODES)}")
    raise TypeError(f"mode must be a Mode, a mode name or None, got {mode!r}")
