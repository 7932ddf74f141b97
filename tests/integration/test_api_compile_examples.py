"""API.md's "Graphs and compilation" rows, run as a user runs them: FAST_RUN is C."""

import io

import numpy as np
import pytest

import graphcore
import tensorops as pt
from autodiff import grad


def test_fast_run_is_c_and_the_clever_rewrites_hold() -> None:
    a, b = pt.dscalars("a", "b")
    f = pt.function([a, b], b * (a / b))
    assert f.maker.linker.name == "c" and f.maker.fgraph.toposort() == [] and f(3.0, 7.0) == 3.0
    x, y = pt.dscalars("x", "y")
    g = pt.function([x, y], pt.log(pt.exp(x + y)))
    assert [str(n.op) for n in g.maker.fgraph.toposort()] == ["Add"] and g(1.0, 2.0) == 3.0
    h = pt.function([x], pt.log(1 + x))
    assert h(1e-20) == 1e-20


def test_outputs_inputs_and_keywords() -> None:
    a, b = pt.dmatrices("a", "b")
    diff = a - b
    f = pt.function([a, b], [diff, abs(diff), diff**2])
    got = f([[1, 1], [1, 1]], [[0, 1], [2, 3]])
    assert [r.tolist() for r in got] == [[[1, 0], [-1, -2]], [[1, 0], [1, 2]], [[1, 0], [1, 4]]]
    x, y = pt.dscalar("x"), pt.dvector("y")
    g = pt.function([x, y], x + y)
    np.testing.assert_allclose(g(x=0, y=[1, 2.7]), [1, 2.7])


def test_shared_state_eval_and_printing() -> None:
    state = graphcore.shared(0)
    inc = pt.iscalar("inc")
    accumulator = pt.function([inc], state, updates=[(state, state + inc)])
    assert [int(accumulator(1)), int(accumulator(300))] == [0, 1] and int(state.get_value()) == 301
    x, y = pt.dscalars("x", "y")
    z = x + y
    w = pt.log(z)
    assert z.eval({x: 1.0, y: 2.0}) == 3.0 and w.eval({z: np.e}) == pytest.approx(1.0)
    assert graphcore.pp(x + y) == "(x + y)"
    text = io.StringIO()
    graphcore.dprint(w, file=text)
    assert text.getvalue().splitlines()[0].startswith("Log [id A]")
    assert graphcore.graph_inputs([w]) == [x, y]
    replaced = graphcore.clone_replace(output=[w], replace={x: y})
    assert replaced[0].eval({y: 1.5}) == pytest.approx(np.log(3.0))


def test_gradients_and_updates_of_shared_weights_in_c() -> None:
    rng = np.random.default_rng(0)
    X, labels = rng.normal(size=(50, 3)), rng.integers(0, 2, 50).astype(float)
    w, b = graphcore.shared(np.zeros(3), name="w"), graphcore.shared(0.0, name="b")
    step = graphcore.shared(0.1, name="step")
    p = pt.sigmoid(pt.dot(X, w) + b)
    cost = pt.mean(-labels * pt.log(p) - (1 - labels) * pt.log(1 - p))
    gw, gb = grad(cost, [w, b])
    train = pt.function(
        [], cost, updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99))
    )
    assert train.maker.linker.name == "c"
    costs = [float(train()) for _ in range(30)]
    assert costs[-1] < costs[0] and step.get_value() == pytest.approx(0.1 * 0.99**30)


@pytest.mark.parametrize("mode", ["FAST_RUN", "FAST_COMPILE", "DebugMode", "NanGuardMode"])
def test_every_mode_computes_the_same(mode) -> None:
    x = pt.dvector("x")
    out = (pt.exp(x) * pt.sin(x)).sum() + pt.log1p(x).max()
    v = np.linspace(0.1, 2.0, 7)
    assert pt.function([x], out, mode=mode)(v) == pytest.approx(
        np.sum(np.exp(v) * np.sin(v)) + np.log1p(v).max()
    )
