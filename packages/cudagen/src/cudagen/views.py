"""Views on the device: DimShuffle, Reshape, basic indexing, Alloc and diagonals as stride
arithmetic.

A device array is an allocation and a ``Layout`` (lengths, strides in elements, the
offset of its first element). A view node runs no kernel: it computes its output's
layout from its input's and the host values of its other inputs (indices, a shape).
A reshape of a non-contiguous layout is no view: the runtime copies it first.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cudagen.launch import contiguous_strides, is_contiguous
from tensorops.indexing.key import numpy_key


@dataclass(frozen=True)
class Layout:
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int = 0

    @classmethod
    def contiguous(cls, shape: tuple[int, ...]) -> Layout:
        return cls(tuple(shape), contiguous_strides(tuple(shape)), 0)

    @classmethod
    def of(cls, array: np.ndarray, base_address: int) -> Layout:
        """The layout of a NumPy view relative to an allocation starting at ``base_address``."""
        itemsize = array.itemsize
        for stride in array.strides:
            if stride % itemsize:
                raise ValueError(f"cudagen: strides {array.strides} are not whole elements")
        offset = array.__array_interface__["data"][0] - base_address
        return cls(array.shape, tuple(s // itemsize for s in array.strides), offset // itemsize)

    @property
    def is_contiguous(self) -> bool:
        return is_contiguous(self.shape, self.strides)


class NotAViewError(Exception):
    """The result cannot share the input's storage (a reshape of a strided layout)."""


def dimshuffle_layout(layout: Layout, new_order: Sequence[int | str]) -> Layout:
    """Axes reordered, ``'x'`` as new length-1 axes; the dropped axes have length 1."""
    shape, strides = [], []
    for entry in new_order:
        if entry == "x":
            shape.append(1)
            strides.append(0)
        else:
            axis = int(entry)
            shape.append(layout.shape[axis])
            strides.append(layout.strides[axis])
    return Layout(tuple(shape), tuple(strides), layout.offset)


def reshape_layout(layout: Layout, new_shape: Sequence[int]) -> Layout:
    """A contiguous layout under new lengths (one may be -1); ``NotAViewError`` when the
    layout is strided, a ValueError when the sizes differ."""
    size = int(np.prod(layout.shape, dtype=np.int64))
    wanted = [int(n) for n in new_shape]
    if wanted.count(-1) == 1:
        others = int(np.prod([n for n in wanted if n != -1], dtype=np.int64))
        if others == 0 or size % others:
            raise ValueError(
                f"Reshape: cannot reshape an array of shape {layout.shape} (size {size}) into "
                f"shape {tuple(wanted)}"
            )
        wanted = [size // others if n == -1 else n for n in wanted]
    if int(np.prod(wanted, dtype=np.int64)) != size or any(n < 0 for n in wanted):
        raise ValueError(
            f"Reshape: cannot reshape an array of shape {layout.shape} (size {size}) into "
            f"shape {tuple(wanted)}"
        )
    if not layout.is_contiguous:
        raise NotAViewError("a strided layout")
    return Layout(tuple(wanted), contiguous_strides(tuple(wanted)), layout.offset)


def index_layout(layout: Layout, key: Sequence[Any]) -> Layout:
    """``x[key]`` for keys of ints, slices, None and Ellipsis, as NumPy indexes."""
    entries = list(key)
    indexing = sum(1 for entry in entries if entry is not None and entry is not Ellipsis)
    if Ellipsis in entries:
        at = entries.index(Ellipsis)
        entries[at : at + 1] = [slice(None)] * (len(layout.shape) - indexing)
    if indexing > len(layout.shape):
        raise IndexError(f"too many indices: {len(layout.shape)}-d array, {indexing} indexed")
    shape, strides = [], []
    offset = layout.offset
    axis = 0
    for entry in entries:
        if entry is None:
            shape.append(1)
            strides.append(0)
            continue
        length, stride = layout.shape[axis], layout.strides[axis]
        if isinstance(entry, slice):
            start, stop, step = entry.indices(length)
            count = len(range(start, stop, step))
            if count:
                offset += start * stride
            shape.append(count)
            strides.append(stride * step)
        else:
            index = operator.index(entry)
            if not -length <= index < length:
                raise IndexError(
                    f"index {index} is out of bounds for axis {axis} with size {length}"
                )
            offset += (index % length) * stride
        axis += 1
    shape += layout.shape[axis:]
    strides += layout.strides[axis:]
    return Layout(tuple(shape), tuple(strides), offset)


def subtensor_layout(layout: Layout, spec: Sequence[Any], values: Sequence[Any]) -> Layout:
    """A Subtensor's view: its spec with the run-time index values."""
    return index_layout(layout, numpy_key(tuple(spec), values))


def broadcast_layout(layout: Layout, sizes: Sequence[int]) -> Layout:
    """``value`` broadcast to ``sizes`` (Alloc): zero strides where the value has length 1,
    NumPy's ValueError where it has another length than the size asked for."""
    wanted = tuple(int(n) for n in sizes)
    if any(n < 0 for n in wanted):
        raise ValueError("negative dimensions are not allowed")
    extra = len(wanted) - len(layout.shape)
    shape = (1,) * extra + layout.shape
    strides = (0,) * extra + layout.strides
    if extra < 0 or any(n not in (1, want) for n, want in zip(shape, wanted, strict=True)):
        raise ValueError(
            f"could not broadcast input array from shape {layout.shape} into shape {wanted}"
        )
    new_strides = tuple(0 if n == 1 else stride for n, stride in zip(shape, strides, strict=True))
    return Layout(wanted, new_strides, layout.offset)


def diagonal_layout(layout: Layout, offset: int, axis1: int, axis2: int) -> Layout:
    """``np.diagonal``: the other axes, then the diagonal, whose stride steps along both
    axes at once, starting ``offset`` columns right (rows down, when negative)."""
    rows, columns = layout.shape[axis1], layout.shape[axis2]
    if offset >= 0:
        length, start = max(0, min(rows, columns - offset)), offset * layout.strides[axis2]
    else:
        length, start = max(0, min(rows + offset, columns)), -offset * layout.strides[axis1]
    kept = [axis for axis in range(len(layout.shape)) if axis not in (axis1, axis2)]
    return Layout(
        (*(layout.shape[axis] for axis in kept), length),
        (*(layout.strides[axis] for axis in kept), layout.strides[axis1] + layout.strides[axis2]),
        layout.offset + (start if length else 0),
    )
