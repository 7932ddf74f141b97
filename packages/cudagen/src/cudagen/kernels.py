"""CUDA kernels of one node each: elementwise programs, reductions (fused with the
elementwise program feeding them), and a tiled matrix product.

Each kernel object holds its CUDA text (``source``) and turns operands into launches
(``launches``): the host-side arithmetic of shapes, broadcast strides and grids. Kernels
are named after a hash of their text, so equal nodes share one definition in a module.

Elementwise and reduction kernels come in two variants: ``_c`` when every input is
contiguous with the result's shape or a single value (one multiply per element), and
``_s`` with the shape and each input's strides passed by value (a division per axis).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cudagen.expressions import ElementProgram, literal
from cudagen.launch import (
    Launch,
    LaunchConfig,
    Operand,
    blocks_for,
    dims,
    f64,
    i64,
    is_contiguous,
    named_source,
    pointer,
)
from cudagen.scalar_cuda import CUDA_TYPES, STATUS

GRID_Y_LIMIT = 65535

TILE = 16
"""CU_TILE of prelude.cuh: the shared tiles' side, the most threads a block's side has."""

SHORT_REDUCTION = 32
"""Reductions of at most this many elements per output take one thread per output
(``_t``): a block per output would leave most of its threads idle."""


def offset_lines(n_inputs: int, ndim: int, flat: str) -> list[str]:
    """C++ setting ``o<k>``, input k's element offset, from the flat index ``flat`` into
    ``shape`` (row-major), one division per axis but the first."""
    lines = [f"long long o{k} = 0;" for k in range(n_inputs)]
    if ndim == 0 or n_inputs == 0:
        return lines
    lines.append(f"long long rest = {flat};")
    for axis in reversed(range(ndim)):
        adds = " ".join(f"o{k} += c * st{k}.d[{axis}];" for k in range(n_inputs))
        if axis == 0:
            lines.append(f"{{ const long long c = rest; {adds} }}")
        else:
            lines.append(
                f"{{ const long long c = rest % shape.d[{axis}]; rest /= shape.d[{axis}]; {adds} }}"
            )
    return lines


def broadcast_shape(
    label: str, shapes: Sequence[tuple[int, ...]], broadcastable: Sequence[tuple[bool, ...]]
) -> tuple[int, ...]:
    """The result's lengths; lengths that differ on an axis not declared of length 1 are
    refused, as the Python backend refuses them."""
    ndim = len(broadcastable[0]) if broadcastable else 0
    result = []
    for axis in range(ndim):
        free = [shape[axis] for shape, flags in zip(shapes, broadcastable, strict=True)
                if not flags[axis]]  # fmt: skip
        if not free:
            result.append(1)
            continue
        if any(length != free[0] for length in free):
            raise ValueError(
                f"{label}: inputs have lengths {sorted(set(free))} on axis {axis}, which may "
                "not broadcast at run time (declare the axis of length 1 to broadcast)"
            )
        result.append(free[0])
    return tuple(result)


def _broadcast_strides(operand: Operand, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(
        0 if length == 1 else stride
        for length, stride in zip(operand.shape, operand.strides, strict=True)
    )


def _contiguous_steps(ins: Sequence[Operand], shape: tuple[int, ...]) -> list[int] | None:
    """Each input's step in a flat loop over ``shape``: 1 (contiguous, the full shape), 0
    (a single value); None when some input needs its strides."""
    steps = []
    for operand in ins:
        size = 1
        for length in operand.shape:
            size *= length
        if size == 1:
            steps.append(0)
        elif operand.shape == shape and is_contiguous(operand.shape, operand.strides):
            steps.append(1)
        else:
            return None
    return steps


@dataclass(frozen=True)
class ElementwiseKernel:
    """One fused elementwise program over the broadcast shape: one thread per element of
    a grid-stride loop, every output written at the element's flat index."""

    name: str
    label: str
    source: str
    in_broadcastable: tuple[tuple[bool, ...], ...]
    out_dtypes: tuple[str, ...]
    checks: bool = False
    """Whether a row may flag an error (an integer's negative power): the kernel then
    takes the status word's address last (scalar_cuda.STATUS)."""

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (f"{self.name}_c", f"{self.name}_s")

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        shape = broadcast_shape(self.label, in_shapes, self.in_broadcastable)
        return [shape] * len(self.out_dtypes)

    def launches(
        self,
        ins: Sequence[Operand],
        outs: Sequence[Operand],
        config: LaunchConfig,
        status: int = 0,
    ) -> list[Launch]:
        shape = outs[0].shape
        n = 1
        for length in shape:
            n *= length
        if n == 0:
            return []
        grid = (blocks_for(n, config), 1, 1)
        block = (config.threads, 1, 1)
        out_args = b"".join(pointer(out.address) for out in outs)
        if self.checks:
            out_args += pointer(status)
        steps = _contiguous_steps(ins, shape)
        if steps is not None:
            in_args = b"".join(
                pointer(op.address) + i64(step) for op, step in zip(ins, steps, strict=True)
            )
            return [Launch(f"{self.name}_c", grid, block, i64(n) + in_args + out_args)]
        in_args = b"".join(pointer(op.address) + dims(_broadcast_strides(op, shape)) for op in ins)
        return [Launch(f"{self.name}_s", grid, block, i64(n) + dims(shape) + in_args + out_args)]


