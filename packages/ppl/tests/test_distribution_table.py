"""Every univariate distribution, one row each, against references no one here wrote.

Each row gives a distribution's parameters (PyMC's spelling), its ``scipy.stats``
counterpart and points to evaluate (inside the support, on its edges, outside it and,
for discrete ones, between integers). One compiled function per row evaluates, at
symbolic parameters: ``pm.logp`` and ``pm.logcdf`` at those points, the gradient of
``logp`` with respect to the value and the parameters, the default transform's
``backward`` and log-Jacobian, and the support point; the checks then compare it with
SciPy, with central finite differences (of the same function), and call it with
invalid parameters to see ``ParameterValueError`` name the failed condition. Draws of
all rows come from one ``pm.draw`` and are compared with the distributions' moments,
within a tolerance set by the Monte-Carlo error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pytest
import scipy.stats as st

import ppl as pm
import tensorops as pt
from autodiff import grad
from graphcore import function
from ppl.model.initial import support_point

INF = np.inf
PI = np.pi

Reference = Callable[[np.ndarray], np.ndarray]


@dataclass
class Row:
    """One distribution: how to build it, where to look at it, what SciPy says there."""

    cls: Any
    params: dict[str, Any]
    scipy: Any  # a frozen scipy.stats distribution, or None
    points: list[float]
    interior: list[float] = field(default_factory=list)
    logp: Reference | None = None  # reference log density when SciPy's frozen one is not it
    logcdf: Reference | None = None
    has_logcdf: bool = True
    invalid: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    moments: bool = True  # mean and variance (False: compare quartiles, or nothing)
    quartiles: bool = False
    transformed: list[float] = field(default_factory=lambda: [-2.0, -0.3, 0.0, 0.7, 1.9])

    @property
    def name(self) -> str:
        return self.cls.__name__

    @property
    def continuous(self) -> bool:
        return issubclass(self.cls, pm.Continuous)

    def reference_logp(self, x: np.ndarray) -> np.ndarray:
        if self.logp is not None:
            return self.logp(x)
        method = self.scipy.logpdf if self.continuous else self.scipy.logpmf
        return method(x)

    def reference_logcdf(self, x: np.ndarray) -> np.ndarray:
        if self.logcdf is not None:
            return self.logcdf(x)
        with np.errstate(divide="ignore"):
            return self.scipy.logcdf(x)


def _half_student_t_logp(nu: float, sigma: float) -> Reference:
    def logp(x: np.ndarray) -> np.ndarray:
        inside = np.log(2.0) + st.t.logpdf(x, nu, scale=sigma)
        return np.where(x >= 0, inside, -INF)

    return logp


def _half_student_t_logcdf(nu: float, sigma: float) -> Reference:
    def logcdf(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.where(x >= 0, np.log(2.0 * st.t.cdf(x, nu, scale=sigma) - 1.0), -INF)

    return logcdf


def _categorical_logp(p: np.ndarray) -> Reference:
    def logp(x: np.ndarray) -> np.ndarray:
        whole = (x == np.floor(x)) & (x >= 0) & (x < len(p))
        index = np.where(whole, x, 0).astype(int)
        return np.where(whole, np.log(p / p.sum())[index], -INF)

    return logp


def _von_mises_logp(mu: float, kappa: float) -> Reference:
    def logp(x: np.ndarray) -> np.ndarray:
        inside = (x >= -PI) & (x <= PI)
        return np.where(inside, st.vonmises.logpdf(x, kappa, loc=mu), -INF)

    return logp


def _flat_logcdf(x: np.ndarray) -> np.ndarray:
    return np.where(x == -INF, -INF, np.where(x == INF, 0.0, np.log(0.5)))


CATEGORICAL_P = np.array([0.2, 0.5, 0.3])

ROWS = [
    Row(pm.Normal, {"mu": 0.5, "sigma": 2.0}, st.norm(0.5, 2.0), [-30.0, -1.0, 0.5, 3.0],
        [-1.2, 0.4, 2.5], invalid=[({"sigma": -1.0}, "Normal: sigma > 0")]),
    Row(pm.HalfNormal, {"sigma": 1.5}, st.halfnorm(scale=1.5), [-1.0, 0.0, 0.4, 3.0, 10.0],
        [0.3, 1.1, 2.7], invalid=[({"sigma": 0.0}, "HalfNormal: sigma > 0")]),
    Row(pm.HalfCauchy, {"beta": 2.0}, st.halfcauchy(scale=2.0), [-1.0, 0.0, 0.4, 30.0, 1e5],
        [0.3, 1.1, 6.0], invalid=[({"beta": -2.0}, "HalfCauchy: beta > 0")], moments=False,
        quartiles=True),
    Row(pm.Exponential, {"lam": 2.0}, st.expon(scale=0.5), [-1.0, 0.0, 0.4, 3.0],
        [0.1, 0.6, 2.0],
        invalid=[({"lam": -1.0}, "Exponential: lam > 0"), ({"lam": 0.0}, "Exponential: lam > 0")]),
    Row(pm.Uniform, {"lower": -1.0, "upper": 3.0}, st.uniform(-1.0, 4.0),
        [-2.0, -1.0, 0.5, 3.0, 3.5], [-0.5, 1.0, 2.5],
        invalid=[({"lower": 4.0}, "Uniform: lower < upper")]),
    Row(pm.Cauchy, {"alpha": 1.0, "beta": 2.0}, st.cauchy(1.0, 2.0),
        [-1e6, -20.0, 0.0, 1.0, 9.0, 1e4], [-3.0, 0.5, 4.0],
        invalid=[({"beta": 0.0}, "Cauchy: beta > 0")], moments=False, quartiles=True),
    Row(pm.StudentT, {"nu": 5.0, "mu": 1.0, "sigma": 2.0}, st.t(5.0, 1.0, 2.0),
        [-300.0, -15.0, -1.0, 1.0, 2.5, 9.0, 300.0], [-2.0, 0.7, 3.5],
        invalid=[({"nu": -1.0}, "StudentT: nu > 0"), ({"sigma": -1.0}, "StudentT: sigma > 0")]),
    Row(pm.HalfStudentT, {"nu": 5.0, "sigma": 2.0}, st.t(5.0, scale=2.0), [-1.0, 0.0, 0.5, 6.0],
        [0.2, 1.5, 4.0], logp=_half_student_t_logp(5.0, 2.0),
        logcdf=_half_student_t_logcdf(5.0, 2.0),
        invalid=[({"nu": 0.0}, "HalfStudentT: nu > 0"),
                 ({"sigma": -1.0}, "HalfStudentT: sigma > 0")]),
    Row(pm.Laplace, {"mu": 0.5, "b": 1.5}, st.laplace(0.5, 1.5), [-9.0, -1.0, 0.5, 2.0, 12.0],
        [-1.0, 0.2, 2.0], invalid=[({"b": -1.0}, "Laplace: b > 0")]),
    Row(pm.Logistic, {"mu": 0.5, "s": 1.5}, st.logistic(0.5, 1.5), [-9.0, -1.0, 0.5, 2.0, 30.0],
        [-1.0, 0.2, 2.0], invalid=[({"s": 0.0}, "Logistic: s > 0")]),
    Row(pm.LogNormal, {"mu": 0.3, "sigma": 0.6}, st.lognorm(0.6, scale=np.exp(0.3)),
        [-1.0, 0.0, 0.5, 1.5, 6.0], [0.4, 1.2, 3.0],
        invalid=[({"sigma": -0.6}, "LogNormal: sigma > 0")]),
    Row(pm.Gamma, {"alpha": 2.5, "beta": 1.5}, st.gamma(2.5, scale=1 / 1.5),
        [-1.0, 0.0, 0.5, 2.0, 9.0, 30.0], [0.3, 1.4, 4.0],
        invalid=[({"alpha": -1.0}, "Gamma: alpha > 0"), ({"beta": 0.0}, "Gamma: beta > 0")]),
    Row(pm.InverseGamma, {"alpha": 5.0, "beta": 2.0}, st.invgamma(5.0, scale=2.0),
        [-1.0, 0.0, 0.05, 0.2, 0.5, 3.0, 40.0], [0.2, 0.6, 1.5],
        invalid=[({"alpha": 0.0}, "InverseGamma: alpha > 0"),
                 ({"beta": -2.0}, "InverseGamma: beta > 0")]),
    Row(pm.ChiSquared, {"nu": 4.0}, st.chi2(4.0), [-1.0, 0.0, 0.5, 3.0, 20.0, 60.0],
        [0.5, 3.0, 7.0],
        invalid=[({"nu": -4.0}, "ChiSquared: nu > 0")]),
    Row(pm.Beta, {"alpha": 2.0, "beta": 3.5}, st.beta(2.0, 3.5), [-0.5, 0.0, 0.3, 0.999, 1.0, 1.5],
        [0.1, 0.45, 0.8],
        invalid=[({"alpha": -1.0}, "Beta: alpha > 0"), ({"beta": 0.0}, "Beta: beta > 0")]),
    Row(pm.Weibull, {"alpha": 1.5, "beta": 2.0}, st.weibull_min(1.5, scale=2.0),
        [-1.0, 0.0, 0.5, 2.0, 9.0], [0.3, 1.4, 4.0],
        invalid=[({"alpha": 0.0}, "Weibull: alpha > 0"), ({"beta": -1.0}, "Weibull: beta > 0")]),
    Row(pm.Wald, {"mu": 1.5, "lam": 3.0}, st.invgauss(0.5, scale=3.0),
        [-1.0, 0.0, 0.5, 2.0, 9.0], [0.3, 1.4, 4.0],
        invalid=[({"mu": -1.0}, "Wald: mu > 0"), ({"lam": 0.0}, "Wald: lam > 0")]),
    Row(pm.Pareto, {"alpha": 5.0, "m": 1.5}, st.pareto(5.0, scale=1.5),
        [0.0, 1.0, 1.5, 2.0, 9.0], [1.6, 2.0, 3.5],
        invalid=[({"alpha": 0.0}, "Pareto: alpha > 0"), ({"m": -1.0}, "Pareto: m > 0")]),
    Row(pm.VonMises, {"mu": 0.0, "kappa": 2.0}, st.vonmises(2.0), [-4.0, -PI, -1.0, 0.5, PI, 4.0],
        [-1.5, 0.3, 2.0], logp=_von_mises_logp(0.0, 2.0), has_logcdf=False,
        invalid=[({"kappa": -1.0}, "VonMises: kappa > 0")]),
    Row(pm.Flat, {}, None, [-INF, -1e6, 0.0, 3.0, INF], [-2.0, 0.5, 7.0],
        logp=np.zeros_like, logcdf=_flat_logcdf, moments=False),
    Row(pm.HalfFlat, {}, None, [-1.0, 0.0, 3.0, INF], [0.5, 2.0, 7.0],
        logp=lambda x: np.where(x >= 0, 0.0, -INF),
        logcdf=lambda x: np.where(x == INF, 0.0, -INF), moments=False),
    Row(pm.Poisson, {"mu": 3.5}, st.poisson(3.5), [-1.0, 0.0, 1.5, 2.0, 7.0, 40.0],
        invalid=[({"mu": -1.0}, "Poisson: mu >= 0")]),
    Row(pm.DiscreteUniform, {"lower": -2, "upper": 3}, st.randint(-2, 4),
        [-3.0, -2.0, 0.5, 1.0, 3.0, 4.0],
        invalid=[({"lower": 5}, "DiscreteUniform: lower <= upper")]),
    Row(pm.Bernoulli, {"p": 0.3}, st.bernoulli(0.3), [-1.0, 0.0, 0.5, 1.0, 2.0],
        invalid=[({"p": 1.5}, "Bernoulli: 0 <= p <= 1")]),
    Row(pm.Binomial, {"n": 10, "p": 0.35}, st.binom(10, 0.35),
        [-1.0, 0.0, 2.5, 3.0, 10.0, 11.0],
        invalid=[({"n": -2}, "Binomial: n >= 0"), ({"p": -0.1}, "Binomial: 0 <= p <= 1")]),
    Row(pm.Geometric, {"p": 0.3}, st.geom(0.3), [-1.0, 0.0, 1.0, 2.5, 4.0, 30.0],
        invalid=[({"p": 0.0}, "Geometric: 0 < p <= 1")]),
    Row(pm.NegativeBinomial, {"mu": 4.0, "alpha": 2.5}, st.nbinom(2.5, 2.5 / 6.5),
        [-1.0, 0.0, 1.0, 3.5, 4.0, 25.0],
        invalid=[({"alpha": -1.0}, "NegativeBinomial: n > 0 (alpha > 0)")]),
    Row(pm.BetaBinomial, {"alpha": 2.0, "beta": 3.0, "n": 8}, st.betabinom(8, 2.0, 3.0),
        [-1.0, 0.0, 2.0, 2.5, 8.0, 9.0],
        invalid=[({"alpha": 0.0}, "BetaBinomial: alpha > 0"), ({"n": -1}, "BetaBinomial: n >= 0")]),
    Row(pm.Categorical, {"p": CATEGORICAL_P}, None, [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0],
        logp=_categorical_logp(CATEGORICAL_P), has_logcdf=False,
        invalid=[({"p": np.array([0.2, -0.5, 1.3])}, "Categorical: 0 <= p <= 1")]),
]  # fmt: skip

ROW_IDS = [row.name for row in ROWS]


def test_every_univariate_distribution_has_a_row():
    univariate = {
        name
        for name in pm.distributions.__all__
        if isinstance(getattr(pm, name), type)
        and issubclass(getattr(pm, name), pm.Distribution)
        and getattr(getattr(pm, name), "rv_op", None) is not None
        and getattr(pm, name).rv_op.ndim_supp == 0
        # Mixtures are built from other distributions: their table is in test_multivariate.
        and getattr(pm, name).__module__ != "ppl.distributions.mixture"
    }
    assert univariate <= set(ROW_IDS), sorted(univariate - set(ROW_IDS))


@dataclass
class Compiled:
    """A row's one compiled function and the names of its outputs."""

    call: Callable[..., list[np.ndarray]]
    outputs: list[str]
    param_names: list[str]

    def __call__(self, points: Any, interior: Any, y: Any, **params: Any) -> dict[str, Any]:
        arguments = [params[name] for name in self.param_names]
        with np.errstate(all="ignore"):  # the points outside the support take logs of <= 0
            values = self.call(points, interior, y, *arguments)
        return dict(zip(self.outputs, values, strict=True))


