"""Every differentiable row of tensorops' op table against finite differences, first
and (where the row allows it) second derivatives.

Inputs are differentiated where the row says so (``grad_inputs``) and the value is a
float; the other inputs become constants. Axes of length 1 are declared so, as the
value checks do, because elementwise ops broadcast only along such axes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import tensorops as pt
from autodiff import MissingGradientRuleError, grad, verify_grad
from autodiff.rules.scalar_derivatives import DERIVATIVES
from tensorops.scalar_ops import SCALAR_OPS, ScalarOp
from tensorops.testing import ALL_CASES, OpCase

# Gradients are built before compiling, so the cheapest compile mode checks them as well.
MODE = "FAST_COMPILE"

# Rows whose value makers do not suit finite differences, each with the reason.
SKIPPED: dict[str, str] = {}


def _float_positions(case: OpCase, values: Sequence[Any]) -> list[int]:
    """The inputs this row differentiates: listed in ``grad_inputs``, symbolic, floating."""
    listed = range(len(values)) if case.grad_inputs is None else case.grad_inputs
    return [
        i
        for i in listed
        if i not in case.constant_inputs and np.asarray(values[i]).dtype.kind == "f"
    ]


def _declare_unit_axes(var: Any, value: np.ndarray) -> Any:
    """``var`` with the axes where ``value`` has length 1 declared of length 1."""
    if 1 not in value.shape:
        return var
    return pt.specify_shape(var, [1 if n == 1 else None for n in value.shape])


def _as_outputs(result: Any) -> list[Any]:
    outputs = list(result) if isinstance(result, (list, tuple)) else [result]
    # A complex output is checked through its real and imaginary parts.
    return [
        pt.real(out) + pt.imag(out) if str(out.dtype).startswith("complex") else out
        for out in outputs
    ]


class RowGraph:
    """A row's graph as a function of its differentiated inputs, and a fixed projection
    of its outputs onto a scalar."""

    def __init__(self, case: OpCase, seed: int = 0):
        self.case = case
        self.values = case.values(seed)
        self.positions = _float_positions(case, self.values)
        with np.errstate(all="ignore"):
            expected = case.reference(*[np.asarray(v) for v in self.values])
        shapes = [np.shape(e) for e in _listed(expected)]
        rng = np.random.default_rng(seed + 1)
        self.projections = [
            rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
            for shape in shapes
        ]

    def points(self) -> list[np.ndarray]:
        return [np.asarray(self.values[i]) for i in self.positions]

    def outputs(self, *variables: Any) -> list[Any]:
        arguments: list[Any] = []
        given = dict(zip(self.positions, variables, strict=True))
        for position, value in enumerate(self.values):
            if position in self.case.constant_inputs:
                arguments.append(value)
            elif position in given:
                arguments.append(_declare_unit_axes(given[position], np.asarray(value)))
            else:
                arguments.append(pt.constant(np.asarray(value)))
        return _as_outputs(self.case.build(*arguments))

    def single_output(self, *variables: Any) -> Any:
        """The output itself, or for several outputs their projection onto a scalar."""
        outputs = self.outputs(*variables)
        return outputs[0] if len(outputs) == 1 else self.projected(*variables)

    def projected(self, *variables: Any) -> Any:
        outputs = self.outputs(*variables)
        terms = [
            pt.sum(out * pt.constant(weights.astype(out.dtype)))
            for out, weights in zip(outputs, self.projections, strict=True)
        ]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    def first_gradient(self) -> Callable[..., Any]:
        """The gradient of the projected output with respect to the first input."""
        return lambda *variables: grad(
            self.projected(*variables), variables[0], disconnected_inputs="ignore"
        )


def _listed(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (list, tuple)) else [result]


def _differentiable(case: OpCase) -> bool:
    return case.grad and bool(_float_positions(case, case.values()))


GRAD_CASES = [case for case in ALL_CASES if _differentiable(case)]


def _skip_listed(case: OpCase) -> None:
    if case.name in SKIPPED:
        pytest.skip(SKIPPED[case.name])


def _single_precision(row: RowGraph) -> bool:
    return any(point.dtype == np.float32 for point in row.points())


@pytest.mark.parametrize("case", GRAD_CASES, ids=str)
def test_gradient_matches_finite_differences(case: OpCase) -> None:
    _skip_listed(case)
    row = RowGraph(case)
    with np.errstate(all="ignore"):
        verify_grad(row.single_output, row.points(), n_tests=1, mode=MODE)


SECOND_ORDER_CASES = [case for case in GRAD_CASES if case.second_order]


@pytest.mark.parametrize("case", SECOND_ORDER_CASES, ids=str)
def test_second_derivative_matches_finite_differences(case: OpCase) -> None:
    _skip_listed(case)
    row = RowGraph(case)
    # Second derivatives of float32 graphs lose more digits than first ones.
    settings: dict[str, Any] = {"abs_tol": 5e-2, "rel_tol": 5e-2} if _single_precision(row) else {}
    with np.errstate(all="ignore"):
        verify_grad(row.first_gradient(), row.points(), n_tests=1, mode=MODE, **settings)


def test_every_scalar_op_has_a_derivative_row() -> None:
    missing = sorted(name for name in SCALAR_OPS if name not in DERIVATIVES)
    assert not missing, f"scalar ops without a row in scalar_derivatives.py: {missing}"


def test_a_scalar_op_missing_from_the_table_is_named() -> None:
    mystery = pt.Elemwise(ScalarOp("mystery_sinc", np.sinc, 1))
    x = pt.dvector("x")
    with pytest.raises(MissingGradientRuleError, match="mystery_sinc"):
        grad(pt.sum(mystery(x)), x)


@pytest.mark.parametrize("value_shape", [(3, 1), (3, 4), (1, 4)])
def test_values_broadcast_at_run_time_get_summed_gradients(value_shape: tuple[int, ...]) -> None:
    """Alloc and increments broadcast open-shaped values as NumPy does: sum back there."""
    rng = np.random.default_rng(3)
    value = rng.normal(size=value_shape)
    verify_grad(lambda v: pt.alloc(v, 2, 3, 4), [value], mode=MODE)
    base = rng.normal(size=(5, 4))
    verify_grad(lambda x, v: pt.inc_subtensor(x[1:4], v), [base, value], mode=MODE)


def test_prod_gradient_is_exact_at_zeros() -> None:
    """A product is a polynomial: smooth where factors are 0, once or several times."""
    rows = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [0.0, 0.0, 0.0], [1.5, -2.0, 0.5]])
    verify_grad(lambda x: pt.prod(x, axis=1), [rows], mode=MODE)
    x = pt.dmatrix("x")
    second = grad(pt.sum(pt.prod(x, axis=1)), x)
    verify_grad(lambda x: grad(pt.sum(pt.prod(x, axis=1)), x), [rows], mode=MODE)
    assert pt.function([x], second)(rows)[0].tolist() == [6.0, 0.0, 0.0]


def test_max_passes_the_gradient_to_every_tied_maximum() -> None:
    x = pt.dvector("x")
    gradient = pt.function([x], grad(pt.max(x), x))([1.0, 3.0, 3.0, -2.0])
    assert gradient.tolist() == [0.0, 1.0, 1.0, 0.0]


def test_pow_gradients_are_finite_at_zero() -> None:
    x, y = pt.dvector("x"), pt.dvector("y")
    gx, gy = grad(pt.sum(x**y), [x, y])
    with np.errstate(divide="ignore", invalid="ignore"):  # the masked-out branches
        at_zero = pt.function([x, y], [gx, gy])([0.0, 0.0, 0.0], [0.0, 1.0, 2.0])
    assert [g.tolist() for g in at_zero] == [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
