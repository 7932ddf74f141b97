"""Gradients through scan against finite differences (verify_grad), and the special cases:
truncation, until, draws inside the step, second order, shared weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorops as pt
from autodiff import grad, hessian, verify_grad
from graphcore import function, shared
from scanloop import scan, until


def _power(A: Any) -> Any:
    out, _ = scan(
        lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=4
    )
    return out.sum()


def _cumulative_squares(x: Any) -> Any:
    out, _ = scan(lambda v, acc: acc + v, sequences=x, outputs_info=pt.zeros(()))
    return (out**2).sum()


def _rnn(x: Any, W: Any, U: Any, h0: Any) -> Any:
    out, _ = scan(
        lambda xt, h, W, U: pt.tanh(pt.dot(xt, W) + pt.dot(h, U)),
        sequences=x,
        outputs_info=h0,
        non_sequences=[W, U],
    )
    return out.sum()


def _two_taps(x0: Any, w: Any) -> Any:
    out, _ = scan(
        lambda a, b, w: w * a + 0.1 * b * b,
        non_sequences=w,
        n_steps=5,
        outputs_info=dict(initial=x0, taps=[-2, -1]),
    )
    return out.sum()


def _mapped_and_state(x: Any, y: Any) -> Any:
    (products, total), _ = scan(
        lambda a, b, acc: (a * b, acc + a * b), sequences=[x, y], outputs_info=[None, pt.zeros(())]
    )
    return products.sum() + 2 * total[-1]


def _sequence_taps(x: Any) -> Any:
    out, _ = scan(lambda a, b, c: a * b + c, sequences=dict(input=x, taps=[-1, 0, 1]))
    return (out**2).sum()


def _backwards(x: Any, h0: Any) -> Any:
    out, _ = scan(lambda v, h: 0.9 * h + pt.sin(v), sequences=x, outputs_info=h0, go_backwards=True)
    return (out * pt.arange(out.shape[0])).sum()


def _nested(x: Any) -> Any:
    rows, _ = scan(
        lambda row: scan(lambda v, acc: acc * v + 1, sequences=row, outputs_info=pt.ones(()))[0][
            -1
        ],
        sequences=x,
    )
    return rows.sum()


rng = np.random.default_rng(7)
CASES: dict[str, tuple[Callable[..., Any], list[Any]]] = {
    "power": (_power, [rng.normal(size=5)]),
    "cumulative_squares": (_cumulative_squares, [rng.normal(size=6)]),
    "rnn": (
        _rnn,
        [
            rng.normal(size=(5, 3)),
            rng.normal(size=(3, 4)),
            0.5 * rng.normal(size=(4, 4)),
            rng.normal(size=4),
        ],
    ),
    "two_taps": (_two_taps, [rng.normal(size=2), np.array(0.7)]),
    "mapped_and_state": (_mapped_and_state, [rng.normal(size=4), rng.normal(size=4)]),
    "sequence_taps": (_sequence_taps, [rng.normal(size=7)]),
    "go_backwards": (_backwards, [rng.normal(size=5), np.array(0.3)]),
    "nested": (_nested, [rng.normal(size=(3, 4))]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_gradient_matches_finite_differences(case: str) -> None:
    build, point = CASES[case]
    verify_grad(build, point, rng=np.random.default_rng(1), mode="FAST_COMPILE")


def test_gradients_agree_between_python_and_default_mode() -> None:
    A, x0 = pt.dvector("A"), pt.dvector("x0")
    out, _ = scan(
        lambda prior, A: prior * A + pt.sin(prior), outputs_info=x0, non_sequences=A, n_steps=5
    )
    cost = out.sum()
    outputs = [cost, *grad(cost, [A, x0])]
    values = [rng.normal(size=3), rng.normal(size=3)]
    python = function([A, x0], outputs, mode="FAST_COMPILE")(*values)
    default = function([A, x0], outputs)(*values)
    for a, b in zip(python, default, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_gradient_with_respect_to_a_shared_weight_read_inside() -> None:
    W = shared(0.5 * rng.normal(size=(3, 3)), name="W")
    x = pt.dmatrix("x")
    hidden, _ = scan(
        lambda xt, h: pt.tanh(pt.dot(h, W) + xt), sequences=x, outputs_info=pt.zeros(3)
    )
    cost = (hidden**2).sum()
    f = function([x], [cost, grad(cost, W)], mode="FAST_COMPILE")
    values = rng.normal(size=(4, 3))
    _, analytic = f(values)
    start, eps, numeric = W.get_value(), 1e-6, np.zeros((3, 3))
    for index in np.ndindex(3, 3):
        for sign in (1, -1):
            moved = start.copy()
            moved[index] += sign * eps
            W.set_value(moved)
            numeric[index] += sign * f(values)[0] / (2 * eps)
    W.set_value(start)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


def test_truncated_gradient_reaches_back_only_so_many_steps() -> None:
    x = pt.dvector("x")
    out, _ = scan(
        lambda v, h: 0.5 * h + v, sequences=x, outputs_info=pt.zeros(()), truncate_gradient=2
    )
    g = function([x], grad(out[-1], x), mode="FAST_COMPILE")
    np.testing.assert_allclose(g(np.ones(5)), [0.0, 0.0, 0.0, 0.5, 1.0])


def test_gradient_of_a_loop_stopped_by_until() -> None:
    a = pt.dscalar("a")
    out, _ = scan(
        lambda h, a: (h * a, until(h * a > 10)),
        outputs_info=pt.constant(1.0),
        non_sequences=a,
        n_steps=100,
    )
    values, slope = function([a], [out, grad(out[-1], a)], mode="FAST_COMPILE")(2.0)
    np.testing.assert_allclose(values, [2.0, 4.0, 8.0, 16.0])
    assert float(slope) == 32.0  # d a**4 / da


def test_second_order() -> None:
    A = pt.dvector("A")
    out, _ = scan(
        lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=3
    )
    H = function([A], hessian(out[-1].sum(), A), mode="FAST_COMPILE")
    np.testing.assert_allclose(H(np.array([1.0, 2.0])), np.diag([6.0, 12.0]))


def test_gradient_of_an_initial_state() -> None:
    h0 = pt.dvector("h0")
    out, _ = scan(lambda h: 2 * h, outputs_info=h0, n_steps=3)
    g = function([h0], grad(out[-1].sum() + out[0].sum(), h0), mode="FAST_COMPILE")
    np.testing.assert_allclose(g(np.zeros(2)), [10.0, 10.0])


def test_jacobian_and_rop_through_scan() -> None:
    from autodiff import Rop, jacobian

    x, v = pt.dvector("x"), pt.dvector("v")
    out, _ = scan(lambda xt, h: 0.5 * h + pt.sin(xt), sequences=x, outputs_info=pt.zeros(()))
    f = function([x, v], [jacobian(out, x), Rop(out, x, v)], mode="FAST_COMPILE")
    J, product = f(np.array([0.1, 0.2, 0.3]), np.array([1.0, 2.0, 3.0]))
    c = np.cos([0.1, 0.2, 0.3])
    expected = np.array([[c[0], 0, 0], [0.5 * c[0], c[1], 0], [0.25 * c[0], 0.5 * c[1], c[2]]])
    np.testing.assert_allclose(J, expected)
    np.testing.assert_allclose(product, expected @ [1.0, 2.0, 3.0])
