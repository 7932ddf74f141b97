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
    mu = pt.dscalar("mu")
    noise = RandomStream(seed=0).normal(0, 1)
    cost = (mu - noise) ** 2
    assert (
        pt.function([mu], grad(cost, mu, consider_constant=[noise]), no_default_updates=True)(1.0)
        != 0
    )
