"""Gradients of ``nlinalg`` and ``slinalg`` ops (Giles 2008, "An extended collection of
matrix derivative results"; Murray 2016 for Cholesky; Townsend 2016 for the SVD).

Every rule works on stacks of matrices where the op does (the last two axes are the
matrix). Ops that read one triangle of a symmetric input (eigh, cholesky, symmetric
solves) get the derivative with respect to the entries they read: the other triangle
gets zero, as finite differences on the op itself say.

Not differentiated: ``eig`` (complex outputs). ``norm`` is in ``norm_rules``.
"""

from __future__ import annotations

from typing import Any

import tensorops as pt
from autodiff.registry import register_gradient
from autodiff.rules.product_rules import matrix_transpose, sum_to_batch, tensors
from graphcore import Apply
from tensorops.nlinalg import (
    QR,
    SVD,
    Det,
    Eigh,
    MatrixInverse,
    MatrixPinv,
    MatrixPower,
    SLogDet,
    Trace,
)
from tensorops.slinalg import (
    Cholesky,
    CholeskySolve,
    Expm,
    Solve,
    SolveDiscreteLyapunov,
    SolveTriangular,
)

# --- helpers --------------------------------------------------------------------------------


def _size(x: Any) -> Any:
    """The length of the last axis (the matrix size)."""
    return pt.shape_tuple(x)[-1]


def _identity(x: Any) -> Any:
    return pt.eye(_size(x), dtype=x.dtype)


def _lower(x: Any, k: int = 0) -> Any:
    """``tril(x, k)`` of each matrix in a stack."""
    n = _size(x)
    return x * pt.tri(n, n, k, dtype=x.dtype)


def _upper(x: Any, k: int = 0) -> Any:
    """``triu(x, k)`` of each matrix in a stack."""
    return matrix_transpose(_lower(matrix_transpose(x), -k))


def _batch_matrix(scalars: Any) -> Any:
    """A stack of scalars ``(...)`` as ``(..., 1, 1)`` to scale a stack of matrices."""
    return scalars.dimshuffle(*range(scalars.ndim), "x", "x")


def _columns(vectors: Any) -> Any:
    """``(..., k)`` as ``(..., 1, k)``: scales the columns of a stack of matrices."""
    return pt.expand_dims(vectors, vectors.ndim - 1)


def _rows(vectors: Any) -> Any:
    """``(..., k)`` as ``(..., k, 1)``: scales the rows of a stack of matrices."""
    return pt.expand_dims(vectors, vectors.ndim)


def _diagonal_matrix(vectors: Any, like: Any) -> Any:
    """``diag(v)`` of each vector in a stack."""
    return _rows(vectors) * _identity(like)


def read_triangle(gradient: Any, lower: bool) -> Any:
    """The gradient with respect to the entries of one triangle, given the gradient ``S`` of
    the symmetric matrix they stand for: off the diagonal an entry stands for two."""
    both = gradient + matrix_transpose(gradient)
    strict = _lower(both, -1) if lower else _upper(both, 1)
    return strict + gradient * _identity(gradient)


def _outer(column: Any, row: Any) -> Any:
    return column.dimshuffle(0, "x") * row.dimshuffle("x", 0)


def _inverse_gaps(values: Any) -> Any:
    """``F[i, j] = 1 / (v_j - v_i)`` off the diagonal, 0 on it (inf for repeated values)."""
    gaps = _columns(values) - _rows(values)
    identity = pt.eye(pt.shape_tuple(values)[-1], dtype=values.dtype)
    return (1 - identity) / (gaps + identity)


# --- determinants and inverses --------------------------------------------------------------


@register_gradient(Det)
def det_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """d det(A) = det(A) tr(A⁻¹ dA), so Ā = ḡ det(A) A⁻ᵀ."""
    (a,) = tensors(node.inputs)
    (g,) = output_grads
    scale = _batch_matrix(g * tensors(node.outputs)[0])
    return [scale * matrix_transpose(pt.nlinalg.inv(a))]


@register_gradient(SLogDet)
def slogdet_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """d log|det A| = tr(A⁻¹ dA); the sign is piecewise constant and passes nothing."""
    (a,) = tensors(node.inputs)
    _, g = output_grads
    return [_batch_matrix(g) * matrix_transpose(pt.nlinalg.inv(a))]


