"""What ``pm.sample`` says around sampling: the steps it chose, and PyMC's warnings after.

After sampling it warns, as PyMC does, about divergent transitions after tuning, about
R-hat above 1.01 and about a bulk effective sample size below 100 per chain (400 for
four chains): signs that the draws do not yet describe the posterior.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import samplers

RHAT_LIMIT = 1.01
ESS_PER_CHAIN = 100
MIN_DRAWS_FOR_CHECKS = 100


class SamplingWarning(UserWarning):
    """The draws show signs of a problem: divergences, R-hat above 1.01, a low ESS."""


def step_lines(steps: Sequence[Any]) -> list[str]:
    """One line per step: ``NUTS: [mu, sigma]``."""
    lines = []
    for step in steps:
        names = getattr(step, "var_names", None) or step.vars
        lines.append(f"{type(step).__name__}: [{', '.join(names)}]")
    return lines


def announce(
    steps: Sequence[Any], chains: int, cores: int, tune: int, draws: int, executor: Any = None
) -> None:
    """Print, once, how the chains run and which step samples which variables."""
    how = "Multiprocess" if min(chains, cores) > 1 else "Sequential"
    jobs = min(chains, cores)
    where = f"{jobs} job{'s' if jobs > 1 else ''}"
    if executor is not None:
        how, where = "Chunked", f"tasks on a {type(executor).__name__}"
    print(
        f"{how} sampling ({chains} chain{'s' if chains > 1 else ''} in {where}), "
        f"{tune} tune and {draws} draw iterations each",
        file=sys.stderr,
    )
    for line in step_lines(steps):
        print(line, file=sys.stderr)


def announce_time(trace: Any, tune: int, draws: int) -> None:
    seconds = trace.attrs.get("sampling_time")
    if seconds is None:
        return
    chains = trace.nchains
    print(
        f"Sampling {chains} chains for {tune} tune and {draws} draw iterations "
        f"({chains * tune} + {chains * draws} draws total) took {seconds:.1f} seconds.",
        file=sys.stderr,
    )


def _warn(message: str) -> None:
    warnings.warn(message, SamplingWarning, stacklevel=4)


def convergence_warnings(trace: Any, variables: Sequence[str], check: bool) -> list[str]:
    """Warn about divergences and, with ``check``, R-hat and ESS; return the messages."""
    messages = []
    if "diverging" in trace.stats and len(trace):
        divergences = int(np.sum(trace.stats["diverging"]))
        if divergences:
            messages.append(
                f"There {'were' if divergences > 1 else 'was'} {divergences} divergence"
                f"{'s' if divergences > 1 else ''} after tuning. Increase `target_accept` "
                "or reparameterize."
            )
    if check:
        messages += _convergence(trace, variables)
    for message in messages:
        _warn(message)
    return messages


def _convergence(trace: Any, variables: Sequence[str]) -> list[str]:
    if len(trace) < MIN_DRAWS_FOR_CHECKS:
        return [
            f"The number of draws ({len(trace)} per chain) is too small to check "
            "convergence reliably."
        ]
    arrays = {
        name: np.asarray(trace.posterior[name], dtype=np.float64)
        for name in variables
        if np.issubdtype(trace.posterior[name].dtype, np.number)
    }
    messages = []
    if trace.nchains < 2:
        messages.append(
            "Only one chain was sampled: at least 4 are recommended to check convergence."
        )
    else:
        high = [name for name, a in arrays.items() if _worst(samplers.rhat(a), max) > RHAT_LIMIT]
        if high:
            messages.append(
                f"The rhat statistic is larger than {RHAT_LIMIT} for some parameters "
                f"({', '.join(high)}). This indicates problems during sampling."
            )
    smallest = ESS_PER_CHAIN * trace.nchains
    low = [name for name, a in arrays.items() if _worst(samplers.ess(a), min) < smallest]
    if low:
        messages.append(
            f"The effective sample size is smaller than {smallest} ({ESS_PER_CHAIN} per "
            f"chain) for some parameters ({', '.join(low)}). A higher number is needed for "
            "reliable rhat and ess computation."
        )
    return messages


def _worst(estimate: Any, pick: Any) -> float:
    """The worst finite value of a diagnostic (constant draws give NaN: ignored)."""
    values = np.asarray(estimate, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    return float(pick(values)) if values.size else (1.0 if pick is max else np.inf)
