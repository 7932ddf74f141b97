"""C for ``TensorDot`` of float32/float64 through SciPy's BLAS, as ``np.tensordot`` computes
it: each operand's axes are put in order (``a``: free axes, then the contracted ones;
``b``: contracted, then free), each is then an M x K and a K x N matrix, and one gemm
gives the M x N output (``a``'s free axes, then ``b``'s).

An operand is handed to BLAS as it lies when both its groups of axes merge into one
stride each and the two strides make a (transposed) column-major matrix (see
products.py); otherwise it is first copied, its axes in that order, in C order to the
node's scratch. The output is C-contiguous, as every computed value is.
"""

from __future__ import annotations

from collections.abc import Sequence

from ccodegen.blas import DECLARATIONS
from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.loops import copy_loop
from ccodegen.ops.nests import indent
from ccodegen.ops.products import HELPERS
from tensorops.products import TensorDot

MERGE = """
/* The one byte stride of axes walked together in C order (lengths of 1 skipped), in
   *stride; 0 when their strides do not allow it. */
static int cg_merged_stride(int n, const npy_intp *dims, const npy_intp *strides,
                            npy_intp item, npy_intp *stride) {
    npy_intp next = 0;
    *stride = item;
    int found = 0;
    for (int k = n - 1; k >= 0; k--) {
        if (dims[k] == 1) continue;
        if (!found) { *stride = strides[k]; found = 1; }
        else if (strides[k] != next) return 0;
        next = strides[k] * dims[k];
    }
    return 1;
}
"""


def _matrix(
    ctx: NodeContext, var: CVar, order: Sequence[int], split: int, name: str, k: int
) -> list[str]:
    """C setting ``p<name>``, ``t<name>`` and ``ld<name>``: ``var`` with its axes in ``order``
    as a rows x cols matrix (the first ``split`` of them make the rows) for BLAS, copied
    to scratch ``k`` when its strides do not allow that."""
    view = CVar(f"{name}p", var.dtype, tuple(var.broadcastable[axis] for axis in order))
    copy = CVar(f"{name}c", var.dtype, view.broadcastable)
    item, n = var.itemsize, len(order)
    layout = (
        f"cg_blas_layout({name}rows, {name}cols, {name}s0, {name}s1, {item}, &t{name}, &ld{name})"
    )
    return [
        f"cg_arr {view.name};",
        f"{view.name}.data = {var.name}.data;",
        *(f"{view.dim(j)} = {var.dim(axis)};" for j, axis in enumerate(order)),
        *(f"{view.stride(j)} = {var.stride(axis)};" for j, axis in enumerate(order)),
        f"npy_intp {name}s0 = 0, {name}s1 = 0;",
        f"char t{name} = 'N'; int ld{name} = 1;",
        f"{view.ctype} *p{name} = {var.pointer()};",
        f"if (!(cg_merged_stride({split}, {view.name}.dims, {view.name}.strides, {item}, "
        f"&{name}s0) && cg_merged_stride({n - split}, {view.name}.dims + {split}, "
        f"{view.name}.strides + {split}, {item}, &{name}s1) && {layout})) {{",
        f"    cg_arr {copy.name} = {view.name};",
        f"    {copy.name}.data = (char *){ctx.scratch(k, f'{view.size()} * {item}')};",
        f"    if ({copy.name}.data == NULL) " + ctx.fail("memory", "tensordot: out of memory"),
        f"    cg_contiguous_strides(&{copy.name}, {n}, {item});",
        *indent([copy_loop(copy, view)]),
        f"    p{name} = {copy.pointer()};",
        f"    {name}s0 = {name}cols * {item}; {name}s1 = {item};",
        f"    {layout};",
        "}",
    ]


def _product(var: CVar, axes: Sequence[int]) -> str:
    return " * ".join(f"{var.dim(axis)}" for axis in axes) or "1"


@c_ops.register(TensorDot)
def tensordot_c(ctx: NodeContext) -> NodeC | None:
    op = ctx.node.op
    assert isinstance(op, TensorDot)
    (a, b), (out,) = ctx.inputs, ctx.outputs
    if not (a.dtype == b.dtype == out.dtype and out.dtype in ("float32", "float64")):
        return None
    axes_a, axes_b = op.axes
    free_a = [axis for axis in range(a.ndim) if axis not in axes_a]
    free_b = [axis for axis in range(b.ndim) if axis not in axes_b]
    shape = [
        f"if ({a.dim(axis_a)} != {b.dim(axis_b)}) "
        + ctx.fail(
            "value",
            f"shape-mismatch for sum: axis {axis_a} of the first has length %ld, axis "
            f"{axis_b} of the second %ld",
            f"(long){a.dim(axis_a)}",
            f"(long){b.dim(axis_b)}",
        )
        for axis_a, axis_b in zip(axes_a, axes_b, strict=True)
    ]
    lengths = [a.dim(axis) for axis in free_a] + [b.dim(axis) for axis in free_b]
    shape += [f"{out.dim(k)} = {length};" for k, length in enumerate(lengths)]
    p, t = ("d" if out.dtype == "float64" else "s"), out.ctype
    compute = [
        f"const npy_intp m = {_product(a, free_a)}, k = {_product(a, axes_a)}, "
        f"n = {_product(b, free_b)};",
        "const npy_intp arows = m, acols = k, brows = k, bcols = n;",
        "if (m > 0 && n > 0 && k == 0) {",
        f"    for (npy_intp i = 0; i < m * n; i++) {out.pointer()}[i] = 0;",
        "} else if (m > 0 && n > 0) {",
        f"    if (cg_{p}gemm == NULL) "
        + ctx.fail(
            "runtime", "tensordot: this unit was loaded without BLAS (use compile_segments)"
        ),
        *indent(_matrix(ctx, a, [*free_a, *axes_a], len(free_a), "a", 0)),
        *indent(_matrix(ctx, b, [*axes_b, *free_b], len(axes_b), "b", 1)),
        # Row-major C (m x n) is column-major C^T (n x m) = B^T A^T.
        f"    {t} one = 1, zero = 0;",
        "    char opb = (tb == 'T') ? 'N' : 'T', opa = (ta == 'T') ? 'N' : 'T';",
        "    int M = (int)n, N = (int)m, K = (int)k, ldc = (int)(n > 1 ? n : 1);",
        f"    cg_{p}gemm(&opb, &opa, &M, &N, &K, &one, pb, &ldb, pa, &lda, &zero, "
        f"{out.pointer()}, &ldc);",
        "}",
    ]
    return NodeC("\n".join(shape), "\n".join(compute), support=(DECLARATIONS, HELPERS, MERGE))