@cache
def compiled(name: str) -> Compiled:
    row = ROWS[ROW_IDS.index(name)]
    symbols = {
        key: pt.tensor(dtype=str(np.asarray(v).dtype), shape=np.shape(v), name=key)
        for key, v in row.params.items()
    }
    rv = row.cls.dist(**symbols)
    points, interior, y = pt.dvector("points"), pt.dvector("interior"), pt.dvector("y")
    outputs: dict[str, Any] = {"logp": pm.logp(rv, points)}
    if row.has_logcdf:
        outputs["logcdf"] = pm.logcdf(rv, points)
    start = support_point(rv)
    outputs["support_point"] = start
    outputs["logp_at_support_point"] = pm.logp(rv, start)
    if row.continuous:
        logp_inside = pm.logp(rv, interior)
        outputs["logp_inside"] = logp_inside
        wrt = [interior, *(symbols[key] for key in symbols)]
        gradients = grad(pt.sum(logp_inside), wrt, disconnected_inputs="ignore")
        outputs.update({f"d_{v.name}": g for v, g in zip(wrt, gradients, strict=True)})
    transform = row.cls.default_transform
    if transform is not None:
        inputs = rv.owner.inputs[2:]
        outputs["backward"] = transform.backward(y, *inputs)
        outputs["log_jac_det"] = transform.log_jac_det(y, *inputs)
    call = function(
        [points, interior, y, *symbols.values()],
        list(outputs.values()),
        mode="FAST_COMPILE",
        on_unused_input="ignore",
    )
    return Compiled(call, list(outputs), list(symbols))


