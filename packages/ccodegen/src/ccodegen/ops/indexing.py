"""C for basic indexing: ``Subtensor`` (ints, slices, new axes) as a view of its input."""

from __future__ import annotations

from ccodegen.cnode import NodeC, NodeContext, c_ops
from tensorops.indexing.basic import Subtensor
from tensorops.indexing.key import INT, NEWAXIS, is_slice


@c_ops.register(Subtensor)
def subtensor_c(ctx: NodeContext) -> NodeC:
    """Lengths, strides and the offset of the first element, as NumPy computes them
    (negative indices count from the end; slices are clipped as Python clips them)."""
    op = ctx.node.op
    assert isinstance(op, Subtensor)
    x, *indices = ctx.inputs
    (out,) = ctx.outputs
    values = iter(indices)
    shape: list[str] = ["npy_intp offset = 0;"]
    strides: list[str] = []
    axis, out_axis = 0, 0
    for entry in op.spec:
        if entry == NEWAXIS:
            shape.append(f"{out.dim(out_axis)} = 1;")
            strides.append(f"{out.stride(out_axis)} = 0;")
            out_axis += 1
            continue
        if entry == INT:
            index = ctx.index_value(next(values))
            shape += [
                "{",
                f"    npy_intp i = {index};",
                f"    if (i < 0) i += {x.dim(axis)};",
                f"    if (i < 0 || i >= {x.dim(axis)}) "
                + ctx.fail(
                    "index",
                    f"index %ld is out of bounds for axis {axis} with size %ld",
                    f"(long){index}",
                    f"(long){x.dim(axis)}",
                ),
                f"    offset += i * {x.stride(axis)};",
                "}",
            ]
            axis += 1
            continue
        assert is_slice(entry) and not isinstance(entry, str)
        _, has_start, has_stop, has_step = entry
        start = ctx.index_value(next(values)) if has_start else None
        stop = ctx.index_value(next(values)) if has_stop else None
        step = ctx.index_value(next(values)) if has_step else "1"
        shape += [
            "{",
            f"    const npy_intp n = {x.dim(axis)}, step = {step};",
            "    if (step == 0) " + ctx.fail("value", "slice step cannot be zero"),
            f"    npy_intp start = {start if start is not None else '(step > 0 ? 0 : n - 1)'};",
            f"    npy_intp stop = {stop if stop is not None else '(step > 0 ? n : -n - 1)'};",
            "    cg_clip_slice(n, step, &start, &stop);",
            f"    {out.dim(out_axis)} = cg_slice_length(start, stop, step);",
            f"    if ({out.dim(out_axis)} > 0) offset += start * {x.stride(axis)};",
            f"    {out.stride(out_axis)} = step * {x.stride(axis)};",
            "}",
        ]
        axis += 1
        out_axis += 1
    for rest in range(axis, x.ndim):
        shape.append(f"{out.dim(out_axis)} = {x.dim(rest)};")
        strides.append(f"{out.stride(out_axis)} = {x.stride(rest)};")
        out_axis += 1
    # The offset is kept in the data pointer's place until the compute pass sets it.
    shape.append(f"{out.name}.data = (char *)offset;")
    compute = [f"{out.name}.data = {x.name}.data + (npy_intp){out.name}.data;", *strides]
    return NodeC("\n".join(shape), "\n".join(compute), views=frozenset({0}))
