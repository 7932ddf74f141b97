"""A compiled density as a C function pointer (density.py) computes what the function does."""

from __future__ import annotations

import numpy as np
import pytest

import tensorops as pt
from ccodegen.density import density_pointer
from graphcore import function, shared

DIM = 12
RNG = np.random.default_rng(7)
ROOT = RNG.normal(size=(DIM, DIM))
PRECISION = ROOT @ ROOT.T / DIM + np.eye(DIM)  # 144 numbers: held by address, not in the source


def gaussian() -> tuple:
    """logp of a Gaussian with a shift given as an argument and a scale held in a shared
    variable, and its gradient."""
    x, shift = pt.dvector("x"), pt.dscalar("shift")
    scale = shared(np.float64(2.0), name="scale")
    centred = (x - shift) / scale
    pulled = pt.dot(PRECISION, centred)
    logp = -0.5 * pt.dot(centred, pulled) - DIM * pt.log(scale)
    f = function([x, shift], [logp, -pulled / scale])  # the gradient in x (symmetric precision)
    return f, [np.array(0.5), scale.get_value()], scale


def test_the_pointer_computes_what_the_function_computes() -> None:
    f, held, scale = gaussian()
    pointer = density_pointer(f.maker.fgraph, DIM, held)
    assert pointer is not None
    for x in RNG.normal(size=(3, DIM)):
        logp, gradient = pointer.call(x)
        want_logp, want_grad = f(x, 0.5)
        np.testing.assert_allclose(logp, want_logp, rtol=1e-14)
        np.testing.assert_allclose(gradient, want_grad, rtol=1e-13)
    # held values follow hold(): an argument, then a shared variable's new value
    x = RNG.normal(size=DIM)
    pointer.hold(1, np.array(-1.0))
    scale.set_value(np.float64(3.0))
    pointer.hold(2, scale.get_value())
    logp, gradient = pointer.call(x)
    want_logp, want_grad = f(x, -1.0)
    np.testing.assert_allclose(logp, want_logp, rtol=1e-14)
    np.testing.assert_allclose(gradient, want_grad, rtol=1e-13)


def test_a_failure_in_c_becomes_the_functions_error() -> None:
    x, where = pt.dvector("x"), pt.lscalar("where")
    logp = -0.5 * pt.sum(x**2) + x[where]
    f = function([x, where], [logp, pt.inc_subtensor((-x)[where], 1.0)])
    pointer = density_pointer(f.maker.fgraph, 4, [np.array(2, dtype="int64")])
    assert pointer is not None
    assert pointer.call(np.ones(4))[0] == pytest.approx(-1.0)
    pointer.hold(1, np.array(9, dtype="int64"))
    with pytest.raises(IndexError) as raised:
        pointer.call(np.ones(4))
    with pytest.raises(IndexError) as expected:
        f(np.ones(4), 9)
    assert str(raised.value) == str(expected.value)


@pytest.mark.parametrize(
    "outputs",
    [
        lambda x: [pt.sum(x)],  # no gradient
        lambda x: [pt.sum(x), x, x],  # one output too many
        lambda x: [x, x],  # a vector where the scalar goes
    ],
)
def test_graphs_of_another_signature_have_no_pointer(outputs) -> None:
    x = pt.dvector("x")
    f = function([x], outputs(x))
    assert density_pointer(f.maker.fgraph, 3, []) is None


def test_wrong_held_values_are_named() -> None:
    f, held, _ = gaussian()
    pointer = density_pointer(f.maker.fgraph, DIM, held)
    assert pointer is not None
    with pytest.raises(ValueError, match="held input 1 of the C density: expected 0 dimensions"):
        pointer.hold(1, np.zeros(3))
    with pytest.raises(ValueError, match=r"x: expected shape \(12,\), got \(3,\)"):
        pointer.call(np.zeros(3))
