"""Kernels that place pieces into one result (``Join``, ``MakeVector``) and that check
conditions on the device (a guard: its value passes through unless a condition fails).

A join launches one copy per non-empty piece: a thread per element of the piece reads it
under the piece's strides (any: reversed, broadcast, sliced) and writes it at the
piece's place in the contiguous result (the result's strides, offset along the joined
axis by the pieces before it), casting to the result's dtype. ``MakeVector`` is a join
of scalars, each a piece of length 1.

A guard launches a thread per element of each condition: a false element records
position 0 in the node's status word (``atomicMin``, as indexed.py's kernels do); the
executor reads the word where it reads the others and raises the op's own error. The
guarded value is the result itself (no copy), so a passing check moves no data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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


def _loop() -> str:
    return (
        "for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;"
        " i += (long long)blockDim.x * gridDim.x) {"
    )


def _offsets(ndim: int, targets: Sequence[str]) -> list[str]:
    """C++ adding to each ``o<target>`` the offset of flat element ``i`` under the lengths
    ``shape`` and the strides ``<target>st``."""
    lines = [f"long long o{t} = 0;" for t in targets]
    if ndim:
        lines.append("long long rest = i;")
    for axis in reversed(range(ndim)):
        adds = " ".join(f"o{t} += c * {t}st.d[{axis}];" for t in targets)
        lines.append(
            f"{{ const long long c = rest % shape.d[{axis}]; rest /= shape.d[{axis}]; {adds} }}"
        )
    return lines


def _piece_source(source_dtype: str, dtype: str, ndim: int) -> str:
    """``NAME``: one piece (lengths ``shape``, strides ``sst``) copied into ``out`` from
    element ``start`` under the result's strides ``dst``, cast to the result's type."""
    s, t = CUDA_TYPES[source_dtype], CUDA_TYPES[dtype]
    return "\n".join(
        [
            'extern "C" __global__ void NAME(long long n, cu_dims shape, cu_dims sst,',
            f"        const {s} *__restrict__ src, cu_dims dst, {t} *__restrict__ out,",
            "        long long start) {",
            "    " + _loop(),
            *("        " + line for line in _offsets(ndim, ["s", "d"])),
            f"        out[start + od] = ({t})src[os];",
            "    }",
            "}",
        ]
    )


@dataclass(frozen=True)
class JoinKernel:
    """Pieces (of one rank, or scalars when ``stacked``) joined along ``axis`` into a
    contiguous result; ``piece_kernels[k]`` copies piece k (a function per distinct
    piece dtype, named after the kernel: ``<name>_<k>``)."""

    name: str
    label: str
    source: str
    axis: int
    stacked: bool
    piece_kernels: tuple[str, ...]

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.piece_kernels))

    def _piece_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return (1,) if self.stacked else shape

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        """The joined lengths; NumPy's ValueError when the pieces differ off the axis."""
        shapes = [self._piece_shape(shape) for shape in in_shapes]
        first = shapes[0]
        for index, shape in enumerate(shapes):
            for dim, (want, got) in enumerate(zip(first, shape, strict=True)):
                if dim != self.axis and want != got:
                    raise ValueError(
                        "all the input array dimensions except for the concatenation axis "
                        f"must match exactly, but along dimension {dim}, the array at index 0 "
                        f"has size {want} and the array at index {index} has size {got}"
                    )
        total = sum(shape[self.axis] for shape in shapes)
        return [(*first[: self.axis], total, *first[self.axis + 1 :])]

    def launches(
        self, ins: Sequence[Operand], outs: Sequence[Operand], config: LaunchConfig
    ) -> list[Launch]:
        out = outs[0]
        result: list[Launch] = []
        start = 0
        for kernel, piece in zip(self.piece_kernels, ins, strict=True):
            shape = self._piece_shape(piece.shape)
            strides = (0,) if self.stacked else piece.strides
            n = 1
            for length in shape:
                n *= length
            if n:
                arguments = i64(n) + dims(shape) + dims(strides) + pointer(piece.address)
                arguments += dims(out.strides) + pointer(out.address)
                arguments += i64(start * out.strides[self.axis])
                grid = (blocks_for(n, config), 1, 1)
                result.append(Launch(kernel, grid, (config.threads, 1, 1), arguments))
            start += shape[self.axis]
        return result


def join_kernel(
    label: str, axis: int, piece_dtypes: Sequence[str], dtype: str, ndim: int, stacked: bool
) -> JoinKernel:
    """The join of pieces of these dtypes into a result of ``dtype`` and rank ``ndim``
    (pieces of rank 0 when ``stacked``)."""
    distinct = list(dict.fromkeys(piece_dtypes))
    texts = [
        _piece_source(d, dtype, ndim).replace("NAME", f"NAME_{k}") for k, d in enumerate(distinct)
    ]
    text = "\n".join(texts)
    name, source = named_source("cu_join", label, text)
    pieces = tuple(f"{name}_{distinct.index(d)}" for d in piece_dtypes)
    return JoinKernel(name, label, source, axis, stacked, pieces)


