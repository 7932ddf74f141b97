"""The reverse-mode machinery on closed forms; per-op rules are checked by the op table."""

import numpy as np
import pytest

import tensorops as pt
from autodiff import (
    DisconnectedInputError,
    GradientMismatchError,
    GradientUndefinedError,
    Lop,
    MissingGradientRuleError,
    Rop,
    disconnected_grad,
    grad,
    grad_clip,
    grad_scale,
    register_gradient,
    verify_grad,
    zero_grad,
)
from graphcore import Apply, Op


def test_square_gives_two_x():
    x = pt.dscalar("x")
    gx = grad(x**2, x)
    f = pt.function([x], gx)
    assert f(1.0) == 2.0 and f(4.0) == 8.0


def test_grad_of_sum_is_ones():
    x = pt.dvector("x")
    assert pt.function([x], grad(pt.sum(x), x))([3.0, 4.0]).tolist() == [1.0, 1.0]


def test_logistic_regression_gradient_matches_the_analytic_one():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 3)), rng.integers(0, 2, size=50).astype(float)
    w = pt.dvector("w")
    p = 1 / (1 + pt.exp(-pt.dot(pt.constant(X), w)))
    nll = -pt.sum(y * pt.log(p) + (1 - y) * pt.log(1 - p))
    at = np.array([0.3, -0.2, 0.1])
    analytic = X.T @ (1 / (1 + np.exp(-X @ at)) - y)
    np.testing.assert_allclose(pt.function([w], grad(nll, w))(at), analytic, rtol=1e-10)


def test_training_with_shared_variables_and_updates():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 2))
    y = (X @ np.array([2.0, -1.0]) + 0.5 > 0).astype(float)
    x_in, y_in = pt.dmatrix("x"), pt.dvector("y")
    w, b = pt.shared(np.zeros(2), name="w"), pt.shared(0.0, name="b")
    step = pt.shared(1.0, name="step")
    p = pt.sigmoid(pt.dot(x_in, w) + b)
    cost = -pt.mean(y_in * pt.log(p) + (1 - y_in) * pt.log(1 - p))
    gw, gb = grad(cost, [w, b])
    train = pt.function(
        [x_in, y_in], cost, updates=((w, w - step * gw), (b, b - step * gb), (step, step * 0.99))
    )
    costs = [float(train(X, y)) for _ in range(100)]
    assert costs[-1] < 0.3 * costs[0]
    assert step.get_value() == pytest.approx(0.99**100)


def test_chain_rule_through_shared_subexpressions():
    x = pt.dscalar("x")
    s = pt.sin(x)
    out = s * s + pt.exp(s)
    f = pt.function([x], grad(out, x))
    at = 0.7
    assert f(at) == pytest.approx((2 * np.sin(at) + np.exp(np.sin(at))) * np.cos(at))


def test_consider_constant_and_known_grads():
    x = pt.dscalar("x")
    y = x * x
    assert pt.function([x], grad(y * x, x, consider_constant=[y]))(3.0) == 9.0
    assert pt.function([x], grad(None, x, known_grads={y: pt.constant(2.0)}))(3.0) == 12.0


def test_disconnected_inputs_raise_warn_or_ignore():
    x, z = pt.dscalar("x"), pt.dscalar("z")
    with pytest.raises(DisconnectedInputError, match="does not depend on z"):
        grad(x * 2, z)
    with pytest.warns(UserWarning, match="does not depend on z"):
        grad(x * 2, z, disconnected_inputs="warn")
    zero = grad(x * 2, [x, z], disconnected_inputs="ignore")[1]
    assert pt.function([z], zero, on_unused_input="ignore")(5.0) == 0.0
    assert grad(x * 2, z, disconnected_inputs="ignore", return_disconnected="None") is None


def test_integer_inputs_get_zero_gradients():
    x, n = pt.dscalar("x"), pt.iscalar("n")
    g = grad(x * n, n, disconnected_inputs="ignore")
    assert pt.function([n], g, on_unused_input="ignore")(3) == 0.0
    assert str(g.dtype).startswith("float")


