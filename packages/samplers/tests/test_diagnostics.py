"""Diagnostics against ArviZ 0.23: the same arrays must give the same numbers."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pytest

import samplers.diagnostics as diag

RTOL = 1e-12


def ar1(rng: np.random.Generator, phi: float, shape: tuple[int, ...]) -> np.ndarray:
    """AR(1) chains x_t = phi x_{t-1} + e_t along axis 1."""
    noise = rng.normal(size=shape)
    chains = np.empty(shape)
    chains[:, 0] = noise[:, 0]
    for t in range(1, shape[1]):
        chains[:, t] = phi * chains[:, t - 1] + noise[:, t]
    return chains


def _one_constant_chain() -> np.ndarray:
    draws = np.random.default_rng(6).normal(size=(4, 200))
    draws[0] = 1.5
    return draws


def _stuck_chains() -> np.ndarray:
    draws = np.random.default_rng(7).normal(size=(4, 300))
    draws[2:] += 3.0
    return draws


ARRAYS: dict[str, np.ndarray] = {
    "normal": np.random.default_rng(1).normal(size=(4, 500)),
    "ar1_strong": ar1(np.random.default_rng(2), 0.95, (4, 500)),
    "ar1_anticorrelated": ar1(np.random.default_rng(3), -0.7, (3, 400)),
    "heavy_tails": np.random.default_rng(4).standard_t(1.5, size=(4, 500)),
    "shaped": ar1(np.random.default_rng(5), 0.6, (4, 300, 3)),
    "odd_draws": np.random.default_rng(8).gamma(2.0, size=(3, 301)),
    "ties": np.random.default_rng(9).poisson(3.0, size=(4, 400)).astype(float),
    "one_chain": ar1(np.random.default_rng(10), 0.5, (1, 400))[0],
    "fewest_draws": np.random.default_rng(11).normal(size=(2, 4)),
    "constant": np.full((4, 100), 2.0),
    "one_constant_chain": _one_constant_chain(),
    "stuck": _stuck_chains(),
}


@pytest.fixture(scope="module")
def az() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pytest.importorskip("arviz", reason="the reference values come from ArviZ")


def arviz_value(az: Any, function: Callable[..., Any], draws: np.ndarray, **kwargs: Any) -> Any:
    """ArviZ's answer for an array read as (chains, draws, *shape)."""
    if draws.ndim <= 2 and function is not az.hdi:
        return np.asarray(function(draws, **kwargs))
    if draws.ndim == 1:
        return np.asarray(function(draws, **kwargs))
    dataset = az.convert_to_dataset(draws)
    return np.asarray(function(dataset, **kwargs)["x"].values)


# (case name, our function, ArviZ's function name, keyword arguments): one row per estimator.
CASES: list[tuple[str, Callable[..., Any], str, dict[str, Any]]] = [
    *[
        (f"ess_{method}", diag.ess, "ess", {"method": method})
        for method in ("bulk", "tail", "mean", "sd", "median", "mad", "z_scale", "folded")
    ],
    ("ess_identity", diag.ess, "ess", {"method": "identity"}),
    ("ess_bulk_relative", diag.ess, "ess", {"method": "bulk", "relative": True}),
    ("ess_tail_relative", diag.ess, "ess", {"method": "tail", "relative": True}),
    ("ess_tail_scalar_prob", diag.ess, "ess", {"method": "tail", "prob": 0.1}),
    ("ess_tail_pair_prob", diag.ess, "ess", {"method": "tail", "prob": (0.1, 0.8)}),
    ("ess_quantile", diag.ess, "ess", {"method": "quantile", "prob": 0.25}),
    ("ess_local", diag.ess, "ess", {"method": "local", "prob": (0.2, 0.6)}),
    ("effective_n", diag.effective_n, "ess", {}),
    *[
        (f"rhat_{method}", diag.rhat, "rhat", {"method": method})
        for method in ("rank", "split", "folded", "z_scale", "identity")
    ],
    *[
        (f"mcse_{method}", diag.mcse, "mcse", {"method": method})
        for method in ("mean", "sd", "median")
    ],
    ("mcse_quantile", diag.mcse, "mcse", {"method": "quantile", "prob": 0.3}),
    ("hdi_94", diag.hdi, "hdi", {"hdi_prob": 0.94}),
    ("hdi_50", diag.hdi, "hdi", {"hdi_prob": 0.5}),
]


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("array_name", list(ARRAYS))
@pytest.mark.parametrize(("case", "ours", "theirs", "kwargs"), CASES, ids=[c[0] for c in CASES])
def test_matches_arviz(
    az: Any,
    array_name: str,
    case: str,
    ours: Callable[..., Any],
    theirs: str,
    kwargs: dict[str, Any],
) -> None:
    draws = ARRAYS[array_name]
    expected = arviz_value(az, getattr(az, theirs), draws, **kwargs)
    actual = np.asarray(ours(draws, **kwargs))
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=0, equal_nan=True)


