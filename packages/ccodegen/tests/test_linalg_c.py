"""C rules of ``Solve``, ``SolveTriangular``, ``CholeskySolve`` and ``Cholesky`` (SciPy's
LAPACK through function pointers) against the Python backend.

The harness of test_more_ops_c.py: every layout of the values (the zero-stride repetition
makes the matrices singular, so C must raise ``LinAlgError`` where SciPy does), batches
that broadcast, empty matrices, lengths that do not match, singular and not positive
definite matrices, and ``on_error="nan"``. Messages are checked where SciPy's are fixed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from c_harness import Case, Compiled, check_case, compile_cases, tensor

from ccodegen import have_c_compiler
from tensorops import slinalg
from tensorops.slinalg import Cholesky, CholeskySolve, Solve, SolveTriangular

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")

CASES: list[Case] = []
RNG = np.random.default_rng(7)


def spd(n: int, batch: tuple[int, ...] = (), dtype: str = "float64") -> np.ndarray:
    """Symmetric positive definite matrices: ``m @ m.T + n``."""
    m = RNG.standard_normal((*batch, n, n))
    return (m @ np.swapaxes(m, -1, -2) + n * np.eye(n)).astype(dtype)


def general(n: int, batch: tuple[int, ...] = (), dtype: str = "float64") -> np.ndarray:
    return (RNG.standard_normal((*batch, n, n)) + 3 * np.eye(n)).astype(dtype)


def strided(matrix: np.ndarray) -> np.ndarray:
    """The same values as a view with gaps between rows and columns."""
    rows, cols = matrix.shape
    padded = np.zeros((2 * rows, 2 * cols), matrix.dtype)
    padded[::2, ::2] = matrix
    return padded[::2, ::2]


def rhs(*shape: int, dtype: str = "float64") -> np.ndarray:
    return RNG.standard_normal(shape).astype(dtype)


SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 5.0]])
WITH_NAN = np.array([[np.nan, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
INDEFINITE = np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])

for dtype in ("float64", "float32"):
    for assume_a, lower, matrices in (
        ("gen", False, general),
        ("sym", True, spd),
        ("sym", False, spd),
        ("pos", False, spd),
        ("pos", True, spd),
    ):
        a2, a3, b1, b2, b3 = (
            tensor("a", dtype, 2),
            tensor("a", dtype, 3),
            tensor("b", dtype, 1),
            tensor("b", dtype, 2),
            tensor("b", dtype, 3),
        )
        tag = f"{assume_a}_{'lower' if lower else 'upper'}_{dtype}"
        op = Solve(assume_a, lower)
        bad = INDEFINITE if assume_a == "pos" else SINGULAR
        CASES += [
            Case(
                f"solve_vector_{tag}",
                [a2, b1],
                [op(a2, b1)],
                [
                    [matrices(4, dtype=dtype), rhs(4, dtype=dtype)],
                    [matrices(1, dtype=dtype), rhs(1, dtype=dtype)],
                    [np.zeros((0, 0), dtype), np.zeros(0, dtype)],
                    [bad.astype(dtype), rhs(3, dtype=dtype)],  # LinAlgError
                    [matrices(3, dtype=dtype), rhs(4, dtype=dtype)],  # ValueError
                    [np.zeros((1, 1), dtype), rhs(1, dtype=dtype)],  # LinAlgError
                    [WITH_NAN.astype(dtype), rhs(3, dtype=dtype)],
                    [matrices(3, dtype=dtype), np.array([1, np.nan, 2], dtype)],
                ],
                Solve,
                float32_work=dtype == "float32",
            ),
            Case(
                f"solve_matrix_{tag}",
                [a2, b2],
                [op(a2, b2)],
                [
                    [matrices(4, dtype=dtype), rhs(4, 3, dtype=dtype)],
                    [matrices(3, dtype=dtype), rhs(3, 0, dtype=dtype)],
                    [bad.astype(dtype), rhs(3, 2, dtype=dtype)],  # LinAlgError
                ],
                Solve,
                float32_work=dtype == "float32",
            ),
            Case(
                f"solve_batched_{tag}",
                [a3, b3],
                [op(a3, b3)],
                [
                    [matrices(3, (2,), dtype), rhs(2, 3, 2, dtype=dtype)],
                    [matrices(3, (1,), dtype), rhs(4, 3, 1, dtype=dtype)],  # broadcast a
                    [matrices(3, (3,), dtype), rhs(1, 3, 2, dtype=dtype)],  # broadcast b
                    [matrices(3, (0,), dtype), rhs(0, 3, 2, dtype=dtype)],
                    [matrices(3, (2,), dtype), rhs(3, 3, 2, dtype=dtype)],  # ValueError
                    [np.stack([matrices(3, dtype=dtype), bad.astype(dtype)]), rhs(2, 3, 1)],
                ],
                Solve,
                float32_work=dtype == "float32",
            ),
        ]
    a, b1, b2 = tensor("a", dtype, 2), tensor("b", dtype, 1), tensor("b", dtype, 2)
    for lower in (True, False):
        for trans in (0, 1, 2):
            for unit in (False, True):
                op = SolveTriangular(lower, trans, unit)
                triangle = np.tril if lower else np.triu
                t = triangle(general(4, dtype=dtype))
                zero_pivot = t.copy()
                zero_pivot[2, 2] = 0
                CASES.append(
                    Case(
                        f"solve_triangular_{lower}_{trans}_{unit}_{dtype}",
                        [a, b1, b2],
                        [op(a, b1), op(a, b2)],
                        [
                            [t, rhs(4, dtype=dtype), rhs(4, 2, dtype=dtype)],
                            # a read in place (column-major), or copied (neither layout)
                            [np.asfortranarray(t), rhs(4, dtype=dtype), rhs(4, 2, dtype=dtype)],
                            [strided(t), rhs(4, dtype=dtype), rhs(4, 2, dtype=dtype)],
                            [general(4, dtype=dtype), rhs(4, dtype=dtype), rhs(4, 3, dtype=dtype)],
                            [zero_pivot, rhs(4, dtype=dtype), rhs(4, 1, dtype=dtype)],
                            [np.zeros((0, 0), dtype), np.zeros(0, dtype), np.zeros((0, 2), dtype)],
                            [t, rhs(3, dtype=dtype), rhs(4, 1, dtype=dtype)],  # ValueError
                        ],
                        SolveTriangular,
                        float32_work=dtype == "float32",
                    )
                )
    for lower in (True, False):
        c = np.linalg.cholesky(spd(4, dtype=dtype))
        c = c if lower else c.T.copy()
        CASES.append(
            Case(
                f"cho_solve_{lower}_{dtype}",
                [a, b2],
                [CholeskySolve(lower)(a, b2)],
                [
                    [c, rhs(4, 3, dtype=dtype)],
                    [np.asfortranarray(c), rhs(4, 3, dtype=dtype)],
                    [strided(c), rhs(4, 3, dtype=dtype)],
                    [np.zeros((0, 0), dtype), np.zeros((0, 2), dtype)],
                    [c, rhs(3, 2, dtype=dtype)],  # ValueError
                ],
                CholeskySolve,
                float32_work=dtype == "float32",
            )
        )
    for lower in (True, False):
        for on_error in ("raise", "nan"):
            a2, a3 = tensor("a", dtype, 2), tensor("a", dtype, 3)
            op = Cholesky(lower, on_error)
            CASES += [
                Case(
                    f"cholesky_{lower}_{on_error}_{dtype}",
                    [a2],
                    [op(a2)],
                    [
                        [spd(4, dtype=dtype)],
                        [np.zeros((0, 0), dtype)],
                        [INDEFINITE.astype(dtype)],
                        [WITH_NAN.astype(dtype)],
                        [general(3, dtype=dtype)],  # one triangle read
                        [np.ones((2, 3), dtype)],  # ValueError
                    ],
                    Cholesky,
                    float32_work=dtype == "float32",
                ),
                Case(
                    f"cholesky_batched_{lower}_{on_error}_{dtype}",
                    [a3],
                    [op(a3)],
                    [
                        [spd(3, (2,), dtype)],
                        [np.stack([spd(3, dtype=dtype), INDEFINITE.astype(dtype)])],
                        [spd(3, (0,), dtype)],
                    ],
                    Cholesky,
                    float32_work=dtype == "float32",
                ),
            ]
# Inputs converted: integers solved in float64.
ai, bi = tensor("a", "int64", 2), tensor("b", "int32", 1)
CASES.append(
    Case(
        "solve_int",
        [ai, bi],
        [slinalg.solve(ai, bi)],
        [[np.array([[4, 1], [2, 3]]), np.array([1, 2], "int32")]],
        Solve,
    )
)


@pytest.fixture(scope="module")
def compiled() -> dict[str, Compiled]:
    return compile_cases(CASES)


@pytest.mark.parametrize("each", CASES, ids=lambda each: each.name)
def test_c_equals_python(each: Case, compiled: dict[str, Compiled]) -> None:
    check_case(each, compiled[each.name])


def _error(program: Compiled, *values: Any) -> str:
    with pytest.raises(np.linalg.LinAlgError) as python:
        program.python(*values)
    with pytest.raises(np.linalg.LinAlgError) as c:
        program.caller.call(list(values))
    assert str(c.value) == str(python.value)
    return str(c.value)


def test_messages(compiled: dict[str, Compiled]) -> None:
    """SciPy's messages for a singular or not positive definite matrix."""
    solve = compiled["solve_vector_gen_upper_float64"]
    assert "singular" in _error(solve, SINGULAR, rhs(3))
    triangular = compiled["solve_triangular_True_0_False_float64"]
    lower = np.tril(general(4))
    lower[1, 1] = 0
    assert "diagonal 1" in _error(triangular, lower, rhs(4), rhs(4, 2))
    cholesky = compiled["cholesky_True_raise_float64"]
    assert "2-th leading minor" in _error(cholesky, INDEFINITE)
