"""Points as named blocks of variables, and their layout on a flat float64 vector."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Point = dict[str, NDArray]
"""The state of a chain: one array per named block."""

DEFAULT_BLOCK_NAME = "x"


@dataclass(frozen=True)
class Block:
    """One named variable: its shape and its dtype (float64, or int64 for discrete)."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype

    @property
    def size(self) -> int:
        return math.prod(self.shape)  # not np.prod: this is read in sampling loops

    @property
    def is_discrete(self) -> bool:
        return self.dtype.kind in "iub"


class BlockLayout:
    """Where each block of a point lives in a flat vector, and the maps both ways."""

    def __init__(self, blocks: Sequence[Block]):
        self.blocks = tuple(blocks)
        names = [block.name for block in self.blocks]
        if len(set(names)) != len(names):
            raise ValueError(f"block names must be unique, got {names}")
        self.slices: dict[str, slice] = {}
        start = 0
        for block in self.blocks:
            self.slices[block.name] = slice(start, start + block.size)
            start += block.size
        self.size = start

    @classmethod
    def from_point(
        cls, point: Mapping[str, NDArray], names: Sequence[str] | None = None
    ) -> BlockLayout:
        """The layout of ``names`` (default: every block) as they are in ``point``."""
        chosen = list(point) if names is None else list(names)
        missing = [name for name in chosen if name not in point]
        if missing:
            raise KeyError(f"the point has no block named {missing}; it has {sorted(point)}")
        return cls(
            [Block(name, np.shape(point[name]), np.asarray(point[name]).dtype) for name in chosen]
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(block.name for block in self.blocks)

    def flatten(self, point: Mapping[str, ArrayLike], dtype: type = np.float64) -> NDArray:
        """Concatenate this layout's blocks of ``point`` into one flat vector."""
        flat: NDArray = np.empty(self.size, dtype=dtype)
        for block in self.blocks:
            flat[self.slices[block.name]] = np.ravel(point[block.name])
        return flat

    def unflatten(self, flat: NDArray) -> Point:
        """Split a flat vector back into blocks (copies, with each block's dtype)."""
        if flat.shape != (self.size,):
            raise ValueError(
                f"expected a flat vector of length {self.size}, got shape {flat.shape}"
            )
        return {
            block.name: flat[self.slices[block.name]].reshape(block.shape).astype(block.dtype)
            for block in self.blocks
        }

    def update(self, point: Mapping[str, NDArray], flat: NDArray) -> Point:
        """A new point equal to ``point`` with this layout's blocks taken from ``flat``."""
        return {**point, **self.unflatten(flat)}


def as_point(initial_point: ArrayLike | Mapping[str, ArrayLike]) -> Point:
    """A point from a dict of blocks, or from one array (then the block is named ``x``).

    Integer and boolean blocks are kept as int64 (discrete); everything else is float64.
    """
    items = (
        initial_point.items()
        if isinstance(initial_point, Mapping)
        else [(DEFAULT_BLOCK_NAME, initial_point)]
    )
    point: Point = {}
    for name, value in items:
        array = np.array(value)
        if array.dtype.kind in "iub":
            point[name] = array.astype(np.int64)
        elif array.dtype.kind == "f":
            point[name] = array.astype(np.float64)
        else:
            raise TypeError(
                f"initial point block {name!r}: expected real or integer numbers, "
                f"got dtype {array.dtype}"
            )
    return point