@register_gradient(MatrixInverse)
def inverse_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """dX = -X dA X, so Ā = -Xᵀ Ḡ Xᵀ."""
    inverse = matrix_transpose(tensors(node.outputs)[0])
    return [-pt.matmul(pt.matmul(inverse, output_grads[0]), inverse)]


@register_gradient(MatrixPinv)
def pinv_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """Golub and Pereyra's derivative, valid where the rank does not change (full rank):
    dX = -X dA X + X Xᵀ dAᵀ (I - A X) + (I - X A) dAᵀ Xᵀ X, so
    Ā = -Xᵀ Ḡ Xᵀ + (I - A X) Ḡᵀ X Xᵀ + Xᵀ X Ḡᵀ (I - X A)."""
    (a,) = tensors(node.inputs)
    (x,) = tensors(node.outputs)
    (g,) = output_grads
    op = node.op
    assert isinstance(op, MatrixPinv)
    x_t, g_t = matrix_transpose(x), matrix_transpose(g)
    left = g_t - pt.matmul(a, pt.matmul(x, g_t))  # (I - A X) Ḡᵀ
    right = g_t - pt.matmul(pt.matmul(g_t, x), a)  # Ḡᵀ (I - X A)
    gradient = (
        -pt.matmul(pt.matmul(x_t, g), x_t)
        + pt.matmul(pt.matmul(left, x), x_t)
        + pt.matmul(pt.matmul(x_t, x), right)
    )
    # The Hermitian variant reads the lower triangle only (through eigh).
    return [read_triangle(gradient, lower=True) if op.hermitian else gradient]


@register_gradient(MatrixPower)
def matrix_power_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """d(Aⁿ) = Σₖ Aᵏ dA Aⁿ⁻¹⁻ᵏ, so Ā = Σₖ (Aᵀ)ᵏ Ḡ (Aᵀ)ⁿ⁻¹⁻ᵏ; for n < 0 through A⁻¹."""
    (a,) = tensors(node.inputs)
    (g,) = output_grads
    op = node.op
    assert isinstance(op, MatrixPower)
    if op.n == 0:
        return [pt.zeros_like(a)]
    base = a if op.n > 0 else pt.nlinalg.inv(a)
    count = abs(op.n)
    transposed = matrix_transpose(base)
    powers = [None, transposed]  # powers[k] = (Bᵀ)ᵏ, k >= 1
    for _ in range(2, count):
        powers.append(pt.matmul(powers[-1], transposed))
    terms = []
    for k in range(count):
        term = g
        if k > 0:
            term = pt.matmul(powers[k], term)
        if count - 1 - k > 0:
            term = pt.matmul(term, powers[count - 1 - k])
        terms.append(term)
    gradient = terms[0]
    for term in terms[1:]:
        gradient = gradient + term
    if op.n < 0:  # B = A⁻¹: Ā = -Bᵀ B̄ Bᵀ
        gradient = -pt.matmul(pt.matmul(transposed, gradient), transposed)
    return [gradient]


@register_gradient(Trace)
def trace_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """The trace sums one diagonal: its entries get ḡ, the others 0."""
    (x,) = tensors(node.inputs)
    (g,) = output_grads
    op = node.op
    assert isinstance(op, Trace)
    sizes = pt.shape_tuple(x)
    mask = pt.eye(sizes[op.axis1], sizes[op.axis2], op.offset, dtype=g.dtype)
    mask_order = [
        0 if axis == op.axis1 else 1 if axis == op.axis2 else "x" for axis in range(x.ndim)
    ]
    kept = iter(range(g.ndim))
    g_order = ["x" if axis in (op.axis1, op.axis2) else next(kept) for axis in range(x.ndim)]
    return [g.dimshuffle(*g_order) * mask.dimshuffle(*mask_order)]


# --- decompositions -------------------------------------------------------------------------