def test_cost_must_be_a_float_scalar():
    v = pt.dvector("v")
    with pytest.raises(TypeError, match="must be a scalar"):
        grad(v * 2, v)


class Opaque(Op):
    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = inputs[0].copy()


def test_an_op_without_rule_is_named():
    x = pt.dscalar("x")
    with pytest.raises(MissingGradientRuleError, match=r"Opaque .*no gradient rule"):
        grad(Opaque()(x), x)


def test_rules_come_through_the_mro_before_an_ops_own_l_op():
    from autodiff import gradient_rule
    from autodiff.registry import registered_op_classes

    class Tripler(Opaque):
        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 3

        def L_op(self, inputs, outputs, output_grads):
            return [output_grads[0] * 3]

    class Sixfold(Tripler):
        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 6

    class LoudSixfold(Sixfold):
        pass

    x = pt.dscalar("x")

    def slope(op):  # the gradients are constants: they do not read x
        return pt.function([x], grad(op(x), x), on_unused_input="ignore")(2.0)

    assert slope(Tripler()) == 3.0  # the op's own L_op
    six = register_gradient(Sixfold)(lambda node, grads: [grads[0] * 6])
    assert Sixfold in registered_op_classes() and Tripler not in registered_op_classes()
    assert gradient_rule(LoudSixfold()) is six  # inherited, and preferred to the L_op
    assert slope(LoudSixfold()) == 6.0
    assert slope(Tripler()) == 3.0


def test_argmax_like_ops_say_the_gradient_is_undefined():
    class Rounding(Opaque):
        pass

    from autodiff import undefined

    register_gradient(Rounding)(lambda node, grads: [undefined(node, 0, "rounding is flat")])
    x = pt.dscalar("x")
    with pytest.raises(GradientUndefinedError, match="rounding is flat"):
        grad(Rounding()(x), x)


def test_lop_and_rop_are_transposes():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(3, 4))
    x = pt.dvector("x")
    f = pt.tanh(pt.dot(pt.constant(A), x))
    u, v = pt.dvector("u"), pt.dvector("v")
    at, u_val, v_val = rng.normal(size=4), rng.normal(size=3), rng.normal(size=4)
    jacobian = (1 - np.tanh(A @ at) ** 2)[:, None] * A
    lop = pt.function([x, u], Lop(f, x, u))(at, u_val)
    rop = pt.function([x, v], Rop(f, x, v))(at, v_val)
    np.testing.assert_allclose(lop, u_val @ jacobian, rtol=1e-10)
    np.testing.assert_allclose(rop, jacobian @ v_val, rtol=1e-10)


def test_gradient_control_ops():
    x = pt.dscalar("x")
    assert pt.function([x], grad(zero_grad(x) * x, x))(3.0) == 3.0
    unused = "ignore"  # the gradient is the constant 1: it does not read x
    assert (
        pt.function([x], grad(disconnected_grad(x * x) + x, x), on_unused_input=unused)(3.0) == 1.0
    )
    clipped = grad(grad_clip(x * 10, -1, 1), x)  # 1, clipped to [-1, 1], times 10
    assert pt.function([x], clipped, on_unused_input=unused)(3.0) == 10.0
    assert pt.function([x], grad(grad_scale(x * x, 0.5), x))(3.0) == 3.0
    assert pt.function([x], zero_grad(x) * 2)(4.0) == 8.0


def test_verify_grad_accepts_right_and_catches_wrong_rules():
    verify_grad(lambda a, b: pt.sin(a) * b, [np.array([0.3, 0.4]), np.array([1.5, -2.0])])

    class Doubler(Opaque):
        def perform(self, node, inputs, output_storage):
            output_storage[0][0] = inputs[0] * 2

    register_gradient(Doubler)(lambda node, grads: [grads[0] * 3])  # wrong on purpose
    with pytest.raises(GradientMismatchError, match="input 0"):
        verify_grad(Doubler(), [np.array([1.0, 2.0])])
