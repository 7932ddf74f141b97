"""`nox -s bench`: every workload of shared/bench/WORKLOADS.md that our packages cover so
far, beside the competitors installed in the bench session, then the ratio table."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ratio_table

WORKLOADS = [
    "w1_w4_compile_and_gradient",
    "w2_call_overhead",
    "w3_elementwise",
    "w5_scan",
    "autodiff_scaling",
    "w8_rewriting",
    "fusion_and_compile",
    "samplers_nuts",
    "nuts_overhead",
    "ppl_models",
    "ppl_sampling",
    "dask_chains",
]


def main() -> int:
    failed = []
    for name in WORKLOADS:
        print(f"# {name}", flush=True)
        try:
            importlib.import_module(name).main()
        except Exception:
            failed.append(name)
            traceback.print_exc()
    print(ratio_table())
    if failed:
        print(f"failed workloads: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