@pytest.mark.filterwarnings("ignore")
def test_geyer_truncation_matches_arviz_on_short_random_chains(az: Any) -> None:
    """Short chains hit every way the pair scan can end: a negative pair, a zero, the lag bound."""
    rng = np.random.default_rng(15)
    for _ in range(120):
        shape = (int(rng.integers(1, 5)), int(rng.integers(4, 40)))
        draws = ar1(rng, rng.uniform(-0.99, 0.99), shape)
        if rng.random() < 0.2:
            draws = np.round(draws)
        for method in ("identity", "bulk"):
            expected = az.ess(draws, method=method)
            assert diag.ess(draws, method=method) == pytest.approx(expected, rel=RTOL, nan_ok=True)


def test_prob_may_be_an_array_or_a_tuple() -> None:
    draws = ARRAYS["ar1_strong"]
    by_tuple = diag.ess(draws, method="local", prob=(0.2, 0.6))
    assert diag.ess(draws, method="local", prob=np.array([0.2, 0.6])) == by_tuple
    assert diag.ess(draws, method="tail", prob=0.1) == diag.ess(
        draws, method="tail", prob=[0.1, 0.9]
    )


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("array_name", ["normal", "ar1_strong", "one_constant_chain", "constant"])
def test_bfmi_matches_arviz(az: Any, array_name: str) -> None:
    energy = ARRAYS[array_name]
    np.testing.assert_allclose(diag.bfmi(energy), az.bfmi(energy), rtol=RTOL, equal_nan=True)


def test_known_values_without_arviz() -> None:
    """Facts that hold whatever the reference: iid draws, a constant, a single chain."""
    iid = ARRAYS["normal"]
    assert 0.8 * iid.size < diag.ess(iid) < 1.2 * iid.size
    assert abs(diag.rhat(iid) - 1) < 0.01
    assert diag.ess(ARRAYS["ar1_strong"]) < 0.1 * ARRAYS["ar1_strong"].size
    assert diag.rhat(ARRAYS["stuck"]) > 1.5
    assert diag.ess(ARRAYS["constant"]) == ARRAYS["constant"].size
    assert np.isnan(diag.rhat(ARRAYS["constant"]))
    assert np.isnan(diag.rhat(ARRAYS["one_chain"]))
    sorted_draws = np.sort(iid.ravel())
    low, high = diag.hdi(iid, hdi_prob=0.5)
    inside = np.count_nonzero((sorted_draws >= low) & (sorted_draws <= high))
    assert inside == int(np.floor(0.5 * iid.size)) + 1


def test_shaped_input_gives_per_component_results() -> None:
    draws = ARRAYS["shaped"]
    for function in (diag.ess, diag.rhat, diag.mcse):
        result = function(draws)
        assert np.shape(result) == (3,)
        for component in range(3):
            assert result[component] == pytest.approx(function(draws[..., component]), rel=1e-12)
    assert np.shape(diag.hdi(draws)) == (3, 2)
    matrix = np.random.default_rng(12).normal(size=(2, 50, 2, 3))
    assert np.shape(diag.ess(matrix)) == (2, 3)
    assert np.shape(diag.hdi(matrix)) == (2, 3, 2)


def test_nan_draws_give_nan_only_where_they_are() -> None:
    draws = ARRAYS["shaped"].copy()
    draws[1, 10, 0] = np.nan
    for function in (diag.ess, diag.rhat, diag.mcse, diag.hdi):
        result = np.asarray(function(draws))
        assert np.isnan(result[0]).all()
        assert np.isfinite(result[1:]).all()


