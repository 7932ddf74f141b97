"""C for ``AdvancedSubtensor``: ``x[key]`` with integer arrays and boolean masks among
ints, slices and new axes; a copy, by NumPy's rules.

The advanced indices (the arrays; a mask, standing for the positions of its True
entries in C order; the ints too when the key has an array) broadcast together to a
shape B. Their result axes replace them where they stand when they are adjacent in the
key, and go first otherwise. The rule first computes, for every element of B, the byte
offset into ``x`` its advanced indices select, checking bounds as NumPy does: array
entries only where B has elements (an empty B checks none), ints and masks always. The
copy then walks the output, adding that offset to the strided walk of the slices.
"""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset
from ccodegen.ops.updates import checked_index
from tensorops.indexing.advanced import AdvancedSubtensor
from tensorops.indexing.key import ARRAY, INT, NEWAXIS

MAX_MASKS = 3
"""Each mask keeps the offsets of its True entries in a scratch buffer of its own (1-3;
0 holds the offsets of B)."""


def _check_int(ctx: NodeContext, x: CVar, index: CVar, axis: int) -> list[str]:
    """Shape-pass C adding the (checked) int ``index`` on ``axis`` to ``offset``."""
    value = ctx.index_value(index)
    return [
        "{",
        f"    npy_intp i = {value};",
        f"    if (i < 0) i += {x.dim(axis)};",
        f"    if (i < 0 || i >= {x.dim(axis)}) "
        + ctx.fail(
            "index",
            f"index %ld is out of bounds for axis {axis} with size %ld",
            f"(long){value}",
            f"(long){x.dim(axis)}",
        ),
        f"    offset += i * {x.stride(axis)};",
        "}",
    ]


def _slice(ctx: NodeContext, x: CVar, parts: list[CVar | None], axis: int, r: int) -> list[str]:
    """Shape-pass C for a slice on ``axis``: its length ``len<r>`` and byte step ``step<r>``;
    its start goes into ``offset``."""
    start, stop, step = (None if part is None else ctx.index_value(part) for part in parts)
    return [
        f"npy_intp len{r} = 0, step{r} = 0;",
        "{",
        f"    const npy_intp n = {x.dim(axis)}, step = {step or '1'};",
        "    if (step == 0) " + ctx.fail("value", "slice step cannot be zero"),
        f"    npy_intp start = {start or '(step > 0 ? 0 : n - 1)'};",
        f"    npy_intp stop = {stop or '(step > 0 ? n : -n - 1)'};",
        "    cg_clip_slice(n, step, &start, &stop);",
        f"    len{r} = cg_slice_length(start, stop, step);",
        f"    if (len{r} > 0) offset += start * {x.stride(axis)};",
        f"    step{r} = step * {x.stride(axis)};",
        "}",
    ]


def _mask(ctx: NodeContext, x: CVar, mask: CVar, axis: int, m: int) -> list[str]:
    """Shape-pass C for a mask over ``x``'s axes from ``axis``: ``count<m>`` True entries,
    whose byte offsets into ``x`` (C order) are ``moff<m>[...]``."""
    lines = [f"npy_intp count{m} = 0, *moff{m} = NULL;", "{"]
    for k in range(mask.ndim):
        lines.append(
            f"    if ({mask.dim(k)} != {x.dim(axis + k)}) "
            + ctx.fail(
                "index",
                f"boolean index did not match indexed array along axis {axis + k}; size of "
                "axis is %ld but size of corresponding boolean axis is %ld",
                f"(long){x.dim(axis + k)}",
                f"(long){mask.dim(k)}",
            )
        )
    lengths = [mask.dim(k) for k in range(mask.ndim)]
    entry = at(
        "const npy_bool",
        f"{mask.name}.data",
        offset("c", [mask.stride(k) for k in range(mask.ndim)]),
    )
    where = offset("c", [x.stride(axis + k) for k in range(mask.ndim)])
    lines += indent(
        [
            *loop_nest(lengths, "c", [f"if ({entry}) count{m}++;"]),
            f"moff{m} = (npy_intp *){ctx.scratch(1 + m, f'count{m} * sizeof(npy_intp)')};",
            f"if (moff{m} == NULL) " + ctx.fail("memory", "advanced indexing: out of memory"),
            "npy_intp e = 0;",
            *loop_nest(lengths, "c", [f"if ({entry}) moff{m}[e++] = {where};"]),
        ]
    )
    return [*lines, "}"]


