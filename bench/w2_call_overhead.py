"""W2 (Python linker part): µs per call of compiled 1-op and 20-op float64 scalar graphs,
ours on the Python linker beside PyTensor's FAST_COMPILE (its Python linker), same graphs."""

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


def main() -> None:
    import tensorops as pt

    measure("ours", pt, "FAST_COMPILE")
    pytensor = optional_import("pytensor")
    if pytensor is None:
        unavailable(WORKLOAD, "pytensor", "not installed")
        return
    import pytensor.tensor as ptt

    class PyTensorModule:
        dscalar = staticmethod(ptt.dscalar)
        function = staticmethod(pytensor.function)

    measure("pytensor FAST_COMPILE", PyTensorModule, "FAST_COMPILE")


if __name__ == "__main__":
    main()
