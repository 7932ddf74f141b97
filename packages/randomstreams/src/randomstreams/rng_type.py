"""The type of random generators in graphs: NumPy ``Generator``s, usually in shared variables."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from graphcore import SharedVariable, Type, shared_constructor


class RandomGeneratorType(Type):
    """Values are ``numpy.random.Generator`` objects."""

    # A function that replaces a shared generator by its update may advance it in place
    # (the rewriter's inplace pass): nobody reads a generator's bits but the draws.
    update_in_place = True

    def filter(self, value: Any, strict: bool = False, allow_downcast: bool | None = None) -> Any:
        if isinstance(value, np.random.Generator):
            return value
        raise TypeError(
            f"expected a numpy.random.Generator (np.random.default_rng(seed)), "
            f"got {type(value).__name__}"
        )

    def values_eq(self, a: Any, b: Any) -> bool:
        return bool(a.bit_generator.state == b.bit_generator.state)

    def value_key(self, value: Any) -> Any:
        return id(value)

    def __str__(self) -> str:
        return "RandomGeneratorType"


random_generator_type = RandomGeneratorType()


class RandomGeneratorSharedVariable(SharedVariable):
    """A shared generator: each compiled function that updates it draws on from its state."""

    __slots__ = ()


@shared_constructor
def generator_shared(
    value: Any,
    name: str | None = None,
    strict: bool = False,
    allow_downcast: bool | None = None,
    borrow: bool = False,
) -> RandomGeneratorSharedVariable:
    """``shared(np.random.default_rng(seed))``: a shared random generator."""
    if not isinstance(value, np.random.Generator):
        raise TypeError("not a Generator")
    return RandomGeneratorSharedVariable(random_generator_type, value, name, borrow=borrow)


def copy_generator(rng: np.random.Generator) -> np.random.Generator:
    """An independent generator in the same state (so drawing leaves ``rng`` untouched)."""
    return copy.deepcopy(rng)
