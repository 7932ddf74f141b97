"""Trace and posterior plots with matplotlib, an optional extra: ``pip install samplers[plots]``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from samplers.diagnostics.draws import FloatArray
from samplers.diagnostics.hdi import DEFAULT_HDI_PROB, check_hdi_prob, narrowest_intervals
from samplers.diagnostics.variables import PosteriorVariable, VarNames, named_variables

_GRID_POINTS = 256
_LINE_STYLES = ("-", "--", ":", "-.")
"""Components of one vector variable share a row of the trace plot; line styles tell them apart."""


def _pyplot() -> Any:
    """matplotlib.pyplot, imported only when a plot is asked for."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "samplers' plots need matplotlib; install it with: pip install samplers[plots]"
        ) from error
    return plt


def _components(variable: PosteriorVariable) -> FloatArray:
    """A variable's draws as (chains, draws, components)."""
    n_chains, n_draws = variable.draws.shape[:2]
    return variable.draws.reshape(n_chains, n_draws, -1)


def _is_discrete(values: FloatArray) -> bool:
    return bool(np.all(values == np.round(values)))


def _integer_bins(values: FloatArray) -> FloatArray | str:
    """One bin per integer for a narrow range of integers, else matplotlib's choice."""
    low, high = values.min(), values.max()
    if high - low > 100:
        return "auto"
    return np.arange(low - 0.5, high + 1.5)


def draw_distribution(ax: Any, values: FloatArray, **style: Any) -> None:
    """A kernel density of ``values``, or a step histogram for integer-valued or constant draws.

    The density is a Gaussian kernel estimate with Scott's bandwidth n^(-1/5)·sd on a grid
    over the range of the draws.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    if np.ptp(finite) == 0 or _is_discrete(finite):
        ax.hist(finite, bins=_integer_bins(finite), density=True, histtype="step", **style)
        return
    from scipy import stats

    grid = np.linspace(finite.min(), finite.max(), _GRID_POINTS)
    density = stats.gaussian_kde(finite, bw_method="scott")(grid)
    ax.plot(grid, density, **style)


def _number(value: float) -> str:
    """Three significant digits, without switching to exponents for values in the thousands."""
    if abs(value) >= 1000:
        return f"{value:.0f}"
    return f"{value:.3g}"


def _diverging_draws(data: Any) -> FloatArray | None:
    """The trace's ``diverging`` statistic, (chains, draws), when it has one."""
    stats = getattr(data, "stats", None)
    if stats is None or "diverging" not in stats:
        return None
    return np.atleast_2d(np.asarray(stats["diverging"], dtype=bool))


def traceplot(
    posterior: Any,
    var_names: VarNames = None,
    *,
    divergences: bool = True,
    figsize: tuple[float, float] | None = None,
) -> Any:
    """Per variable, each chain's density on the left and its draws over iteration on the right.

    ``posterior`` is a trace, a mapping name -> (chains, draws, *shape), or one array. The
    components of a vector variable share their row, told apart by line style. A trace's
    divergent transitions are marked as ticks under the draws. Returns the Figure.
    """
    plt = _pyplot()
    variables = named_variables(posterior, var_names)
    if not variables:
        raise ValueError("traceplot needs at least one variable; var_names selected none")
    figure, axes = plt.subplots(
        len(variables),
        2,
        figsize=figsize or (12.0, 2.4 * len(variables)),
        squeeze=False,
        layout="constrained",
    )
    diverging = _diverging_draws(posterior) if divergences else None
    for row, variable in enumerate(variables):
        density_ax, draws_ax = axes[row]
        components = _components(variable)
        n_chains, n_draws, n_components = components.shape
        iterations = np.arange(n_draws)
        for component in range(n_components):
            line_style = _LINE_STYLES[component % len(_LINE_STYLES)]
            for chain in range(n_chains):
                style = {"color": f"C{chain % 10}", "linestyle": line_style, "linewidth": 1.0}
                label = f"chain {chain}" if component == 0 else None
                draw_distribution(density_ax, components[chain, :, component], **style)
                draws_ax.plot(
                    iterations, components[chain, :, component], alpha=0.7, label=label, **style
                )
        if diverging is not None and diverging.shape == (n_chains, n_draws) and diverging.any():
            # Ticks at the bottom edge: x in iterations, y in axes coordinates.
            marked = np.flatnonzero(diverging.any(axis=0))
            draws_ax.plot(
                marked,
                np.zeros(marked.size),
                "|",
                color="black",
                markersize=10,
                transform=draws_ax.get_xaxis_transform(),
                gid="divergences",
            )
        density_ax.set_title(variable.name)
        draws_ax.set_title(variable.name)
        density_ax.set_yticks([])
        if n_chains > 1 and row == 0:
            draws_ax.legend(loc="upper right", fontsize="small", ncols=min(n_chains, 4))
    axes[-1, 1].set_xlabel("iteration")
    return figure


