"""Timing and reporting shared by the workloads: one JSON line per measurement, then a
table of ratios (ours / theirs) from medians measured side by side in the same run."""

from __future__ import annotations

import json
import statistics
import sys
import timeit
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Measurement:
    workload: str
    case: str
    impl: str
    unit: str
    median: float
    best: float
    extra: dict[str, Any] = field(default_factory=dict)
    better: str = "lower"


RESULTS: list[Measurement] = []


def time_call(
    fn: Callable[[], Any], repeats: int = 7, min_seconds: float = 0.2
) -> tuple[float, float]:
    """Median and best seconds per call, each repeat long enough to be measured well."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    while number * _per_call(timer, number) < min_seconds:
        number *= 2
    samples = [t / number for t in timer.repeat(repeat=repeats, number=number)]
    return statistics.median(samples), min(samples)


def _per_call(timer: timeit.Timer, number: int) -> float:
    return timer.timeit(number) / number


def record(
    workload: str,
    case: str,
    impl: str,
    unit: str,
    median: float,
    best: float,
    better: str = "lower",
    **extra: Any,
) -> None:
    """One measurement; ``better="higher"`` for figures like ESS per gradient evaluation."""
    measurement = Measurement(workload, case, impl, unit, median, best, extra, better)
    RESULTS.append(measurement)
    print(json.dumps(asdict(measurement)), flush=True)


def unavailable(workload: str, impl: str, reason: str) -> None:
    print(json.dumps({"workload": workload, "impl": impl, "skipped": reason}), flush=True)


def ratio_table(ours: str = "ours") -> str:
    """For each (workload, case): our median over every other implementation's median."""
    rows = [
        "",
        f"{'workload':<10} {'case':<40} {'vs':<34} {'ours':>12} {'theirs':>12} {'ratio':>7}",
    ]
    cases: dict[tuple[str, str], list[Measurement]] = {}
    for m in RESULTS:
        cases.setdefault((m.workload, m.case), []).append(m)
    for (workload, case), measured in cases.items():
        mine = [m for m in measured if m.impl.startswith(ours)]
        for m in mine:
            for other in measured:
                if other.impl.startswith(ours):
                    continue
                marker = "  (higher is better)" if m.better == "higher" else ""
                # Several of ours in one case (fused, unfused): say which one is compared.
                versus = other.impl if len(mine) == 1 else f"{m.impl} vs {other.impl}"
                rows.append(
                    f"{workload:<10} {case:<40} {versus:<34} {m.median:>10.4g}{m.unit:>2} "
                    f"{other.median:>10.4g}{other.unit:>2} {m.median / other.median:>7.2f}{marker}"
                )
    rows.append(
        "ratio = ours / theirs: below 1 is better for times and sizes, above 1 where marked"
    )
    return "\n".join(rows)


def optional_import(name: str) -> Any:
    try:
        return __import__(name)
    except Exception as error:  # a competitor that fails to import is reported, not fatal
        print(f"# {name} unavailable: {type(error).__name__}: {error}", file=sys.stderr)
        return None


def jax_with_x64(workload: str) -> Any:
    """``jax`` with float64 enabled, or None (reported as unavailable for ``workload``)."""
    jax = optional_import("jax")
    if jax is None:
        unavailable(workload, "jax", "not installed")
        return None
    jax.config.update("jax_enable_x64", True)
    return jax
