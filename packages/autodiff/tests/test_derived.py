"""jacobian, hessian and hessian_vector_product against closed forms, and the vectorized
Jacobian (one batched graph, no loop) for large outputs."""

import numpy as np
import pytest

import tensorops as pt
from autodiff import grad, hessian, hessian_vector_product, jacobian
from autodiff.vectorize import LoopOverBatch, vectorize_graph
from tensorops import slinalg
from tensorops.join import make_vector

RNG = np.random.default_rng(3)


def _ops(f):
    return [type(node.op) for node in f.maker.fgraph.toposort()]


@pytest.mark.parametrize("vectorize", [True, False])
def test_jacobian_of_a_linear_map_is_its_matrix(vectorize):
    A = RNG.normal(size=(4, 3))
    x = pt.dvector("x")
    f = pt.function([x], jacobian(pt.dot(pt.constant(A), x), x, vectorize=vectorize))
    np.testing.assert_allclose(f(RNG.normal(size=3)), A, rtol=1e-12)


def test_jacobian_shape_is_expression_shape_then_wrt_shape():
    x = pt.dmatrix("x")
    J = pt.function([x], jacobian(pt.exp(x).T, x))(np.zeros((2, 3)))
    expected = np.zeros((3, 2, 2, 3))
    for i in range(3):
        for j in range(2):
            expected[i, j, j, i] = 1.0
    np.testing.assert_allclose(J, expected)


def test_jacobian_of_a_scalar_is_the_gradient():
    x = pt.dvector("x")
    f = pt.function([x], jacobian(pt.sum(x**2), x))
    np.testing.assert_allclose(f([1.0, 2.0]), [2.0, 4.0])


def test_jacobian_with_a_list_of_wrt():
    x, y = pt.dvector("x"), pt.dscalar("y")
    jx, jy = jacobian(x * y + x**2, [x, y])
    f = pt.function([x, y], [jx, jy])
    x_value, y_value = np.array([1.0, -2.0, 0.5]), 3.0
    got_x, got_y = f(x_value, y_value)
    np.testing.assert_allclose(got_x, np.diag(y_value + 2 * x_value))
    np.testing.assert_allclose(got_y, x_value)


def test_hessian_of_a_quadratic_form():
    A = RNG.normal(size=(4, 4))
    x = pt.dvector("x")
    cost = pt.dot(x, pt.dot(pt.constant(A), x)) / 2
    H = pt.function([x], hessian(cost, x))(RNG.normal(size=4))
    np.testing.assert_allclose(H, (A + A.T) / 2, rtol=1e-12)


def test_hessian_of_logistic_regression_is_x_transpose_w_x():
    X = RNG.normal(size=(40, 12))
    y = RNG.integers(0, 2, size=40).astype(float)
    w = pt.dvector("w")
    p = pt.sigmoid(pt.dot(pt.constant(X), w))
    nll = -pt.sum(y * pt.log(p) + (1 - y) * pt.log(1 - p))
    H, (Hw,) = hessian(nll, w), hessian(nll, [w])
    f = pt.function([w], [H, Hw])
    at = 0.1 * RNG.normal(size=12)
    probabilities = 1 / (1 + np.exp(-X @ at))
    expected = X.T @ (X * (probabilities * (1 - probabilities))[:, None])
    for got in f(at):
        np.testing.assert_allclose(got, expected, rtol=1e-9)
    assert LoopOverBatch not in _ops(f)


def test_hessian_vector_product_equals_hessian_times_vector():
    x = pt.dvector("x")
    p = pt.dvector("p")
    cost = pt.sum(pt.exp(x) * pt.sin(x[::-1])) + pt.sum(x) ** 3
    f = pt.function([x, p], [hessian_vector_product(cost, x, p), pt.dot(hessian(cost, x), p)])
    product, reference = f(RNG.normal(size=5), RNG.normal(size=5))
    np.testing.assert_allclose(product, reference, rtol=1e-10)