@register_gradient(Eigh)
def eigh_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """For A = V diag(w) Vᵀ: S = V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ with F_ij = 1/(w_j - w_i).

    Repeated eigenvalues make F infinite: their eigenvectors are not unique, and only
    losses that do not depend on the choice within that eigenspace have a gradient.
    """
    op = node.op
    assert isinstance(op, Eigh)
    w, v = tensors(node.outputs)
    g_w, g_v = output_grads
    inner = _diagonal_matrix(g_w, v) + _inverse_gaps(w) * pt.matmul(matrix_transpose(v), g_v)
    symmetric = pt.matmul(pt.matmul(v, inner), matrix_transpose(v))
    return [read_triangle(symmetric, lower=op.UPLO == "L")]


def _svd_values_gradient(u: Any, g_s: Any, vh: Any) -> Any:
    """Ā = U diag(s̄) Vᵀ: singular values alone."""
    return pt.matmul(u * _columns(g_s), vh)


@register_gradient(SVD)
def svd_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """Townsend's formula with k = min(m, n), F_ij = 1/(s_j² - s_i²):
    Ā = U [(F ∘ (UᵀŪ - ŪᵀU)) S + diag(s̄) + S (F ∘ (VᵀV̄ - V̄ᵀV))] Vᵀ
        + (I - UUᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - VVᵀ).

    With ``full_matrices`` the columns of U (rows of Vh) past k span the orthogonal
    complement; they move with U_k (dU⊥ = -U_k dU_kᵀ U⊥ for a one-dimensional
    complement, and up to a rotation within it otherwise). Repeated singular values make
    F infinite, as for eigh.
    """
    op = node.op
    assert isinstance(op, SVD)
    (a,) = tensors(node.inputs)
    if not op.compute_uv:
        u, _, vh = SVD(full_matrices=False, compute_uv=True)(a)
        return [_svd_values_gradient(u, output_grads[0], vh)]
    u, s, vh = tensors(node.outputs)
    g_u, g_s, g_vh = output_grads
    if op.full_matrices:
        k = pt.shape_tuple(s)[-1]
        u_perp, g_u_perp = u[..., :, k:], g_u[..., :, k:]
        u, g_u = u[..., :, :k], g_u[..., :, :k]
        g_u = g_u - pt.matmul(u_perp, pt.matmul(matrix_transpose(g_u_perp), u))
        v_perp, g_v_perp = matrix_transpose(vh[..., k:, :]), matrix_transpose(g_vh[..., k:, :])
        vh, g_vh = vh[..., :k, :], g_vh[..., :k, :]
        g_vh = g_vh - matrix_transpose(
            pt.matmul(v_perp, pt.matmul(matrix_transpose(g_v_perp), matrix_transpose(vh)))
        )
    v, g_v = matrix_transpose(vh), matrix_transpose(g_vh)
    gaps = _inverse_gaps(s * s)
    u_term = gaps * (pt.matmul(matrix_transpose(u), g_u) - pt.matmul(matrix_transpose(g_u), u))
    v_term = gaps * (pt.matmul(vh, g_v) - pt.matmul(matrix_transpose(g_v), v))
    core = u_term * _columns(s) + _diagonal_matrix(g_s, s) + _rows(s) * v_term
    gradient = pt.matmul(pt.matmul(u, core), vh)
    scaled_u = g_u / _columns(s)  # Ū S⁻¹
    gradient = gradient + pt.matmul(
        scaled_u - pt.matmul(u, pt.matmul(matrix_transpose(u), scaled_u)), vh
    )
    scaled_v = matrix_transpose(g_v) / _rows(s)  # S⁻¹ V̄ᵀ
    gradient = gradient + pt.matmul(u, scaled_v - pt.matmul(pt.matmul(scaled_v, v), vh))
    return [gradient]


def _times_inverse_transpose(x: Any, upper: Any) -> Any:
    """X R⁻ᵀ = (R⁻¹ Xᵀ)ᵀ for an upper triangular R (stacks: a general batched solve)."""
    if upper.ndim == 2 and x.ndim == 2:
        return matrix_transpose(
            pt.slinalg.solve_triangular(upper, matrix_transpose(x), lower=False)
        )
    return matrix_transpose(pt.slinalg.solve(upper, matrix_transpose(x)))


def _copy_lower_to_upper(x: Any) -> Any:
    """tril(X) + tril(X, -1)ᵀ: the symmetric matrix with X's lower triangle."""
    return _lower(x) + matrix_transpose(_lower(x, -1))


