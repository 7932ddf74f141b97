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
    kernel_name,
    label_comment,
    pointer,
)
from cudagen.scalar_cuda import CUDA_TYPES

FOLDS = {"cumsum": ("0", "acc += x;"), "cumprod": ("1", "acc *= x;")}
"""mode -> (identity, fold of ``x`` into ``acc``)."""

MIN_SPAN = 32
"""Fewest elements a chunk takes: shorter ones would cost more in partials than they save."""


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

    def _cut(self, shape: tuple[int, ...], config: LaunchConfig) -> tuple[int, int, int, int]:
        """Lines, the line's length, chunks per line and the chunk's span."""
        lines = 1
        for axis, length in enumerate(shape):
            if axis != self.axis:
                lines *= length
        n = shape[self.axis]
        if lines == 0 or n == 0:
            return lines, n, 1, n
        wanted = -(-config.threads * config.max_blocks // lines)
        chunks = max(1, min(-(-n // MIN_SPAN), wanted))
        span = -(-n // chunks)
        return lines, n, -(-n // span), span

    def scratch_bytes(self, in_shapes: Sequence[tuple[int, ...]], config: LaunchConfig) -> int:
        lines, _, chunks, _ = self._cut(tuple(in_shapes[0]), config)
        return max(1, lines * chunks * self.itemsize)

    def launches(
        self,
        ins: Sequence[Operand],
        outs: Sequence[Operand],
        config: LaunchConfig,
        scratch: int = 0,
    ) -> list[Launch]:
        (x,), (out,) = ins, outs
        lines, n, chunks, span = self._cut(x.shape, config)
        if lines == 0 or n == 0:
            return []
        others = [a for a in range(len(x.shape)) if a != self.axis]
        line_shape = dims([x.shape[a] for a in others])
        line_in = dims([x.strides[a] for a in others])
        line_out = dims([out.strides[a] for a in others])
        cut = i64(lines) + i64(n) + i64(chunks) + i64(span)
        read = line_shape + pointer(x.address) + line_in + i64(x.strides[self.axis])
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
    loop = (
        "for (long long w = (long long)blockIdx.x * blockDim.x + threadIdx.x; w < lines * chunks;"
        " w += (long long)blockDim.x * gridDim.x) {"
    )

    def head(operands: int) -> list[str]:
        """The thread's line and chunk, and its line's offsets in ``operands`` arrays."""
        return [
            "    const long long line = w / chunks, first = (w % chunks) * span;",
            "    const long long last = first + span < n ? first + span : n;",
            *("    " + line for line in offset_lines(operands, ndim - 1, "line")),
        ]

    read = f"const {t} x = ({t})in[o0 + i * step_in];"
    cut = "long long lines, long long n, long long chunks, long long span"
    reads = f"cu_dims shape, const {source_type} *__restrict__ in, cu_dims st0, long long step_in"
    text = "\n".join(
        [
            f'extern "C" __global__ void NAME_p({cut}, {reads}, {t} *__restrict__ partial) {{',
            loop,
            *head(1),
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
            loop,
            *head(2),
            f"    {t} acc = chunks > 1 ? partial[w] : {acc_identity};",
            f"    for (long long i = first; i < last; ++i) {{ {read} {fold}"
            " out[o1 + i * step_out] = acc; }",
            "}",
            "}",
        ]
    )
    name = kernel_name("cu_cum", text)
    source = f"/* {label_comment(label)} */\n" + text.replace("NAME", name)
    return CumulativeKernel(name, label, source, axis, np.dtype(out_dtype).itemsize)
