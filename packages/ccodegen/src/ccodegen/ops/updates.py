"""C for ``x[key] = y`` and ``x[key] += y`` on a copy of ``x``: ``IncSubtensor`` (ints,
slices, new axes) and ``AdvancedIncSubtensor1`` (an integer vector on the first axis;
repeated indices accumulate their increments, as ``np.add.at``); and ``x[indices]``,
``AdvancedSubtensor1``, a copy of the rows taken.

``y`` broadcasts to the indexed region by NumPy's rules, decided at run time (a length
of 1 stretches). The output is always a copy, even for an op with ``inplace`` (which
declares ``destroy_map = {0: [0]}`` and may overwrite ``x``): a segment's entry point runs
its nodes a second time when an output's length changed (translate.py), and an update
written into its own input would then be applied twice.
"""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.ops.nests import (
    at,
    copy_nest,
    describe,
    hoist,
    indent,
    loop_nest,
    offset,
    wrapping,
)
from tensorops.indexing.advanced import AdvancedIncSubtensor1, AdvancedSubtensor1
from tensorops.indexing.basic import IncSubtensor
from tensorops.indexing.key import INT, NEWAXIS, Spec


def _start_output(ctx: NodeContext) -> tuple[list[str], list[str]]:
    """Shape pass and compute prologue of an update: the output is a copy of ``x``."""
    x, out = ctx.inputs[0], ctx.outputs[0]
    shape = [f"{out.dim(a)} = {x.dim(a)};" for a in range(x.ndim)]
    lengths = [out.dim(a) for a in range(x.ndim)]
    target = (f"{out.name}.data", [out.stride(a) for a in range(x.ndim)])
    source = (f"{x.name}.data", [x.stride(a) for a in range(x.ndim)])
    return shape, copy_nest(x.ctype, lengths, target, source)


def _combine(ctx: NodeContext, target: str, value: str) -> str:
    """``target = value`` (set) or ``target += value`` in the output's dtype."""
    out = ctx.outputs[0]
    if ctx.node.op.set_instead_of_inc:  # type: ignore[attr-defined]
        return f"{target} = {value};"
    if out.dtype == "bool":  # NumPy adds booleans with a logical or
        return f"{target} = {target} || {value};"
    return f"{target} = {wrapping(out.dtype, out.ctype, target, '+', value)};"


def _fits(ctx: NodeContext, y: CVar, region: list[str]) -> list[str]:
    """Shape-pass checks that ``y`` broadcasts to the region's lengths (C names)."""
    lead = len(region) - y.ndim
    lines = []
    for axis in range(y.ndim):
        lines.append(
            f"if ({y.dim(axis)} != 1 && {y.dim(axis)} != {region[lead + axis]}) "
            + ctx.fail(
                "value",
                f"{describe(str(ctx.node.op))}: could not broadcast the value's length %ld on "
                f"its axis {axis} into the indexed region's length %ld",
                f"(long){y.dim(axis)}",
                f"(long){region[lead + axis]}",
            )
        )
    return lines


def _value_strides(y: CVar, rank: int) -> list[str]:
    """Byte strides of ``y`` broadcast to a region of ``rank`` axes (C expressions)."""
    lead = rank - y.ndim
    return ["0"] * lead + [f"({y.dim(axis)} == 1 ? 0 : {y.stride(axis)})" for axis in range(y.ndim)]


def checked_index(ctx: NodeContext, raw: str, dtype: str, length: str, axis: int) -> list[str]:
    """C setting ``npy_intp i`` to the index ``raw`` (negative ones count from the end),
    or failing with NumPy's IndexError."""
    if dtype.startswith("uint"):
        return [
            f"if ((npy_uint64){raw} >= (npy_uint64){length}) "
            + ctx.fail(
                "index",
                f"index %llu is out of bounds for axis {axis} with size %ld",
                f"(unsigned long long){raw}",
                f"(long){length}",
            ),
            f"npy_intp i = (npy_intp){raw};",
        ]
    return [
        f"npy_intp i = (npy_intp){raw};",
        f"if (i < 0) i += {length};",
        f"if (i < 0 || i >= {length}) "
        + ctx.fail(
            "index",
            f"index %lld is out of bounds for axis {axis} with size %ld",
            f"(long long){raw}",
            f"(long){length}",
        ),
    ]


