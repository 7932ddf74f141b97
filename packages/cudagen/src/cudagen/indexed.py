"""Kernels of indexing by an integer vector along axis 0: a gather (``x[indices]``,
AdvancedSubtensor1) and a scatter (``x`` with ``x[indices]`` set to or incremented by
``y``, AdvancedIncSubtensor1).

A thread per element of the indexed region: row ``r`` of the region is row
``indices[r]`` of ``x`` (negative indices count from the end, as in NumPy). An index
out of bounds cannot raise on a device, so the thread skips its element and records
the row's position in a *status word* (an int64 on the device, ``STATUS_CLEAR`` while
no index was bad) with ``atomicMin``: the word ends holding the first bad position,
whatever order the threads ran in, and the executor reads it back and raises NumPy's
IndexError for that index.

Increments add with ``atomicAdd`` (repeated indices accumulate, as ``np.add.at``);
64-bit integers add through the unsigned spelling (the same two's-complement sum).
Sets store plainly, after a claim: each row of ``x`` remembers (``atomicMax``) the last
position that indexes it, and only that position stores, so repeated indices keep
the last value as NumPy's ``x[indices] = y`` does, on any schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cudagen.kernels import ElementwiseKernel
from cudagen.launch import (
    Launch,
    LaunchConfig,
    Operand,
    blocks_for,
    dims,
    i64,
    named_source,
    pointer,
)
from cudagen.scalar_cuda import CUDA_TYPES

STATUS_CLEAR = 2**63 - 1
"""The status word while every index was in bounds (LLONG_MAX: any position is less)."""

INDEX_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32")
"""Index dtypes the kernels read (uint64 runs on the host: it does not fit ``long long``)."""

ATOMIC_ADD_TYPES = {
    "float32": "float",
    "float64": "double",
    "int32": "int",
    "uint32": "unsigned int",
    "int64": "unsigned long long",
    "uint64": "unsigned long long",
}
"""The dtypes CUDA's atomicAdd sums (double from sm_60), and the spelling each adds in."""


def _loop() -> str:
    return (
        "for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;"
        " i += (long long)blockDim.x * gridDim.x) {"
    )


def _row_lines(bad: str) -> list[str]:
    """C++ setting ``r`` (the region's row) and ``j`` (the row of x it indexes), or
    running ``bad`` when the index is out of bounds."""
    return [
        "const long long r = i / inner;",
        "long long j = (long long)idx[r * ist];",
        "if (j < 0) j += rows;",
        f"if (j < 0 || j >= rows) {{ {bad} }}",
    ]


def _inner_offset(ndim: int, strides: str, target: str) -> list[str]:
    """C++ adding to ``target`` the offset of element ``i % inner`` of a row, under the
    lengths ``shape.d[1:]`` and the strides ``strides.d[1:]``."""
    if ndim <= 1:
        return []
    lines = ["long long rest = i % inner;"]
    for axis in reversed(range(1, ndim)):
        lines.append(
            f"{{ const long long c = rest % shape.d[{axis}]; rest /= shape.d[{axis}]; "
            f"{target} += c * {strides}.d[{axis}]; }}"
        )
    return lines


def _threads(count: int, inner: int) -> tuple[int, int]:
    """The threads' count and the elements per row they take: rows of no elements still
    take a thread each, which checks the row's index and stops (``empty``)."""
    step = max(inner, 1)
    return count * step, step


def _region(shape: tuple[int, ...], count: int) -> tuple[tuple[int, ...], int]:
    """The indexed region's lengths (``count`` rows of x's) and a row's element count."""
    inner = 1
    for length in shape[1:]:
        inner *= length
    return (count, *shape[1:]), inner