def evaluate(row: Row, **changed: Any) -> dict[str, Any]:
    params = {**row.params, **changed}
    return compiled(row.name)(row.points, row.interior or [0.0], row.transformed, **params)


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_logp_and_logcdf_match_scipy(row):
    result = evaluate(row)
    points = np.array(row.points)
    np.testing.assert_allclose(result["logp"], row.reference_logp(points), rtol=1e-7)
    if row.has_logcdf:
        # Relative accuracy in the tails too (log CDFs near zero); where SciPy rounds one
        # to zero, ours may keep its digits.
        expected = row.reference_logcdf(points)
        rounded = expected == 0
        np.testing.assert_allclose(result["logcdf"][~rounded], expected[~rounded], rtol=1e-7)
        np.testing.assert_allclose(result["logcdf"][rounded], 0.0, atol=1e-16)


@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_support_point_is_inside_the_support(row):
    result = evaluate(row)
    assert np.isfinite(result["logp_at_support_point"]), result["support_point"]


def central_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


@pytest.mark.parametrize("row", [r for r in ROWS if r.continuous], ids=lambda r: r.name)
def test_logp_gradient_matches_finite_differences(row):
    result = evaluate(row)
    interior = np.array(row.interior)
    expected_value = [
        central_difference(lambda v, i=i: evaluate_inside(row, interior, i, v), x)
        for i, x in enumerate(interior)
    ]
    np.testing.assert_allclose(result["d_interior"], expected_value, rtol=1e-5, atol=1e-7)
    for key, value in row.params.items():
        expected = central_difference(
            lambda v, key=key: float(np.sum(evaluate(row, **{key: v})["logp_inside"])), value
        )
        np.testing.assert_allclose(result[f"d_{key}"], expected, rtol=1e-5, atol=1e-7)