class _Trace:
    """A stand-in for a trace: a ``.posterior`` mapping and per-chain ``.stats``."""

    def __init__(self, posterior: dict[str, np.ndarray], energy: np.ndarray) -> None:
        self.posterior = posterior
        self.stats = {"energy": energy}


POSTERIOR = {
    "mu": ARRAYS["ar1_strong"],
    "theta": ar1(np.random.default_rng(13), 0.3, (4, 500, 3)),
    "L": np.random.default_rng(14).standard_t(3.0, size=(4, 500, 2, 2)),
}


def test_trace_and_mapping_inputs_give_one_result_per_variable() -> None:
    trace = _Trace(POSTERIOR, ARRAYS["normal"])
    for function in (diag.ess, diag.rhat, diag.mcse, diag.hdi):
        by_name = function(trace)
        assert list(by_name) == list(POSTERIOR)
        np.testing.assert_array_equal(by_name["theta"], function(POSTERIOR["theta"]))
    assert list(diag.ess(POSTERIOR, var_names=["L"])) == ["L"]
    assert list(diag.rhat(POSTERIOR, var_names="~mu")) == ["theta", "L"]
    np.testing.assert_array_equal(diag.bfmi(trace), diag.bfmi(ARRAYS["normal"]))


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("round_to", ["none", None, 2])
@pytest.mark.parametrize("hdi_prob", [0.94, 0.89])
def test_summary_matches_arviz(az: Any, round_to: Any, hdi_prob: float) -> None:
    expected = az.summary(POSTERIOR, hdi_prob=hdi_prob, round_to=round_to)
    table = diag.summary(_Trace(POSTERIOR, ARRAYS["normal"]), hdi_prob=hdi_prob, round_to=round_to)
    assert table.columns == list(expected.columns)
    assert table.index == list(expected.index)
    np.testing.assert_allclose(table.values, expected.to_numpy(), rtol=RTOL, equal_nan=True)
    for column in expected.columns:
        for row in expected.index:
            assert table[column][row] == pytest.approx(expected[column][row], rel=RTOL, nan_ok=True)


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize(
    "array_name", ["odd_draws", "shaped", "constant", "one_constant_chain", "one_chain", "ties"]
)
def test_summary_matches_arviz_on_edge_cases(az: Any, array_name: str) -> None:
    draws = ARRAYS[array_name]
    expected = az.summary({"x": np.atleast_2d(draws)}, round_to="none")
    table = diag.summary({"x": np.atleast_2d(draws)}, round_to="none")
    np.testing.assert_allclose(table.values, expected.to_numpy(), rtol=RTOL, equal_nan=True)


@pytest.mark.filterwarnings("ignore")
def test_summary_labels_follow_xarray_coordinates(az: Any) -> None:
    dataset = az.convert_to_dataset(
        {"theta": POSTERIOR["theta"]},
        coords={"school": ["a", "b", "c"]},
        dims={"theta": ["school"]},
    )
    table = diag.summary(dataset, round_to="none")
    assert table.index == ["theta[a]", "theta[b]", "theta[c]"]
    assert table.index == list(az.summary(dataset).index)


def test_summary_table_reads_like_a_dataframe() -> None:
    table = diag.summary(POSTERIOR, var_names=["mu", "theta"], round_to="none", hdi_prob=0.9)
    assert table.columns[2:4] == ["hdi_5%", "hdi_95%"]
    assert table.index == ["mu", "theta[0]", "theta[1]", "theta[2]"]
    assert len(table) == 4
    assert table.shape == (4, 9)
    assert table["mean"]["mu"] == pytest.approx(POSTERIOR["mu"].mean(), rel=1e-12)
    assert table.loc["theta[1]"]["sd"] == pytest.approx(POSTERIOR["theta"][..., 1].std(ddof=1))
    assert table.loc("mu") == table.loc["mu"]
    assert table.loc["mu", "r_hat"] == table["r_hat"]["mu"]
    assert np.asarray(table["ess_bulk"]).shape == (4,)
    assert table["ess_bulk"]["theta[0]"] == pytest.approx(diag.ess(POSTERIOR["theta"][..., 0]))
    stats_only = diag.summary(POSTERIOR, kind="stats")
    assert stats_only.columns == ["mean", "sd", "hdi_3%", "hdi_97%"]
    assert diag.summary(POSTERIOR, kind="diagnostics").columns[0] == "mcse_mean"
    lines = str(diag.summary(POSTERIOR)).splitlines()
    assert lines[0].split() == [
        "mean",
        "sd",
        "hdi_3%",
        "hdi_97%",
        *diag.summary(POSTERIOR).columns[4:],
    ]
    assert len(lines) == 1 + 1 + 3 + 4
    assert len({len(line) for line in lines}) == 1, "every line of the table has the same width"
    assert lines[-1].startswith("L[1, 1]")


