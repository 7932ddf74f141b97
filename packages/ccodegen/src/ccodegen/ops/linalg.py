"""C for ``Solve``, ``SolveTriangular``, ``CholeskySolve`` and ``Cholesky`` of real
matrices through the LAPACK SciPy ships (lapack.py): the routines ``scipy.linalg`` itself
calls (?gesv, ?posv, ?sysv, ?trtrs, ?potrs, ?potrf), so results agree with the Python
backend to rounding.

LAPACK works in place on column-major matrices: each matrix of the batch is copied,
converted to the output dtype, into the node's scratch in Fortran order, solved or
factored there, and copied to the output. A singular (not positive definite) matrix
raises ``numpy.linalg.LinAlgError`` with SciPy's message. SciPy's warning for an
ill-conditioned matrix (from a condition estimate) is not given in C.
"""

from __future__ import annotations

from ccodegen.cnode import CVar, NodeC, NodeContext, c_ops, join_lines
from ccodegen.lapack import DECLARATIONS
from ccodegen.ops.nests import indent, loop_nest, offset
from tensorops.slinalg import Cholesky, CholeskySolve, Solve, SolveTriangular

REAL = ("float32", "float64")


def _real(ctx: NodeContext) -> bool:
    """Whether every input and the output are real (complex takes the Python path)."""
    return ctx.outputs[0].dtype in REAL and all(
        not var.dtype.startswith("complex") for var in ctx.inputs
    )


def _gather(src: CVar, base: str, strides: tuple[str, str], dst: str, rows: str, cols: str) -> str:
    """C copying a ``rows x cols`` matrix at ``base`` (byte strides of its rows and columns)
    into the column-major ``dst``, converted to ``dst``'s type."""
    element = f"*({src.ctype} *)({base} + r * {strides[0]} + c * {strides[1]})"
    return (
        f"for (npy_intp c = 0; c < {cols}; c++) for (npy_intp r = 0; r < {rows}; r++) "
        f"{dst}[r + c * {rows}] = {element};"
    )


def _scatter(out: CVar, base: str, strides: tuple[str, str], src: str, rows: str, cols: str) -> str:
    """C copying the column-major ``src`` to the matrix at ``base`` (byte strides)."""
    element = f"*({out.ctype} *)({base} + r * {strides[0]} + c * {strides[1]})"
    return (
        f"for (npy_intp c = 0; c < {cols}; c++) for (npy_intp r = 0; r < {rows}; r++) "
        f"{element} = {src}[r + c * {rows}];"
    )


def _name(ctx: NodeContext) -> str:
    """The op's name in its errors (``solve``, ``solve_triangular``, ``cho_solve``)."""
    return str(getattr(ctx.node.op, "name", type(ctx.node.op).__name__))


def _square(ctx: NodeContext, a: CVar, name: str) -> str:
    rows, cols = a.dim(a.ndim - 2), a.dim(a.ndim - 1)
    return f"if ({rows} != {cols}) " + ctx.fail(
        "value",
        f"{name}: expected square matrices, got %ld x %ld",
        f"(long){rows}",
        f"(long){cols}",
    )


def _batch_strides(var: CVar, name: str, batch: int) -> list[str]:
    """Byte strides of ``var``'s matrices along the output's ``batch`` leading axes
    (0 where ``var`` has fewer axes or length 1: NumPy's broadcasting)."""
    rank = var.ndim - 2
    return ["0"] * (batch - rank) + [
        f"({name}.dims[{axis}] == 1 ? 0 : {name}.strides[{axis}])" for axis in range(rank)
    ]


def _broadcast_batch(ctx: NodeContext, a: CVar, b: CVar, out: CVar, batch: int) -> list[str]:
    """Shape-pass C setting the output's batch lengths from ``a``'s and ``b``'s."""
    lines = []
    for axis in range(batch):
        lengths = []
        for var in (a, b):
            lead = batch - (var.ndim - 2)
            lengths.append(var.dim(axis - lead) if axis >= lead else "1")
        da, db = lengths
        lines += [
            f"if ({da} != {db} && {da} != 1 && {db} != 1) "
            + ctx.fail(
                "value",
                f"{_name(ctx)}: the batch axes do not broadcast: lengths %ld and %ld "
                f"on axis {axis}",
                f"(long){da}",
                f"(long){db}",
            ),
            f"{out.dim(axis)} = {da} == 1 ? {db} : {da};",
        ]
    return lines


