"""Trace and posterior plots: what is drawn is the draws, their mean and their HDI."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="plots need matplotlib (samplers[plots])")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from samplers import plots  # noqa: E402
from samplers.diagnostics import hdi  # noqa: E402

RNG = np.random.default_rng(21)
POSTERIOR = {
    "mu": RNG.normal(1.0, 0.5, size=(4, 200)),
    "theta": RNG.normal(size=(4, 200, 3)),
}


class _Trace:
    def __init__(self) -> None:
        self.posterior = POSTERIOR
        diverging = np.zeros((4, 200), dtype=bool)
        diverging[1, [5, 150]] = True
        diverging[3, 150] = True
        self.stats = {"diverging": diverging}


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _by_gid(ax: Any, gid: str) -> list[Any]:
    return [line for line in ax.get_lines() if line.get_gid() == gid]


def test_traceplot_draws_every_chain_over_iteration(tmp_path: Any) -> None:
    figure = plots.traceplot(_Trace())
    assert len(figure.axes) == 2 * len(POSTERIOR)
    mu_density, mu_draws, theta_density, theta_draws = figure.axes
    assert [ax.get_title() for ax in figure.axes] == ["mu", "mu", "theta", "theta"]

    chain_lines = [line for line in mu_draws.get_lines() if line.get_gid() is None]
    assert len(chain_lines) == 4
    for chain, line in enumerate(chain_lines):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(200))
        np.testing.assert_array_equal(line.get_ydata(), POSTERIOR["mu"][chain])
    assert len(mu_density.get_lines()) == 4

    theta_lines = [line for line in theta_draws.get_lines() if line.get_gid() is None]
    plotted = np.array([line.get_ydata() for line in theta_lines])
    expected = POSTERIOR["theta"].transpose(2, 0, 1).reshape(12, 200)
    np.testing.assert_array_equal(plotted, expected)
    assert len(theta_density.get_lines()) == 12

    (ticks,) = _by_gid(mu_draws, "divergences")
    np.testing.assert_array_equal(ticks.get_xdata(), [5, 150])

    path = tmp_path / "trace.png"
    figure.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_traceplot_density_integrates_to_one() -> None:
    figure = plots.traceplot({"mu": POSTERIOR["mu"]})
    for line in figure.axes[0].get_lines():
        grid, density = line.get_xdata(), line.get_ydata()
        area = np.sum((density[1:] + density[:-1]) / 2 * np.diff(grid))
        assert 0.85 < area <= 1.0


def test_traceplot_selects_variables_and_histograms_integers() -> None:
    counts = RNG.poisson(2.0, size=(2, 100))
    figure = plots.traceplot({"mu": POSTERIOR["mu"], "k": counts}, var_names=["k"])
    assert [ax.get_title() for ax in figure.axes] == ["k", "k"]
    assert len(figure.axes[0].patches) == 2, "one step histogram per chain"


def test_plot_posterior_marks_mean_and_hdi(tmp_path: Any) -> None:
    figure = plots.plot_posterior(POSTERIOR, hdi_prob=0.9, ref_val={"mu": 1.0, "theta[1]": 0.0})
    assert len(figure.axes) == 4
    assert [ax.get_title() for ax in figure.axes] == ["mu", "theta[0]", "theta[1]", "theta[2]"]
    mu_ax = figure.axes[0]

    (hdi_line,) = _by_gid(mu_ax, "hdi")
    np.testing.assert_array_equal(hdi_line.get_xdata(), hdi(POSTERIOR["mu"], hdi_prob=0.9))
    (theta_hdi,) = _by_gid(figure.axes[3], "hdi")
    np.testing.assert_array_equal(theta_hdi.get_xdata(), hdi(POSTERIOR["theta"], hdi_prob=0.9)[2])
    (mean_line,) = _by_gid(mu_ax, "mean")
    assert mean_line.get_xdata()[0] == pytest.approx(POSTERIOR["mu"].mean())

    texts = [text.get_text() for text in mu_ax.texts]
    assert "90% HDI" in texts
    assert f"mean={POSTERIOR['mu'].mean():.3g}" in texts
    below = np.mean(POSTERIOR["mu"] < 1.0)
    assert f"{below:.1%} < 1 < {1 - below:.1%}" in texts
    assert len(_by_gid(figure.axes[2], "ref_val")) == 1
    assert _by_gid(figure.axes[1], "ref_val") == []

    path = tmp_path / "posterior.png"
    figure.savefig(path)
    assert path.stat().st_size > 1000


def test_plot_posterior_of_a_bare_array_with_one_reference() -> None:
    figure = plots.plot_posterior(POSTERIOR["mu"], ref_val=0.0)
    assert [ax.get_title() for ax in figure.axes] == ["x"]
    assert len(_by_gid(figure.axes[0], "ref_val")) == 1


def test_missing_matplotlib_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install samplers\[plots\]"):
        plots.traceplot(POSTERIOR)
    with pytest.raises(ImportError, match=r"pip install samplers\[plots\]"):
        plots.plot_posterior(POSTERIOR)
