"""W2: µs per call. The default call of ``x + y`` on float64 scalars and of M1's log
density plus gradient (FAST_RUN: our C backend; and with ``trust_input=True``) beside
PyTensor's default (its C backend) and ``jax.jit``; and 1-op and 20-op scalar graphs on
the Python linker beside PyTensor's FAST_COMPILE (its Python linker)."""

from __future__ import annotations

from common import jax_with_x64, optional_import, record, time_call, unavailable

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


def measure_eight_schools(impl: str, pt, function, grad) -> None:
    """M1's log density and gradient at a fixed point, a 10-vector in: called as a user
    calls it, and with ``trust_input=True`` (as a sampler does)."""
    import numpy as np
    from models import eight_schools_logp

    x = pt.dvector("x")
    logp = eight_schools_logp(pt, x)
    point = np.linspace(-1.0, 1.0, 10)
    for label, options in (("default call", {}), ("trust_input=True", {"trust_input": True})):
        compiled = function([x], [logp, grad(logp, x)], **options)
        median, best = time_call(lambda compiled=compiled: compiled(point))
        record(WORKLOAD, f"eight schools logp+grad, {label}", impl, "us", median * 1e6, best * 1e6)


def measure_jax() -> None:
    """``jax.jit`` equivalents, with NumPy in and out (what a sampler hands over)."""
    jax = jax_with_x64(WORKLOAD)
    if jax is None:
        return
    import jax.numpy as jnp
    import numpy as np
    from models import eight_schools_logp

    add = jax.jit(lambda x, y: x + y)
    median, best = time_call(lambda: add(1.5, 0.5).block_until_ready())
    record(WORKLOAD, "x + y, default call", "jax.jit", "us", median * 1e6, best * 1e6)
    value_and_grad = jax.jit(jax.value_and_grad(lambda x: eight_schools_logp(jnp, x)))
    point = np.linspace(-1.0, 1.0, 10)

    def call() -> tuple[float, np.ndarray]:
        value, gradient = value_and_grad(point)
        return float(value), np.asarray(gradient)

    median, best = time_call(call)
    for label in ("default call", "trust_input=True"):
        record(WORKLOAD, f"eight schools logp+grad, {label}", "jax.jit value_and_grad",
               "us", median * 1e6, best * 1e6)  # fmt: skip


def main() -> None:
    import tensorops as pt
    from autodiff import grad

    measure_default_call("ours", pt)
    measure_eight_schools("ours", pt, pt.function, grad)
    measure("ours", pt, "FAST_COMPILE")
    measure_jax()
    pytensor = optional_import("pytensor")
    if pytensor is None:
        unavailable(WORKLOAD, "pytensor", "not installed")
        return
    import pytensor.tensor as ptt

    class PyTensorModule:
        dscalar = staticmethod(ptt.dscalar)
        function = staticmethod(pytensor.function)

    measure_default_call("pytensor C", PyTensorModule)
    measure_eight_schools("pytensor C", ptt, pytensor.function, pytensor.grad)
    measure("pytensor FAST_COMPILE", PyTensorModule, "FAST_COMPILE")


if __name__ == "__main__":
    main()
