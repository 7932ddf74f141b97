"""The ``cuda`` linker: mode='CUDA' (graphcore's predefined mode names it).

Its priority is below 0, so ``"auto"`` (FAST_RUN) never picks it: a GPU is asked for by
name. Where there is no device or driver, linking raises one ``NoCudaDeviceError`` saying so
and that FAST_RUN runs on the CPU; nothing falls back silently.
"""

from __future__ import annotations

from typing import ClassVar

from cudagen.device import require_driver
from cudagen.plan import build_plan
from cudagen.source import module_source
from graphcore import CallLayout, FunctionGraph, Program


class CudaLinker:
    name: ClassVar[str] = "cuda"
    priority: ClassVar[int] = -10

    def link(self, fgraph: FunctionGraph, layout: CallLayout | None = None) -> Program:
        driver = require_driver()
        from cudagen.runtime import CudaProgram, PycudaDevice

        layout = layout or CallLayout.fresh(fgraph)
        plan = build_plan(fgraph)
        device = PycudaDevice(driver, module_source(plan.kernels))
        updates = getattr(fgraph, "update_mapping", None) or {}
        return CudaProgram(plan, layout, device, dict(updates))
