"""Deterministics, potentials, data containers, observed data in its forms, and
imputation of missing observed entries."""

import warnings

import numpy as np
import pytest
import scipy.stats as st

import graphcore
import ppl as pm
import tensorops as pt


def test_deterministic_is_named_and_computed_from_the_values():
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        sigma = pm.HalfNormal("sigma", 1)
        ratio = pm.Deterministic("ratio", mu / sigma)
        same = pm.Deterministic("same", mu)  # a variable already named gets its own copy
    assert ratio.name == "ratio" and model["ratio"] is ratio
    assert same.name == "same" and mu.name == "mu"
    assert model.deterministics == [ratio, same]
    assert model.unobserved_RVs == [mu, sigma, ratio, same]
    # no term in the density
    assert len(model.logp(sum=False)) == 2
    compute = model.compile_fn([ratio, same], mode="FAST_COMPILE")
    np.testing.assert_allclose(compute({"mu": 1.5, "sigma_log__": np.log(0.5)}), [3.0, 1.5])


def test_data_is_shared_and_set_data_changes_it_without_recompiling():
    x_train = np.array([0.0, 1.0, 2.0])
    y_train = np.array([0.1, 0.9, 2.2])
    with pm.Model() as model:
        x = pm.Data("x", x_train)
        slope = pm.Normal("slope", 0, 1)
        pm.Normal("y", slope * x, 1, observed=y_train)
    assert isinstance(x, graphcore.SharedVariable)
    assert model["x"] is x and model.data_vars == [x]
    logp = model.compile_logp(mode="FAST_COMPILE")
    point = {"slope": 0.5}
    np.testing.assert_allclose(
        logp(point), st.norm.logpdf(0.5) + st.norm.logpdf(y_train, 0.5 * x_train).sum()
    )
    with model:
        pm.set_data({"x": [1.0, 1.0, 1.0]})
    np.testing.assert_allclose(x.get_value(), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(
        logp(point), st.norm.logpdf(0.5) + st.norm.logpdf(y_train, 0.5).sum()
    )


def test_observed_shapes_follow_data_containers():
    with pm.Model(coords={"obs": [0, 1, 2]}) as model:
        x = pm.Data("x", np.array([0.0, 1.0, 2.0]), dims="obs")
        y_data = pm.Data("y_data", np.array([0.0, 2.0, 4.0]), dims="obs")
        slope = pm.Normal("slope", 0, 1)
        y = pm.Normal("y", slope * x, 1, observed=y_data)
    logp = model.compile_logp(mode="FAST_COMPILE")
    np.testing.assert_allclose(logp({"slope": 2.0}), st.norm.logpdf(2.0) + 3 * st.norm.logpdf(0.0))
    new_x = np.arange(5.0)
    pm.set_data({"x": new_x, "y_data": 2 * new_x + 1}, model=model, coords={"obs": range(5)})
    np.testing.assert_allclose(logp({"slope": 2.0}), st.norm.logpdf(2.0) + 5 * st.norm.logpdf(1.0))
    assert model.coords["obs"] == (0, 1, 2, 3, 4)
    assert pm.draw(y, draws=2).shape == (2, 5)


def test_set_data_refuses_unknown_names_and_other_ranks():
    with pm.Model() as model:
        pm.Data("x", np.zeros(3))
        pm.Normal("a")
    with pytest.raises(KeyError, match="'z'"):
        pm.set_data({"z": [1.0]}, model=model)
    with pytest.raises(KeyError, match="'a'"):
        pm.set_data({"a": [1.0]}, model=model)
    with pytest.raises(ValueError, match="'x' has 1 dimensions"):
        pm.set_data({"x": np.zeros((2, 2))}, model=model)


def test_integer_data_and_constant_and_mutable_spellings():
    with pm.Model() as model:
        counts = pm.Data("counts", [1, 2, 3])
        fixed = pm.ConstantData("fixed", [0.5])
        changing = pm.MutableData("changing", [1.5])
    assert counts.get_value().dtype == np.int64
    assert model.data_vars == [counts, fixed, changing]


@pytest.mark.parametrize(
    "observed",
    [
        [0.5, -1.0, 2.0],
        np.array([0.5, -1.0, 2.0]),
        (0.5, -1.0, 2.0),
        "data",
    ],
    ids=["list", "array", "tuple", "pm.Data"],
)
def test_observed_data_forms(observed):
    values = np.array([0.5, -1.0, 2.0])
    with pm.Model() as model:
        if isinstance(observed, str):
            observed = pm.Data("data", values)
        mu = pm.Normal("mu", 0, 1)
        y = pm.Normal("y", mu, 2, observed=observed)
    assert model.observed_RVs == [y] and model.free_RVs == [mu]
    logp = model.compile_logp(mode="FAST_COMPILE")({"mu": 0.3})
    np.testing.assert_allclose(logp, st.norm.logpdf(0.3) + st.norm.logpdf(values, 0.3, 2).sum())


def test_observed_scalar_broadcasts_to_the_declared_shape():
    with pm.Model() as model:
        pm.Normal("y", np.zeros(3), 1, observed=0.5)
    np.testing.assert_allclose(model.compile_logp()({}), 3 * st.norm.logpdf(0.5))


def test_nan_observed_entries_are_imputed():
    observed = np.array([1.0, np.nan, 2.0, np.nan])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        with pytest.warns(pm.ImputationWarning, match="z_unobserved") as record:
            z = pm.Normal("z", mu, 2, observed=observed)
    assert record[0].filename == __file__  # the warning points at the declaring line
    assert [v.name for v in model.value_vars] == ["mu", "z_unobserved"]
    assert model["z_unobserved"].name == "z_unobserved"
    assert model["z"] is z and z in model.deterministics
    np.testing.assert_array_equal(model.initial_point()["z_unobserved"], [0.0, 0.0])
    imputed = np.array([0.5, -1.0])
    point = {"mu": 0.3, "z_unobserved": imputed}
    present = st.norm.logpdf([1.0, 2.0], 0.3, 2).sum()
    expected = st.norm.logpdf(0.3) + present + st.norm.logpdf(imputed, 0.3, 2).sum()
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)
    # the deterministic joins the data and the imputed values in their places
    filled = model.compile_fn(z, mode="FAST_COMPILE")(point)
    np.testing.assert_allclose(filled, [1.0, 0.5, 2.0, -1.0])