def _region(
    ctx: NodeContext, spec: Spec, x: CVar, indices: list[CVar]
) -> tuple[list[str], list[int | None]]:
    """The shape pass of the region ``x[key]``: per axis ``a`` of ``x`` the first index
    taken, ``at<a>``, and the step, ``step<a>``; per axis ``r`` of the region its length,
    ``length<r>``, as NumPy computes them (negative indices count from the end, slices
    are clipped as Python clips them). Also which axis of ``x`` each axis of the region
    walks (None: a new axis)."""
    declarations: list[str] = []
    lines: list[str] = []
    walks: list[int | None] = []
    values = iter(indices)
    axis = 0
    for entry in spec:
        if entry == NEWAXIS:
            walks.append(None)
            continue
        if entry == INT:
            index = next(values)
            checked = checked_index(ctx, index.first(), index.dtype, x.dim(axis), axis)
            declarations.append(f"npy_intp at{axis} = 0;")
            lines += ["{", *indent([*checked, f"at{axis} = i;"]), "}"]
            axis += 1
            continue
        assert isinstance(entry, tuple)
        _, has_start, has_stop, has_step = entry
        start = ctx.index_value(next(values)) if has_start else "(step > 0 ? 0 : n - 1)"
        stop = ctx.index_value(next(values)) if has_stop else "(step > 0 ? n : -n - 1)"
        step = ctx.index_value(next(values)) if has_step else "1"
        r = len(walks)
        declarations.append(f"npy_intp at{axis} = 0, step{axis} = 1, length{r} = 0;")
        slice_ = [
            f"const npy_intp n = {x.dim(axis)}, step = {step};",
            "if (step == 0) " + ctx.fail("value", "slice step cannot be zero"),
            f"npy_intp start = {start}, stop = {stop};",
            "cg_clip_slice(n, step, &start, &stop);",
            f"length{r} = cg_slice_length(start, stop, step);",
            f"at{axis} = length{r} > 0 ? start : 0;",
            f"step{axis} = step;",
        ]
        lines += ["{", *indent(slice_), "}"]
        walks.append(axis)
        axis += 1
    for rest in range(axis, x.ndim):
        r = len(walks)
        declarations.append(f"npy_intp at{rest} = 0, step{rest} = 1, length{r} = {x.dim(rest)};")
        walks.append(rest)
    return declarations + lines, walks


@c_ops.register(IncSubtensor)
def inc_subtensor_c(ctx: NodeContext) -> NodeC:
    op = ctx.node.op
    assert isinstance(op, IncSubtensor)
    x, y, *indices = ctx.inputs
    out = ctx.outputs[0]
    shape, compute = _start_output(ctx)
    region_shape, walks = _region(ctx, op.spec, x, indices)
    rank = len(walks)
    lengths = ["1" if a is None else f"length{r}" for r, a in enumerate(walks)]
    shape += region_shape + _fits(ctx, y, lengths)
    # The region of the output, and y spread over it.
    base = " + ".join([f"{out.name}.data", *(f"at{a} * {out.stride(a)}" for a in range(x.ndim))])
    region_strides = ["0" if a is None else f"step{a} * {out.stride(a)}" for a in walks]
    value_strides = _value_strides(y, rank)
    target = at(out.ctype, "region", offset("i", [f"rs{r}" for r in range(rank)]))
    value = at("const " + y.ctype, f"{y.name}.data", offset("i", [f"ys{r}" for r in range(rank)]))
    loop = [
        f"char *region = {base};",
        *(
            f"const npy_intp rs{r} = {region_strides[r]}, ys{r} = {value_strides[r]};"
            for r in range(rank)
        ),
    ]
    if op.set_instead_of_inc:
        ys = [f"ys{r}" for r in range(rank)]
        loop += copy_nest(
            out.ctype, lengths, ("region", [f"rs{r}" for r in range(rank)]), (f"{y.name}.data", ys)
        )
    else:
        loop += loop_nest(lengths, "i", [_combine(ctx, target, value)])
    compute += ["{", *indent(loop), "}"]
    return NodeC("\n".join(shape), "\n".join(compute))