def test_vectorized_jacobian_of_a_large_output_has_no_loop():
    n = 200
    A = RNG.normal(size=(n, n)) / np.sqrt(n)
    x = pt.dvector("x")
    out = pt.tanh(pt.dot(pt.constant(A), x)) * x[::-1] + pt.cumsum(x)
    f = pt.function([x], jacobian(out, x))
    assert LoopOverBatch not in _ops(f)
    at = RNG.normal(size=n)
    z = np.tanh(A @ at)
    expected = (1 - z**2)[:, None] * A * at[::-1][:, None]
    expected[np.arange(n), np.arange(n)[::-1]] += z
    expected += np.tril(np.ones((n, n)))
    np.testing.assert_allclose(f(at), expected, rtol=1e-10, atol=1e-12)


def test_vectorized_jacobian_matches_finite_differences():
    x = pt.dvector("x")
    M = pt.constant(np.eye(3) * 4 + RNG.normal(size=(3, 3)))
    out = pt.concatenate(
        [slinalg.solve(M, x[:3]), pt.sort(x) ** 2, pt.outer(x[:2], x[1:3]).flatten()]
    )
    f_out = pt.function([x], out)
    f_jac = pt.function([x], jacobian(out, x, vectorize=True))
    at = RNG.normal(size=6)
    step = 1e-6
    numeric = np.stack(
        [(f_out(at + step * e) - f_out(at - step * e)) / (2 * step) for e in np.eye(6)], axis=1
    )
    np.testing.assert_allclose(f_jac(at), numeric, rtol=1e-6, atol=1e-8)


def test_vectorize_graph_batches_a_graph_and_falls_back_to_a_loop():
    u = pt.dvector("u")
    U = pt.dmatrix("U")
    out = pt.sum(pt.exp(u) * pt.arange(3))
    batched = vectorize_graph(out, {u: U})
    values = RNG.normal(size=(4, 3))
    np.testing.assert_allclose(
        pt.function([U], batched)(values), np.exp(values) @ np.arange(3), rtol=1e-12
    )
    # MakeVector has no batching rule: it runs once per batch entry.
    index, indices = pt.lscalar("i"), pt.lvector("indices")
    pair = make_vector([index, index * 2])
    f = pt.function([indices], vectorize_graph(pair * 10, {index: indices}))
    assert LoopOverBatch in _ops(f)
    assert f(np.array([0, 2, 4])).tolist() == [[0, 0], [20, 40], [40, 80]]


def test_a_registered_batch_rule_replaces_the_loop_for_its_class_and_subclasses():
    from autodiff.vectorize import batch_rule, register_batch_rule
    from graphcore import Apply, Op

    class Twice(Op):
        def make_node(self, x):
            x = pt.as_tensor(x)
            return Apply(self, [x], [x.type()])

        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 2

    class AlsoTwice(Twice):
        pass

    x, xs = pt.dvector("x"), pt.dmatrix("xs")
    f = pt.function([xs], vectorize_graph(AlsoTwice()(x), {x: xs}))
    assert LoopOverBatch in _ops(f)
    rule = register_batch_rule(Twice)(lambda node, inputs, batched: [inputs[0] * 2])
    assert batch_rule(AlsoTwice()) is rule
    g = pt.function([xs], vectorize_graph(AlsoTwice()(x), {x: xs}))
    assert LoopOverBatch not in _ops(g) and AlsoTwice not in _ops(g)
    values = RNG.normal(size=(3, 2))
    np.testing.assert_allclose(g(values), 2 * values)
    np.testing.assert_allclose(f(values), 2 * values)


def test_rows_one_by_one_need_a_static_length():
    x = pt.dvector("x")
    with pytest.raises(ValueError, match="static size"):
        jacobian(x * 2, x, vectorize=False)
    small = pt.specify_shape(x, (3,))
    f = pt.function([x], jacobian(small**2, x, vectorize=False))
    np.testing.assert_allclose(f([1.0, 2.0, 3.0]), np.diag([2.0, 4.0, 6.0]))


def test_grad_still_works_alongside():
    x = pt.dscalar("x")
    assert pt.function([x], grad(x**3, x))(2.0) == 12.0