def evaluate_inside(row: Row, interior: np.ndarray, index: int, value: float) -> float:
    moved = interior.copy()
    moved[index] = value
    result = compiled(row.name)(row.points, moved, row.transformed, **row.params)
    return float(result["logp_inside"][index])


@pytest.mark.parametrize(
    "row", [r for r in ROWS if r.cls.default_transform is not None], ids=lambda r: r.name
)
def test_default_transform_log_jacobian_matches_finite_differences(row):
    result = evaluate(row)
    y = np.array(row.transformed)

    def backward(index: int, value: float) -> float:
        moved = y.copy()
        moved[index] = value
        outputs = compiled(row.name)(row.points, row.interior, moved, **row.params)
        return float(outputs["backward"][index])

    slopes = [central_difference(lambda v, i=i: backward(i, v), value) for i, value in enumerate(y)]
    np.testing.assert_allclose(result["log_jac_det"], np.log(np.abs(slopes)), rtol=1e-6, atol=1e-8)
    assert np.all(np.isfinite(row.reference_logp(result["backward"]))), "backward is in the support"


@pytest.mark.parametrize("row", [r for r in ROWS if r.invalid], ids=lambda r: r.name)
def test_invalid_parameters_raise_naming_the_condition(row):
    for changed, message in row.invalid:
        with pytest.raises(pm.ParameterValueError, match=re.escape(message)):
            evaluate(row, **changed)


