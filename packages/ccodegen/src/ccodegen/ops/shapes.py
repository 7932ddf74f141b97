"""C for the ops that read or change lengths: Shape, Shape_i, MakeVector, SpecifyShape,
Reshape and Alloc."""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.loops import copy_loop
from tensorops.creation_ops import Alloc
from tensorops.indexing.basic import SliceLength
from tensorops.shape_ops import Reshape, SpecifyShape
from tensorops.sizes import MakeVector, Shape, Shape_i


@c_ops.register(Shape)
def shape_c(ctx: NodeContext) -> NodeC:
    (x,), (out,) = ctx.inputs, ctx.outputs
    stores = [f"{out.pointer()}[{axis}] = ({out.ctype}){x.dim(axis)};" for axis in range(x.ndim)]
    return NodeC(f"{out.dim(0)} = {x.ndim};", "\n".join(stores))


@c_ops.register(Shape_i)
def shape_i_c(ctx: NodeContext) -> NodeC:
    op = ctx.node.op
    assert isinstance(op, Shape_i)
    (x,), (out,) = ctx.inputs, ctx.outputs
    return NodeC("", f"{out.first()} = ({out.ctype}){x.dim(op.i)};")


@c_ops.register(MakeVector)
def make_vector_c(ctx: NodeContext) -> NodeC:
    (out,) = ctx.outputs
    stores = [
        f"{out.pointer()}[{k}] = ({out.ctype}){var.first()};" for k, var in enumerate(ctx.inputs)
    ]
    return NodeC(f"{out.dim(0)} = {len(ctx.inputs)};", "\n".join(stores))


@c_ops.register(SpecifyShape)
def specify_shape_c(ctx: NodeContext) -> NodeC:
    op = ctx.node.op
    assert isinstance(op, SpecifyShape)
    x, *sizes = ctx.inputs
    (out,) = ctx.outputs
    lines = [f"{out.dim(axis)} = {x.dim(axis)};" for axis in range(x.ndim)]
    given = iter(sizes)
    for axis, flag in enumerate(op.specified):
        if not flag:
            continue
        size = ctx.index_value(next(given))
        lines.append(
            f"if ({x.dim(axis)} != {size}) "
            + ctx.fail(
                "assertion",
                f"SpecifyShape: axis {axis} of the input has length %ld, expected %ld",
                f"(long){x.dim(axis)}",
                f"(long){size}",
            )
        )
    compute = [f"{out.name}.data = {x.name}.data;"]
    compute += [f"{out.stride(axis)} = {x.stride(axis)};" for axis in range(x.ndim)]
    return NodeC("\n".join(lines), "\n".join(compute), views=frozenset({0}))


@c_ops.register(Reshape)
def reshape_c(ctx: NodeContext) -> NodeC:
    """A view of a C-contiguous input; other inputs are first copied to scratch in C order."""
    (x, shape), (out,) = ctx.inputs, ctx.outputs
    ndim = out.ndim
    lines = [
        f"if ({shape.dim(0)} != {ndim}) "
        + ctx.fail(
            "value", f"Reshape: a shape of length {ndim} expected, got %ld", f"(long){shape.dim(0)}"
        ),
        f"const npy_intp size = {x.size()};",
        "npy_intp known = 1;",
        "int unknown = -1;",
    ]
    for axis in range(ndim):
        entry = f"(npy_intp){shape.element(axis)}"
        lines += [
            f"{out.dim(axis)} = {entry};",
            f"if ({out.dim(axis)} == -1 && unknown < 0) unknown = {axis};",
            f"else if ({out.dim(axis)} < 0) "
            + ctx.fail("value", "Reshape: invalid length %ld", f"(long){out.dim(axis)}"),
            f"else known *= {out.dim(axis)};",
        ]
    lines += [
        "if (unknown >= 0) {",
        "    if (known == 0 || size % known != 0) "
        + ctx.fail("value", "Reshape: cannot reshape an array of size %ld", "(long)size"),
        f"    {out.name}.dims[unknown] = size / known;",
        "} else if (known != size) "
        + ctx.fail(
            "value",
            "Reshape: cannot reshape an array of size %ld into one of size %ld",
            "(long)size",
            "(long)known",
        ),
    ]
    flat = CVar("flat", x.dtype, x.broadcastable)
    compute = [
        f"if (cg_contiguous_like(&{x.name}, &{x.name}, {x.ndim}, {x.itemsize})) {{",
        f"    {out.name}.data = {x.name}.data;",
        "} else {",
        f"    cg_arr flat = {x.name};",
        f"    flat.data = (char *){ctx.scratch(0, f'{x.size()} * {x.itemsize}')};",
        "    if (flat.data == NULL) " + ctx.fail("memory", "Reshape: out of memory"),
        f"    cg_contiguous_strides(&flat, {x.ndim}, {x.itemsize});",
        *["    " + line for line in copy_loop(flat, x).splitlines()],
        f"    {out.name}.data = flat.data;",
        "}",
        f"cg_contiguous_strides(&{out.name}, {ndim}, {out.itemsize});",
    ]
    return NodeC("\n".join(lines), "\n".join(compute), views=frozenset({0}))