@c_ops.register(AdvancedIncSubtensor1)
def advanced_inc_subtensor1_c(ctx: NodeContext) -> NodeC:
    (x, y, indices), out = ctx.inputs, ctx.outputs[0]
    shape, compute = _start_output(ctx)
    region = [indices.dim(0), *(x.dim(a) for a in range(1, x.ndim))]
    shape += _fits(ctx, y, region)
    declarations, lengths, strides = hoist(out, "o")
    value_strides = _value_strides(y, x.ndim)
    if x.ndim == 1 and out.dtype.startswith("float") and not ctx.node.op.set_instead_of_inc:  # type: ignore[attr-defined]
        loop = _accumulate_runs(ctx, indices, y, out, declarations, lengths, strides)
        compute += ["{", *indent(loop), "}"]
        return NodeC("\n".join(shape), "\n".join(compute))
    row = [
        *checked_index(ctx, _entry(indices), indices.dtype, lengths[0], 0),
        f"char *row = {out.name}.data + i * {strides[0]};",
        f"const char *from = {y.name}.data + k * ({value_strides[0]});",
        *loop_nest(
            lengths[1:],
            "j",
            [
                _combine(
                    ctx,
                    at(out.ctype, "row", offset("j", strides[1:])),
                    at("const " + y.ctype, "from", offset("j", value_strides[1:])),
                )
            ],
        ),
    ]
    loop = [
        *declarations,
        f"for (npy_intp k = 0; k < {indices.dim(0)}; k++) {{",
        *indent(row),
        "}",
    ]
    compute += ["{", *indent(loop), "}"]
    return NodeC("\n".join(shape), "\n".join(compute))


def _accumulate_runs(
    ctx: NodeContext,
    indices: CVar,
    y: CVar,
    out: CVar,
    declarations: list[str],
    lengths: list[str],
    strides: list[str],
) -> list[str]:
    """``out[indices[k]] += y[k]`` for a float vector, with a run of equal indices (a
    sorted group index, as a hierarchical model's gradient scatters) summed in a register:
    the same additions in the same order as one at a time, without a store and a reload
    of the same element between two of them."""
    value = at("const " + y.ctype, f"{y.name}.data", f"k * {_value_strides(y, 1)[0]}")
    element = at(out.ctype, f"{out.name}.data", f"current * {strides[0]}")
    return [
        *declarations,
        "npy_intp current = -1;",
        f"{out.ctype} sum = 0;",
        f"for (npy_intp k = 0; k < {indices.dim(0)}; k++) {{",
        *indent(
            [
                *checked_index(ctx, _entry(indices), indices.dtype, lengths[0], 0),
                "if (i != current) {",
                f"    if (current >= 0) {element} = sum;",
                "    current = i;",
                f"    sum = {element};",
                "}",
                f"sum = sum + {value};",
            ]
        ),
        "}",
        f"if (current >= 0) {element} = sum;",
    ]


def _entry(indices: CVar) -> str:
    return f"(*(const {indices.ctype} *)({indices.name}.data + k * {indices.stride(0)}))"


@c_ops.register(AdvancedSubtensor1)
def advanced_subtensor1_c(ctx: NodeContext) -> NodeC:
    (x, indices), (out,) = ctx.inputs, ctx.outputs
    shape = [f"{out.dim(0)} = {indices.dim(0)};"]
    shape += [f"{out.dim(a)} = {x.dim(a)};" for a in range(1, x.ndim)]
    declarations, lengths, strides = hoist(x, "x")
    out_declarations, _, out_strides = hoist(out, "o")
    row = [
        *checked_index(ctx, _entry(indices), indices.dtype, lengths[0], 0),
        *copy_nest(
            x.ctype,
            lengths[1:],
            (f"{out.name}.data + k * {out_strides[0]}", out_strides[1:]),
            (f"{x.name}.data + i * {strides[0]}", strides[1:]),
        ),
    ]
    loop = [
        *declarations,
        *out_declarations,
        f"for (npy_intp k = 0; k < {indices.dim(0)}; k++) {{",
        *indent(row),
        "}",
    ]
    return NodeC("\n".join(shape), "\n".join(["{", *indent(loop), "}"]))