DRAWS = 20_000


@cache
def all_draws() -> dict[str, np.ndarray]:
    """Draws of every proper row, from one compiled function."""
    proper = [row for row in ROWS if row.moments or row.quartiles]
    variables = [row.cls.dist(**row.params) for row in proper]
    values = pm.draw(variables, draws=DRAWS, random_seed=20240611, mode="FAST_COMPILE")
    return {row.name: np.asarray(value) for row, value in zip(proper, values, strict=True)}


def _categorical_moments() -> tuple[float, float, float]:
    k = np.arange(len(CATEGORICAL_P))
    mean = float(np.sum(k * CATEGORICAL_P))
    centred = k - mean
    var = float(np.sum(centred**2 * CATEGORICAL_P))
    return mean, var, float(np.sum(centred**4 * CATEGORICAL_P))


def _moments(row: Row) -> tuple[float, float, float]:
    """Mean, variance and fourth central moment."""
    if row.cls is pm.Categorical:
        return _categorical_moments()
    if row.cls is pm.HalfStudentT:
        nu, sigma = row.params["nu"], row.params["sigma"]
        return _half_student_t_moments(nu, sigma)
    mean, var, kurtosis = (float(m) for m in row.scipy.stats(moments="mvk"))
    return mean, var, (kurtosis + 3.0) * var**2


