"""What a kernel launch needs, the same for the device and for the CPU harness.

A node's kernels read ``Operand``s (an address, a shape, strides in elements) and give
``Launch``es: a kernel's name, its grid and block, and its arguments packed as
``cuLaunchKernel`` reads a parameter buffer. Every parameter is 8 bytes (``long long``,
``double``, a pointer) or a ``cu_dims`` of 8-byte fields, so packing is concatenation.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Protocol

MAX_DIMS = 8
"""CU_MAXD of prelude.cuh: values of higher rank run on the host."""

THREADS = 256
"""Threads per block of elementwise and reduction kernels (a multiple of 32)."""

MAX_BLOCKS = 8192
"""Blocks of a grid-stride loop: enough to fill a data-centre GPU many times over."""


class Operand(Protocol):
    """An array as a kernel sees it: the address of its first element, its lengths and
    strides (in elements, 0 along broadcast axes)."""

    @property
    def address(self) -> int: ...

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def strides(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class LaunchConfig:
    """Block and grid limits; the CPU harness runs small grids to test grid-stride loops."""

    threads: int = THREADS
    max_blocks: int = MAX_BLOCKS
    tile: int = 16


@dataclass(frozen=True)
class Launch:
    kernel: str
    grid: tuple[int, int, int]
    block: tuple[int, int, int]
    arguments: bytes


def dims(values: tuple[int, ...] | list[int]) -> bytes:
    """A ``cu_dims``: up to MAX_DIMS lengths or strides, zero-padded."""
    if len(values) > MAX_DIMS:
        raise ValueError(f"cudagen: {len(values)} axes, kernels take at most {MAX_DIMS}")
    return struct.pack(f"<{MAX_DIMS}q", *values, *([0] * (MAX_DIMS - len(values))))


def i64(value: int) -> bytes:
    return struct.pack("<q", value)


def f64(value: float) -> bytes:
    return struct.pack("<d", value)


def pointer(address: int) -> bytes:
    return struct.pack("<Q", address)


def blocks_for(count: int, config: LaunchConfig) -> int:
    """Blocks of ``config.threads`` covering ``count`` items, at most ``max_blocks``."""
    return max(1, min(-(-count // config.threads), config.max_blocks))


def is_contiguous(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """Row-major without gaps (lengths 0 and 1 make any stride fine)."""
    expected = 1
    for length, stride in zip(reversed(shape), reversed(strides), strict=True):
        if length == 0:
            return True
        if length != 1 and stride != expected:
            return False
        expected *= length
    return True


def contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides = []
    step = 1
    for length in reversed(shape):
        strides.append(step)
        step *= max(length, 1)
    return tuple(reversed(strides))


def kernel_name(prefix: str, text: str) -> str:
    """A kernel named after a hash of its text: equal kernels share one definition."""
    return f"{prefix}_{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def label_comment(label: str) -> str:
    """A node's label as the text of a C comment above its kernel."""
    return label.replace("*/", "* /")[:80]


def named_source(prefix: str, label: str, text: str) -> tuple[str, str]:
    """A kernel text's name (``prefix`` and a hash of the text) and its source: the text
    with NAME replaced, under the node's label."""
    name = kernel_name(prefix, text)
    return name, f"/* {label_comment(label)} */\n" + text.replace("NAME", name)
