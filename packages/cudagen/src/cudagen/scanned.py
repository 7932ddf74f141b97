"""Cumulative sums and products along an axis (``np.cumsum``, ``np.cumprod``).

The axis is cut into *lines* (one per index of the other axes) and each line into
*chunks* of ``span`` elements, so that long lines still use the whole grid:

1. ``_p``: a thread per (line, chunk) folds its chunk into ``partial``;
2. ``_s``: a thread per line turns its chunks' partials into exclusive prefixes;
3. ``_o``: a thread per (line, chunk) runs its chunk again from its prefix, writing
   every running value into the contiguous output.

A line of one chunk (short lines, many of them) skips the first two. Values are read
under the input's strides and converted to the output's dtype (NumPy's accumulator:
int64 for smaller integers and booleans) before they are folded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cudagen.kernels import offset_lines
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

FOLDS = {"cumsum": ("0", "acc += x;"), "cumprod": ("1", "acc *= x;")}
"""mode -> (identity, fold of ``x`` into ``acc``)."""

MIN_SPAN = 32
"""Fewest elements a chunk takes: shorter ones would cost more in partials than they save."""


def cut_lines(shape: tuple[int, ...], axis: int, config: LaunchConfig) -> tuple[int, int, int, int]:
    """Lines (indices of the other axes), the line's length, chunks per line and the
    chunk's span: enough chunks for the grid, of MIN_SPAN elements at least."""
    lines = 1
    for other, length in enumerate(shape):
        if other != axis:
            lines *= length
    n = shape[axis]
    if lines == 0 or n == 0:
        return lines, n, 1, n
    wanted = -(-config.threads * config.max_blocks // lines)
    chunks = max(1, min(-(-n // MIN_SPAN), wanted))
    span = -(-n // chunks)
    return lines, n, -(-n // span), span


def _line_arguments(x: Operand, axis: int) -> bytes:
    """The other axes' lengths, then x's address, strides along them and along ``axis``."""
    others = [a for a in range(len(x.shape)) if a != axis]
    return (
        dims([x.shape[a] for a in others])
        + pointer(x.address)
        + dims([x.strides[a] for a in others])
        + i64(x.strides[axis])
    )


def _chunk_loop(operands: int, ndim: int) -> list[str]:
    """CUDA: a thread per (line, chunk) ``w``, with its chunk ``[first, last)`` and its
    line's offsets ``o0..`` in ``operands`` arrays (the other axes' ``shape``, ``st<k>``);
    the loop's body follows, then two closing braces."""
    return [
        "for (long long w = (long long)blockIdx.x * blockDim.x + threadIdx.x;"
        " w < lines * chunks; w += (long long)blockDim.x * gridDim.x) {",
        "    const long long line = w / chunks, first = (w % chunks) * span;",
        "    const long long last = first + span < n ? first + span : n;",
        *("    " + line for line in offset_lines(operands, ndim - 1, "line")),
    ]


@dataclass(frozen=True)
class CumulativeKernel:
    name: str
    label: str
    source: str
    axis: int
    itemsize: int

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (f"{self.name}_p", f"{self.name}_s", f"{self.name}_o")

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        return [tuple(in_shapes[0])]

    def scratch_bytes(self, in_shapes: Sequence[tuple[int, ...]], config: LaunchConfig) -> int:
        lines, _, chunks, _ = cut_lines(tuple(in_shapes[0]), self.axis, config)
        return max(1, lines * chunks * self.itemsize)

    def launches(
        self,
        ins: Sequence[Operand],
        outs: Sequence[Operand],
        config: LaunchConfig,
        scratch: int = 0,
    ) -> list[Launch]:
        (x,), (out,) = ins, outs
        lines, n, chunks, span = cut_lines(x.shape, self.axis, config)
        if lines == 0 or n == 0:
            return []
        others = [a for a in range(len(x.shape)) if a != self.axis]
        line_out = dims([out.strides[a] for a in others])
        cut = i64(lines) + i64(n) + i64(chunks) + i64(span)
        read = _line_arguments(x, self.axis)
        block = (config.threads, 1, 1)
        result = []
        if chunks > 1:
            grid = (blocks_for(lines * chunks, config), 1, 1)
            result.append(Launch(f"{self.name}_p", grid, block, cut + read + pointer(scratch)))
            scan = i64(lines) + i64(chunks) + pointer(scratch)
            result.append(Launch(f"{self.name}_s", (blocks_for(lines, config), 1, 1), block, scan))
        write = line_out + i64(out.strides[self.axis]) + pointer(out.address) + pointer(scratch)
        grid = (blocks_for(lines * chunks, config), 1, 1)
        result.append(Launch(f"{self.name}_o", grid, block, cut + read + write))
        return result


def cumulative_kernel(
    label: str, mode: str, axis: int, ndim: int, in_dtype: str, out_dtype: str
) -> CumulativeKernel:
    identity, fold = FOLDS[mode]
    t, source_type = CUDA_TYPES[out_dtype], CUDA_TYPES[in_dtype]
    acc_identity = f"(({t}){identity})"
    read = f"const {t} x = ({t})in[o0 + i * step_in];"
    cut = "long long lines, long long n, long long chunks, long long span"
    reads = f"cu_dims shape, const {source_type} *__restrict__ in, cu_dims st0, long long step_in"
    text = "\n".join(
        [
            f'extern "C" __global__ void NAME_p({cut}, {reads}, {t} *__restrict__ partial) {{',
            *_chunk_loop(1, ndim),
            f"    {t} acc = {acc_identity};",
            f"    for (long long i = first; i < last; ++i) {{ {read} {fold} }}",
            "    partial[w] = acc;",
            "}",
            "}",
            'extern "C" __global__ void NAME_s(long long lines, long long chunks,',
            f"        {t} *partial) {{",
            "for (long long line = (long long)blockIdx.x * blockDim.x + threadIdx.x; line < lines;"
            " line += (long long)blockDim.x * gridDim.x) {",
            f"    {t} acc = {acc_identity};",
            "    for (long long c = 0; c < chunks; ++c) {",
            f"        const {t} x = partial[line * chunks + c];",
            "        partial[line * chunks + c] = acc;",
            f"        {fold}",
            "    }",
            "}",
            "}",
            f'extern "C" __global__ void NAME_o({cut}, {reads}, cu_dims st1, long long step_out,',
            f"        {t} *__restrict__ out, const {t} *__restrict__ partial) {{",
            *_chunk_loop(2, ndim),
            f"    {t} acc = chunks > 1 ? partial[w] : {acc_identity};",
            f"    for (long long i = first; i < last; ++i) {{ {read} {fold}"
            " out[o1 + i * step_out] = acc; }",
            "}",
            "}",
        ]
    )
    name, source = named_source("cu_cum", label, text)
    return CumulativeKernel(name, label, source, axis, np.dtype(out_dtype).itemsize)


ARG_TESTS = {"argmax": ">", "argmin": "<"}
"""arg-reduction -> the comparison a later value must win to replace the best so far."""


@dataclass(frozen=True)
class ArgReduceKernel:
    """``np.argmax``/``np.argmin`` along one axis: a thread per (line, chunk) finds its
    chunk's best (value, index) (``_p``), then a thread per line folds its chunks' in
    order (``_f``). The first best wins, and the first NaN over any number, as NumPy."""

    name: str
    label: str
    source: str
    reduction: str
    axis: int
    keepdims: bool
    itemsize: int

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (f"{self.name}_p", f"{self.name}_f")

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        shape = tuple(in_shapes[0])
        if shape[self.axis] == 0:
            raise ValueError(f"attempt to get {self.reduction} of an empty sequence")
        kept = [1 if a == self.axis else n for a, n in enumerate(shape)]
        return [tuple(kept) if self.keepdims else shape[: self.axis] + shape[self.axis + 1 :]]

    def scratch_bytes(self, in_shapes: Sequence[tuple[int, ...]], config: LaunchConfig) -> int:
        lines, _, chunks, _ = cut_lines(tuple(in_shapes[0]), self.axis, config)
        return max(1, lines * chunks * (8 + self.itemsize))

    def launches(
        self,
        ins: Sequence[Operand],
        outs: Sequence[Operand],
        config: LaunchConfig,
        scratch: int = 0,
    ) -> list[Launch]:
        (x,), (out,) = ins, outs
        lines, n, chunks, span = cut_lines(x.shape, self.axis, config)
        if lines == 0:
            return []
        values = scratch + lines * chunks * 8  # after the indices
        block = (config.threads, 1, 1)
        cut = i64(lines) + i64(n) + i64(chunks) + i64(span)
        partials = pointer(scratch) + pointer(values)
        first = Launch(
            f"{self.name}_p",
            (blocks_for(lines * chunks, config), 1, 1),
            block,
            cut + _line_arguments(x, self.axis) + partials,
        )
        fold = i64(lines) + i64(chunks) + partials + pointer(out.address)
        return [first, Launch(f"{self.name}_f", (blocks_for(lines, config), 1, 1), block, fold)]


def arg_reduce_kernel(
    label: str, reduction: str, axis: int, keepdims: bool, ndim: int, dtype: str
) -> ArgReduceKernel:
    t = CUDA_TYPES[dtype]
    wins = f"(best == best) && (x != x || x {ARG_TESTS[reduction]} best)"
    text = "\n".join(
        [
            'extern "C" __global__ void NAME_p(long long lines, long long n, long long chunks,',
            f"        long long span, cu_dims shape, const {t} *__restrict__ in, cu_dims st0,",
            f"        long long step_in, long long *index, {t} *value) {{",
            *_chunk_loop(1, ndim),
            f"    {t} best = in[o0 + first * step_in];",
            "    long long at = first;",
            "    for (long long i = first + 1; i < last; ++i) {",
            f"        const {t} x = in[o0 + i * step_in];",
            f"        if ({wins}) {{ best = x; at = i; }}",
            "    }",
            "    index[w] = at;",
            "    value[w] = best;",
            "}",
            "}",
            'extern "C" __global__ void NAME_f(long long lines, long long chunks,',
            f"        const long long *index, const {t} *value, long long *out) {{",
            "for (long long line = (long long)blockIdx.x * blockDim.x + threadIdx.x;"
            " line < lines; line += (long long)blockDim.x * gridDim.x) {",
            f"    {t} best = value[line * chunks];",
            "    long long at = index[line * chunks];",
            "    for (long long c = 1; c < chunks; ++c) {",
            f"        const {t} x = value[line * chunks + c];",
            f"        if ({wins}) {{ best = x; at = index[line * chunks + c]; }}",
            "    }",
            "    out[line] = at;",
            "}",
            "}",
        ]
    )
    name, source = named_source("cu_arg", label, text)
    itemsize = max(8, np.dtype(dtype).itemsize)
    return ArgReduceKernel(name, label, source, reduction, axis, keepdims, itemsize)