def _half_student_t_moments(nu: float, sigma: float) -> tuple[float, float, float]:
    """|T| sigma: raw moments E|T|^k sigma^k from the Student t's absolute moments."""
    raw = [sigma**k * st.t(nu).expect(lambda t, k=k: np.abs(t) ** k) for k in range(1, 5)]
    mean = raw[0]
    var = raw[1] - mean**2
    fourth = raw[3] - 4 * mean * raw[2] + 6 * mean**2 * raw[1] - 3 * mean**4
    return mean, var, fourth


@pytest.mark.parametrize("row", [r for r in ROWS if r.moments], ids=lambda r: r.name)
def test_draws_have_the_distributions_mean_and_variance(row):
    draws = all_draws()[row.name]
    assert draws.shape == (DRAWS,)
    mean, var, fourth = _moments(row)
    mean_error = np.sqrt(var / DRAWS)
    var_error = np.sqrt((fourth - var**2) / DRAWS)
    assert abs(draws.mean() - mean) < 5 * mean_error, (draws.mean(), mean)
    assert abs(draws.var() - var) < 5 * var_error, (draws.var(), var)


@pytest.mark.parametrize("row", [r for r in ROWS if r.quartiles], ids=lambda r: r.name)
def test_heavy_tailed_draws_have_the_distributions_quartiles(row):
    draws = all_draws()[row.name]
    for q in (0.25, 0.5, 0.75):
        # the share of draws below the q-quantile is q, with binomial error
        share = np.mean(draws <= row.scipy.ppf(q))
        assert abs(share - q) < 5 * np.sqrt(q * (1 - q) / DRAWS), (q, share)


@pytest.mark.parametrize("cls", [pm.Flat, pm.HalfFlat], ids=lambda c: c.__name__)
def test_improper_distributions_cannot_be_drawn(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__} is an improper distribution"):
        pm.draw(cls.dist(), mode="FAST_COMPILE")


def _gamma_mu_sigma(mu: float, sigma: float) -> dict[str, float]:
    return {"alpha": mu**2 / sigma**2, "beta": mu / sigma**2}


def _inverse_gamma_mu_sigma(mu: float, sigma: float) -> dict[str, float]:
    alpha = mu**2 / sigma**2 + 2.0
    return {"alpha": alpha, "beta": mu * (alpha - 1.0)}


def _beta_mu_sigma(mu: float, sigma: float) -> dict[str, float]:
    kappa = mu * (1 - mu) / sigma**2 - 1.0
    return {"alpha": mu * kappa, "beta": (1 - mu) * kappa}


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