def test_masked_observed_entries_are_imputed():
    observed = np.ma.masked_array([[1.0, 5.0], [2.0, 7.0]], mask=[[0, 1], [0, 0]])
    with pm.Model() as model, pytest.warns(pm.ImputationWarning):
        pm.Normal("z", np.array([0.0, 1.0]), 1, observed=observed)
    assert [v.name for v in model.value_vars] == ["z_unobserved"]
    point = {"z_unobserved": np.array([0.25])}
    expected = st.norm.logpdf([1.0, 2.0, 7.0], [0.0, 0.0, 1.0]).sum() + st.norm.logpdf(0.25, 1.0)
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)


def test_complete_observed_data_raises_no_imputation_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pm.Model() as model:
            pm.Normal("z", 0, 1, observed=np.ma.masked_array([1.0, 2.0], mask=[0, 0]))
    assert model.value_vars == []


def test_potential_of_an_expression_of_variables():
    with pm.Model() as model:
        a = pm.Normal("a")
        b = pm.HalfNormal("b")
        potential = pm.Potential("joint", pt.log(b) * a)
    assert model["joint"] is potential and model.potentials == [potential]
    point = {"a": 2.0, "b_log__": np.log(3.0)}
    expected = st.norm.logpdf(2.0) + st.halfnorm.logpdf(3.0) + np.log(3.0) + np.log(3.0) * 2.0
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)


def test_set_data_in_a_nested_model_by_its_short_name():
    with pm.Model() as model, pm.Model("sub"):
        pm.Data("x", np.ones(3))
        pm.set_data({"x": np.zeros(3)})
    np.testing.assert_array_equal(model["sub::x"].get_value(), np.zeros(3))
    pm.set_data({"sub::x": np.full(3, 2.0)}, model=model)
    np.testing.assert_array_equal(model["sub::x"].get_value(), np.full(3, 2.0))


def test_set_data_resizes_default_coordinates_and_asks_for_named_ones():
    with pm.Model(coords={"city": ["a", "b"]}) as model:
        pm.Data("x", np.zeros(3), dims="obs")  # 'obs' takes the default coordinates 0, 1, 2
        pm.Data("z", np.zeros(2), dims="city")
    pm.set_data({"x": np.zeros(5)}, model=model)
    assert model.coords["obs"] == (0, 1, 2, 3, 4)
    with pytest.raises(ValueError, match=r"'z' now has 3 entries along 'city'.*coords="):
        pm.set_data({"z": np.zeros(3)}, model=model)
    pm.set_data({"z": np.zeros(3)}, model=model, coords={"city": ["a", "b", "c"]})
    assert model.coords["city"] == ("a", "b", "c")


def test_data_coords_must_match_the_value():
    with (
        pm.Model(),
        pytest.raises(ValueError, match=r"pm.Data 'x': coords gives 2 values for dim 'a'.*3"),
    ):
        pm.Data("x", np.zeros(3), dims="a", coords={"a": [1, 2]})
    with pm.Model() as model:
        pm.Data("x", np.zeros(3), dims="a", coords={"a": [1, 2, 3]})
    assert model.coords["a"] == (1, 2, 3)
