"""The linker registry: which backends are installed, and which one ``"auto"`` means.

Backends plug in without graphcore importing them: a package declares an entry
point in the group ``graphcore.linkers`` (``name = module:LinkerClass``), where the
class has ``name``, an integer ``priority`` and ``link(fgraph, layout)``; code may
also call ``register_linker``. The installed linker with the highest priority is
``"auto"``, which ``FAST_RUN`` uses.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import metadata

from graphcore.compile.program import Linker

LinkerFactory = Callable[[], Linker]

_linkers: dict[str, tuple[int, LinkerFactory]] = {}

_PROVIDERS = {"cuda": " (mode='CUDA' needs the cudagen package: pip install 'cudagen[cuda]')"}
"""Linkers of predefined modes that other packages provide: named when missing."""
_entry_points_loaded = False


def register_linker(name: str, factory: LinkerFactory, priority: int | None = None) -> None:
    """Make a linker available by ``name``; ``priority`` defaults to the factory's own."""
    if priority is None:
        priority = getattr(factory, "priority", None)
        if not isinstance(priority, int):
            raise TypeError(
                f"register_linker({name!r}): the linker {factory!r} declares no integer "
                "priority; give priority= or set a class attribute priority"
            )
    _linkers[name] = (priority, factory)


def unregister_linker(name: str) -> None:
    """Remove a linker added by ``register_linker`` (or by an entry point)."""
    _linkers.pop(name, None)


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for entry in metadata.entry_points(group="graphcore.linkers"):
        register_linker(entry.name, entry.load())


def available_linkers(min_priority: int | None = None) -> list[str]:
    """Installed linker names, highest priority first; with ``min_priority``, only those
    ranked at least that (backends have priority 0 or more; tools such as DebugMode's
    checker and toy backends asked for by name rank below)."""
    _load_entry_points()
    names = sorted(_linkers, key=lambda name: -_linkers[name][0])
    if min_priority is None:
        return names
    return [name for name in names if _linkers[name][0] >= min_priority]


def make_linker(name: str) -> Linker:
    """A linker by name; ``"auto"`` is the installed one of highest priority."""
    _load_entry_points()
    if name == "auto":
        name = available_linkers()[0]
    if name not in _linkers:
        hint = _PROVIDERS.get(name, "")
        raise ValueError(
            f"no linker named {name!r} is installed{hint}; available: {available_linkers()}"
        )
    return _linkers[name][1]()