ALIASES = [
    (pm.Normal, {"mu": 1.0, "sd": 2.0}, {"mu": 1.0, "sigma": 2.0}, [0.0, 1.5]),
    (pm.Normal, {"mu": 1.0, "tau": 0.25}, {"mu": 1.0, "sigma": 2.0}, [0.0, 1.5]),
    (pm.HalfNormal, {"tau": 4.0}, {"sigma": 0.5}, [0.1, 1.5]),
    (pm.LogNormal, {"mu": 0.2, "tau": 4.0}, {"mu": 0.2, "sigma": 0.5}, [0.5, 1.5]),
    (pm.Exponential, {"scale": 0.5}, {"lam": 2.0}, [0.1, 1.5]),
    (pm.StudentT, {"nu": 3.0, "lam": 0.25}, {"nu": 3.0, "sigma": 2.0}, [-1.0, 2.5]),
    (pm.StudentT, {"nu": 3.0, "sd": 2.0}, {"nu": 3.0, "sigma": 2.0}, [-1.0, 2.5]),
    (pm.HalfStudentT, {"nu": 3.0, "lam": 0.25}, {"nu": 3.0, "sigma": 2.0}, [0.5, 2.5]),
    (pm.Gamma, {"mu": 2.0, "sigma": 0.5}, _gamma_mu_sigma(2.0, 0.5), [0.5, 2.5]),
    (pm.Gamma, {"mu": 2.0, "sd": 0.5}, _gamma_mu_sigma(2.0, 0.5), [0.5, 2.5]),
    (pm.InverseGamma, {"mu": 2.0, "sigma": 0.5}, _inverse_gamma_mu_sigma(2.0, 0.5), [0.5, 2.5]),
    (pm.Beta, {"mu": 0.3, "sigma": 0.1}, _beta_mu_sigma(0.3, 0.1), [0.2, 0.5]),
    (pm.Wald, {"mu": 1.5, "phi": 2.0}, {"mu": 1.5, "lam": 3.0}, [0.5, 2.5]),
    (pm.Wald, {"lam": 3.0, "phi": 2.0}, {"mu": 1.5, "lam": 3.0}, [0.5, 2.5]),
    (pm.Bernoulli, {"logit_p": _logit(0.3)}, {"p": 0.3}, [0.0, 1.0]),
    (pm.Binomial, {"n": 5, "logit_p": _logit(0.3)}, {"n": 5, "p": 0.3}, [0.0, 2.0]),
    (pm.NegativeBinomial, {"n": 2.5, "p": 2.5 / 6.5}, {"mu": 4.0, "alpha": 2.5}, [0.0, 3.0]),
    (pm.Categorical, {"logit_p": np.log(CATEGORICAL_P)}, {"p": CATEGORICAL_P}, [0.0, 2.0]),
]


def test_alias_spellings_give_the_same_density():
    pairs = [
        (pm.logp(cls.dist(**alias), np.array(points)), pm.logp(cls.dist(**plain), np.array(points)))
        for cls, alias, plain, points in ALIASES
    ]
    values = function([], [v for pair in pairs for v in pair], mode="FAST_COMPILE")()
    for (cls, alias, _, _), spelled, plain in zip(ALIASES, values[::2], values[1::2], strict=True):
        np.testing.assert_allclose(spelled, plain, rtol=1e-10, err_msg=f"{cls.__name__} {alias}")
        assert np.all(np.isfinite(plain))


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (pm.Gamma, {"alpha": 1.0, "mu": 2.0, "sigma": 1.0}, "Gamma needs 'alpha' and 'beta'"),
        (pm.Beta, {"alpha": 1.0}, "Beta needs 'alpha' and 'beta', or 'mu' and 'sigma'"),
        (pm.NegativeBinomial, {"mu": 1.0, "p": 0.5}, "NegativeBinomial needs 'mu' and 'alpha'"),
        (pm.Wald, {"mu": 1.0}, "Wald needs two of 'mu', 'lam' and 'phi'"),
        (pm.Bernoulli, {}, "Bernoulli needs a value for 'p' or 'logit_p'"),
        (pm.StudentT, {"nu": 1.0, "sigma": 1.0, "lam": 2.0}, "'sigma' and 'lam' both set"),
    ],
)
def test_incomplete_or_conflicting_parametrizations_are_refused(cls, kwargs, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        cls.dist(**kwargs)


def test_value_variable_names_follow_the_default_transforms():
    with pm.Model() as model:
        pm.Beta("p", 2.0, 3.0)
        pm.Gamma("g", 2.0, 1.0)
        pm.Pareto("a", 3.0, 1.0)
        pm.VonMises("angle", 0.0, 2.0)
        pm.HalfFlat("h")
        pm.Flat("f")
        pm.Bernoulli("b", 0.5)
    names = [v.name for v in model.value_vars]
    assert names == ["p_logodds__", "g_log__", "a_interval__", "angle_circular__", "h_log__", "f",
                     "b"]  # fmt: skip


def test_a_model_of_every_row_starts_where_every_density_is_finite():
    with pm.Model() as model:
        for row in ROWS:
            row.cls(row.name.lower(), **row.params, shape=2)
    point = model.initial_point()
    logps = model.point_logps(point, round_vals=6)
    assert set(logps) == {row.name.lower() for row in ROWS}
    assert all(np.isfinite(value) for value in logps.values()), logps
    dlogp = model.compile_dlogp(mode="FAST_COMPILE")(point)
    assert np.all(np.isfinite(dlogp))
