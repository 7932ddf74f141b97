"""CUDA kernels for tensor graphs: ``mode="CUDA"`` runs a graph on an NVIDIA GPU.

Without a GPU, ``cuda_source(inputs, outputs)`` still gives the CUDA C++ of a graph's
kernels, and ``plan_of`` says which node runs where; nvcc compiles them anywhere
(``cudagen.nvcc``). pycuda, the optional ``cuda`` extra, is imported only to run.
"""

from cudagen.device import NoCudaDeviceError, no_device_reason
from cudagen.linker import CudaLinker
from cudagen.plan import Plan, build_plan
from cudagen.rules import cuda_ops
from cudagen.source import cuda_source, module_source, plan_of
from graphcore import register_linker

__version__ = "0.1.0"

# The entry point registers the linker for graphcore; importing cudagen does too, so an
# environment whose installed metadata predates the entry point still has mode='CUDA'.
register_linker(CudaLinker.name, CudaLinker)

__all__ = [
    "CudaLinker",
    "NoCudaDeviceError",
    "Plan",
    "build_plan",
    "cuda_ops",
    "cuda_source",
    "module_source",
    "no_device_reason",
    "plan_of",
]