@dataclass(frozen=True)
class GatherKernel:
    """``x[indices]``: every element of the result read from its row of ``x`` (any
    strides), written contiguously."""

    name: str
    label: str
    source: str
    index_input: int = 1

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (self.name,)

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        x, indices = in_shapes
        return [_region(x, indices[0])[0]]

    def scratch_bytes(self, in_shapes: Sequence[tuple[int, ...]]) -> int:
        return 0

    def launches(
        self, ins: Sequence[Operand], outs: Sequence[Operand], config: LaunchConfig,
        status: int, scratch: int = 0,
    ) -> list[Launch]:  # fmt: skip
        x, indices = ins
        count = indices.shape[0]
        _, inner = _region(x.shape, count)
        if count == 0:
            return []
        n, step = _threads(count, inner)
        arguments = i64(n) + i64(step) + i64(x.shape[0]) + dims(x.shape) + dims(x.strides)
        arguments += pointer(x.address) + pointer(indices.address) + i64(indices.strides[0])
        arguments += pointer(outs[0].address) + pointer(status) + i64(int(inner == 0))
        grid = (blocks_for(n, config), 1, 1)
        return [Launch(self.name, grid, (config.threads, 1, 1), arguments)]


def gather_kernel(label: str, dtype: str, index_dtype: str, ndim: int) -> GatherKernel:
    t, it = CUDA_TYPES[dtype], CUDA_TYPES[index_dtype]
    body = [
        *_row_lines("atomicMin(status, r); continue;"),
        "if (empty) continue;",
        "long long o = j * xst.d[0];",
        *_inner_offset(ndim, "xst", "o"),
        "out[i] = x[o];",
    ]
    text = "\n".join(
        [
            'extern "C" __global__ void NAME(long long n, long long inner, long long rows,',
            f"        cu_dims shape, cu_dims xst, const {t} *__restrict__ x,",
            f"        const {it} *__restrict__ idx, long long ist, {t} *__restrict__ out,",
            "        long long *status, long long empty) {",
            "    " + _loop(),
            *("        " + line for line in body),
            "    }",
            "}",
        ]
    )
    name, source = named_source("cu_gather", label, text)
    return GatherKernel(name, label, source)


@dataclass(frozen=True)
class ScatterKernel:
    """``x`` copied into the result (``copy``, an elementwise kernel), then the indexed
    rows incremented by ``y`` or set to it; ``y`` broadcasts to the region. A set first
    claims each row for the last position indexing it (``_w`` fills the claims, ``_k``
    claims, ``_s`` stores), in a scratch array of an int64 per row of ``x``."""

    name: str
    label: str
    source: str
    set_instead_of_inc: bool
    copy: ElementwiseKernel
    index_input: int = 2

    @property
    def kernel_names(self) -> tuple[str, ...]:
        if self.set_instead_of_inc:
            return (f"{self.name}_w", f"{self.name}_k", f"{self.name}_s")
        return (f"{self.name}_a",)

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        x, y, indices = in_shapes
        self.value_strides(x, y, tuple(0 for _ in y), indices[0])
        return [x]

    def scratch_bytes(self, in_shapes: Sequence[tuple[int, ...]]) -> int:
        return max(1, in_shapes[0][0]) * 8 if self.set_instead_of_inc else 0

    def value_strides(
        self, x: tuple[int, ...], y: tuple[int, ...], strides: tuple[int, ...], count: int
    ) -> tuple[int, ...]:
        """``y``'s strides over the region (0 where it broadcasts); a ValueError, as
        NumPy's, when its lengths do not broadcast to the region's."""
        region, _ = _region(x, count)
        padded = (1,) * (len(region) - len(y)) + y
        padded_strides = (0,) * (len(region) - len(y)) + strides
        if len(y) > len(region) or any(
            n not in (1, want) for n, want in zip(padded, region, strict=True)
        ):
            raise ValueError(
                f"{self.label}: shape mismatch: value array of shape {y} could not be "
                f"broadcast to indexing result of shape {region}"
            )
        return tuple(0 if n == 1 else s for n, s in zip(padded, padded_strides, strict=True))

    def launches(
        self, ins: Sequence[Operand], outs: Sequence[Operand], config: LaunchConfig,
        status: int, scratch: int = 0,
    ) -> list[Launch]:  # fmt: skip
        x, y, indices = ins
        copied = self.copy.launches([x], outs, config)
        count = indices.shape[0]
        region, inner = _region(x.shape, count)
        if count == 0:
            return copied
        n, step = _threads(count, inner)
        y_strides = self.value_strides(x.shape, y.shape, y.strides, count)
        block = (config.threads, 1, 1)
        rows = i64(x.shape[0])
        index = pointer(indices.address) + i64(indices.strides[0])
        common = i64(step) + rows + dims(region) + dims(y_strides) + pointer(y.address) + index
        common += pointer(outs[0].address) + pointer(status) + i64(int(inner == 0))
        grid = (blocks_for(n, config), 1, 1)
        if not self.set_instead_of_inc:
            return [*copied, Launch(f"{self.name}_a", grid, block, i64(n) + common)]
        fill = Launch(
            f"{self.name}_w", (blocks_for(x.shape[0], config), 1, 1), block,
            i64(x.shape[0]) + pointer(scratch),
        )  # fmt: skip
        claim = Launch(
            f"{self.name}_k", (blocks_for(count, config), 1, 1), block,
            i64(count) + i64(1) + rows + index + pointer(scratch) + pointer(status),
        )  # fmt: skip
        store = Launch(f"{self.name}_s", grid, block, i64(n) + common + pointer(scratch))
        return [*copied, fill, claim, store]


