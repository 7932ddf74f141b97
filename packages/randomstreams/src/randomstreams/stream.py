"""Streams: random variables whose generators advance on every call of a compiled function.

``RandomStream(seed)`` (PyTensor's argument order: parameters first, ``size=``) and
``RandomStreams(seed)`` (Theano's: ``size`` first, ``avg``/``std`` names). Each draw
gets its own shared generator, seeded from the stream's seed in order of creation,
with its update installed as the shared variable's ``default_update``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from graphcore import SharedVariable, Variable, shared
from randomstreams import basic
from randomstreams.table import DISTRIBUTIONS


class RandomStream:
    """``srng = RandomStream(seed=234); u = srng.uniform(0, 1, size=(2, 2))``."""

    def __init__(self, seed: int | None = None):
        self._seed_sequence = np.random.SeedSequence(seed)
        self.state_updates: list[tuple[SharedVariable, Variable]] = []

    def seed(self, seed: int | None = None) -> None:
        """Re-seed every generator of the stream, reproducibly, in order of creation."""
        self._seed_sequence = np.random.SeedSequence(seed)
        for rng, _ in self.state_updates:
            rng.set_value(self._next_generator(), borrow=True)

    def _next_generator(self) -> np.random.Generator:
        (child,) = self._seed_sequence.spawn(1)
        return np.random.default_rng(child)

    def gen(self, draw: Callable[..., Variable], *args: Any, **kwargs: Any) -> Variable:
        """Build ``draw(*args, rng=new shared generator, **kwargs)`` and install its update."""
        rng = shared(self._next_generator())
        out = draw(*args, rng=rng, **kwargs)
        assert out.owner is not None
        next_rng = out.owner.outputs[0]
        rng.default_update = next_rng
        self.state_updates.append((rng, next_rng))
        return out

    def choice(self, a: Any, size: Any = None, replace: bool = True, p: Any = None) -> Variable:
        return self.gen(basic.choice, a, size=size, replace=replace, p=p)

    def permutation(self, x: Any) -> Variable:
        return self.gen(basic.permutation, x)

    def __getattr__(self, name: str) -> Callable[..., Variable]:
        if name in DISTRIBUTIONS:
            function = basic.FUNCTIONS[name]
            return lambda *args, **kwargs: self.gen(function, *args, **kwargs)
        raise AttributeError(
            f"RandomStream has no distribution {name!r}; known: {sorted(DISTRIBUTIONS)}"
        )


def _size(size: Any) -> Any:
    """Theano's ``size=()`` meant "the parameters' shape"."""
    return None if size == () else size


class RandomStreams(RandomStream):
    """Theano's stream: ``size`` comes first and the normal takes ``avg`` and ``std``."""

    def uniform(
        self,
        size: Any = (),
        low: Any = 0.0,
        high: Any = 1.0,
        ndim: int | None = None,
        dtype: Any = None,
    ) -> Variable:
        return self.gen(basic.FUNCTIONS["uniform"], low, high, size=_size(size), dtype=dtype)

    def normal(
        self,
        size: Any = (),
        avg: Any = 0.0,
        std: Any = 1.0,
        ndim: int | None = None,
        dtype: Any = None,
    ) -> Variable:
        return self.gen(basic.FUNCTIONS["normal"], avg, std, size=_size(size), dtype=dtype)

    def binomial(
        self, size: Any = (), n: Any = 1, p: Any = 0.5, ndim: int | None = None, dtype: Any = None
    ) -> Variable:
        return self.gen(basic.FUNCTIONS["binomial"], n, p, size=_size(size), dtype=dtype)

    def poisson(
        self, size: Any = (), lam: Any = 1.0, ndim: int | None = None, dtype: Any = None
    ) -> Variable:
        return self.gen(basic.FUNCTIONS["poisson"], lam, size=_size(size), dtype=dtype)

    def random_integers(
        self,
        size: Any = (),
        low: Any = 0,
        high: Any = 1,
        ndim: int | None = None,
        dtype: Any = None,
    ) -> Variable:
        """Integers in [low, high], both ends included, as Theano's."""
        return self.gen(
            basic.FUNCTIONS["discrete_uniform"], low, high, size=_size(size), dtype=dtype
        )

    def choice(  # type: ignore[override]
        self,
        size: Any = (),
        a: Any = 2,
        replace: bool = True,
        p: Any = None,
        ndim: int | None = None,
        dtype: Any = None,
    ) -> Variable:
        return self.gen(basic.choice, a, size=_size(size), replace=replace, p=p)

    def permutation(
        self,
        size: Any = (),
        n: Any = 1,
        ndim: int | None = None,
        dtype: Any = None,
    ) -> Variable:
        return self.gen(basic.permutation, n)

    def multinomial(
        self,
        size: Any = (),
        n: Any = 1,
        pvals: Any = (0.5, 0.5),
        ndim: int | None = None,
        dtype: Any = None,
    ) -> Variable:
        return self.gen(basic.FUNCTIONS["multinomial"], n, pvals, size=_size(size), dtype=dtype)
