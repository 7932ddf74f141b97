"""C for ``Dot`` of float and complex vectors and matrices through SciPy's BLAS (other
cases: dot_loops.py).

A row-major matrix is, to the column-major BLAS, its own transpose with a leading
dimension of its row stride; a column-major one is itself. Inputs with other
strides (a slice with a step on both axes) are first copied in C order to the
node's scratch. A row-major product C = A B is computed as C^T = B^T A^T.
"""

from __future__ import annotations

from ccodegen.blas import DECLARATIONS
from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops, complex_ops
from ccodegen.ops.dot_loops import cast_copy, dot_shape, scaled, summed
from tensorops.products import Dot

HELPERS = """
/* How BLAS sees a rows x cols matrix with byte strides s0, s1: as itself ('N') or
   its transpose ('T'), column-major with leading dimension *ld. 0 if it cannot. */
static int cg_blas_layout(npy_intp rows, npy_intp cols, npy_intp s0, npy_intp s1,
                          npy_intp item, char *trans, int *ld) {
    if (rows <= 1) s0 = (cols > 1 ? cols : 1) * item;
    if (cols <= 1) s1 = item;
    if (s1 == item && s0 % item == 0 && s0 / item >= (cols > 1 ? cols : 1)) {
        *trans = 'T'; *ld = (int)(s0 / item); return 1;
    }
    if (s0 == item && s1 % item == 0 && s1 / item >= (rows > 1 ? rows : 1)) {
        *trans = 'N'; *ld = (int)(s1 / item); return 1;
    }
    return 0;
}

/* A vector's BLAS increment, 0 if its stride is no positive multiple of the item size. */
static int cg_blas_increment(npy_intp n, npy_intp stride, npy_intp item) {
    if (n <= 1) return 1;
    if (stride <= 0 || stride % item != 0) return 0;
    return (int)(stride / item);
}
"""


def _contiguous_copy(ctx: NodeContext, var: CVar, k: int) -> list[str]:
    """C that replaces ``var`` by a C-ordered copy in scratch ``k`` when BLAS cannot read it."""
    copy, lines = cast_copy(ctx, var, var.dtype, k)
    return [*lines, f"{var.name} = {copy.name};"]


complex_ops.add(Dot)

PRECISIONS = {"float64": "d", "float32": "s", "complex128": "z", "complex64": "c"}
"""BLAS's letter for each dtype it multiplies (the complex dot is the unconjugated one)."""


@c_ops.register(Dot)
def dot_c(ctx: NodeContext) -> NodeC | None:
    (a, b), (out,) = ctx.inputs, ctx.outputs
    shape = dot_shape(ctx)
    if a.ndim == 0 or b.ndim == 0:
        looped = scaled(ctx)
    elif out.dtype not in PRECISIONS:
        looped = summed(ctx)
    else:
        return NodeC(shape, _blas_dot(ctx), support=(DECLARATIONS, HELPERS))
    return None if looped is None else NodeC(shape, looped)


def _blas_dot(ctx: NodeContext) -> str:
    """A product of float or complex results in BLAS, operands of other dtypes cast first."""
    (a, b), (out,) = ctx.inputs, ctx.outputs
    p = PRECISIONS[out.dtype]
    t = out.ctype
    item = out.itemsize
    # Local copies of the operands' descriptions, replaced by C-ordered copies if needed.
    compute = [f"cg_arr left = {a.name}, right = {b.name};"]
    al = CVar("left", a.dtype, a.broadcastable)
    bl = CVar("right", b.dtype, b.broadcastable)
    # Operands of another dtype: cast copies in scratch 2 and 3, as NumPy casts them.
    if a.dtype != out.dtype:
        cast, lines = cast_copy(ctx, al, out.dtype, 2)
        compute += [*lines, f"left = {cast.name};"]
        al = CVar("left", out.dtype, a.broadcastable)
    if b.dtype != out.dtype:
        cast, lines = cast_copy(ctx, bl, out.dtype, 3)
        compute += [*lines, f"right = {cast.name};"]
        bl = CVar("right", out.dtype, b.broadcastable)
    compute += [
        f"if (cg_{p}gemm == NULL) "
        + ctx.fail("runtime", "dot: this unit was loaded without BLAS (use compile_segments)"),
        f"{t} one = 1, zero = 0;",
        "(void)one; (void)zero;",
    ]
    if a.ndim == 1 and b.ndim == 1:
        compute += _vector_vector(ctx, al, bl, out, p, item)
    elif a.ndim == 2 and b.ndim == 1:
        compute += _matrix_vector(ctx, al, bl, out, p, item, vector_first=False)
    elif a.ndim == 1 and b.ndim == 2:
        compute += _matrix_vector(ctx, bl, al, out, p, item, vector_first=True)
    else:
        compute += _matrix_matrix(ctx, al, bl, out, p, item)
    return "\n".join(compute)


