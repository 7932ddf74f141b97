"""pm.glm: the variables a formula declares, the log density of each family against the
same model written by hand with PyMC 3's default priors, and the formula parser."""

import numpy as np
import pytest

import ppl as pm
from ppl.formula import FormulaError, design_matrices

RNG = np.random.default_rng(42)
X1 = RNG.normal(size=30)
X2 = RNG.normal(size=30)
LINEAR = 1.0 + 2.0 * X1 - 0.5 * X2
DATA = {
    "normal": LINEAR + RNG.normal(size=30),
    "student": LINEAR + RNG.standard_t(3, size=30),
    "binomial": (RNG.uniform(size=30) < 1 / (1 + np.exp(-LINEAR))).astype(float),
    "poisson": RNG.poisson(np.exp(LINEAR / 3)),
}


def _by_hand(family, y):
    """The model pm.glm('y ~ x1 + x2', family=family) must build, written out."""
    with pm.Model() as model:
        intercept = pm.Flat("Intercept")
        b1 = pm.Normal("x1", mu=0, tau=1.0e-6)
        b2 = pm.Normal("x2", mu=0, tau=1.0e-6)
        eta = intercept + b1 * X1 + b2 * X2
        if family == "normal":
            sd = pm.HalfCauchy("sd", beta=10)
            pm.Normal("y", mu=eta, sigma=sd, observed=y)
        elif family == "student":
            lam = pm.HalfCauchy("lam", beta=10)
            pm.StudentT("y", nu=1, mu=eta, lam=lam, observed=y)
        elif family == "binomial":
            pm.Binomial("y", n=1, p=pm.math.invlogit(eta), observed=y)
        else:
            pm.Poisson("y", mu=pm.math.exp(eta), observed=y)
    return model


@pytest.mark.parametrize("family", ["normal", "student", "binomial", "poisson"])
def test_each_family_has_the_density_of_the_model_written_by_hand(family):
    y = DATA[family]
    with pm.Model() as model:
        pm.glm.GLM.from_formula("y ~ x1 + x2", {"x1": X1, "x2": X2, "y": y}, family=family)
    reference = _by_hand(family, y)
    assert [str(v.name) for v in model.value_vars] == [str(v.name) for v in reference.value_vars]
    assert [str(v.name) for v in model.observed_RVs] == ["y"]
    logp = model.compile_logp(mode="FAST_COMPILE")
    expected = reference.compile_logp(mode="FAST_COMPILE")
    rng = np.random.default_rng(0)
    for _ in range(3):
        point = {str(v.name): rng.normal(0, 0.5) for v in model.value_vars}
        np.testing.assert_allclose(logp(point), expected(point), rtol=1e-10)
    start = model.initial_point()
    scale = {"normal": "sd_log__", "student": "lam_log__"}.get(family)
    if scale is not None:
        # PyMC 3's families start their scale at 1 (testval=1)
        np.testing.assert_allclose(start[scale], 0.0)


def test_glm_module_is_callable_and_minus_one_drops_the_intercept():
    columns = {"x": X1, "y": DATA["normal"]}
    with pm.Model() as model:
        result = pm.glm("y ~ x - 1", columns)
    assert [str(rv.name) for rv in model.free_RVs] == ["x", "sd"]
    assert result.labels == ["x"]
    with pm.Model() as zero:
        pm.glm.glm("y ~ 0 + x", columns)
    assert [str(rv.name) for rv in zero.free_RVs] == ["x", "sd"]


class ColumnTable:
    """A stand-in for a pandas DataFrame: ``.columns`` and ``table[name]``."""

    def __init__(self, columns):
        self._columns = columns
        self.columns = list(columns)

    def __getitem__(self, name):
        return self._columns[name]