@dataclass(frozen=True)
class GuardKernel:
    """Conditions (inputs 1...) checked on the device; input 0 passes through. A false
    element sets the status word, and the executor raises ``error(message)``."""

    name: str
    label: str
    source: str
    condition_kernels: tuple[str, ...]
    error: type[Exception]
    message: str

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.condition_kernels))

    def launches(
        self, conditions: Sequence[Operand], config: LaunchConfig, status: int
    ) -> list[Launch]:
        result = []
        for kernel, condition in zip(self.condition_kernels, conditions, strict=True):
            n = 1
            for length in condition.shape:
                n *= length
            if n:
                arguments = i64(n) + dims(condition.shape) + dims(condition.strides)
                arguments += pointer(condition.address) + pointer(status)
                grid = (blocks_for(n, config), 1, 1)
                result.append(Launch(kernel, grid, (config.threads, 1, 1), arguments))
        return result


def guard_kernel(
    label: str,
    condition_infos: Sequence[tuple[str, int]],
    error: type[Exception],
    message: str,
) -> GuardKernel:
    """A check of conditions of these (dtype, rank): an element is false when it is zero."""
    distinct = list(dict.fromkeys(condition_infos))
    texts = []
    for k, (dtype, ndim) in enumerate(distinct):
        texts += [
            f'extern "C" __global__ void NAME_{k}(long long n, cu_dims shape, cu_dims cst,',
            f"        const {CUDA_TYPES[dtype]} *__restrict__ cond, long long *status) {{",
            "    " + _loop(),
            *("        " + line for line in _offsets(ndim, ["c"])),
            "        if (!cond[oc]) atomicMin(status, 0LL);",
            "    }",
            "}",
        ]
    text = "\n".join(texts)
    name, source = named_source("cu_guard", label, text)
    kernels = tuple(f"{name}_{distinct.index(info)}" for info in condition_infos)
    return GuardKernel(name, label, source, kernels, error, message)


@dataclass(frozen=True)
class RegionKernel:
    """``x[key] = y`` or ``x[key] += y`` with a basic-indexing key (``set_subtensor``,
    ``inc_subtensor``), written into a contiguous copy of ``x``: a thread per element of
    the region, ``y`` read under its broadcast strides. A basic key never names one
    element twice, so no atomics; the key's values are read on the host."""

    name: str
    label: str
    source: str
    spec: tuple[Any, ...]
    set_instead_of_inc: bool

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (self.name,)

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        return [tuple(in_shapes[0])]

    def refuse(self, region: tuple[int, ...], value: tuple[int, ...]) -> ValueError:
        """NumPy's error for a ``y`` that does not broadcast to the region."""
        if self.set_instead_of_inc:
            return ValueError(
                f"could not broadcast input array from shape {value} into shape {region}"
            )
        shapes = " ".join(str(shape) for shape in (region, value, region))
        return ValueError(f"operands could not be broadcast together with shapes {shapes} ")

    def launches(self, region: Operand, value: Operand, config: LaunchConfig) -> list[Launch]:
        """``region``: the copy's elements the key names; ``value``: y broadcast to them."""
        n = math.prod(region.shape)
        if n == 0:
            return []
        arguments = i64(n) + dims(region.shape) + pointer(region.address) + dims(region.strides)
        arguments += pointer(value.address) + dims(value.strides)
        grid = (blocks_for(n, config), 1, 1)
        return [Launch(self.name, grid, (config.threads, 1, 1), arguments)]


def region_kernel(
    label: str, spec: tuple[Any, ...], set_instead_of_inc: bool, ndim: int, dtype: str,
    value_dtype: str,
) -> RegionKernel:  # fmt: skip
    t, v = CUDA_TYPES[dtype], CUDA_TYPES[value_dtype]
    update = f"({t})y[o1]" if set_instead_of_inc else f"({t})(out[o0] + ({t})y[o1])"
    text = "\n".join(
        [
            f'extern "C" __global__ void NAME(long long n, cu_dims shape, {t} *out, cu_dims st0,',
            f"        const {v} *y, cu_dims st1) {{",
            _loop(),
            *("    " + line for line in offset_lines(2, ndim, "i")),
            f"    out[o0] = {update};",
            "}",
            "}",
        ]
    )
    name, source = named_source("cu_region", label, text)
    return RegionKernel(name, label, source, spec, set_instead_of_inc)
