"""Errors a model declaration raises: each names the variable and what was expected."""

import numpy as np
import pytest

import ppl as pm


def test_a_distribution_outside_a_model_needs_dist():
    with pytest.raises(pm.NoModelError, match=r"Normal\('x', \.\.\.\).*\.dist"):
        pm.Normal("x", 0, 1)
    with pytest.raises(pm.NoModelError, match=r"pm.Deterministic"):
        pm.Deterministic("d", pm.Normal.dist())
    with pytest.raises(pm.NoModelError, match=r"pm.Data"):
        pm.Data("d", [1.0])
    assert pm.Normal.dist(0, 1).name is None


def test_a_name_is_required_inside_a_model_and_refused_by_dist():
    with pm.Model(), pytest.raises(TypeError, match=r"Normal.*name.*\.dist"):
        pm.Normal(0.0, 1.0)
    with pytest.raises(TypeError, match=r"Normal.dist takes no name.*'x'"):
        pm.Normal.dist("x", 0, 1)


@pytest.mark.parametrize(
    "second",
    [
        lambda: pm.Normal("a"),
        lambda: pm.HalfNormal("a"),
        lambda: pm.Potential("a", 1.0),
        lambda: pm.Deterministic("a", 1.0),
        lambda: pm.Data("a", [1.0]),
    ],
    ids=["rv", "transformed rv", "potential", "deterministic", "data"],
)
def test_duplicate_names(second):
    with pm.Model() as model:
        first = pm.Normal("a")
        with pytest.raises(pm.ModelError, match=r"already has a variable named 'a'"):
            second()
    assert model.named_vars == {"a": first}
    assert isinstance(pm.ModelError("x"), ValueError)


def test_unknown_parameter_lists_the_accepted_ones():
    with pm.Model(), pytest.raises(TypeError) as error:
        pm.Normal("x", mu=0, sigmaa=1)
    assert (
        str(error.value)
        == "Normal got an unknown parameter 'sigmaa'; it accepts mu, sd, sigma, tau"
    )
    with pytest.raises(TypeError, match=r"Exponential got an unknown parameter 'rate'.*lam"):
        pm.Exponential.dist(rate=1.0)


def test_observed_shape_contradicting_shape():
    with (
        pm.Model(),
        pytest.raises(ValueError, match=r"x: the observed data has shape \(4,\).*\(3,\)"),
    ):
        pm.Normal("x", shape=3, observed=np.ones(4))
    with pm.Model(), pytest.raises(ValueError, match=r"x: the observed data has shape \(2, 2\)"):
        pm.Normal("x", shape=(2, 3), observed=np.ones((2, 2)))
    with pm.Model(), pytest.raises(ValueError, match=r"x: the observed data has shape \(4,\)"):
        pm.Normal("x", shape=(2, 4), observed=np.ones(4))


def test_observed_shape_contradicting_dims():
    with (
        pm.Model(coords={"city": ["a", "b", "c"]}),
        pytest.raises(ValueError, match=r"y: the observed data has shape \(4,\).*\(3,\)"),
    ):
        pm.Normal("y", dims="city", observed=np.ones(4))


def test_dims_must_name_the_support_axes_of_a_multivariate_observed_variable():
    # as in PyMC, dims name every axis; the support axes are not filled in from the data
    with (
        pm.Model(coords={"obs": range(10), "k": range(3)}),
        pytest.raises(ValueError, match=r"x: the observed data has shape \(10, 3\).*\(10,\)"),
    ):
        pm.MvNormal("x", mu=np.zeros(3), cov=np.eye(3), dims="obs", observed=np.zeros((10, 3)))
    with pm.Model(coords={"obs": range(10), "k": range(3)}):
        x = pm.MvNormal(
            "x", mu=np.zeros(3), cov=np.eye(3), dims=("obs", "k"), observed=np.zeros((10, 3))
        )
        assert x.type.ndim == 2


def test_total_size_is_refused_not_ignored():
    with (
        pm.Model(),
        pytest.raises(NotImplementedError, match=r"Normal\('y', \.\.\.\): total_size="),
    ):
        pm.Normal("y", observed=np.zeros(3), total_size=100)


def test_shape_and_size_together_are_refused_by_composite_distributions_too():
    with pytest.raises(TypeError, match="LKJCholeskyCov: give shape or size, not both"):
        pm.LKJCholeskyCov.dist(
            eta=2, n=3, sd_dist=pm.Exponential.dist(1.0), shape=(2, 6), size=(2,)
        )
    with pytest.raises(TypeError, match="NormalMixture: give shape or size, not both"):
        pm.NormalMixture.dist(w=[0.5, 0.5], mu=[0.0, 1.0], sigma=1.0, shape=3, size=3)