def test_data_frame_priors_vars_and_a_named_component():
    table = ColumnTable({"x1": X1, "x2": X2, "y": DATA["normal"]})
    with pm.Model() as model:
        slope = pm.Normal("slope", 0.0, 1.0)
        glm = pm.glm.GLM.from_formula(
            "y ~ x1 + x2",
            table,
            priors={"Intercept": pm.Normal.dist(0.0, 5.0), "Regressor": pm.Laplace.dist(0.0, 2.0)},
            vars={"x1": slope},
            family=pm.glm.families.Normal(priors={"sd": pm.HalfNormal.dist(3.0)}),
            name="reg",
        )
    names = [str(rv.name) for rv in model.free_RVs]
    assert names == ["slope", "reg::Intercept", "reg::x2", "reg::sd"]
    assert [str(rv.name) for rv in model.observed_RVs] == ["reg::y"]
    assert glm["x2"] is model["reg::x2"]
    point = {"slope": 0.3, "reg::Intercept": 0.1, "reg::x2": -0.2, "reg::sd_log__": 0.4}
    eta = 0.1 + 0.3 * X1 - 0.2 * X2
    sd = np.exp(0.4)
    expected = (
        -0.5 * 0.3**2
        - 0.5 * np.log(2 * np.pi)  # slope ~ N(0, 1)
        - 0.5 * (0.1 / 5) ** 2
        - np.log(5 * np.sqrt(2 * np.pi))  # Intercept ~ N(0, 5)
        - np.log(4.0)
        - 0.2 / 2.0  # x2 ~ Laplace(0, 2)
        + np.log(np.sqrt(2 / np.pi) / 3)
        - sd**2 / 18
        + 0.4  # sd ~ HalfNormal(3), Jacobian
        + np.sum(-0.5 * ((DATA["normal"] - eta) / sd) ** 2 - np.log(sd * np.sqrt(2 * np.pi)))
    )
    np.testing.assert_allclose(model.compile_logp(mode="FAST_COMPILE")(point), expected)


def test_map_of_a_flat_linear_model_is_least_squares():
    y = DATA["normal"]
    with pm.Model():
        pm.glm("y ~ x1 + x2", {"x1": X1, "x2": X2, "y": y})
        point = pm.find_MAP(progressbar=False, compile_kwargs={"mode": "FAST_COMPILE"})
    design = np.column_stack([np.ones(30), X1, X2])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    found = [point["Intercept"], point["x1"], point["x2"]]
    np.testing.assert_allclose(found, coefficients, atol=1e-3)


def test_glm_without_a_model_context_says_so():
    with pytest.raises(TypeError, match="needs a model"):
        pm.glm("y ~ x", {"x": X1, "y": X2})


FORMULA_DATA = {
    "y": np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0]),
    "a": np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    "b": np.array([2.0, 0.0, 1.0, 1.0, 3.0, 2.0]),
    "g": np.array(["u", "v", "u", "w", "v", "u"]),
}


@pytest.mark.parametrize(
    ("formula", "labels"),
    [
        ("y ~ a", ("Intercept", "a")),
        ("y ~ a + b", ("Intercept", "a", "b")),
        ("y ~ a + b - 1", ("a", "b")),
        ("y ~ -1 + a", ("a",)),
        ("y ~ 1", ("Intercept",)),
        ("y ~ a:b + a", ("Intercept", "a", "a:b")),
        ("y ~ a*b", ("Intercept", "a", "b", "a:b")),
        ("y ~ a*b - b", ("Intercept", "a", "a:b")),
        ("y ~ np.log(a) + I(b ** 2)", ("Intercept", "np.log(a)", "I(b ** 2)")),
        ("y ~ g + a", ("Intercept", "g[T.v]", "g[T.w]", "a")),
        ("y ~ g - 1", ("g[u]", "g[v]", "g[w]")),
        ("y ~ C(b)", ("Intercept", "C(b)[T.1.0]", "C(b)[T.2.0]", "C(b)[T.3.0]")),
    ],
)
def test_formula_labels_as_patsy_names_them(formula, labels):
    assert design_matrices(formula, FORMULA_DATA).labels == labels


def test_formula_values_and_dropped_missing_rows():
    design = design_matrices("np.log(y) ~ a*b + g", FORMULA_DATA)
    kept = np.array([0, 1, 3, 4, 5])  # row 2 has a missing response
    a, b, g = FORMULA_DATA["a"][kept], FORMULA_DATA["b"][kept], FORMULA_DATA["g"][kept]
    np.testing.assert_allclose(design.response, np.log(FORMULA_DATA["y"][kept]))
    assert design.response_name == "np.log(y)"
    assert design.labels == ("Intercept", "a", "b", "g[T.v]", "g[T.w]", "a:b")
    expected = np.column_stack([np.ones(5), a, b, g == "v", g == "w", a * b])
    np.testing.assert_allclose(design.matrix, expected)


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("y a", "response ~ terms"),
        ("y ~ missing", "'missing'.*columns"),
        ("y ~ (a", "unbalanced"),
        ("y ~ a**2", "I\\(x \\*\\* 2\\)"),
        ("y ~ g:a", "categorical"),
        ("g ~ a", "numeric"),
        ("y ~ a - a - 1", "no terms"),
        ("y ~ np.log(g)", "the term 'np.log\\(g\\)' of the formula failed: TypeError"),
    ],
)
def test_formula_errors_say_what_is_wrong(formula, message):
    with pytest.raises(FormulaError, match=message):
        design_matrices(formula, FORMULA_DATA)