def _reference_for(
    ref_val: float | Mapping[str, float] | None, label: str, name: str
) -> float | None:
    """The reference value for one component: a number for all, or looked up by label or name."""
    if ref_val is None or not isinstance(ref_val, Mapping):
        return ref_val
    if label in ref_val:
        return ref_val[label]
    return ref_val.get(name)


def plot_posterior(
    posterior: Any,
    var_names: VarNames = None,
    hdi_prob: float = DEFAULT_HDI_PROB,
    ref_val: float | Mapping[str, float] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Any:
    """Per component, the density of all chains' draws with its mean and HDI drawn and labelled.

    ``ref_val`` (one number, or a mapping from a row label such as ``theta[0]`` or a variable
    name to a number) adds a reference line and the share of draws on either side of it.
    Returns the Figure.
    """
    plt = _pyplot()
    prob = check_hdi_prob(hdi_prob)
    panels = []
    for variable in named_variables(posterior, var_names):
        components = _components(variable)
        for k, label in enumerate(variable.labels):
            panels.append((label, variable.name, components[..., k].ravel()))
    if not panels:
        raise ValueError("plot_posterior needs at least one variable; var_names selected none")
    n_columns = min(3, len(panels))
    n_rows = math.ceil(len(panels) / n_columns)
    figure, axes = plt.subplots(
        n_rows,
        n_columns,
        figsize=figsize or (4.2 * n_columns, 3.0 * n_rows),
        squeeze=False,
        layout="constrained",
    )
    for ax in axes.ravel()[len(panels) :]:
        figure.delaxes(ax)
    for ax, (label, name, values) in zip(axes.ravel(), panels, strict=False):
        draw_distribution(ax, values, color="C0", linewidth=1.5)
        _annotate_mean(ax, float(values.mean()))
        _annotate_hdi(ax, values, prob)
        reference = _reference_for(ref_val, label, name)
        if reference is not None:
            _annotate_reference(ax, values, float(reference))
        ax.set_title(label)
        ax.set_yticks([])
        # Headroom above the density for the mean and reference labels.
        ax.set_ylim(0, 1.3 * ax.get_ylim()[1])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    return figure


def _annotate_mean(ax: Any, mean: float) -> None:
    along_x = ax.get_xaxis_transform()  # x in data units, y as a fraction of the axes' height
    ax.axvline(mean, color="C1", linestyle="--", linewidth=1.0, gid="mean")
    ax.text(
        mean,
        0.97,
        f"mean={_number(mean)}",
        transform=along_x,
        ha="center",
        va="top",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
    )


def _annotate_hdi(ax: Any, values: FloatArray, hdi_prob: float) -> None:
    low, high = narrowest_intervals(values.reshape(1, 1, -1), hdi_prob)[0]
    along_x = ax.get_xaxis_transform()
    height = 0.04
    ax.plot(
        [low, high],
        [height, height],
        color="black",
        linewidth=4,
        solid_capstyle="butt",
        transform=along_x,
        gid="hdi",
    )
    ax.annotate(
        f"{100 * hdi_prob:g}% HDI",
        ((low + high) / 2, height),
        xycoords=along_x,
        xytext=(0, 5),
        textcoords="offset points",
        ha="center",
        va="bottom",
    )
    # The ends are labelled outside the bar, so that a narrow interval keeps them apart.
    for end, side, offset in ((low, "right", -4), (high, "left", 4)):
        ax.annotate(
            _number(end),
            (end, height),
            xycoords=along_x,
            xytext=(offset, 0),
            textcoords="offset points",
            ha=side,
            va="center",
        )


def _annotate_reference(ax: Any, values: FloatArray, reference: float) -> None:
    below = float(np.mean(values < reference))
    along_x = ax.get_xaxis_transform()
    ax.axvline(reference, color="C2", linewidth=1.5, gid="ref_val")
    ax.text(
        reference,
        0.84,
        f"{below:.1%} < {_number(reference)} < {1 - below:.1%}",
        transform=along_x,
        ha="center",
        va="top",
        color="C2",
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8},
    )
