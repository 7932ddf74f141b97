"""The model as a container: contexts, nested names, coords and dims, shapes,
introspection, the initial point, the repr and the plate diagram."""

import re

import numpy as np
import pytest

import ppl as pm
import tensorops as pt


def test_model_is_a_context_manager():
    with pm.Model() as model:
        assert pm.modelcontext() is model
        assert pm.Model.get_context() is model
        mu = pm.Normal("mu", 0, 1)
    assert model.free_RVs == [mu]
    assert model["mu"] is mu
    with pytest.raises(pm.NoModelError):
        pm.modelcontext()


def test_nested_models_prefix_names_with_double_colons():
    with pm.Model("outer") as outer:
        a = pm.Normal("a")
        with pm.Model("inner") as inner:
            mu = pm.Normal("mu")
            sigma = pm.HalfNormal("sigma")
            assert pm.modelcontext() is inner
        with pm.Model() as unnamed:  # no name, no new prefix
            b = pm.Normal("b")
        assert pm.modelcontext() is outer
    assert mu.name == "outer::inner::mu"
    assert b.name == "outer::b"
    assert outer.rvs_to_values[sigma].name == "outer::inner::sigma_log__"
    assert list(outer.named_vars) == [
        "outer::a",
        "outer::inner::mu",
        "outer::inner::sigma",
        "outer::b",
    ]
    assert outer.free_RVs == [a, mu, sigma, b]
    # A submodel lists what it declared; lookups work with or without its prefix.
    assert inner.free_RVs == [mu, sigma]
    assert [v.name for v in inner.value_vars] == ["outer::inner::mu", "outer::inner::sigma_log__"]
    assert unnamed.free_RVs == [b]
    assert inner["mu"] is mu
    assert inner["outer::inner::mu"] is mu
    assert outer["inner::mu"] is mu
    assert inner.root is outer and inner.parent is outer


def test_nested_duplicate_and_separator_in_a_name_are_refused():
    with pm.Model() as model:
        with pm.Model("group"):
            pm.Normal("x")
        with pm.Model("group"), pytest.raises(pm.ModelError, match="group::x"):
            pm.Normal("x")
    assert list(model.named_vars) == ["group::x"]
    with pytest.raises(KeyError, match="::"):
        pm.Model("a::b")


def test_coords_and_dims_give_shapes():
    coords = {"city": ["Aa", "Bb", "Cc"], "year": [2000, 2001]}
    with pm.Model(coords=coords) as model:
        alpha = pm.Normal("alpha", 0, 1, dims="city")
        pm.Normal("beta", 0, 1, dims=("year", "city"))
        y = pm.Normal("y", alpha, 1, observed=np.zeros((4, 3)), dims=("obs", "city"))
    assert model.initial_point()["alpha"].shape == (3,)
    assert model.initial_point()["beta"].shape == (2, 3)
    assert model.coords["city"] == ("Aa", "Bb", "Cc")
    # dims of observed data that have no coordinate yet take the data's length
    assert model.coords["obs"] == (0, 1, 2, 3)
    assert model.named_vars_to_dims == {
        "alpha": ("city",),
        "beta": ("year", "city"),
        "y": ("obs", "city"),
    }
    assert pm.draw(y).shape == (4, 3)


def test_potential_dims_are_checked_and_kept():
    with pm.Model(coords={"city": ["Aa", "Bb", "Cc"]}) as model:
        alpha = pm.Normal("alpha", 0, 1, dims="city")
        pm.Potential("penalty", -(alpha**2), dims="city")
        with pytest.raises(pm.ModelError, match=r"wrong: dim 'city' has 3 coordinates"):
            pm.Potential("wrong", pm.math.stack([alpha[0], alpha[1]]), dims="city")
    assert model.named_vars_to_dims["penalty"] == ("city",)


def test_shape_and_size():
    with pm.Model() as model:
        a = pm.Normal("a", 0, 1, shape=3)
        b = pm.Normal("b", 0, 1, shape=(2, 3))
        c = pm.Normal("c", np.zeros(3), 1, size=(4, 3))
        d = pm.Normal("d", np.zeros(3), 1)
    point = model.initial_point()
    assert {name: value.shape for name, value in point.items()} == {
        "a": (3,),
        "b": (2, 3),
        "c": (4, 3),
        "d": (3,),
    }
    assert [v.type.shape for v in model.value_vars] == [(3,), (2, 3), (4, 3), (3,)]
    assert [pm.draw(v).shape for v in (a, b, c, d)] == [(3,), (2, 3), (4, 3), (3,)]


def test_introspection_lists():
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        sigma = pm.HalfNormal("sigma", 1)
        y = pm.Normal("y", mu, sigma, observed=[0.1, -0.2])
        double = pm.Deterministic("double", 2 * mu)
        penalty = pm.Potential("penalty", -(mu**2))
    assert model.basic_RVs == [mu, sigma, y]
    assert model.free_RVs == [mu, sigma]
    assert model.observed_RVs == [y]
    assert [v.name for v in model.value_vars] == ["mu", "sigma_log__"]
    assert model.rvs_to_values[mu] is model.value_vars[0]
    assert model.rvs_to_values[sigma] is model.value_vars[1]
    np.testing.assert_allclose(model.rvs_to_values[y].eval(), [0.1, -0.2])
    assert model.deterministics == [double]
    assert model.potentials == [penalty]
    assert list(model.named_vars) == ["mu", "sigma", "y", "double", "penalty"]
    assert model["y"] is y and model["double"] is double and model["penalty"] is penalty
    assert "sigma" in model and "nothing" not in model
    with pytest.raises(KeyError, match="nothing"):
        model["nothing"]


