"""The seed documents' examples as scripts (examples/seeds/*.py): finding them, reading the
names each one waits for, and running one in a fresh interpreter. The demo runs them all;
the integration tests run each one.

A script may declare ``REQUIRES = ["scanloop.scan", "ppl.sample"]`` at module level: the
dotted names of our API it needs that may not exist yet. While one of them is missing the
script is reported as waiting for it instead of being run; with ``DEMO_STRICT=1`` in the
environment a waiting script counts as a failure (the demo and the tests both read it).
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRICT = os.environ.get("DEMO_STRICT", "") not in ("", "0")
SEEDS = ROOT / "examples" / "seeds"


def seed_scripts() -> list[Path]:
    """Every example script under examples/seeds, in name order (grouped by seed)."""
    return sorted(path for path in SEEDS.glob("*.py") if not path.name.startswith("_"))


def required_names(script: Path) -> list[str]:
    """The script's module-level ``REQUIRES`` list, read without running the script."""
    tree = ast.parse(script.read_text(), filename=str(script))
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "REQUIRES" for target in statement.targets
        ):
            names = ast.literal_eval(statement.value)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ValueError(f"{script.name}: REQUIRES must be a list of dotted names")
            return names
    return []


def name_exists(dotted: str) -> bool:
    """Whether ``package.attr.attr`` resolves: the package imports and each attribute (or
    submodule) along the path exists."""
    package, *attributes = dotted.split(".")
    try:
        current = importlib.import_module(package)
    except ImportError:
        return False
    path = package
    for attribute in attributes:
        path = f"{path}.{attribute}"
        if hasattr(current, attribute):
            current = getattr(current, attribute)
            continue
        try:
            current = importlib.import_module(path)
        except ImportError:
            return False
    return True


def missing_names(script: Path) -> list[str]:
    """The names of the script's ``REQUIRES`` that do not exist in the installed packages."""
    return [name for name in required_names(script) if not name_exists(name)]


def run_script(
    script: Path, output_dir: Path, *, capture: bool, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` in a fresh interpreter with its plots going to ``output_dir``."""
    env = {**os.environ, "DEMO_OUTPUT": str(output_dir), "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        text=True,
        capture_output=capture,
        timeout=timeout,
        check=False,
    )
