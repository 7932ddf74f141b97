"""Settings: set in code (``config.floatX = "float32"``), for a block (``config.change_flags``),
or for a process by ``GRAPHCORE_FLAGS="floatX=float32,mode=FAST_COMPILE"``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Flag:
    """One setting: its default, how a string from the environment is parsed, what it means."""

    default: Any
    parse: Callable[[str], Any]
    doc: str
    choices: tuple[Any, ...] | None = None


def _parse_bool(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected a boolean (true/false), got {text!r}")


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "graphcore")


FLAGS: dict[str, Flag] = {
    "floatX": Flag(
        "float64",
        str,
        "dtype of pt.scalar/vector/matrix and of float constants",
        ("float64", "float32", "float16"),
    ),
    "mode": Flag("FAST_RUN", str, "the compile mode used when function() is given none"),
    "cache_dir": Flag(_default_cache_dir(), str, "where compiled modules are cached"),
    "on_unused_input": Flag(
        "raise",
        str,
        "what function() does with an input the outputs do not use",
        ("raise", "warn", "ignore"),
    ),
    "compute_test_value": Flag(
        "off", str, "kept for old code; test values are not computed", ("off",)
    ),
    "cache_size_limit_mb": Flag(512, int, "the compiled-module cache is trimmed above this size"),
}


class Config:
    """The process's settings; unknown names and invalid values raise at once."""

    def __init__(self, environment: str | None = None):
        object.__setattr__(self, "_values", {name: flag.default for name, flag in FLAGS.items()})
        if environment:
            self._apply_environment(environment)

    def _apply_environment(self, text: str) -> None:
        for item in filter(None, (part.strip() for part in text.split(","))):
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"GRAPHCORE_FLAGS: expected name=value, got {item!r}")
            name = name.strip()
            if name not in FLAGS:
                raise ValueError(f"GRAPHCORE_FLAGS: unknown flag {name!r}; known: {sorted(FLAGS)}")
            setattr(self, name, FLAGS[name].parse(value.strip()))

    def __getattr__(self, name: str) -> Any:
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        raise AttributeError(f"config has no flag {name!r}; known flags: {sorted(values)}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in FLAGS:
            raise AttributeError(f"config has no flag {name!r}; known flags: {sorted(FLAGS)}")
        choices = FLAGS[name].choices
        if choices is not None and value not in choices:
            raise ValueError(f"config.{name} must be one of {list(choices)}, got {value!r}")
        self._values[name] = value

    @contextmanager
    def change_flags(self, **changes: Any) -> Iterator[None]:
        """Set flags for the duration of a ``with`` block."""
        saved = {name: getattr(self, name) for name in changes}
        try:
            for name, value in changes.items():
                setattr(self, name, value)
            yield
        finally:
            for name, value in saved.items():
                setattr(self, name, value)

    def __repr__(self) -> str:
        return "\n".join(f"{name} = {value!r}" for name, value in self._values.items())


config = Config(os.environ.get("GRAPHCORE_FLAGS"))
