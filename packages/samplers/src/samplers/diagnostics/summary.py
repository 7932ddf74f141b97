"""``summary``: mean, sd, HDI and convergence diagnostics of every variable, as ArviZ has them."""

from __future__ import annotations

from typing import Any

import numpy as np

from samplers.diagnostics.draws import MIN_DRAWS, FloatArray, as_draws
from samplers.diagnostics.ess import effective_size, mean_ess, tail_ess
from samplers.diagnostics.hdi import DEFAULT_HDI_PROB, check_hdi_prob, narrowest_intervals
from samplers.diagnostics.ranks import fold, pooled_mean, rank_normalize, split_chains
from samplers.diagnostics.rhat import larger, potential_scale_reduction
from samplers.diagnostics.table import Summary
from samplers.diagnostics.variables import VarNames, named_variables

DIAGNOSTIC_COLUMNS = ("mcse_mean", "mcse_sd", "ess_bulk", "ess_tail", "r_hat")
KINDS = ("all", "stats", "diagnostics")

_DEFAULT_DECIMALS = {"ess_bulk": 0, "ess_tail": 0, "r_hat": 2}
"""ArviZ rounds by default: ESS to whole draws, R-hat to 2 decimals, the rest to 3."""


def hdi_column_names(hdi_prob: float) -> tuple[str, str]:
    """``hdi_3%`` and ``hdi_97%`` for 0.94: the tail share left out on either side."""
    alpha = 1 - hdi_prob
    return (f"hdi_{100 * alpha / 2:g}%", f"hdi_{100 * (1 - alpha / 2):g}%")


def summary_statistics(draws: FloatArray, hdi_prob: float) -> FloatArray:
    """(V, 9) mean, sd, HDI ends, mcse_mean, mcse_sd, ess_bulk, ess_tail, r_hat of (V, C, N).

    As in ``arviz.summary``, the tail R-hat folds the draws around their median before
    splitting the chains (``rhat`` alone folds after), which differs for an odd draw count.
    """
    n_variables, n_chains, n_draws = draws.shape
    size = n_chains * n_draws
    pooled = draws.reshape(n_variables, size)
    mean = pooled.mean(axis=1)
    sd = pooled.std(axis=1, ddof=1)
    interval = narrowest_intervals(draws, hdi_prob)

    bulk_scores = rank_normalize(split_chains(draws))
    if n_chains < 2:
        r_hat = np.full(n_variables, np.nan)
    else:
        bulk = potential_scale_reduction(bulk_scores)
        tail = potential_scale_reduction(rank_normalize(split_chains(fold(draws))))
        r_hat = larger(bulk, tail)

    squared_deviation = (draws - pooled_mean(draws)) ** 2
    total_squares = squared_deviation.reshape(n_variables, size).sum(axis=1)
    mcse_mean = np.sqrt(total_squares / (size - 1) / mean_ess(draws))
    # Delta method: Var(sd) ≈ Var(variance) / (4 variance), Var(variance) from the ESS of (x - x̄)².
    variance = total_squares / size
    fourth_moment = (squared_deviation**2).reshape(n_variables, size).mean(axis=1)
    variance_of_variance = (fourth_moment - variance**2) / mean_ess(squared_deviation)
    mcse_sd = np.sqrt(variance_of_variance / variance / 4)

    columns = (
        mean,
        sd,
        interval[:, 0],
        interval[:, 1],
        mcse_mean,
        mcse_sd,
        effective_size(bulk_scores),
        tail_ess(draws),
        r_hat,
    )
    statistics = np.stack(columns, axis=1)
    statistics[np.isnan(draws).any(axis=(1, 2))] = np.nan
    return statistics


def _decimals(columns: list[str], round_to: int | str | None) -> dict[str, int] | None:
    if round_to is None:
        return {name: _DEFAULT_DECIMALS.get(name, 3) for name in columns}
    if isinstance(round_to, str):
        if round_to.lower() != "none":
            raise ValueError(f"round_to must be an int, None or 'none'; got {round_to!r}")
        return None
    return dict.fromkeys(columns, int(round_to))


def summary(
    data: Any,
    var_names: VarNames = None,
    *,
    hdi_prob: float = DEFAULT_HDI_PROB,
    round_to: int | str | None = None,
    kind: str = "all",
) -> Summary:
    """Summary table of a trace, a mapping name -> (chains, draws, *shape), or one array.

    Rows are ``mu``, ``theta[0]``, ``L[0, 1]``; columns mean, sd, hdi_3%, hdi_97%,
    mcse_mean, mcse_sd, ess_bulk, ess_tail, r_hat (``kind="stats"`` keeps the first four,
    ``kind="diagnostics"`` the last five). As in ArviZ, ``round_to=None`` rounds to 3
    decimals (ESS to integers, R-hat to 2), an int rounds every column to that many, and
    ``"none"`` keeps full precision.
    """
    prob = check_hdi_prob(hdi_prob)
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    variables = named_variables(data, var_names)
    all_columns = ["mean", "sd", *hdi_column_names(prob), *DIAGNOSTIC_COLUMNS]

    # Variables with the same (chains, draws) are stacked and summarized in one batch.
    blocks: dict[tuple[int, int], list[int]] = {}
    laid_out = []
    for position, variable in enumerate(variables):
        draws, _ = as_draws(variable.draws, f"posterior[{variable.name!r}]", MIN_DRAWS)
        laid_out.append(draws)
        blocks.setdefault(draws.shape[1:], []).append(position)
    per_variable: list[FloatArray] = [np.empty((0, len(all_columns)))] * len(variables)
    for positions in blocks.values():
        batch = np.concatenate([laid_out[i] for i in positions], axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            statistics = summary_statistics(batch, prob)
        offsets = np.cumsum([0] + [laid_out[i].shape[0] for i in positions])
        for i, start, stop in zip(positions, offsets[:-1], offsets[1:], strict=True):
            per_variable[i] = statistics[start:stop]

    values = np.concatenate(per_variable, axis=0) if variables else np.empty((0, len(all_columns)))
    labels = [label for variable in variables for label in variable.labels]
    selected = {"all": slice(None), "stats": slice(0, 4), "diagnostics": slice(4, None)}[kind]
    columns = all_columns[selected]
    values = values[:, selected].copy()
    decimals = _decimals(columns, round_to)
    if decimals is not None:
        for j, name in enumerate(columns):
            values[:, j] = np.round(values[:, j], decimals[name])
    return Summary(columns, labels, values, decimals)