def _solve_shape(ctx: NodeContext, batch: int) -> list[str]:
    """Shape-pass C for ``a @ x = b``: square ``a``, ``b``'s rows, the broadcast batch."""
    (a, b), (out,) = ctx.inputs, ctx.outputs
    name = _name(ctx)
    rows = b.dim(0) if b.ndim == 1 else b.dim(b.ndim - 2)
    lines = [
        _square(ctx, a, name),
        f"if ({rows} != {a.dim(a.ndim - 1)}) "
        + ctx.fail(
            "value",
            f"{name}: incompatible shapes: a has %ld columns and b %ld rows",
            f"(long){a.dim(a.ndim - 1)}",
            f"(long){rows}",
        ),
    ]
    if b.ndim == 1:
        return [*lines, f"{out.dim(0)} = {b.dim(0)};"]
    lines += _broadcast_batch(ctx, a, b, out, batch)
    lines += [f"{out.dim(batch)} = {b.dim(b.ndim - 2)};"]
    return [*lines, f"{out.dim(batch + 1)} = {b.dim(b.ndim - 1)};"]


def _solve_rule(
    ctx: NodeContext,
    call: list[str],
    singular: tuple[str, ...],
    call_transposed: list[str] | None = None,
) -> NodeC:
    """The C of a solver: for each matrix of the batch, ``a`` and ``b`` in Fortran order in
    scratch ``fa`` and ``fx`` (``ipiv`` and ``work`` too), ``call`` (setting ``info``), and
    ``x`` copied out; ``singular`` is the error (format and arguments) for ``info > 0``."""
    (a, b), (out,) = ctx.inputs, ctx.outputs
    batch = out.ndim - 1 if b.ndim == 1 else out.ndim - 2
    t = out.ctype
    a_matrix = (f"left.strides[{a.ndim - 2}]", f"left.strides[{a.ndim - 1}]")
    if b.ndim == 1:
        b_matrix, o_matrix, k = ("right.strides[0]", "0"), ("result.strides[0]", "0"), "1"
    else:
        b_matrix = (f"right.strides[{b.ndim - 2}]", f"right.strides[{b.ndim - 1}]")
        o_matrix = (f"result.strides[{batch}]", f"result.strides[{batch + 1}]")
        k = b.dim(b.ndim - 1)
    strides = zip(
        _batch_strides(a, "left", batch),
        _batch_strides(b, "right", batch) if b.ndim > 1 else [],
        [f"result.strides[{axis}]" for axis in range(batch)],
        strict=True,
    )
    body = [
        "const char *pa = left.data + " + offset("i", [f"as{x}" for x in range(batch)]) + ";",
        "const char *pb = right.data + " + offset("i", [f"bs{x}" for x in range(batch)]) + ";",
        "char *po = result.data + " + offset("i", [f"os{x}" for x in range(batch)]) + ";",
        _gather(b, "pb", b_matrix, "fx", "n", "k"),
        "int info = 0;",
        _read_a(a, out, call, call_transposed),
        "if (info > 0) " + ctx.fail("linalg", *singular),
        "if (info < 0) " + ctx.fail("value", f"{_name(ctx)}: LAPACK rejected argument %d", "-info"),
        _scatter(out, "po", o_matrix, "fx", "n", "k"),
        "slice++;",
    ]
    compute = [
        f"cg_arr left = {a.name}, right = {b.name}, result = {out.name};",
        f"const npy_intp n = {a.dim(a.ndim - 1)}, k = {k};",
        f"if (n > 0 && k > 0 && {out.size()} > 0) {{",
        f"    {t} *fa = ({t} *){ctx.scratch(0, f'n * n * {out.itemsize}')};",
        f"    {t} *fx = ({t} *){ctx.scratch(1, f'n * k * {out.itemsize}')};",
        f"    int *ipiv = (int *){ctx.scratch(2, 'n * sizeof(int)')};",
        "    if (fa == NULL || fx == NULL || ipiv == NULL) "
        + ctx.fail("memory", f"{_name(ctx)}: out of memory"),
        "    int N = (int)n, NRHS = (int)k, LD = (int)n;",
        f"    const npy_intp a_rows = {a_matrix[0]}, a_cols = {a_matrix[1]};",
        "    (void)a_rows; (void)a_cols;",
        "    npy_intp slice = 0;",
        *[
            f"    const npy_intp as{x} = {sa}, bs{x} = {sb}, os{x} = {so};"
            for x, (sa, sb, so) in enumerate(strides)
        ],
        *indent(loop_nest([f"result.dims[{x}]" for x in range(batch)], "i", body)),
        "}",
    ]
    return NodeC("\n".join(_solve_shape(ctx, batch)), "\n".join(compute), support=(DECLARATIONS,))


