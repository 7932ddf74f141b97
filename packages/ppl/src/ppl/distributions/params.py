"""Binding a distribution's arguments: PyMC's spellings, aliases and defaults.

A distribution declares its parameters as ``"mu=0.0 sigma=1.0"`` (a name without
``=`` is required) and its aliases as ``{"sd": Alias("sigma"), "tau": Alias("sigma",
precision_to_sigma)}``. ``bind`` turns ``(args, kwargs)`` into one value per declared
parameter, or raises a ``TypeError`` that names the distribution and lists the
accepted keywords.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import tensorops as pt

REQUIRED = object()


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Alias:
    """Another name for ``target``; ``convert`` maps the alias's value to the target's."""

    target: str
    convert: Callable[[Any], Any] = field(default=_same)


def precision_to_sigma(tau: Any) -> Any:
    return 1.0 / pt.sqrt(pt.as_tensor(tau))


def inverse(value: Any) -> Any:
    return 1.0 / pt.as_tensor(value)


SIGMA = {"sd": Alias("sigma"), "tau": Alias("sigma", precision_to_sigma)}
"""``sd=`` (old name) and ``tau=`` (precision) for ``sigma``."""


def parse(spec: str) -> tuple[tuple[str, Any], ...]:
    """``"mu=0.0 sigma"`` -> ``(("mu", 0.0), ("sigma", REQUIRED))``."""
    parsed = []
    for item in spec.split():
        key, sep, default = item.partition("=")
        value: Any = REQUIRED
        if sep:
            value = None if default == "None" else float(default)
        parsed.append((key, value))
    return tuple(parsed)


def bind(
    owner: str,
    params: tuple[tuple[str, Any], ...],
    aliases: Mapping[str, Alias],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[str, Any]:
    """One value per parameter of ``params`` (None for an optional one not given)."""
    names = [name for name, _ in params]
    if len(args) > len(names):
        raise TypeError(
            f"{owner} takes at most {len(names)} positional parameters ({', '.join(names)}), "
            f"got {len(args)}"
        )
    values: dict[str, Any] = dict(zip(names, args, strict=False))
    given_as: dict[str, str] = {name: name for name in values}
    for key, value in kwargs.items():
        if key in names:
            target, converted = key, value
        elif key in aliases:
            alias = aliases[key]
            target, converted = alias.target, (None if value is None else alias.convert(value))
        else:
            accepted = sorted([*names, *aliases])
            raise TypeError(
                f"{owner} got an unknown parameter {key!r}; it accepts {', '.join(accepted)}"
            )
        if value is None:
            continue
        if target in values and values[target] is not None:
            raise TypeError(
                f"{owner}: {given_as[target]!r} and {key!r} both set {target!r}; give one"
            )
        values[target] = converted
        given_as[target] = key
    bound: dict[str, Any] = {}
    for name, default in params:
        value = values.get(name)
        if value is None:
            if default is REQUIRED:
                spellings = [name, *(a for a, alias in aliases.items() if alias.target == name)]
                raise TypeError(f"{owner} needs a value for {' or '.join(map(repr, spellings))}")
            value = default
        bound[name] = value
    return bound
