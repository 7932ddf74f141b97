"""Random variables in gradients: the rng has no derivative, and grad says which op."""

import pytest

import tensorops as pt
from autodiff import MissingGradientRuleError, grad
from randomstreams import RandomStream


def test_random_variables_are_not_differentiable():
    mu = pt.dscalar("mu")
    draw = RandomStream(seed=0).normal(mu, 1)
    with pytest.raises(MissingGradientRuleError, match="normal_rv"):
        grad(draw, mu)


def test_gradients_flow_around_a_random_draw():
    """d/dmu (mu - n)^2 = 2 (mu - n), the draw n held fixed as noise."""
    mu = pt.dscalar("mu")
    noise = RandomStream(seed=0).normal(0, 1)
    gradient = grad((mu - noise) ** 2, mu, consider_constant=[noise])
    f = pt.function([mu], [gradient, noise], no_default_updates=True)
    value, drawn = f(1.0)
    assert value == pytest.approx(2 * (1.0 - drawn))
    assert drawn == pytest.approx(noise.eval())  # the generator was not advanced
