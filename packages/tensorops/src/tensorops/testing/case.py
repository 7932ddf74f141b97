"""One row of the op table: how to build an op's graph, what NumPy/SciPy says it computes,
and how to make valid inputs. The same rows drive the value, shape, gradient and
backend-equality checks of every package."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ValueMaker = Callable[[np.random.Generator], Any]


@dataclass(frozen=True)
class OpCase:
    """A concrete check: ``build(*symbolic_inputs)`` must equal ``reference(*values)``.

    - ``inputs``: one value maker per input (``rng -> ndarray``); symbolic inputs of
      the values' dtype and ndim are created from them (static shapes left open
      unless ``static_shapes``).
    - ``grad``: whether the output is differentiable in its float inputs (autodiff
      checks it by finite differences); ``grad_inputs`` restricts which inputs.
    - ``constant_inputs``: positions passed to ``build`` as the raw values, for
      arguments that must be known at build time (axes, shapes, indices).
    """

    name: str
    build: Callable[..., Any]
    reference: Callable[..., Any]
    inputs: Sequence[ValueMaker]
    grad: bool = True
    grad_inputs: tuple[int, ...] | None = None
    second_order: bool = True
    constant_inputs: tuple[int, ...] = ()
    static_shapes: bool = False
    rtol: float | None = None
    atol: float | None = None
    tags: frozenset[str] = field(default_factory=frozenset)

    def values(self, seed: int = 0) -> list[Any]:
        """Fresh input values from a seeded generator (the same seed, the same values)."""
        rng = np.random.default_rng(seed)
        return [make(rng) for make in self.inputs]

    def __str__(self) -> str:
        return self.name
