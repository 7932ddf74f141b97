"""The op table: every ``testing/cases_<family>.py`` module's ``CASES``, gathered.

A family adds rows by adding a module; ``ALL_CASES`` finds it. Other packages
(autodiff, ccodegen, cudagen) run their own checks over the same rows.
"""

from __future__ import annotations

import importlib
import pkgutil

from tensorops.testing.case import OpCase


def _collect() -> list[OpCase]:
    cases: list[OpCase] = []
    seen: dict[str, str] = {}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module_info.name.startswith("cases_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for case in module.CASES:
            if case.name in seen:
                where = f"{seen[case.name]} and {module_info.name}"
                raise ValueError(f"op case {case.name!r} is defined in both {where}")
            seen[case.name] = module_info.name
            cases.append(case)
    return cases


ALL_CASES: list[OpCase] = _collect()

__all__ = ["ALL_CASES", "OpCase"]
