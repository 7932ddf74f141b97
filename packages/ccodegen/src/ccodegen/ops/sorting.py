"""C for ``SortOp``: ``np.sort`` and ``np.argsort`` along an axis, or over the flattened
array (C order) when the axis is None.

Every ``kind`` runs the same stable merge sort (insertion-sorted runs, then bottom-up
merges through a second buffer): sorted values do not depend on the algorithm, and
stable indices are what ``kind="stable"``/``"mergesort"`` promise and a valid answer for
``"quicksort"``/``"heapsort"``, whose order of ties NumPy leaves unspecified. NumPy's
order puts NaN after every number, NaNs equal among themselves.
"""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.ops.nests import at, hoist, indent, loop_nest, offset
from tensorops.sort import SORT_KINDS, SortOp

RUN = 16
"""Length of the runs sorted by insertion before the merges."""


def _less(dtype: str, left: str, right: str) -> str:
    """C for NumPy's ``left < right``: NaN after every number."""
    if dtype.startswith("float"):
        return f"({left} < {right} || ({right} != {right} && {left} == {left}))"
    return f"({left} < {right})"


def merge_sort(name: str, element: str, key: str, less: str, value_argument: str) -> str:
    """A C function ``name(values, items, spare, n)`` sorting ``items[0..n)`` stably by
    ``key`` (a format with ``{}`` for an item); returns the buffer holding the result
    (``items`` or ``spare``). ``less`` formats two keys ``{a}``, ``{b}``."""

    def before(a: str, b: str) -> str:
        return less.format(a=key.format(a), b=key.format(b))

    return f"""
static {element} *{name}({value_argument}, {element} *items, {element} *spare, npy_intp n) {{
    for (npy_intp start = 0; start < n; start += {RUN}) {{
        const npy_intp end = n - start < {RUN} ? n : start + {RUN};
        for (npy_intp i = start + 1; i < end; i++) {{
            const {element} item = items[i];
            npy_intp j = i;
            while (j > start && {before("item", "items[j - 1]")}) {{
                items[j] = items[j - 1];
                j--;
            }}
            items[j] = item;
        }}
    }}
    {element} *from = items, *to = spare;
    for (npy_intp width = {RUN}; width < n; width *= 2) {{
        for (npy_intp low = 0; low < n; low += 2 * width) {{
            const npy_intp mid = n - low < width ? n : low + width;
            const npy_intp high = n - low < 2 * width ? n : low + 2 * width;
            npy_intp i = low, j = mid, k = low;
            while (i < mid && j < high) {{
                /* the left item on ties: stable */
                to[k++] = {before("from[j]", "from[i]")} ? from[j++] : from[i++];
            }}
            while (i < mid) to[k++] = from[i++];
            while (j < high) to[k++] = from[j++];
        }}
        {element} *swap = from;
        from = to;
        to = swap;
    }}
    return from;
}}"""


def _support(mode: str, x: CVar) -> tuple[str, str]:
    """The sort function for ``x``'s dtype and its name."""
    less = _less(x.dtype, "{a}", "{b}")
    if mode == "sort":
        name = f"cg_sort_{x.dtype}"
        return name, merge_sort(name, x.ctype, "{}", less, f"const {x.ctype} *unused")
    name = f"cg_argsort_{x.dtype}"
    return name, merge_sort(name, "npy_int64", "values[{}]", less, f"const {x.ctype} *values")


@c_ops.register(SortOp)
def sort_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, SortOp)
    (x,), (out,) = ctx.inputs, ctx.outputs
    if op.kind not in SORT_KINDS:
        return None
    function, support = _support(op.mode, x)
    declarations, lengths, strides = hoist(x, "x")
    out_declarations, _, out_strides = hoist(out, "o")
    t = x.ctype
    if op.axis is None:
        shape = f"{out.dim(0)} = {x.size()};"
        count, kept, walked, out_step = x.size(), [], list(range(x.ndim)), out_strides[0]
    else:
        shape = "\n".join(f"{out.dim(a)} = {x.dim(a)};" for a in range(x.ndim))
        count, walked, out_step = lengths[op.axis], [op.axis], out_strides[op.axis]
        kept = [a for a in range(x.ndim) if a != op.axis]
    element = "npy_int64" if op.mode == "argsort" else t
    buffers = [
        f"const npy_intp n = {count};",
        f"{element} *items = ({element} *){ctx.scratch(0, f'n * sizeof({element})')};",
        f"{element} *spare = ({element} *){ctx.scratch(1, f'n * sizeof({element})')};",
    ]
    if op.mode == "sort":
        # The values are sorted in place in ``items``: no separate copy of them.
        buffers.append(f"const {t} *values = NULL;")
        missing = "items == NULL || spare == NULL"
    else:
        buffers.append(f"{t} *values = ({t} *){ctx.scratch(2, f'n * sizeof({t})')};")
        missing = "values == NULL || items == NULL || spare == NULL"
    buffers.append(f"if ({missing}) " + ctx.fail("memory", f"{op.mode}: out of memory"))
    gather = [
        f"{'items' if op.mode == 'sort' else 'values'}[m++] = "
        f"{at('const ' + t, 'base', offset('j', [strides[a] for a in walked]))};"
    ]
    if op.mode == "sort":
        fill = ["npy_intp m = 0;", *loop_nest([lengths[a] for a in walked], "j", gather)]
        sorted_ = f"const {t} *sorted = {function}(values, items, spare, n);"
    else:
        fill = [
            "npy_intp m = 0;",
            *loop_nest([lengths[a] for a in walked], "j", gather),
            "for (npy_intp k = 0; k < n; k++) items[k] = k;",
        ]
        sorted_ = f"const npy_int64 *sorted = {function}(values, items, spare, n);"
    lane = [
        f"const char *base = {x.name}.data + {offset('i', [strides[a] for a in kept])};",
        f"char *target = {out.name}.data + {offset('i', [out_strides[a] for a in kept])};",
        *fill,
        sorted_,
        f"for (npy_intp k = 0; k < n; k++) {at(out.ctype, 'target', 'k * ' + out_step)}"
        " = sorted[k];",
    ]
    compute = [
        *declarations,
        *out_declarations,
        *buffers,
        *loop_nest([lengths[a] for a in kept], "i", lane),
    ]
    return NodeC(shape, "\n".join(["{", *indent(compute), "}"]), support=(support,))
