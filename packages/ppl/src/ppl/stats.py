"""Diagnostics and plots of traces under PyMC's names, computed by ``samplers``.

``pm.summary(trace)``, ``pm.ess``, ``pm.rhat``, ``pm.mcse``, ``pm.hdi``,
``pm.traceplot`` and ``pm.plot_posterior`` take what ``pm.sample`` returns (also
``trace[1000:]``, InferenceData or a mapping name -> (chains, draws, ...) arrays) and
give samplers' results, which equal ArviZ's. PyMC 3's spellings are accepted:
``varnames=`` for ``var_names=``, ``credible_interval=`` for ``hdi_prob=``,
``pm.effective_n`` and ``pm.gelman_rubin`` for ``ess`` and ``rhat``, ``pm.hpd(trace,
alpha=0.05)`` for ``hdi``, and ``start=`` (draws to drop from each chain) where
PyMC 3's summary and plots had it.
"""

from __future__ import annotations

from typing import Any

import samplers
from ppl.options import refuse_unknown
from samplers.diagnostics.hdi import DEFAULT_HDI_PROB


def _selected(data: Any, var_names: Any, varnames: Any, start: int = 0) -> tuple[Any, Any]:
    """(the data without each chain's first ``start`` draws, the variable names)."""
    names = var_names if var_names is not None else varnames
    if start < 0:
        raise ValueError(f"start= is the number of draws to drop from each chain; got {start}")
    if start:
        if not isinstance(data, samplers.Trace):
            raise TypeError(f"start= drops draws of a trace; got {type(data).__name__}")
        data = data[start:]
    return data, names


def summary(
    data: Any,
    var_names: Any = None,
    hdi_prob: float | None = None,
    round_to: int | str | None = None,
    kind: str = "all",
    *,
    varnames: Any = None,
    credible_interval: float | None = None,
    start: int = 0,
    **kwargs: Any,
) -> samplers.Summary:
    """Mean, sd, HDI, MCSE, ESS and R-hat of each variable: a table read as
    ``summary[column][variable]``, printed aligned, ``.to_pandas()`` with pandas."""
    refuse_unknown("pm.summary", kwargs)
    data, names = _selected(data, var_names, varnames, start)
    prob = hdi_prob if hdi_prob is not None else credible_interval
    return samplers.summary(
        data,
        names,
        hdi_prob=DEFAULT_HDI_PROB if prob is None else prob,
        round_to=round_to,
        kind=kind,
    )


def ess(
    data: Any,
    var_names: Any = None,
    method: str = "bulk",
    relative: bool = False,
    prob: Any = None,
    *,
    varnames: Any = None,
) -> Any:
    """Effective sample size of each variable (a dict of arrays), or of one array."""
    data, names = _selected(data, var_names, varnames)
    return samplers.ess(data, var_names=names, method=method, relative=relative, prob=prob)


def effective_n(data: Any, varnames: Any = None, *, var_names: Any = None, **kwargs: Any) -> Any:
    """PyMC 3's ``effective_n``: the effective sample size of each variable, a dict."""
    return ess(data, var_names if var_names is not None else varnames, **kwargs)


def rhat(data: Any, var_names: Any = None, method: str = "rank", *, varnames: Any = None) -> Any:
    """R-hat of each variable (a dict of arrays), or of one array (chains, draws, ...)."""
    data, names = _selected(data, var_names, varnames)
    return samplers.rhat(data, var_names=names, method=method)


def gelman_rubin(data: Any, varnames: Any = None, *, var_names: Any = None, **kwargs: Any) -> Any:
    """PyMC 3's name for ``rhat``."""
    return rhat(data, var_names if var_names is not None else varnames, **kwargs)


def mcse(
    data: Any,
    var_names: Any = None,
    method: str = "mean",
    prob: float | None = None,
    *,
    varnames: Any = None,
) -> Any:
    """Monte Carlo standard error of each variable, or of one array."""
    data, names = _selected(data, var_names, varnames)
    return samplers.mcse(data, var_names=names, method=method, prob=prob)


def hdi(data: Any, hdi_prob: float = DEFAULT_HDI_PROB, var_names: Any = None, **kwargs: Any) -> Any:
    """Highest density interval (low, high) of each variable, or of one array."""
    data, names = _selected(data, var_names, kwargs.pop("varnames", None))
    refuse_unknown("pm.hdi", kwargs)
    return samplers.hdi(data, hdi_prob, var_names=names)


def hpd(data: Any, alpha: float = 0.05, var_names: Any = None, **kwargs: Any) -> Any:
    """PyMC 3's ``hpd``: the HDI holding ``1 - alpha`` of the draws."""
    return hdi(data, 1.0 - alpha, var_names, **kwargs)


def traceplot(
    data: Any,
    var_names: Any = None,
    divergences: bool = True,
    figsize: tuple[float, float] | None = None,
    *,
    varnames: Any = None,
    start: int = 0,
    **kwargs: Any,
) -> Any:
    """Each variable's density per chain and its draws over iteration (a Figure)."""
    refuse_unknown("pm.traceplot", kwargs)
    data, names = _selected(data, var_names, varnames, start)
    return samplers.traceplot(data, names, divergences=bool(divergences), figsize=figsize)


def plot_posterior(
    data: Any,
    var_names: Any = None,
    hdi_prob: float | None = None,
    ref_val: Any = None,
    figsize: tuple[float, float] | None = None,
    *,
    varnames: Any = None,
    credible_interval: float | None = None,
    alpha_level: float | None = None,
    start: int = 0,
    **kwargs: Any,
) -> Any:
    """Each component's posterior density with its mean and HDI marked (a Figure)."""
    refuse_unknown("pm.plot_posterior", kwargs)
    data, names = _selected(data, var_names, varnames, start)
    prob = hdi_prob if hdi_prob is not None else credible_interval
    if prob is None and alpha_level is not None:
        prob = 1.0 - alpha_level
    return samplers.plot_posterior(
        data, names, DEFAULT_HDI_PROB if prob is None else prob, ref_val, figsize=figsize
    )