def test_initial_point():
    with pm.Model() as model:
        z = pm.Normal(name="z", mu=np.array([0, 0]), sigma=np.array([1, 2]))
    point = model.initial_point()
    assert list(point) == ["z"]
    np.testing.assert_array_equal(point["z"], np.array([0.0, 0.0]))
    assert z.name == "z"

    with pm.Model() as model:
        pm.Normal("mu", 1.5, 1)
        pm.HalfNormal("sigma", 3)  # starts at its support point, 3 (log 3 on the value space)
        pm.Normal("start", 0, 1, initval=0.7)
        pm.Uniform("u", -1, 3)
        pm.DiscreteUniform("k", 2, 6)
    point = model.initial_point()
    expected = {"mu": 1.5, "sigma_log__": np.log(3.0), "start": 0.7, "u_interval__": 0.0, "k": 4}
    assert list(point) == list(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(point[name], value)
    assert point["k"].dtype.kind == "i"


def test_model_repr_lists_each_variable():
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 2)
        sigma = pm.HalfNormal("sigma", 3)
        pm.Normal("x", mu, sigma, observed=[1.0])
        pm.Deterministic("d", mu + 1)
        pm.Potential("p", -mu)
    assert repr(model) == "\n".join(
        [
            "   mu ~ Normal(0, 2)",
            "sigma ~ HalfNormal(0, 3)",
            "    x ~ Normal(mu, sigma)",
            "    d ~ Deterministic(f())",
            "    p ~ Potential(f())",
        ]
    )
    assert repr(mu) == "mu ~ Normal(0, 2)"
    assert str(mu) == "mu"
    assert repr(pm.Model()) == "<empty model>"


def test_to_graphviz_nodes_edges_and_plates():
    coords = {"county": ["a", "b", "c"]}
    with pm.Model(coords=coords) as model:
        x = pm.Data("x", np.arange(4.0), dims="obs")
        mu = pm.Normal("mu", 0, 1, dims="county")
        sigma = pm.HalfNormal("sigma", 1)
        theta = pm.Deterministic("theta", pt.sum(mu) * x, dims="obs")
        pm.Normal("y", theta, sigma, observed=np.ones(4), dims="obs")
        pm.Potential("p", -sigma)
    source = model.to_graphviz().source
    lines = source.splitlines()
    assert lines[0] == "digraph {" and lines[-1] == "}"
    assert '"mu" [label="mu\\n~\\nNormal(0, 1)" shape=ellipse]' in source
    assert '"sigma" [label="sigma\\n~\\nHalfNormal(0, 1)" shape=ellipse]' in source
    assert '"theta" [label="theta\\n~\\nDeterministic" shape=box]' in source
    assert '"x" [label="x\\n~\\nData" shape=box, style=rounded]' in source
    assert '"y" [label="y\\n~\\nNormal(theta, sigma)" shape=ellipse, style=filled' in source
    assert '"p" [label="p\\n~\\nPotential" shape=octagon' in source
    edges = {line.strip() for line in lines if "->" in line}
    assert edges == {
        '"mu" -> "theta"',
        '"x" -> "theta"',
        '"theta" -> "y"',
        '"sigma" -> "y"',
        '"sigma" -> "p"',
    }
    # one plate per dims, labelled with their lengths, holding the variables on them
    labels = {}
    for plate in re.findall(r"subgraph cluster\d+ \{\n(.*?)\n\t\}", source, re.DOTALL):
        members = [line.split('"')[1] for line in plate.splitlines() if "[label=" in line]
        label = re.search(r'^\t\tlabel="([^"]*)"', plate, re.MULTILINE)
        labels[label.group(1)] = sorted(members)
    assert labels == {"obs (4)": ["theta", "x", "y"], "county (3)": ["mu"]}
    assert str(model.to_graphviz()) == source


def test_to_graphviz_render_writes_dot(tmp_path):
    with pm.Model() as model:
        pm.Normal("a", 0, 1)
    path = model.to_graphviz().render(tmp_path / "model.dot")
    assert '"a"' in path.read_text()


def test_a_model_with_a_submodel_pickles_and_computes_the_same_in_a_new_process() -> None:
    import pickle
    import subprocess
    import sys

    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 1)
        with pm.Model("inner"):
            theta = pm.Normal("theta", mu, 1)
        pm.HalfNormal("sigma", 2)
        pm.Normal("y", theta, 1, observed=[0.1, 0.2])
    restored = pickle.loads(pickle.dumps(model))
    assert [v.name for v in restored.free_RVs] == ["mu", "inner::theta", "sigma"]
    assert len(restored.observed_RVs) == 1  # the submodel passed nothing up twice
    point = {"mu": 0.3, "inner::theta": -0.2, "sigma_log__": 0.1}
    expected = float(model.compile_logp()(point))
    code = (
        "import pickle, sys; model = pickle.loads(sys.stdin.buffer.read()); "
        "print(repr(float(model.compile_logp()({'mu': 0.3, 'inner::theta': -0.2, "
        "'sigma_log__': 0.1}))))"
    )
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(model),
                          capture_output=True, check=True)  # fmt: skip
    assert float(done.stdout.decode()) == expected


def test_a_step_built_in_a_model_pickles_into_a_new_process() -> None:
    import pickle
    import subprocess
    import sys

    with pm.Model():
        mu = pm.Normal("mu", 0, 1)
        pm.Normal("y", mu, 1, observed=[0.1, 0.2])
        step = pm.NUTS()
    code = (
        "import pickle, sys; step = pickle.loads(sys.stdin.buffer.read()); "
        "print(type(step).__name__, step.dim)"
    )
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(step),
                          capture_output=True, check=True)  # fmt: skip
    assert done.stdout.decode().split() == ["NUTS", "1"]