@register_gradient(QR)
def qr_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """Liao et al. 2019, for A = Q R with k = min(m, n), R = [R₁ R₂], A = [X Y]:
    Ȳ = Q R̄₂, and with Q̄' = Q̄ + Y R̄₂ᵀ, M = R₁ R̄₁ᵀ - Q̄'ᵀ Q,
    X̄ = (Q̄' + Q copyltu(M)) R₁⁻ᵀ. In "complete" mode the columns of Q past k follow
    Q's first k (as for the SVD: exact for a one-dimensional complement)."""
    op = node.op
    assert isinstance(op, QR)
    (a,) = tensors(node.inputs)
    if op.mode == "r":
        q, r = QR("reduced")(a)
        g_q, g_r = pt.zeros_like(q), output_grads[0]
    else:
        (q, r), (g_q, g_r) = tensors(node.outputs), output_grads
    rows, columns = pt.shape_tuple(a)[-2:]
    k = pt.minimum(rows, columns)
    if op.mode == "complete":
        q_perp, g_q_perp = q[..., :, k:], g_q[..., :, k:]
        q, g_q = q[..., :, :k], g_q[..., :, :k]
        g_q = g_q - pt.matmul(q_perp, pt.matmul(matrix_transpose(g_q_perp), q))
        r, g_r = r[..., :k, :], g_r[..., :k, :]
    r_square, g_r_square = r[..., :, :k], g_r[..., :, :k]
    g_r_rest = g_r[..., :, k:]
    g_q = g_q + pt.matmul(a[..., :, k:], matrix_transpose(g_r_rest))
    middle = pt.matmul(r_square, matrix_transpose(g_r_square)) - pt.matmul(matrix_transpose(g_q), q)
    square_part = _times_inverse_transpose(
        g_q + pt.matmul(q, _copy_lower_to_upper(middle)), r_square
    )
    rest = pt.matmul(q, g_r_rest)
    return [pt.concatenate([square_part, rest], axis=a.ndim - 1)]


def _solve_lower_transposed(factor: Any, b: Any) -> Any:
    """L⁻ᵀ B for a lower triangular L (a stack of them: a general batched solve)."""
    if factor.ndim == 2:
        return pt.slinalg.solve_triangular(factor, b, lower=True, trans=1)
    return pt.slinalg.solve(matrix_transpose(factor), b)


def _phi(x: Any) -> Any:
    """Φ(X): the lower triangle of X with the diagonal halved."""
    n = _size(x)
    return x * (pt.tri(n, n, 0, dtype=x.dtype) - 0.5 * pt.eye(n, dtype=x.dtype))


@register_gradient(Cholesky)
def cholesky_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """Murray 2016: for A = L Lᵀ, S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ and the gradient with respect to the
    lower triangle read is Φ(S + Sᵀ). The upper factor U = Lᵀ reads the upper triangle."""
    op = node.op
    assert isinstance(op, Cholesky)
    factor, g = tensors(node.outputs)[0], output_grads[0]
    if not op.lower:
        factor, g = matrix_transpose(factor), matrix_transpose(g)
    middle = _phi(pt.matmul(matrix_transpose(factor), g))
    left = _solve_lower_transposed(factor, middle)  # L⁻ᵀ P
    s = matrix_transpose(
        _solve_lower_transposed(factor, matrix_transpose(left))
    )  # (L⁻ᵀ (L⁻ᵀ P)ᵀ)ᵀ = L⁻ᵀ P L⁻¹
    gradient = _phi(s + matrix_transpose(s))
    return [gradient if op.lower else matrix_transpose(gradient)]


@register_gradient(Expm)
def expm_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """Ā is the Fréchet derivative of expm at Aᵀ in the direction Ḡ, which is the upper
    right block of expm([[Aᵀ, Ḡ], [0, Aᵀ]]) (Mathias 1996)."""
    (a,) = tensors(node.inputs)
    (g,) = output_grads
    a_t = matrix_transpose(a).astype(g.dtype)
    last = a.ndim - 1
    top = pt.concatenate([a_t, g], axis=last)
    bottom = pt.concatenate([pt.zeros_like(a_t), a_t], axis=last)
    block = pt.slinalg.expm(pt.concatenate([top, bottom], axis=last - 1))
    n = _size(a)
    return [block[..., :n, n:]]