def test_summary_to_pandas() -> None:
    pd = pytest.importorskip("pandas", reason="Summary.to_pandas needs pandas")
    table = diag.summary(POSTERIOR)
    frame = table.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == table.index
    assert frame.loc["theta[2]", "ess_tail"] == table["ess_tail"]["theta[2]"]


def test_summary_to_pandas_without_pandas_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pandas"):
        diag.summary(POSTERIOR).to_pandas()


def test_summary_of_100_variables_is_one_row_each() -> None:
    """(Its speed, about 0.25 s for 100 x 4 x 1000 draws, is measured outside the tests.)"""
    chains = ar1(np.random.default_rng(16), 0.5, (400, 1000)).reshape(100, 4, 1000)
    posterior = {f"v{i}": draws for i, draws in enumerate(chains)}
    table = diag.summary(posterior)
    assert len(table) == 100
    assert table["ess_bulk"]["v7"] == pytest.approx(float(diag.ess(chains[7])), rel=1e-3)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: diag.ess(3.0), ValueError, ["data", "(chains, draws", "scalar"]),
        (lambda: diag.ess(np.zeros((2, 3))), ValueError, ["data", "at least 4 draws", "3 draws"]),
        (lambda: diag.rhat(np.array([["a"] * 5] * 2)), TypeError, ["data", "real numbers", "<U1"]),
        (lambda: diag.mcse(np.ones((2, 5)) * 1j), TypeError, ["data", "complex128"]),
        (
            lambda: diag.ess(np.ones((2, 5)), method="fast"),
            ValueError,
            ["method", "'bulk'", "'fast'"],
        ),
        (lambda: diag.rhat(np.ones((2, 5)), method="rnak"), ValueError, ["method", "'rank'"]),
        (lambda: diag.ess(np.ones((2, 5)), method="quantile"), TypeError, ["prob"]),
        (lambda: diag.ess(np.ones((2, 5)), method="local", prob=0.3), ValueError, ["pair", "0.3"]),
        (lambda: diag.ess(np.ones((2, 5)), prob=0.3), ValueError, ["prob", "'bulk'"]),
        (lambda: diag.ess(np.ones((2, 5)), method="tail", prob=1.5), ValueError, ["[0, 1]", "1.5"]),
        (lambda: diag.mcse(np.ones((2, 5)), method="quantile"), TypeError, ["prob"]),
        (lambda: diag.mcse(np.ones((2, 5)), method="quantile", prob=1.5), ValueError, ["1.5"]),
        (lambda: diag.hdi(np.ones(5), hdi_prob=1.2), ValueError, ["hdi_prob", "(0, 1]", "1.2"]),
        (lambda: diag.hdi(np.ones(5), hdi_prob=1.0), ValueError, ["hdi_prob", "5 draws"]),
        (lambda: diag.ess(POSTERIOR, var_names=["nu"]), KeyError, ["nu", "mu"]),
        (
            lambda: diag.ess(cast(Any, np.ones((2, 5))), var_names=["mu"]),
            ValueError,
            ["var_names", "array"],
        ),
        (lambda: diag.summary({"mu": np.ones(10)}), ValueError, ["posterior['mu']", "(10,)"]),
        (lambda: diag.summary(POSTERIOR, round_to="two"), ValueError, ["round_to", "'two'"]),
        (lambda: diag.summary(POSTERIOR, kind="some"), ValueError, ["kind", "'some'"]),
        (lambda: diag.bfmi(np.ones((2, 3, 4))), ValueError, ["energy", "(2, 3, 4)"]),
    ],
)
def test_input_errors_name_the_argument(
    call: Callable[[], Any], error: type[Exception], words: list[str]
) -> None:
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    for word in words:
        assert word in message