def test_dims_without_coordinates():
    with pm.Model(), pytest.raises(ValueError, match=r"mu.*'group'.*coords"):
        pm.Normal("mu", dims="group")


def test_discrete_variable_with_non_integer_data():
    with pm.Model(), pytest.raises(TypeError, match=r"counts.*integer.*2\.5"):
        pm.Poisson("counts", 3.0, observed=[1, 2.5, 3])
    with pm.Model() as model:  # integral floats are accepted
        counts = pm.Poisson("counts", 3.0, observed=[1.0, 2.0])
    assert str(model.rvs_to_values[counts].dtype).startswith("int")


def test_transform_on_a_discrete_variable():
    with pm.Model(), pytest.raises(TypeError, match=r"k.*discrete variable k"):
        pm.Poisson("k", 3.0, transform=pm.transforms.log)


def test_transform_that_is_not_a_transform():
    with pm.Model(), pytest.raises(TypeError, match=r"s: transform must be"):
        pm.HalfNormal("s", transform="log")


def test_the_transform_error_suggests_a_transform_that_exists():
    with pm.Model(), pytest.raises(TypeError, match=r"such as pm\.transforms\.log\)"):
        pm.HalfNormal("s", transform="log")
    with pm.Model():
        pm.HalfNormal("s", transform=pm.transforms.log)


def test_nested_model_error_names_the_full_name():
    with pm.Model("group"):
        pm.Normal("x")
        with pytest.raises(pm.ModelError, match=r"'group::x'"):
            pm.Normal("x")


def test_negative_sigma_names_the_distribution_and_condition():
    with pm.Model() as model:
        pm.Normal("x", 0, -1.0)
    with np.errstate(invalid="ignore"), pytest.raises(pm.ParameterValueError) as error:
        # log(sigma) is computed (nan) before the check fails
        model.compile_logp(mode="FAST_COMPILE")({"x": 0.0})
    assert str(error.value).startswith("Normal: sigma > 0")
    with np.errstate(invalid="ignore"), pytest.raises(pm.ParameterValueError, match=r"sigma > 0"):
        pm.logp(pm.Normal.dist(0, -1.0), 0.0).eval()  # log(sigma) folds to nan first


def test_observed_shape_contradicting_size():
    with (
        pm.Model(),
        pytest.raises(ValueError, match=r"x: the observed data has shape \(4,\).*size"),
    ):
        pm.Normal("x", size=3, observed=np.ones(4))
    with pm.Model() as model:  # size and data that agree
        pm.Normal("x", size=(2, 3), observed=np.ones((2, 3)))
    assert model.observed_RVs[0].type.shape == (2, 3)


def test_dims_contradicting_the_variable():
    with (
        pm.Model(coords={"c": [1, 2, 3]}),
        pytest.raises(pm.ModelError, match=r"x: dim 'c' has 3 coordinates.*length 4"),
    ):
        pm.Normal("x", dims="c", shape=4)
    with pm.Model(), pytest.raises(pm.ModelError, match=r"x: dims \('a',\) name 1 axes.*has 2"):
        pm.Normal("x", shape=(2, 3), dims="a")
    with (
        pm.Model(coords={"c": [1, 2, 3]}),
        pytest.raises(ValueError, match=r"pm.Data 'x': dim 'c' has 3 coordinates.*length 4"),
    ):
        pm.Data("x", np.ones(4), dims="c")
    with pm.Model() as model:  # shape= with dims that have no coordinates gives their lengths
        pm.Normal("x", shape=(2, 3), dims=("a", "b"))
    assert model.coords == {"a": (0, 1), "b": (0, 1, 2)}


def test_observed_random_variables_are_refused():
    with pm.Model(), pytest.raises(TypeError, match=r"'y'.*computed from random variables"):
        x = pm.Normal("x")
        pm.Normal("y", observed=x + 1)
    with pm.Model(), pytest.raises(TypeError, match=r"'y'.*random variables"):
        pm.Normal("y", observed=pm.Normal.dist(size=3))


def test_discrete_imputed_and_data_container_observations_must_be_integers():
    with (
        pm.Model(),
        pytest.warns(pm.ImputationWarning),
        pytest.raises(TypeError, match=r"k: a discrete variable.*\[1\.5\]"),
    ):
        pm.Poisson("k", 3.0, observed=np.array([1.5, np.nan]))
    with pm.Model(), pytest.raises(TypeError, match=r"k: a discrete variable.*\[0\.5\]"):
        pm.Poisson("k", 3.0, observed=pm.Data("counts", [0.5, 2.0]))
