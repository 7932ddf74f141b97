"""Op-table rows for ``nlinalg`` (NumPy) and ``slinalg`` (SciPy), on well-conditioned
matrices made by the value makers.

Ops that read one triangle of a symmetric input (eigh, cholesky, symmetric solves) are
built on ``(a + aᵀ) / 2`` so that finite differences, which perturb single entries, see
the same function as the gradient rule, whatever triangle convention it uses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

from tensorops import nlinalg, slinalg
from tensorops.testing.case import OpCase
from tensorops.testing.harness import CHECK_DTYPE
from tensorops.testing.value_makers import (
    contraction,
    integers,
    positive_definite,
    triangular,
    uniform,
    well_conditioned,
)

TAGS = frozenset({"linalg", CHECK_DTYPE})


def symmetric(a: Any) -> Any:
    """``(a + aᵀ) / 2`` over the last two axes, symbolic or NumPy."""
    if isinstance(a, np.ndarray):
        return (a + np.swapaxes(a, -1, -2)) / 2
    axes = [*range(a.ndim - 2), a.ndim - 1, a.ndim - 2]
    return (a + a.transpose(*axes)) / 2


def _nlinalg_cases() -> list[OpCase]:
    square = well_conditioned(3)
    stacked = well_conditioned(3, batch=(2,))
    spd = positive_definite(3)
    cases = [
        OpCase("det", nlinalg.det, np.linalg.det, [square], tags=TAGS),
        OpCase("det_batched", nlinalg.det, np.linalg.det, [stacked], tags=TAGS),
        OpCase(
            "det_f32", nlinalg.det, np.linalg.det, [well_conditioned(3, dtype="float32")], tags=TAGS
        ),
        OpCase("det_int", nlinalg.det, np.linalg.det, [integers((3, 3))], grad=False, tags=TAGS),
        OpCase("inv", nlinalg.inv, np.linalg.inv, [square], tags=TAGS),
        OpCase("inv_batched", nlinalg.inv, np.linalg.inv, [stacked], tags=TAGS),
        OpCase(
            "inv_f32", nlinalg.inv, np.linalg.inv, [well_conditioned(4, dtype="float32")], tags=TAGS
        ),
        OpCase("pinv_tall", nlinalg.pinv, np.linalg.pinv, [uniform((5, 3))], tags=TAGS),
        OpCase("pinv_wide_batched", nlinalg.pinv, np.linalg.pinv, [uniform((2, 3, 5))], tags=TAGS),
        OpCase("slogdet", nlinalg.slogdet, np.linalg.slogdet, [square], tags=TAGS),
        OpCase("slogdet_batched", nlinalg.slogdet, np.linalg.slogdet, [stacked], tags=TAGS),
        OpCase(
            "slogdet_f32",
            nlinalg.slogdet,
            np.linalg.slogdet,
            [well_conditioned(3, dtype="float32")],
            tags=TAGS,
        ),
        OpCase(
            "eigh",
            lambda a: nlinalg.eigh(symmetric(a)),
            lambda a: np.linalg.eigh(symmetric(a)),
            [spd],
            tags=TAGS,
        ),
        OpCase(
            "eigh_batched",
            lambda a: nlinalg.eigh(symmetric(a)),
            lambda a: np.linalg.eigh(symmetric(a)),
            [positive_definite(3, batch=(2,))],
            tags=TAGS,
        ),
        OpCase(
            "eigh_upper",
            lambda a: nlinalg.eigh(symmetric(a), UPLO="U"),
            lambda a: np.linalg.eigh(symmetric(a), UPLO="U"),
            [spd],
            tags=TAGS,
        ),
        OpCase(
            "eig",
            nlinalg.eig,
            lambda a: tuple(np.asarray(v, dtype=complex) for v in np.linalg.eig(a)),
            [square],
            grad=False,
            tags=TAGS,
        ),  # complex outputs
        OpCase("svd", nlinalg.svd, np.linalg.svd, [uniform((4, 3))], tags=TAGS),
        OpCase(
            "svd_reduced",
            lambda a: nlinalg.svd(a, full_matrices=False),
            lambda a: np.linalg.svd(a, full_matrices=False),
            [uniform((3, 5))],
            tags=TAGS,
        ),
        OpCase(
            "svd_values_batched",
            lambda a: nlinalg.svd(a, compute_uv=False),
            lambda a: np.linalg.svd(a, compute_uv=False),
            [uniform((2, 4, 3))],
            tags=TAGS,
        ),
        OpCase("qr", nlinalg.qr, np.linalg.qr, [uniform((4, 3))], tags=TAGS),
        OpCase(
            "qr_r",
            lambda a: nlinalg.qr(a, mode="r"),
            lambda a: np.linalg.qr(a, mode="r"),
            [uniform((3, 4))],
            tags=TAGS,
        ),
        OpCase(
            "qr_complete_batched",
            lambda a: nlinalg.qr(a, mode="complete"),
            lambda a: np.linalg.qr(a, mode="complete"),
            [uniform((2, 4, 3))],
            tags=TAGS,
        ),
        OpCase("trace", nlinalg.trace, np.trace, [uniform((3, 4))], tags=TAGS),
        OpCase(
            "trace_offset",
            lambda a: nlinalg.trace(a, offset=1),
            lambda a: np.trace(a, offset=1),
            [uniform((3, 4))],
            tags=TAGS,
        ),
        OpCase(
            "trace_axes",
            lambda a: nlinalg.trace(a, 0, -2, -1),
            lambda a: np.trace(a, 0, -2, -1),
            [uniform((2, 3, 3))],
            tags=TAGS,
        ),
        OpCase(
            "trace_int8", nlinalg.trace, np.trace, [integers((3, 3), "int8")], grad=False, tags=TAGS
        ),
        OpCase(
            "matrix_dot",
            nlinalg.matrix_dot,
            lambda a, b, c: a @ b @ c,
            [uniform((2, 3)), uniform((3, 4)), uniform((4,))],
            tags=TAGS,
        ),
    ]
    for n in (0, 1, 2, 3, -2):
        cases.append(
            OpCase(
                f"matrix_power_{n}" if n >= 0 else f"matrix_power_m{-n}",
                lambda a, n=n: nlinalg.matrix_power(a, n),
                lambda a, n=n: np.linalg.matrix_power(a, n),
                [square],
                tags=TAGS,
            )
        )
    cases.append(
        OpCase(
            "matrix_power_int_batched",
            lambda a: nlinalg.matrix_power(a, 3),
            lambda a: np.linalg.matrix_power(a, 3),
            [integers((2, 3, 3), "int32", -2, 3)],
            grad=False,
            tags=TAGS,
        )
    )
    norms: dict[str, tuple[tuple[int, ...], Any, Any]] = {
        "vector_default": ((5,), None, None),
        "vector_1": ((5,), 1, None),
        "vector_inf": ((5,), np.inf, None),
        "matrix_fro": ((3, 4), "fro", None),
        "matrix_nuc": ((3, 4), "nuc", None),
        "matrix_1": ((3, 4), 1, None),
        "rows_2": ((3, 4), 2, 1),
        "batched_fro": ((2, 3, 4), "fro", (1, 2)),
    }
    for label, (shape, order, axis) in norms.items():
        cases.append(
            OpCase(
                f"norm_{label}",
                lambda a, order=order, axis=axis: nlinalg.norm(a, order, axis),
                lambda a, order=order, axis=axis: np.linalg.norm(a, order, axis),
                [uniform(shape)],
                tags=TAGS,
            )
        )
    return cases


def _slinalg_cases() -> list[OpCase]:
    spd = positive_definite(4)
    general = well_conditioned(4)
    vector, matrix = uniform((4,)), uniform((4, 2))
    cases = [
        OpCase(
            "cholesky_lower",
            lambda a: slinalg.cholesky(symmetric(a)),
            lambda a: scipy.linalg.cholesky(symmetric(a), lower=True),
            [spd],
            tags=TAGS,
        ),
        OpCase(
            "cholesky_upper",
            lambda a: slinalg.cholesky(symmetric(a), lower=False),
            lambda a: scipy.linalg.cholesky(symmetric(a)),
            [spd],
            tags=TAGS,
        ),
        OpCase(
            "cholesky_f32",
            lambda a: slinalg.cholesky(symmetric(a)),
            lambda a: np.linalg.cholesky(symmetric(a)),
            [positive_definite(3, dtype="float32")],
            tags=TAGS,
        ),
        OpCase(
            "cholesky_batched",
            lambda a: slinalg.cholesky(symmetric(a)),
            lambda a: np.linalg.cholesky(symmetric(a)),
            [positive_definite(3, batch=(2,))],
            tags=TAGS,
        ),
        OpCase("solve_gen_vector", slinalg.solve, scipy.linalg.solve, [general, vector], tags=TAGS),
        OpCase("solve_gen_matrix", slinalg.solve, scipy.linalg.solve, [general, matrix], tags=TAGS),
        OpCase(
            "solve_pos",
            lambda a, b: slinalg.solve(symmetric(a), b, assume_a="pos"),
            lambda a, b: np.linalg.solve(symmetric(a), b),
            [spd, matrix],
            tags=TAGS,
        ),
        OpCase(
            "solve_sym_lower",
            lambda a, b: slinalg.solve(symmetric(a), b, assume_a="sym", lower=True),
            lambda a, b: np.linalg.solve(symmetric(a), b),
            [spd, vector],
            tags=TAGS,
        ),
        OpCase(
            "solve_batched",
            slinalg.solve,
            np.linalg.solve,
            [well_conditioned(3, batch=(2,)), uniform((2, 3, 2))],
            tags=TAGS,
        ),
        OpCase(
            "solve_f32",
            slinalg.solve,
            np.linalg.solve,
            [well_conditioned(3, dtype="float32"), uniform((3,), "float32")],
            tags=TAGS,
        ),
        OpCase(
            "solve_int_f64",
            slinalg.solve,
            lambda a, b: np.linalg.solve(a.astype(float), b),
            [well_conditioned(3, dtype="int64"), uniform((3, 2))],
            grad_inputs=(1,),
            tags=TAGS,
        ),
        OpCase("expm", slinalg.expm, scipy.linalg.expm, [uniform((3, 3))], tags=TAGS),
        OpCase("expm_batched", slinalg.expm, scipy.linalg.expm, [uniform((2, 3, 3))], tags=TAGS),
        OpCase(
            "solve_discrete_lyapunov",
            slinalg.solve_discrete_lyapunov,
            scipy.linalg.solve_discrete_lyapunov,
            [contraction(3), uniform((3, 3))],
            tags=TAGS,
        ),
    ]
    for lower in (True, False):
        for trans in (0, 1):
            for unit in (False, True):
                triangle = "lower" if lower else "upper"
                cases.append(
                    OpCase(
                        f"solve_triangular_{triangle}_trans{trans}{'_unit' if unit else ''}",
                        lambda a, b, lower=lower, trans=trans, unit=unit: slinalg.solve_triangular(
                            a, b, lower=lower, trans=trans, unit_diagonal=unit
                        ),
                        lambda a, b, lower=lower, trans=trans, unit=unit: (
                            scipy.linalg.solve_triangular(
                                a, b, lower=lower, trans=trans, unit_diagonal=unit
                            )
                        ),
                        [triangular(4, lower), matrix if trans else vector],
                        tags=TAGS,
                    )
                )
    for lower in (True, False):
        cases.append(
            OpCase(
                f"cho_solve_{'lower' if lower else 'upper'}",
                lambda a, b, lower=lower: slinalg.cho_solve(
                    (slinalg.cholesky(symmetric(a), lower=lower), lower), b
                ),
                lambda a, b: np.linalg.solve(symmetric(a), b),
                [spd, matrix],
                tags=TAGS,
            )
        )
    return cases


CASES: list[OpCase] = [*_nlinalg_cases(), *_slinalg_cases()]