def _vector_vector(ctx: NodeContext, a: CVar, b: CVar, out: CVar, p: str, item: int) -> list[str]:
    return [
        f"int n = (int){a.dim(0)};",
        f"int ia = cg_blas_increment(n, {a.stride(0)}, {item});",
        f"int ib = cg_blas_increment(n, {b.stride(0)}, {item});",
        "if (ia == 0) {",
        *["    " + line for line in _contiguous_copy(ctx, a, 0)],
        "    ia = 1;",
        "}",
        "if (ib == 0) {",
        *["    " + line for line in _contiguous_copy(ctx, b, 1)],
        "    ib = 1;",
        "}",
        f"{out.first()} = n == 0 ? 0 : cg_{p}dot(&n, {a.pointer()}, &ia, {b.pointer()}, &ib);",
    ]


def _matrix_vector(
    ctx: NodeContext, m: CVar, v: CVar, out: CVar, p: str, item: int, vector_first: bool
) -> list[str]:
    """y = M v (``vector_first``: y = v M, that is M^T v)."""
    lines = [
        "char trans; int ld;",
        f"const npy_intp rows = {m.dim(0)}, cols = {m.dim(1)};",
        f"if (!cg_blas_layout(rows, cols, {m.stride(0)}, {m.stride(1)}, {item}, &trans, &ld)) {{",
        *["    " + line for line in _contiguous_copy(ctx, m, 0)],
        f"    cg_blas_layout(rows, cols, {m.stride(0)}, {m.stride(1)}, {item}, &trans, &ld);",
        "}",
        f"int iv = cg_blas_increment({v.dim(0)}, {v.stride(0)}, {item});",
        "if (iv == 0) {",
        *["    " + line for line in _contiguous_copy(ctx, v, 1)],
        "    iv = 1;",
        "}",
        f"int iy = cg_blas_increment({out.dim(0)}, {out.stride(0)}, {item});",
        f"const npy_intp n_out = {out.dim(0)};",
        "if (n_out > 0 && (rows == 0 || cols == 0)) {",
        f"    for (npy_intp i = 0; i < n_out; i++) {out.pointer()}[i] = 0;",
        "} else if (n_out > 0) {",
        # Stored column-major: 'N' holds M (rows x cols), 'T' holds M^T (cols x rows).
        "    int r = (int)rows, c = (int)cols;",
        "    char op;",
        "    int sr, sc;",
        "    if (trans == 'N') { sr = r; sc = c; } else { sr = c; sc = r; }",
        (
            "    op = (trans == 'T') ? 'N' : 'T';"
            if vector_first
            else "    op = (trans == 'T') ? 'T' : 'N';"
        ),
        f"    cg_{p}gemv(&op, &sr, &sc, &one, {m.pointer()}, &ld, {v.pointer()}, &iv, &zero, "
        f"{out.pointer()}, &iy);",
        "}",
    ]
    return lines


def _matrix_matrix(ctx: NodeContext, a: CVar, b: CVar, out: CVar, p: str, item: int) -> list[str]:
    return [
        "char ta, tb; int lda, ldb;",
        f"const npy_intp m = {a.dim(0)}, n = {a.dim(1)}, k = {b.dim(1)};",
        f"if (!cg_blas_layout(m, n, {a.stride(0)}, {a.stride(1)}, {item}, &ta, &lda)) {{",
        *["    " + line for line in _contiguous_copy(ctx, a, 0)],
        f"    cg_blas_layout(m, n, {a.stride(0)}, {a.stride(1)}, {item}, &ta, &lda);",
        "}",
        f"if (!cg_blas_layout(n, k, {b.stride(0)}, {b.stride(1)}, {item}, &tb, &ldb)) {{",
        *["    " + line for line in _contiguous_copy(ctx, b, 1)],
        f"    cg_blas_layout(n, k, {b.stride(0)}, {b.stride(1)}, {item}, &tb, &ldb);",
        "}",
        "if (m > 0 && k > 0 && n == 0) {",
        f"    {out.ctype} *o = {out.pointer()};",
        "    for (npy_intp i = 0; i < m * k; i++) o[i] = 0;",
        "} else if (m > 0 && k > 0) {",
        # Row-major C (m x k) is column-major C^T (k x m) = B^T A^T.
        "    char opb = (tb == 'T') ? 'N' : 'T', opa = (ta == 'T') ? 'N' : 'T';",
        "    int M = (int)k, N = (int)m, K = (int)n, ldc = (int)(k > 1 ? k : 1);",
        f"    cg_{p}gemm(&opb, &opa, &M, &N, &K, &one, {b.pointer()}, &ldb, {a.pointer()}, &lda, "
        f"&zero, {out.pointer()}, &ldc);",
        "}",
    ]