@c_ops.register(Alloc)
def alloc_c(ctx: NodeContext) -> NodeC:
    """The value broadcast (NumPy's rules: lengths 1 stretch) to the given lengths."""
    value, *sizes = ctx.inputs
    (out,) = ctx.outputs
    ndim, lead = out.ndim, out.ndim - value.ndim
    lines = []
    for axis, size in enumerate(sizes):
        lines.append(f"{out.dim(axis)} = {ctx.index_value(size)};")
        lines.append(
            f"if ({out.dim(axis)} < 0) "
            + ctx.fail("value", "alloc: negative length %ld", f"(long){out.dim(axis)}")
        )
    for axis in range(value.ndim):
        lines.append(
            f"if ({value.dim(axis)} != 1 && {value.dim(axis)} != {out.dim(lead + axis)}) "
            + ctx.fail(
                "value",
                f"alloc: a value of length %ld on axis {axis} cannot fill length %ld",
                f"(long){value.dim(axis)}",
                f"(long){out.dim(lead + axis)}",
            )
        )
    spread = CVar("spread", value.dtype, (False,) * ndim)
    compute = ["cg_arr spread;", f"spread.data = {value.name}.data;"]
    for axis in range(ndim):
        compute.append(f"spread.dims[{axis}] = {out.dim(axis)};")
        if axis < lead:
            compute.append(f"spread.strides[{axis}] = 0;")
        else:
            source = axis - lead
            compute.append(
                f"spread.strides[{axis}] = {value.dim(source)} == 1 ? 0 : {value.stride(source)};"
            )
    compute.append(copy_loop(out, spread))
    return NodeC("\n".join(lines), "\n".join(compute))


@c_ops.register(SliceLength)
def slice_length_c(ctx: NodeContext) -> NodeC:
    """``len(range(n)[start:stop:step])``, as Python's ``slice.indices`` clips the bounds."""
    op = ctx.node.op
    assert isinstance(op, SliceLength)
    (out,) = ctx.outputs
    given = iter(var.first() for var in ctx.inputs[1:])
    start, stop, step = (
        next(given) if flag else None for flag in (op.has_start, op.has_stop, op.has_step)
    )
    lines = [
        f"const npy_int64 n = (npy_int64){ctx.inputs[0].first()};",
        f"const npy_int64 step = {step if step is not None else '1'};",
        "if (step == 0) " + ctx.fail("value", "slice step cannot be zero"),
        "const npy_int64 lower = step > 0 ? 0 : -1, upper = step > 0 ? n : n - 1;",
    ]
    for name, value, default in (("start", start, "step > 0 ? lower : upper"),
                                 ("stop", stop, "step > 0 ? upper : lower")):  # fmt: skip
        if value is None:
            lines.append(f"const npy_int64 {name} = {default};")
            continue
        lines += [
            f"npy_int64 {name} = {value};",
            f"if ({name} < 0) {{ {name} += n; if ({name} < lower) {name} = lower; }}",
            f"else if ({name} > upper) {name} = upper;",
        ]
    lines.append(
        f"{out.first()} = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)"
        " : (start > stop ? (start - stop - step - 1) / -step : 0);"
    )
    return NodeC("", "{\n" + "\n".join(lines) + "\n}")
