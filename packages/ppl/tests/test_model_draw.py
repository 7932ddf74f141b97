"""pm.draw, .eval() on random variables, pm.logp/pm.logcdf of variables and of
invertible maps of them, the .logp/.logcdf methods of .dist variables, pm.math."""

import importlib

import numpy as np
import pytest
import scipy.stats as st

import graphcore
import ppl as pm
import tensorops as pt
from ppl.distributions.logprob import NotMeasurableError


def test_draw_gives_fresh_arrays_each_call():
    x = pm.Normal.dist(mu=0, sigma=1)
    first, second = pm.draw(x), pm.draw(x)
    assert isinstance(first, np.ndarray) and first.shape == ()
    assert first != second
    many = pm.draw(x, draws=1000)
    assert many.shape == (1000,)
    assert len(np.unique(many)) == 1000
    assert abs(many.mean()) < 0.15 and abs(many.std() - 1) < 0.1


def test_draw_with_a_seed_reproduces():
    z = pm.Normal.dist(mu=np.array([0.0, 0.0]), sigma=np.array([1.0, 2.0]))
    a = pm.draw(z, draws=5, random_seed=7)
    b = pm.draw(z, draws=5, random_seed=7)
    c = pm.draw(z, draws=5, random_seed=8)
    assert a.shape == (5, 2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_draw_takes_a_generator_as_its_seed():
    x = pm.Normal.dist(0.0, 1.0)
    first = pm.draw(x, 4, random_seed=np.random.default_rng(11))
    again = pm.draw(x, 4, random_seed=np.random.default_rng(11))
    other = pm.draw(x, 4, random_seed=np.random.default_rng(12))
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_draw_compiles_one_function_for_all_draws(monkeypatch):
    compiled = []
    original = graphcore.function

    def counting(*args, **kwargs):
        compiled.append(args)
        return original(*args, **kwargs)

    # ``ppl.draw`` the attribute is the function; the module is in sys.modules
    monkeypatch.setattr(importlib.import_module("ppl.draw"), "function", counting)
    x = pm.Normal.dist(0, 1, size=3)
    assert pm.draw(x, draws=50).shape == (50, 3)
    assert len(compiled) == 1


def test_eval_of_a_random_variable_is_fixed():
    x = pm.Normal.dist(0, 1)
    assert x.eval() == x.eval()
    with pm.Model():
        z = pm.Normal("z", mu=np.array([0, 0]), sigma=np.array([1, 2]))
    np.testing.assert_array_equal(z.eval(), z.eval())


def test_draw_without_a_seed_is_not_the_value_eval_shows():
    """As in PyMC (and the seed "PyMC and PyTensor"): draw reseeds, eval keeps its value."""
    x = pm.Normal.dist(0, 1, size=3)
    fixed = x.eval()
    drawn = [pm.draw(x) for _ in range(3)]
    assert all(not np.array_equal(d, fixed) for d in drawn)
    assert not np.array_equal(drawn[0], drawn[1])


def test_draws_of_dependent_variables_have_the_joint_structure():
    mu = pm.Normal.dist(0, 10)
    x = pm.Normal.dist(mu, 1)
    mu_draws, x_draws = pm.draw([mu, x], draws=20_000, random_seed=3)
    assert mu_draws.shape == x_draws.shape == (20_000,)
    # var(x) = 10^2 + 1, corr(mu, x) = 10 / sqrt(101)
    np.testing.assert_allclose(np.var(x_draws), 101, rtol=0.05)
    np.testing.assert_allclose(np.corrcoef(mu_draws, x_draws)[0, 1], 10 / np.sqrt(101), atol=2e-3)
    np.testing.assert_allclose(np.std(x_draws - mu_draws), 1.0, rtol=0.03)


def test_draw_of_model_variables_and_deterministics():
    with pm.Model():
        mu = pm.Normal("mu", 5, 1)
        sigma = pm.HalfNormal("sigma", 1)
        doubled = pm.Deterministic("doubled", 2 * mu)
    mu_draws, sigma_draws, doubled_draws = pm.draw([mu, sigma, doubled], draws=400, random_seed=1)
    np.testing.assert_allclose(doubled_draws, 2 * mu_draws)
    assert np.all(sigma_draws > 0)
    assert abs(mu_draws.mean() - 5) < 0.2


def test_draw_refuses_a_non_positive_count():
    with pytest.raises(ValueError, match="draws"):
        pm.draw(pm.Normal.dist(), draws=0)


def test_logp_and_logcdf_of_a_variable_match_scipy():
    z = pm.Normal.dist(mu=np.array([0, 0]), sigma=np.array([1, 2]))
    value = pt.vector("z")
    np.testing.assert_allclose(
        pm.logp(z, value).eval({value: [0.0, 0.0]}), st.norm.logpdf([0, 0], 0, [1, 2])
    )
    np.testing.assert_allclose(
        pm.logp(rv=z, value=[0.5, 1.5]).eval(), st.norm.logpdf([0.5, 1.5], 0, [1, 2])
    )
    np.testing.assert_allclose(
        pm.logcdf(z, [0.5, -1.5]).eval(), st.norm.logcdf([0.5, -1.5], 0, [1, 2])
    )


def test_dist_variables_have_logp_and_logcdf_methods():
    rate = pm.Poisson.dist(3.0)
    np.testing.assert_allclose(rate.logp([0, 2, 5]).eval(), st.poisson.logpmf([0, 2, 5], 3.0))
    normal = pm.Normal.dist(1.0, 2.0)
    np.testing.assert_allclose(normal.logp(0.5).eval(), st.norm.logpdf(0.5, 1, 2))
    np.testing.assert_allclose(normal.logcdf(0.5).eval(), st.norm.logcdf(0.5, 1, 2))
    # still a tensor: arithmetic, reshape and sum apply, and the result is a plain tensor
    shifted = normal + 1
    assert not hasattr(shifted, "logcdf")
    with pm.Model():
        mu = pm.Normal("mu", 0, 1)
    np.testing.assert_allclose(mu.logp(0.0).eval(), st.norm.logpdf(0.0))


@pytest.mark.parametrize(
    ("build", "value", "expected"),
    [
        (
            lambda: pt.exp(pm.Normal.dist(0.5, 1.2)),
            2.0,
            st.lognorm.logpdf(2.0, 1.2, 0, np.exp(0.5)),
        ),
        (lambda: pt.log(pm.Exponential.dist(2.0)), -1.0, st.expon.logpdf(np.exp(-1), 0, 0.5) - 1),
        (lambda: 3 + 2 * pm.Normal.dist(0, 1), 2.0, st.norm.logpdf(2.0, 3, 2)),
        (lambda: pm.Normal.dist(0, 1) * -0.5 - 1, 0.2, st.norm.logpdf(0.2, -1, 0.5)),
        (lambda: pm.Normal.dist(1, 1) / 4, 0.3, st.norm.logpdf(0.3, 0.25, 0.25)),
        (lambda: -pm.Exponential.dist(1.0), -2.0, st.expon.logpdf(2.0)),
        (lambda: 1 - pm.Exponential.dist(1.0), -2.0, st.expon.logpdf(3.0)),
    ],
    ids=["exp", "log", "affine", "scale-shift", "divide", "negate", "reflect"],
)
def test_logp_of_invertible_maps(build, value, expected):
    np.testing.assert_allclose(pm.logp(build(), value).eval(), expected, rtol=1e-10)


def test_logcdf_of_a_monotone_increasing_map():
    lognormal = pt.exp(pm.Normal.dist(0, 1))
    np.testing.assert_allclose(pm.logcdf(lognormal, 2.0).eval(), st.lognorm.logcdf(2.0, 1))


def test_logp_of_an_expression_that_is_not_measurable():
    x = pm.Normal.dist()
    with pytest.raises(NotMeasurableError, match="cannot derive"):
        pm.logp(x * x, 1.0)
    with pytest.raises(TypeError, match="random variable"):
        pm.logp(1.0, 1.0)


def test_math_names():
    names = ["switch", "log", "exp", "sum", "logsumexp", "sigmoid", "invlogit", "dot"]
    for name in names:
        assert getattr(pm, name) is getattr(pm.math, name), name
    x = np.array([-1.0, 0.5, 2.0])
    values = graphcore.function(
        [],
        [
            pm.math.switch(x > 0, x, 0.0),
            pm.math.logsumexp(x),
            pm.math.sigmoid(x),
            pm.math.invlogit(x),
            pm.math.dot(x, x),
            pm.math.sum(pm.math.exp(pm.math.log(np.abs(x)))),
            pm.math.logaddexp(x, 1.0),
            pm.math.log_sigmoid(x),
            pm.math.invprobit(x),
            pm.math.probit(st.norm.cdf(x)),
        ],
        mode="FAST_COMPILE",
    )()
    expected = [
        np.where(x > 0, x, 0.0),
        np.log(np.exp(x).sum()),
        1 / (1 + np.exp(-x)),
        1 / (1 + np.exp(-x)),
        x @ x,
        np.abs(x).sum(),
        np.logaddexp(x, 1.0),
        np.log(1 / (1 + np.exp(-x))),
        st.norm.cdf(x),
        x,
    ]
    for got, want in zip(values, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10)