def scatter_kernel(
    label: str,
    dtype: str,
    index_dtype: str,
    ndim: int,
    set_instead_of_inc: bool,
    copy: ElementwiseKernel,
) -> ScatterKernel | None:
    """The scatter for these dtypes; None for an increment CUDA cannot add atomically."""
    if not set_instead_of_inc and dtype not in ATOMIC_ADD_TYPES:
        return None
    t, it = CUDA_TYPES[dtype], CUDA_TYPES[index_dtype]
    parameters = [
        "long long n, long long inner, long long rows, cu_dims shape, cu_dims yst,",
        f"        const {t} *__restrict__ y, const {it} *__restrict__ idx, long long ist,",
        f"        {t} *__restrict__ out, long long *status, long long empty",
    ]
    y_offset = ["long long oy = r * yst.d[0];", *_inner_offset(ndim, "yst", "oy")]
    target = "out[j * inner + i % inner]"
    lines: list[str] = []
    if set_instead_of_inc:
        lines += [
            'extern "C" __global__ void NAME_w(long long n, long long *claim) {',
            "    " + _loop(),
            "        claim[i] = -1;",
            "    }",
            "}",
            'extern "C" __global__ void NAME_k(long long n, long long inner, long long rows,',
            f"        const {it} *__restrict__ idx, long long ist, long long *claim,",
            "        long long *status) {",
            "    " + _loop(),
            *("        " + line for line in _row_lines("atomicMin(status, r); continue;")),
            "        atomicMax(claim + j, r);",
            "    }",
            "}",
            f'extern "C" __global__ void NAME_s({"".join(parameters)}, long long *claim) {{',
            "    " + _loop(),
            *("        " + line for line in _row_lines("continue;")),
            "        if (empty || claim[j] != r) continue;",
            *("        " + line for line in y_offset),
            f"        {target} = y[oy];",
            "    }",
            "}",
        ]
    else:
        add = ATOMIC_ADD_TYPES[dtype]
        lines += [
            f'extern "C" __global__ void NAME_a({"".join(parameters)}) {{',
            "    " + _loop(),
            *("        " + line for line in _row_lines("atomicMin(status, r); continue;")),
            "        if (empty) continue;",
            *("        " + line for line in y_offset),
            f"        atomicAdd(({add} *)&{target}, ({add})y[oy]);",
            "    }",
            "}",
        ]
    text = "\n".join(lines)
    name, source = named_source("cu_scatter", label, text)
    return ScatterKernel(name, label, source, set_instead_of_inc, copy)