@c_ops.register(Solve)
def solve_c(ctx: NodeContext) -> NodeC | None:
    if not _real(ctx):
        return None
    op = ctx.node.op
    assert isinstance(op, Solve)
    p = "d" if ctx.outputs[0].dtype == "float64" else "s"
    uplo = "'L'" if op.lower else "'U'"
    if op.assume_a == "gen":
        call = [f"cg_{p}gesv(&N, &NRHS, fa, &LD, ipiv, fx, &LD, &info);"]
    elif op.assume_a == "pos":
        call = [f"char uplo = {uplo};", f"cg_{p}posv(&uplo, &N, &NRHS, fa, &LD, fx, &LD, &info);"]
    else:
        # sym and her (the same for real matrices): ask for the best workspace first.
        t = ctx.outputs[0].ctype
        call = [
            f"char uplo = {uplo}; {t} best = 0; int lwork = -1;",
            f"cg_{p}sysv(&uplo, &N, &NRHS, fa, &LD, ipiv, fx, &LD, &best, &lwork, &info);",
            "lwork = best > 1 ? (int)best : 1;",
            f"{t} *work = ({t} *){ctx.scratch(3, f'(size_t)lwork * sizeof({t})')};",
            "if (work == NULL) " + ctx.fail("memory", "solve: out of memory"),
            f"cg_{p}sysv(&uplo, &N, &NRHS, fa, &LD, ipiv, fx, &LD, work, &lwork, &info);",
        ]
    singular = ("A singular matrix detected: slice(s) [%ld] are singular.", "(long)slice")
    return _solve_rule(ctx, call, singular)


def _read_a(a: CVar, out: CVar, call: list[str], call_transposed: list[str] | None) -> str:
    """C pointing ``fa`` at ``a``'s matrix and calling LAPACK. A solver that only reads
    ``a`` (``call_transposed`` given: the same solve with ``a`` read as its transpose)
    uses a contiguous matrix in place, row-major ones as their transpose; every other
    ``a`` is copied into the column-major scratch first."""
    gather = _gather(a, "pa", ("a_rows", "a_cols"), "fa", "n", "n")
    if call_transposed is None or a.dtype != out.dtype:
        return join_lines([gather, *call], "")
    size = out.itemsize
    return join_lines(
        [
            f"if (a_rows == {size} && a_cols == n * {size}) {{",
            f"    {out.ctype} *fa = ({out.ctype} *)pa;",
            *indent(call),
            f"}} else if (a_cols == {size} && a_rows == n * {size}) {{",
            f"    {out.ctype} *fa = ({out.ctype} *)pa;",
            *indent(call_transposed),
            "} else {",
            "    " + gather,
            *indent(call),
            "}",
        ],
        "",
    )


@c_ops.register(SolveTriangular)
def solve_triangular_c(ctx: NodeContext) -> NodeC | None:
    if not _real(ctx):
        return None
    op = ctx.node.op
    assert isinstance(op, SolveTriangular)
    p = "d" if ctx.outputs[0].dtype == "float64" else "s"
    uplo = "'L'" if op.lower else "'U'"
    trans = "'N'" if op.trans == 0 else "'T'"  # a.H is a.T for real matrices
    diag = "'U'" if op.unit_diagonal else "'N'"

    def call(uplo: str, trans: str) -> list[str]:
        return [
            f"char uplo = {uplo}, trans = {trans}, diag = {diag};",
            f"cg_{p}trtrs(&uplo, &trans, &diag, &N, &NRHS, fa, &LD, fx, &LD, &info);",
        ]

    # a row-major a is its transpose in column-major order: the other triangle, transposed
    flipped = call("'U'" if op.lower else "'L'", "'T'" if op.trans == 0 else "'N'")
    singular = ("singular matrix: resolution failed at diagonal %d", "info - 1")
    return _solve_rule(ctx, call(uplo, trans), singular, flipped)