# --- solvers --------------------------------------------------------------------------------


def _product_gradient(b_bar: Any, x: Any) -> Any:
    """-B̄ Xᵀ, the gradient of the matrix in A X = B (B̄ = A⁻ᵀ X̄); vectors give outers."""
    if x.ndim == 1:
        return -_outer(b_bar, x)
    return -pt.matmul(b_bar, matrix_transpose(x))


@register_gradient(Solve)
def solve_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """X = A⁻¹ B: B̄ = A⁻ᵀ X̄ and Ā = -B̄ Xᵀ, summed over broadcast batches; symmetric
    solvers read one triangle of A (``lower``), which gets the whole gradient."""
    op = node.op
    assert isinstance(op, Solve)
    a, b = tensors(node.inputs)
    (x,) = tensors(node.outputs)
    (g,) = output_grads
    if op.assume_a == "gen":
        b_bar = pt.slinalg.solve(matrix_transpose(a), g)
    else:
        b_bar = Solve(op.assume_a, op.lower)(a, g)
    a_bar = _product_gradient(b_bar, x)
    if op.assume_a != "gen":
        a_bar = read_triangle(a_bar, op.lower)
    a_bar = sum_to_batch(a_bar, a, 2)
    if b.ndim > 1:
        b_bar = sum_to_batch(b_bar, b, 2)
    return [a_bar, b_bar]


@register_gradient(SolveTriangular)
def solve_triangular_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """X = op(A)⁻¹ B with op(A) = A or Aᵀ: B̄ = op(A)⁻ᵀ X̄, d op(A) gets -B̄ Xᵀ, and A's
    gradient keeps only the entries read (its triangle, without a unit diagonal)."""
    op = node.op
    assert isinstance(op, SolveTriangular)
    a, _ = tensors(node.inputs)
    (x,) = tensors(node.outputs)
    (g,) = output_grads
    b_bar = SolveTriangular(op.lower, 0 if op.trans else 1, op.unit_diagonal)(a, g)
    op_a_bar = _product_gradient(b_bar, x)
    a_bar = op_a_bar if op.trans == 0 else matrix_transpose(op_a_bar)
    if op.lower:
        a_bar = _lower(a_bar, -1 if op.unit_diagonal else 0)
    else:
        a_bar = _upper(a_bar, 1 if op.unit_diagonal else 0)
    return [a_bar, b_bar]


@register_gradient(CholeskySolve)
def cho_solve_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """X = M⁻¹ B with M = C Cᵀ (or Uᵀ U): B̄ = M⁻¹ X̄, M̄ = -B̄ Xᵀ, and
    C̄ = (M̄ + M̄ᵀ) C (or Ū = U (M̄ + M̄ᵀ)) on the triangle read."""
    op = node.op
    assert isinstance(op, CholeskySolve)
    c, _ = tensors(node.inputs)
    (x,) = tensors(node.outputs)
    (g,) = output_grads
    b_bar = CholeskySolve(op.lower)(c, g)
    m_bar = _product_gradient(b_bar, x)
    both = m_bar + matrix_transpose(m_bar)
    if op.lower:
        return [_lower(pt.matmul(both, c)), b_bar]
    return [_upper(pt.matmul(c, both)), b_bar]


@register_gradient(SolveDiscreteLyapunov)
def lyapunov_gradient(node: Apply, output_grads: list[Any]) -> list[Any]:
    """X = A X Aᵀ + Q: with Y solving Y = Aᵀ Y A + X̄, Q̄ = Y and Ā = Y A Xᵀ + Yᵀ A X."""
    op = node.op
    assert isinstance(op, SolveDiscreteLyapunov)
    a, _ = tensors(node.inputs)
    (x,) = tensors(node.outputs)
    (g,) = output_grads
    y = SolveDiscreteLyapunov(op.method)(matrix_transpose(a), g)
    a_bar = pt.matmul(pt.matmul(y, a), matrix_transpose(x)) + pt.matmul(
        pt.matmul(matrix_transpose(y), a), x
    )
    return [a_bar, y]
