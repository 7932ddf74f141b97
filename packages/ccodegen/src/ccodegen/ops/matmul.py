"""C for ``MatMul`` of float32/float64 through SciPy's BLAS: one gemm per matrix of the
batch (the leading axes, broadcast by NumPy's rules). A 1-d first operand is a row and a
1-d second one a column, whose axis the output drops, as in np.matmul.

Each operand is handed to BLAS as it lies when one of its matrices is a (transposed)
column-major matrix (see products.py); otherwise the whole operand is first copied in C
order to the node's scratch. The output is C-contiguous, as every computed value is (a
buffer the segment reserves, or the caller's new array).
"""

from __future__ import annotations

from ccodegen.blas import DECLARATIONS
from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops
from ccodegen.loops import copy_loop
from ccodegen.ops.nests import indent, loop_nest, offset
from ccodegen.ops.products import HELPERS
from tensorops.products import MatMul


def _in_scratch(ctx: NodeContext, var: CVar, name: str, k: int) -> list[str]:
    """C pointing ``cg_arr <name>`` (``var``'s lengths) at a copy of ``var`` in C order, in
    scratch ``k``."""
    copy = CVar(name, var.dtype, var.broadcastable)
    lines = [
        f"{name}.data = (char *){ctx.scratch(k, f'{var.size()} * {var.itemsize}')};",
        f"if ({name}.data == NULL) " + ctx.fail("memory", "matmul: out of memory"),
        f"cg_contiguous_strides(&{name}, {var.ndim}, {var.itemsize});",
    ]
    return [*lines, copy_loop(copy, var)]


@c_ops.register(MatMul)
def matmul_c(ctx: NodeContext) -> NodeC | None:
    (a, b), (out,) = ctx.inputs, ctx.outputs
    if not (a.dtype == b.dtype == out.dtype and out.dtype in ("float32", "float64")):
        return None
    p = "d" if out.dtype == "float64" else "s"
    item = out.itemsize
    batch = out.ndim - (a.ndim >= 2) - (b.ndim >= 2)
    a_batch, b_batch = max(a.ndim - 2, 0), max(b.ndim - 2, 0)
    n = a.dim(a.ndim - 2) if a.ndim >= 2 else "1"
    m = b.dim(b.ndim - 1) if b.ndim >= 2 else "1"
    k_a, k_b = a.dim(a.ndim - 1), b.dim(b.ndim - 2) if b.ndim >= 2 else b.dim(0)
    shape = [
        f"if ({k_a} != {k_b}) "
        + ctx.fail(
            "value",
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            "signature (n?,k),(k,m?)->(n?,m?) (size %ld is different from %ld)",
            f"(long){k_b}",
            f"(long){k_a}",
        )
    ]
    for axis in range(batch):
        da = a.dim(axis - (batch - a_batch)) if axis >= batch - a_batch else "1"
        db = b.dim(axis - (batch - b_batch)) if axis >= batch - b_batch else "1"
        shape += [
            f"if ({da} != {db} && {da} != 1 && {db} != 1) "
            + ctx.fail(
                "value",
                f"matmul: the batch axes do not broadcast: lengths %ld and %ld on axis {axis}",
                f"(long){da}",
                f"(long){db}",
            ),
            f"{out.dim(axis)} = {da} == 1 ? {db} : {da};",
        ]
    if a.ndim >= 2:
        shape.append(f"{out.dim(batch)} = {n};")
    if b.ndim >= 2:
        shape.append(f"{out.dim(out.ndim - 1)} = {m};")

    def batch_strides(var: CVar, name: str, rank: int) -> list[str]:
        lead = batch - rank
        return ["0"] * lead + [
            f"({name}.dims[{axis}] == 1 ? 0 : {name}.strides[{axis}])" for axis in range(rank)
        ]

    a_strides = batch_strides(a, "left", a_batch)
    b_strides = batch_strides(b, "right", b_batch)
    o_strides = [f"result.strides[{axis}]" for axis in range(batch)]
    # Strides of the rows and columns of one matrix of each operand.
    a_matrix = (
        f"left.strides[{a.ndim - 2}]" if a.ndim >= 2 else "0",
        f"left.strides[{a.ndim - 1}]",
    )
    b_matrix = (
        (f"right.strides[{b.ndim - 2}]", f"right.strides[{b.ndim - 1}]")
        if b.ndim >= 2
        else ("right.strides[0]", "0")
    )
    a_layout = f"cg_blas_layout(n, k, {a_matrix[0]}, {a_matrix[1]}, {item}, &ta, &lda)"
    b_layout = f"cg_blas_layout(k, m, {b_matrix[0]}, {b_matrix[1]}, {item}, &tb, &ldb)"
    gemm = [
        "char *o = result.data + " + offset("i", [f"os{axis}" for axis in range(batch)]) + ";",
        f"{out.ctype} *pa = ({out.ctype} *)(left.data + "
        + offset("i", [f"as{axis}" for axis in range(batch)])
        + ");",
        f"{out.ctype} *pb = ({out.ctype} *)(right.data + "
        + offset("i", [f"bs{axis}" for axis in range(batch)])
        + ");",
        f"cg_{p}gemm(&opb, &opa, &M, &N, &K, &one, pb, &ldb, pa, &lda, &zero, "
        f"({out.ctype} *)o, &ldc);",
    ]
    compute = [
        f"cg_arr left = {a.name}, right = {b.name}, result = {out.name};",
        f"const npy_intp n = {n}, m = {m}, k = {k_a};",
        f"if (n > 0 && m > 0 && {out.size()} > 0) {{",
        "    char ta = 'N', tb = 'N'; int lda = 1, ldb = 1;",
        f"    if (k > 0 && !{a_layout}) {{",
        *indent(_in_scratch(ctx, a, "left", 0), 2),
        f"        {a_layout};",
        "    }",
        f"    if (k > 0 && !{b_layout}) {{",
        *indent(_in_scratch(ctx, b, "right", 1), 2),
        f"        {b_layout};",
        "    }",
        "    if (k == 0) {",
        f"        const npy_intp size = {out.size()};",
        f"        for (npy_intp e = 0; e < size; e++) (({out.ctype} *)result.data)[e] = 0;",
        "    } else {",
        f"        {out.ctype} one = 1, zero = 0;",
        # Row-major C (n x m) is column-major C^T (m x n) = B^T A^T.
        "        char opb = (tb == 'T') ? 'N' : 'T', opa = (ta == 'T') ? 'N' : 'T';",
        "        int M = (int)m, N = (int)n, K = (int)k, ldc = (int)m;",
        *[
            f"        const npy_intp as{axis} = {sa}, bs{axis} = {sb}, os{axis} = {so};"
            for axis, (sa, sb, so) in enumerate(zip(a_strides, b_strides, o_strides, strict=True))
        ],
        *indent(loop_nest([f"result.dims[{axis}]" for axis in range(batch)], "i", gemm), 2),
        "    }",
        "}",
    ]
    return NodeC("\n".join(shape), "\n".join(compute), support=(DECLARATIONS, HELPERS))
