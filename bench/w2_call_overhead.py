"""W2: µs per call. The default call of ``x + y`` on float64 scalars (FAST_RUN, and with
``trust_input=True``) beside PyTensor's default (its C backend); and 1-op and 20-op
scalar graphs on the Python linker beside PyTensor's FAST_COMPILE (its Python linker)."""

from __future__ import annotations

from common import optional_import, record, time_call, unavailable

WORKLOAD = "W2"


def chain(x, y, length):
    """x + y, then alternately multiplied and added with y: ``length`` binary ops in all."""
    out = x + y
    for step in range(length - 1):
        out = out * y if step % 2 == 0 else out + y
    return out


def measure(impl: str, module, mode: str, **function_kwargs) -> None:
    for length in (1, 20):
        x, y = module.dscalar("x"), module.dscalar("y")
        compiled = module.function([x, y], chain(x, y, length), mode=mode, **function_kwargs)
        median, best = time_call(lambda compiled=compiled: compiled(1.5, 0.5))
        record(WORKLOAD, f"python linker, {length}-op scalar", impl, "us", median * 1e6, best * 1e6)


def measure_default_call(impl: str, module, **function_kwargs) -> None:
    """``x + y`` compiled with the default mode, called on Python floats (filtered) and,
    with ``trust_input=True``, on 0-d arrays (nothing to convert)."""
    import numpy as np

    x, y = module.dscalar("x"), module.dscalar("y")
    compiled = module.function([x, y], x + y, **function_kwargs)
    median, best = time_call(lambda: compiled(1.5, 0.5))
    record(WORKLOAD, "x + y, default call", impl, "us", median * 1e6, best * 1e6)
    trusted = module.function([x, y], x + y, trust_input=True, **function_kwargs)
    a, b = np.array(1.5), np.array(0.5)
    median, best = time_call(lambda: trusted(a, b))
    record(WORKLOAD, "x + y, trust_input=True", impl, "us", median * 1e6, best * 1e6)


def main() -> None:
    import tensorops as pt

    measure_default_call("ours", pt)
    measure("ours", pt, "FAST_COMPILE")
    pytensor = optional_import("pytensor")
    if pytensor is None:
        unavailable(WORKLOAD, "pytensor", "not installed")
        return
    import pytensor.tensor as ptt

    class PyTensorModule:
        dscalar = staticmethod(ptt.dscalar)
        function = staticmethod(pytensor.function)

    measure_default_call("pytensor C", PyTensorModule)
    measure("pytensor FAST_COMPILE", PyTensorModule, "FAST_COMPILE")


if __name__ == "__main__":
    main()