@c_ops.register(AdvancedSubtensor)
def advanced_subtensor_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, AdvancedSubtensor)
    (x, *indices), (out,) = ctx.inputs, ctx.outputs
    has_array = ARRAY in op.spec
    values = iter(indices)
    shape = ["npy_intp offset = 0;"]
    basic: list[tuple[str, str]] = []  # per result axis of a slice or new axis: length, step
    arrays: list[tuple[CVar, int]] = []  # integer arrays and the axis of x each indexes
    masks: list[CVar] = []
    insert_at, last_position, adjacent, seen = 0, -2, True, False
    axis = 0
    for position, entry in enumerate(op.spec):
        if entry == NEWAXIS:
            basic.append(("1", "0"))
            continue
        if isinstance(entry, tuple):
            parts = [next(values) if given else None for given in entry[1:]]
            shape += _slice(ctx, x, parts, axis, len(basic))
            basic.append((f"len{len(basic)}", f"step{len(basic)}"))
            axis += 1
            continue
        index = next(values)
        if entry == INT:
            shape += _check_int(ctx, x, index, axis)
            axis += 1
            if not has_array:
                continue
        elif index.dtype == "bool":
            if len(masks) == MAX_MASKS:
                return None
            shape += _mask(ctx, x, index, axis, len(masks))
            masks.append(index)
            axis += index.ndim
        else:
            arrays.append((index, axis))
            axis += 1
        if not seen:
            insert_at, seen = len(basic), True
        elif position != last_position + 1:
            adjacent = False
        last_position = position
    if axis > x.ndim:
        return None
    basic += [(x.dim(rest), x.stride(rest)) for rest in range(axis, x.ndim)]
    sources = [[var.dim(k) for k in range(var.ndim)] for var, _ in arrays]
    sources += [[f"count{m}"] for m in range(len(masks))]
    b_lengths, broadcast = _broadcast(ctx, sources)
    shape += broadcast
    where = insert_at if adjacent else 0
    axes = [*basic[:where], *((name, "") for name in b_lengths), *basic[where:]]
    shape += [f"{out.dim(k)} = {length};" for k, (length, _) in enumerate(axes)]
    compute = _offsets(ctx, x, arrays, len(masks), b_lengths) + _copy(
        x, out, axes, range(where, where + len(b_lengths))
    )
    return NodeC("\n".join(shape), "\n".join(["{", *indent(compute), "}"]))


def _broadcast(ctx: NodeContext, sources: list[list[str]]) -> tuple[list[str], list[str]]:
    """B, the advanced indices' lengths (``sources``; a mask's is its count) broadcast
    together: its lengths' names ``bn<k>``, and the shape-pass C that sets them."""
    rank = max((len(lengths) for lengths in sources), default=0)
    names = [f"bn{k}" for k in range(rank)]
    lines = [f"npy_intp {name} = 1;" for name in names]
    for lengths in sources:
        for k, length in enumerate(lengths):
            target = names[rank - len(lengths) + k]
            lines += [
                f"if ({target} == 1) {target} = {length};",
                f"else if ({length} != 1 && {length} != {target}) "
                + ctx.fail(
                    "index",
                    "shape mismatch: indexing arrays could not be broadcast together "
                    "(length %ld against %ld)",
                    f"(long){length}",
                    f"(long){target}",
                ),
            ]
    return names, lines


def _offsets(
    ctx: NodeContext, x: CVar, arrays: list[tuple[CVar, int]], n_masks: int, b_lengths: list[str]
) -> list[str]:
    """C filling ``offs[]``, per element of B in C order, with the byte offset into ``x``
    that the advanced indices select there."""
    rank = len(b_lengths)
    size = " * ".join(b_lengths) or "1"
    lines = [
        f"npy_intp *offs = (npy_intp *){ctx.scratch(0, f'({size}) * sizeof(npy_intp)')};",
        "if (offs == NULL) " + ctx.fail("memory", "advanced indexing: out of memory"),
    ]
    body = ["npy_intp o = 0;"]
    for n, (var, axis) in enumerate(arrays):
        lead = rank - var.ndim
        strides = ["0"] * lead + [f"a{n}s{k}" for k in range(var.ndim)]
        lines += [
            f"const npy_intp a{n}s{k} = {var.dim(k)} == 1 ? 0 : {var.stride(k)};"
            for k in range(var.ndim)
        ]
        raw = at(f"const {var.ctype}", f"{var.name}.data", offset("j", strides))
        checked = checked_index(ctx, raw, var.dtype, x.dim(axis), axis)
        body += ["{", *indent([*checked, f"o += i * {x.stride(axis)};"]), "}"]
    for m in range(n_masks):
        body.append(f"o += moff{m}[count{m} == 1 ? 0 : j{rank - 1}];")
    body.append("offs[e++] = o;")
    return [*lines, "npy_intp e = 0;", *loop_nest(b_lengths, "j", body)]


def _copy(x: CVar, out: CVar, axes: list[tuple[str, str]], b_axes: range) -> list[str]:
    """C copying the selected elements: ``axes`` are the output's, with the steps of the
    basic ones (those in ``b_axes`` walk B, whose offsets are ``offs[]``)."""
    declarations, lengths, strides = hoist(out, "o")
    b_index = []
    for k in b_axes:
        later = [axes[after][0] for after in b_axes if after > k]
        b_index.append(f"k{k}" + "".join(f" * {length}" for length in later))
    source_steps = ["0" if k in b_axes else step for k, (_, step) in enumerate(axes)]
    source = at(f"const {x.ctype}", "base + offs[b]", offset("k", source_steps))
    body = [
        f"const npy_intp b = {' + '.join(b_index) or '0'};",
        f"{at(out.ctype, f'{out.name}.data', offset('k', strides))} = {source};",
    ]
    return [
        f"const char *base = {x.name}.data + offset;",
        *declarations,
        *loop_nest(lengths, "k", body),
    ]