@c_ops.register(CholeskySolve)
def cho_solve_c(ctx: NodeContext) -> NodeC | None:
    if not _real(ctx):
        return None
    op = ctx.node.op
    assert isinstance(op, CholeskySolve)
    p = "d" if ctx.outputs[0].dtype == "float64" else "s"

    def call(lower: bool) -> list[str]:
        return [
            f"char uplo = {'L' if lower else 'U'!r};",
            f"cg_{p}potrs(&uplo, &N, &NRHS, fa, &LD, fx, &LD, &info);",
        ]

    # a row-major factor L is L.T in column-major order: the same system, as upper
    # ?potrs divides by the factor's diagonal without checking it: info is never positive.
    error = ("cho_solve: LAPACK reported %d", "info")
    return _solve_rule(ctx, call(op.lower), error, call(not op.lower))


@c_ops.register(Cholesky)
def cholesky_c(ctx: NodeContext) -> NodeC | None:
    if not _real(ctx):
        return None
    op = ctx.node.op
    assert isinstance(op, Cholesky)
    (a,), (out,) = ctx.inputs, ctx.outputs
    p, t = ("d" if out.dtype == "float64" else "s"), out.ctype
    batch = a.ndim - 2
    shape = [_square(ctx, a, "cholesky")] + [f"{out.dim(x)} = {a.dim(x)};" for x in range(a.ndim)]
    if batch:
        # SciPy's loop over the batch refuses an empty one.
        empty = " || ".join(f"{a.dim(x)} == 0" for x in range(batch))
        message = "`cholesky` does not support zero-size batches."
        shape.append(f"if ({empty}) " + ctx.fail("value", message))
    a_matrix = (f"left.strides[{batch}]", f"left.strides[{batch + 1}]")
    o_matrix = (f"result.strides[{batch}]", f"result.strides[{batch + 1}]")
    # SciPy returns the factor's triangle with zeros in the other one.
    keep = "r >= c" if op.lower else "r <= c"
    failed = (
        ctx.fail(
            "linalg",
            "Cholesky: the matrix is not positive definite (%d-th leading minor of the array "
            "is not positive definite); pass on_error='nan' to get NaNs instead of an error",
            "info",
        )
        if op.on_error == "raise"
        else f"{{ cg_fill_nan_{p}(({t} *)result.data, {out.size()}); goto done_{ctx.index}; }}"
    )
    element = f"*({t} *)(po + r * {o_matrix[0]} + c * {o_matrix[1]})"
    body = [
        "const char *pa = left.data + " + offset("i", [f"as{x}" for x in range(batch)]) + ";",
        "char *po = result.data + " + offset("i", [f"os{x}" for x in range(batch)]) + ";",
        _gather(a, "pa", a_matrix, "fa", "n", "n"),
        "int info = 0;",
        f"cg_{p}potrf(&uplo, &N, fa, &N, &info);",
        "if (info > 0) " + failed,
        "if (info < 0) " + ctx.fail("value", "cholesky: LAPACK rejected argument %d", "-info"),
        "for (npy_intp c = 0; c < n; c++) for (npy_intp r = 0; r < n; r++) "
        f"{element} = ({keep}) ? fa[r + c * n] : 0;",
    ]
    compute = [
        f"cg_arr left = {a.name}, result = {out.name};",
        f"const npy_intp n = {a.dim(a.ndim - 1)};",
        f"if (n > 0 && {out.size()} > 0) {{",
        f"    {t} *fa = ({t} *){ctx.scratch(0, f'n * n * {out.itemsize}')};",
        "    if (fa == NULL) " + ctx.fail("memory", "cholesky: out of memory"),
        f"    int N = (int)n; char uplo = {'L' if op.lower else 'U'!r};",
        *[
            f"    const npy_intp as{x} = left.strides[{x}], os{x} = result.strides[{x}];"
            for x in range(batch)
        ],
        *indent(loop_nest([f"result.dims[{x}]" for x in range(batch)], "i", body)),
        "}",
    ]
    if op.on_error == "nan":
        compute.append(f"done_{ctx.index}:;")
    support = (DECLARATIONS, FILL_NAN)
    return NodeC("\n".join(shape), "\n".join(compute), support=support)


FILL_NAN = """
static void cg_fill_nan_d(double *x, npy_intp size) {
    for (npy_intp e = 0; e < size; e++) x[e] = NAN;
}
static void cg_fill_nan_s(float *x, npy_intp size) {
    for (npy_intp e = 0; e < size; e++) x[e] = NAN;
}
"""