def _elementwise_body(
    program: ElementProgram, in_dtypes: Sequence[str], out_dtypes: Sequence[str]
) -> list[str]:
    values = [f"x{k}" for k in range(len(in_dtypes))]
    statements, results = program(values)
    reads = [f"const {CUDA_TYPES[d]} x{k} = in{k}[o{k}];" for k, d in enumerate(in_dtypes)]
    writes = [
        f"out{j}[i] = ({CUDA_TYPES[d]})({text});"
        for j, (d, text) in enumerate(zip(out_dtypes, results, strict=True))
    ]
    return reads + statements + writes


def elementwise_kernel(
    label: str,
    program: ElementProgram,
    in_dtypes: Sequence[str],
    in_broadcastable: Sequence[tuple[bool, ...]],
    out_dtypes: Sequence[str],
) -> ElementwiseKernel:
    """The two variants of ``program`` over inputs of these dtypes and broadcast flags."""
    ndim = len(in_broadcastable[0]) if in_broadcastable else 0
    body = _elementwise_body(program, in_dtypes, out_dtypes)
    outs = [f"{CUDA_TYPES[d]} *__restrict__ out{j}" for j, d in enumerate(out_dtypes)]
    checks = any(STATUS in line for line in body)
    if checks:
        outs.append(f"long long *{STATUS}")
    ins_c = [f"const {CUDA_TYPES[d]} *__restrict__ in{k}, long long step{k}"
             for k, d in enumerate(in_dtypes)]  # fmt: skip
    ins_s = [f"const {CUDA_TYPES[d]} *__restrict__ in{k}, cu_dims st{k}"
             for k, d in enumerate(in_dtypes)]  # fmt: skip
    loop = (
        "for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;"
        " i += (long long)blockDim.x * gridDim.x) {"
    )
    contiguous_offsets = [f"const long long o{k} = i * step{k};" for k in range(len(in_dtypes))]
    text = "\n".join(
        [
            f'extern "C" __global__ void NAME_c({", ".join(["long long n", *ins_c, *outs])}) {{',
            "    " + loop,
            *("        " + line for line in contiguous_offsets + body),
            "    }",
            "}",
            f'extern "C" __global__ void NAME_s('
            f"{', '.join(['long long n', 'cu_dims shape', *ins_s, *outs])}) {{",
            "    " + loop,
            *("        " + line for line in offset_lines(len(in_dtypes), ndim, "i") + body),
            "    }",
            "}",
        ]
    )
    name, source = named_source("cu_ew", label, text)
    return ElementwiseKernel(
        name, label, source, tuple(in_broadcastable), tuple(out_dtypes), checks
    )


# -- reductions ------------------------------------------------------------------------

FOLDS = {
    "sum": ("0", "acc += x;", "cu_fold_sum"),
    "mean": ("0", "acc += x;", "cu_fold_sum"),
    "prod": ("1", "acc *= x;", "cu_fold_prod"),
    "max": ("-inf", "if (x > acc || x != x) acc = x;", "cu_fold_max"),
    "min": ("inf", "if (x < acc || x != x) acc = x;", "cu_fold_min"),
    "all": ("1", "acc = acc && x;", "cu_fold_and"),
    "any": ("0", "acc = acc || x;", "cu_fold_or"),
}
"""reduction -> (identity, fold of ``x`` into ``acc``, the block fold's functor)."""


