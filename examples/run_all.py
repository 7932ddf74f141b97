"""The demo: run every documented example end to end and print what it computes.

First the Python blocks of the READMEs, then every seed example script of
examples/seeds/, each in a fresh interpreter, with its plots written to one folder
(``DEMO_OUTPUT``, a new temporary folder when unset) that is named at the end. A script
whose ``REQUIRES`` names do not exist yet is listed as waiting, not run (a failure with
``DEMO_STRICT=1``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from readme_blocks import readme_blocks
from seed_scripts import ROOT, STRICT, missing_names, run_script, seed_scripts


def run_readme_blocks() -> int:
    """Run each README block in this interpreter; the number that failed."""
    failures = 0
    for where, code in readme_blocks():
        print(f"\n=== {where} ===", flush=True)
        print("\n".join("  > " + line for line in code.rstrip().splitlines()))
        print("  --- output ---", flush=True)
        started = time.perf_counter()
        try:
            exec(compile(code, where, "exec"), {"__name__": "__demo__"})
        except Exception as error:  # the demo reports every example, then fails
            failures += 1
            print(f"  FAILED: {type(error).__name__}: {error}")
        print(f"  ({time.perf_counter() - started:.2f} s)", flush=True)
    return failures


def run_seed_scripts(output_dir: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Run each seed script in its own interpreter: (failed scripts, waiting -> missing names)."""
    failed: list[str] = []
    waiting: dict[str, list[str]] = {}
    for script in seed_scripts():
        where = str(script.relative_to(ROOT))
        print(f"\n=== {where} ===", flush=True)
        missing = missing_names(script)
        if missing:
            waiting[where] = missing
            print(f"  waiting for {', '.join(missing)}: not run", flush=True)
            continue
        started = time.perf_counter()
        result = run_script(script, output_dir, capture=False)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            failed.append(where)
            print(f"  FAILED (exit status {result.returncode})")
        print(f"  ({seconds:.2f} s)", flush=True)
    return failed, waiting


def main() -> int:
    output_dir = Path(os.environ.get("DEMO_OUTPUT") or tempfile.mkdtemp(prefix="demo-plots-"))
    output_dir.mkdir(parents=True, exist_ok=True)
    readme_failures = run_readme_blocks()
    failed, waiting = run_seed_scripts(output_dir)

    print("\n=== summary ===")
    print(f"README examples: {readme_failures or 'none'} failed")
    ran = len(seed_scripts()) - len(waiting)
    print(f"seed scripts: {ran} run, {len(failed)} failed, {len(waiting)} waiting")
    for where in failed:
        print(f"  FAILED  {where}")
    for where, missing in waiting.items():
        print(f"  waiting {where}: for {', '.join(missing)}")
    plots = sorted(path.name for path in output_dir.iterdir() if path.is_file())
    print(f"plots ({len(plots)}) are in {output_dir}")
    for name in plots:
        print(f"  {name}")
    if STRICT and waiting:
        print("DEMO_STRICT is set: the waiting scripts count as failures")
    return 1 if readme_failures or failed or (STRICT and waiting) else 0


if __name__ == "__main__":
    raise SystemExit(main())
