"""The demo: run every documented example end to end and print what it computes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from readme_blocks import readme_blocks


def main() -> int:
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
    print(f"\n{failures} example(s) failed" if failures else "\nevery example ran")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