def _identity(word: str, dtype: str) -> str:
    """The fold's starting value: for max and min of integers, the dtype's extremes."""
    if word in ("inf", "-inf") and dtype.startswith(("int", "uint")):
        limits = np.iinfo(dtype)
        return literal(int(limits.min if word == "-inf" else limits.max), dtype)
    if word in ("inf", "-inf"):
        return literal(float(word), dtype)
    return f"(({CUDA_TYPES[dtype]}){word})"


@dataclass(frozen=True)
class ReduceKernel:
    """A reduction over ``axes`` of an elementwise program's single output (the identity
    program when nothing was fused). Blocks along x share one output element's reduced
    elements (blocks along y: output elements); each writes its fold into a scratch
    array of partials, and ``_f`` folds each output's partials, one block per output.
    Short reductions (many outputs of a few elements each) take ``_t``: a thread each."""

    name: str
    label: str
    source: str
    reduction: str
    axes: tuple[int, ...]
    keepdims: bool
    in_broadcastable: tuple[tuple[bool, ...], ...]
    acc_itemsize: int
    empty_gives_identity: bool = False
    """Whether a max or min over no element gives its identity (-inf, inf) instead of
    NumPy's refusal: for the shift inside a split logsumexp, whose value then drops out."""

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (f"{self.name}_c", f"{self.name}_s", f"{self.name}_f", f"{self.name}_t")

    def reduced_input_shape(self, in_shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
        return broadcast_shape(self.label, in_shapes, self.in_broadcastable)

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        shape = self.reduced_input_shape(in_shapes)
        refuses = self.reduction in ("max", "min") and not self.empty_gives_identity
        if refuses and any(shape[a] == 0 for a in self.axes):
            raise ValueError(
                f"{self.label}: zero-size array to reduction operation {self.reduction}, "
                "which has no identity"
            )
        return [
            tuple(
                1 if axis in self.axes else length
                for axis, length in enumerate(shape)
                if self.keepdims or axis not in self.axes
            )
        ]

    def _split(self, shape: tuple[int, ...]) -> tuple[list[int], int, int]:
        """The axes kept then reduced, and how many output and reduced elements."""
        kept = [a for a in range(len(shape)) if a not in self.axes]
        m = k = 1
        for axis in kept:
            m *= shape[axis]
        for axis in self.axes:
            k *= shape[axis]
        return kept + list(self.axes), m, k

    def scratch_bytes(self, in_shapes: Sequence[tuple[int, ...]], config: LaunchConfig) -> int:
        _, m, k = self._split(self.reduced_input_shape(in_shapes))
        return max(1, m * self._parts(m, k, config)) * self.acc_itemsize

    def _parts(self, m: int, k: int, config: LaunchConfig) -> int:
        """Blocks sharing one output element: enough for the GPU when outputs are few."""
        if m == 0:
            return 1
        wanted = max(1, config.max_blocks // min(m, GRID_Y_LIMIT))
        return max(1, min(blocks_for(k, config), wanted))

    def launches(
        self,
        ins: Sequence[Operand],
        outs: Sequence[Operand],
        config: LaunchConfig,
        scratch: int = 0,
    ) -> list[Launch]:
        shape = self.reduced_input_shape([op.shape for op in ins])
        order, m, k = self._split(shape)
        if m == 0:
            return []
        sizes = i64(m) + i64(k)
        permuted = tuple(shape[a] for a in order)
        block = (config.threads, 1, 1)
        if k <= SHORT_REDUCTION and m > 1:
            in_args = b"".join(
                pointer(op.address) + dims(tuple(_broadcast_strides(op, shape)[a] for a in order))
                for op in ins
            )
            arguments = sizes + dims(permuted) + in_args + pointer(outs[0].address) + f64(k)
            return [Launch(f"{self.name}_t", (blocks_for(m, config), 1, 1), block, arguments)]
        parts = self._parts(m, k, config)
        grid = (parts, min(m, GRID_Y_LIMIT), 1)
        steps = _contiguous_steps(ins, shape) if order == sorted(order) else None
        if steps is not None:
            in_args = b"".join(
                pointer(op.address) + i64(step) for op, step in zip(ins, steps, strict=True)
            )
            first = Launch(f"{self.name}_c", grid, block, sizes + in_args + pointer(scratch))
        else:
            in_args = b"".join(
                pointer(op.address) + dims(tuple(_broadcast_strides(op, shape)[a] for a in order))
                for op in ins
            )
            first = Launch(
                f"{self.name}_s", grid, block, sizes + dims(permuted) + in_args + pointer(scratch)
            )
        finish_args = i64(m) + i64(parts) + pointer(scratch) + pointer(outs[0].address)
        finish = Launch(
            f"{self.name}_f",
            (max(1, min(m, config.max_blocks)), 1, 1),
            (config.threads, 1, 1),
            finish_args + f64(float(k)),
        )
        return [first, finish]


def reduce_kernel(
    label: str,
    reduction: str,
    axes: tuple[int, ...],
    keepdims: bool,
    program: ElementProgram,
    in_dtypes: Sequence[str],
    in_broadcastable: Sequence[tuple[bool, ...]],
    value_dtype: str,
    out_dtype: str,
    empty_gives_identity: bool = False,
) -> ReduceKernel:
    """The reduction of ``program``'s value (of ``value_dtype``) into ``out_dtype``, which
    is also the accumulator's dtype (NumPy's: float32 sums in float32...)."""
    ndim = len(in_broadcastable[0]) if in_broadcastable else 0
    identity_word, fold, functor = FOLDS[reduction]
    acc = CUDA_TYPES[out_dtype]
    identity = _identity(identity_word, out_dtype)
    values = [f"x{k}" for k in range(len(in_dtypes))]
    statements, (result,) = program(values)
    if any(STATUS in line for line in [*statements, result]):
        raise ValueError(f"{label}: a reduction cannot fuse a program that flags errors")
    reads = [f"const {CUDA_TYPES[d]} x{k} = in{k}[o{k}];" for k, d in enumerate(in_dtypes)]
    element = [*reads, *statements, f"const {acc} x = ({acc})({result});", fold]
    loop = [
        "for (long long o = blockIdx.y; o < m; o += gridDim.y) {",
        f"    {acc} acc = {identity};",
        "    for (long long r = (long long)blockIdx.x * blockDim.x + threadIdx.x; r < k;"
        " r += (long long)blockDim.x * gridDim.x) {",
        "        const long long i = o * k + r;",
    ]
    tail = [
        "    }",
        f"    acc = cu_block_reduce(acc, {functor}(), {identity});",
        "    if (threadIdx.x == 0) partial[o * gridDim.x + blockIdx.x] = acc;",
        "}",
    ]
    ins_c = [f"const {CUDA_TYPES[d]} *__restrict__ in{k}, long long step{k}"
             for k, d in enumerate(in_dtypes)]  # fmt: skip
    ins_s = [f"const {CUDA_TYPES[d]} *__restrict__ in{k}, cu_dims st{k}"
             for k, d in enumerate(in_dtypes)]  # fmt: skip
    contiguous = [f"const long long o{k} = i * step{k};" for k in range(len(in_dtypes))]
    strided = offset_lines(len(in_dtypes), ndim, "i")
    scale = f"acc = acc / ({acc})count;" if reduction == "mean" else ""
    text = "\n".join(
        [
            'extern "C" __global__ void NAME_c('
            f"{', '.join(['long long m', 'long long k', *ins_c, f'{acc} *partial'])}) {{",
            *("    " + line for line in loop),
            *("            " + line for line in contiguous + element),
            *("    " + line for line in tail),
            "}",
            'extern "C" __global__ void NAME_s('
            f"{', '.join(['long long m', 'long long k', 'cu_dims shape', *ins_s])}, "
            f"{acc} *partial) {{",
            *("    " + line for line in loop),
            *("            " + line for line in strided + element),
            *("    " + line for line in tail),
            "}",
            'extern "C" __global__ void NAME_t('
            f"{', '.join(['long long m', 'long long k', 'cu_dims shape', *ins_s])}, "
            f"{acc} *out, double count) {{",
            "    for (long long o = (long long)blockIdx.x * blockDim.x + threadIdx.x; o < m;"
            " o += (long long)blockDim.x * gridDim.x) {",
            f"        {acc} acc = {identity};",
            "        for (long long r = 0; r < k; ++r) {",
            "            const long long i = o * k + r;",
            *("            " + line for line in strided + element),
            "        }",
            f"        {scale}",
            "        out[o] = acc;",
            "    }",
            "}",
            f'extern "C" __global__ void NAME_f(long long m, long long parts, '
            f"const {acc} *partial, {acc} *out, double count) {{",
            "    for (long long o = blockIdx.x; o < m; o += gridDim.x) {",
            f"        {acc} acc = {identity};",
            "        for (long long p = threadIdx.x; p < parts; p += blockDim.x) {",
            f"            const {acc} x = partial[o * parts + p];",
            f"            {fold}",
            "        }",
            f"        acc = cu_block_reduce(acc, {functor}(), {identity});",
            "        if (threadIdx.x == 0) {",
            f"            {scale}",
            "            out[o] = acc;",
            "        }",
            "    }",
            "}",
        ]
    )
    name, source = named_source("cu_red", label, text)
    itemsize = {"float": 4, "int": 4, "unsigned int": 4}.get(acc, 8)
    return ReduceKernel(
        name, label, source, reduction, axes, keepdims, tuple(in_broadcastable), itemsize,
        empty_gives_identity,
    )  # fmt: skip


# -- matrix product ------------------------------------------------------------------


@dataclass(frozen=True)
class MatmulKernel:
    """``np.dot`` of float matrices and vectors, and ``np.matmul``'s batches of them
    (batch axes broadcast): tiles of ``blockDim.x`` squared (at most CU_TILE) through
    shared memory, a batch per grid z; any strides, so transposed views need no copy.
    The runtime calls cuBLAS instead where it can, and this kernel where it cannot."""

    name: str
    label: str
    source: str
    dtype: str
    ranks: tuple[int, int]

    @property
    def kernel_names(self) -> tuple[str, ...]:
        return (self.name,)

    @property
    def batch_ndim(self) -> int:
        return _batch_ndim(self.ranks)

    def batch_shape(self, in_shapes: Sequence[tuple[int, ...]]) -> tuple[int, ...]:
        """The broadcast batch axes (NumPy's matmul refuses lengths that differ)."""
        a, b = in_shapes
        parts = [shape[:-2] for shape in (a, b) if len(shape) > 2]
        result = []
        for axis in range(-self.batch_ndim, 0):
            lengths = {part[axis] for part in parts if len(part) >= -axis} - {1}
            if len(lengths) > 1:
                raise ValueError(
                    f"{self.label}: the batch axes of shapes {a} and {b} do not broadcast"
                )
            result.append(lengths.pop() if lengths else 1)
        return tuple(result)

    def output_shapes(self, in_shapes: Sequence[tuple[int, ...]]) -> list[tuple[int, ...]]:
        a, b = in_shapes
        inner = b[-2] if len(b) >= 2 else b[0]
        if a[-1] != inner:
            raise ValueError(
                f"{self.label}: shapes {a} and {b} not aligned: {a[-1]} (dim {len(a) - 1}) "
                f"!= {inner} (dim {max(len(b) - 2, 0)})"
            )
        rows = a[-2:-1] if len(a) >= 2 else ()
        columns = b[-1:] if len(b) >= 2 else ()
        return [(*self.batch_shape(in_shapes), *rows, *columns)]

    def matrices(
        self, ins: Sequence[Operand]
    ) -> tuple[int, int, int, tuple[int, int], tuple[int, int]]:
        """M, N, K and the strides of one A (M x K) and one B (K x N): vectors as a row
        or column."""
        a, b = ins
        if len(a.shape) >= 2:
            m, k = a.shape[-2:]
            a_strides = (a.strides[-2], a.strides[-1])
        else:
            m, k = 1, a.shape[0]
            a_strides = (0, a.strides[0])
        if len(b.shape) >= 2:
            n = b.shape[-1]
            b_strides = (b.strides[-2], b.strides[-1])
        else:
            n = 1
            b_strides = (b.strides[0], 0)
        return m, n, k, a_strides, b_strides

    def batch_strides(self, ins: Sequence[Operand]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """A's and B's strides along the batch axes (0 where an operand broadcasts)."""
        batch = self.batch_shape([op.shape for op in ins])
        result = []
        for op in ins:
            own = len(op.shape) - 2 if len(op.shape) > 2 else 0
            strides = [0] * (len(batch) - own)
            strides += [0 if op.shape[axis] == 1 else op.strides[axis] for axis in range(own)]
            result.append(tuple(strides))
        return result[0], result[1]

    def strided_batch(self, ins: Sequence[Operand]) -> tuple[int, int, int] | None:
        """(count, A's stride, B's stride) when batch z of each operand starts z strides
        after the first (what cuBLAS's strided batches take); None otherwise."""
        batch = self.batch_shape([op.shape for op in ins])
        found = []
        for strides in self.batch_strides(ins):
            step: int | None = None
            span = 1
            for length, stride in zip(reversed(batch), reversed(strides), strict=True):
                if length == 1:
                    continue
                if step is None:
                    step = stride
                elif stride != step * span:
                    return None
                span *= length
            found.append(step or 0)
        return math.prod(batch), found[0], found[1]

    def launches(
        self, ins: Sequence[Operand], outs: Sequence[Operand], config: LaunchConfig
    ) -> list[Launch]:
        m, n, k, (sa0, sa1), (sb0, sb1) = self.matrices(ins)
        batch = self.batch_shape([op.shape for op in ins])
        batches = math.prod(batch)
        if m == 0 or n == 0 or batches == 0:
            return []
        tile = max(1, min(config.tile, TILE))
        grid = (-(-n // tile), -(-m // tile), min(batches, GRID_Y_LIMIT))
        if grid[1] > GRID_Y_LIMIT:
            raise ValueError(f"{self.label}: {m} rows are more than the tiled kernel takes")
        strides_a, strides_b = self.batch_strides(ins)
        arguments = i64(m) + i64(n) + i64(k)
        arguments += pointer(ins[0].address) + i64(sa0) + i64(sa1)
        arguments += pointer(ins[1].address) + i64(sb0) + i64(sb1)
        arguments += pointer(outs[0].address)
        arguments += i64(batches) + dims(batch) + dims(strides_a) + dims(strides_b)
        return [Launch(self.name, grid, (tile, tile, 1), arguments)]


def _batch_ndim(ranks: tuple[int, int]) -> int:
    """matmul's batch axes: those beyond a matrix's two."""
    return max(max(ranks) - 2, 0)


def matmul_kernel(label: str, dtype: str, ranks: tuple[int, int]) -> MatmulKernel:
    t = CUDA_TYPES[dtype]
    offsets = offset_lines(2, _batch_ndim(ranks), "z")
    text = "\n".join(
        [
            'extern "C" __global__ void NAME(long long M, long long N, long long K,',
            f"        const {t} *__restrict__ A, long long sa0, long long sa1,",
            f"        const {t} *__restrict__ B, long long sb0, long long sb1,",
            f"        {t} *__restrict__ C, long long batches, cu_dims shape, cu_dims st0,",
            "        cu_dims st1) {",
            f"    __shared__ {t} As[CU_TILE][CU_TILE];",
            f"    __shared__ {t} Bs[CU_TILE][CU_TILE];",
            "    const unsigned tx = threadIdx.x, ty = threadIdx.y, tile = blockDim.x;",
            "    const long long row = (long long)blockIdx.y * tile + ty;",
            "    const long long col = (long long)blockIdx.x * tile + tx;",
            "    for (long long z = blockIdx.z; z < batches; z += gridDim.z) {",
            *("        " + line for line in offsets),
            f"        const {t} *__restrict__ Az = A + o0;",
            f"        const {t} *__restrict__ Bz = B + o1;",
            f"        {t} acc = 0;",
            "        for (long long k0 = 0; k0 < K; k0 += tile) {",
            "            As[ty][tx] = (row < M && k0 + tx < K)",
            f"                ? Az[row * sa0 + (k0 + tx) * sa1] : ({t})0;",
            "            Bs[ty][tx] = (k0 + ty < K && col < N)",
            f"                ? Bz[(k0 + ty) * sb0 + col * sb1] : ({t})0;",
            "            __syncthreads();",
            "            for (unsigned t = 0; t < tile; ++t) acc += As[ty][t] * Bs[t][tx];",
            "            __syncthreads();",
            "        }",
            "        if (row < M && col < N) C[z * M * N + row * N + col] = acc;",
            "    }",
            "}",
        ]
    )
    name, source = named_source("cu_mm", label, text)
    return MatmulKernel(name, label, source, dtype, ranks)
