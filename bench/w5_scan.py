"""W5: scan. The seed's ``A**k`` (k = 1000, A of size 10, only the last value used) and the
polynomial of 1,000 coefficients: time per call, and compile time with an empty and a
warm cache (each in a new process), ours beside PyTensor's scan (C and numba modes),
``jax.lax.scan``, a Python loop and NumPy."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from common import jax_with_x64, optional_import, record, time_call, unavailable
from w1_w4_compile_and_gradient import compile_in_fresh_process

WORKLOAD = "W5"
K = 1000
A_VALUE = np.arange(10.0) / 10 + 0.5
COEFFICIENTS = np.random.default_rng(5).normal(size=1000)
X_VALUE = 0.999

POWER = (
    "k = pt.iscalar('k'); A = pt.vector('A');"
    "result, updates = scan(fn=lambda prior, A: prior * A, outputs_info=pt.ones_like(A),"
    " non_sequences=A, n_steps=k);"
    "build = lambda: function(inputs=[A, k], outputs=result[-1], updates=updates)"
)
POLYNOMIAL = (
    "c = pt.vector('c'); x = pt.scalar('x');"
    "components, updates = scan(fn=lambda co, p, v: co * (v ** p), outputs_info=None,"
    " sequences=[c, pt.arange(1000)], non_sequences=x);"
    "build = lambda: function(inputs=[c, x], outputs=components.sum())"
)
SCAN_IMPORT = {"ours": "from scanloop import scan", "pytensor": "from pytensor import scan"}


def measure_compile(impl: str) -> None:
    for case, snippet in (("power", POWER), ("polynomial", POLYNOMIAL)):
        code = f"{SCAN_IMPORT[impl]}; {snippet}"
        with tempfile.TemporaryDirectory() as root:
            cold = [compile_in_fresh_process(impl, code, Path(root) / f"cold{k}") for k in range(3)]
            warm = [compile_in_fresh_process(impl, code, Path(root) / "cold0") for _ in range(3)]
        record(WORKLOAD, f"{case}: compile, empty cache", impl, "s", float(np.median(cold)),
               min(cold))  # fmt: skip
        record(WORKLOAD, f"{case}: compile, warm cache", impl, "s", float(np.median(warm)),
               min(warm))  # fmt: skip


def measure_calls(impl: str, pt, function, scan, mode=None) -> None:
    options = {} if mode is None else {"mode": mode}
    k, A = pt.iscalar("k"), pt.vector("A")
    result, updates = scan(fn=lambda prior, A: prior * A, outputs_info=pt.ones_like(A),
                           non_sequences=A, n_steps=k)  # fmt: skip
    power = function(inputs=[A, k], outputs=result[-1], updates=updates, **options)
    np.testing.assert_allclose(power(A_VALUE, K), A_VALUE**K)
    median, best = time_call(lambda: power(A_VALUE, K))
    record(WORKLOAD, "power A**k, per call", impl, "ms", median * 1e3, best * 1e3,
           scan_left=_has_scan(power))  # fmt: skip
    c, x = pt.vector("c"), pt.scalar("x")
    components, _ = scan(fn=lambda co, p, v: co * (v**p), outputs_info=None,
                         sequences=[c, pt.arange(1000)], non_sequences=x)  # fmt: skip
    polynomial = function(inputs=[c, x], outputs=components.sum(), **options)
    expected = float(np.sum(COEFFICIENTS * X_VALUE ** np.arange(1000)))
    np.testing.assert_allclose(polynomial(COEFFICIENTS, X_VALUE), expected, rtol=1e-10)
    median, best = time_call(lambda: polynomial(COEFFICIENTS, X_VALUE))
    record(WORKLOAD, "polynomial, per call", impl, "ms", median * 1e3, best * 1e3,
           scan_left=_has_scan(polynomial))  # fmt: skip


def _has_scan(compiled) -> bool:
    return any("Scan" in type(node.op).__name__ for node in compiled.maker.fgraph.toposort())


def measure_jax() -> None:
    jax = jax_with_x64(WORKLOAD)
    if jax is None:
        return
    import jax.numpy as jnp

    @jax.jit
    def power(A, k):
        final, _ = jax.lax.scan(lambda prior, _: (prior * A, None), jnp.ones_like(A), None,
                                length=K)  # fmt: skip
        return final

    @jax.jit
    def polynomial(c, x):
        def step(total, item):
            co, p = item
            return total + co * x**p, None

        total, _ = jax.lax.scan(step, 0.0, (c, jnp.arange(1000.0)))
        return total

    power(A_VALUE, K).block_until_ready()
    median, best = time_call(lambda: np.asarray(power(A_VALUE, K)))
    record(WORKLOAD, "power A**k, per call", "jax.lax.scan", "ms", median * 1e3, best * 1e3)
    median, best = time_call(lambda: float(polynomial(COEFFICIENTS, X_VALUE)))
    record(WORKLOAD, "polynomial, per call", "jax.lax.scan", "ms", median * 1e3, best * 1e3)


def measure_numpy() -> None:
    def python_loop():
        result = np.ones_like(A_VALUE)
        for _ in range(K):
            result = result * A_VALUE
        return result

    median, best = time_call(python_loop)
    record(WORKLOAD, "power A**k, per call", "python loop (numpy)", "ms", median * 1e3, best * 1e3)
    median, best = time_call(lambda: np.power(A_VALUE, K))
    record(WORKLOAD, "power A**k, per call", "numpy power", "ms", median * 1e3, best * 1e3)
    powers = np.arange(1000)
    median, best = time_call(lambda: float(np.sum(COEFFICIENTS * X_VALUE**powers)))
    record(WORKLOAD, "polynomial, per call", "numpy vectorised", "ms", median * 1e3, best * 1e3)


def main() -> None:
    import tensorops as pt
    from scanloop import scan

    measure_calls("ours", pt, pt.function, scan)
    measure_compile("ours")
    measure_jax()
    measure_numpy()
    pytensor = optional_import("pytensor")
    if pytensor is None:
        unavailable(WORKLOAD, "pytensor", "not installed")
        return
    import pytensor.tensor as ptt

    measure_calls("pytensor C", ptt, pytensor.function, pytensor.scan)
    if optional_import("numba") is not None:
        measure_calls("pytensor numba", ptt, pytensor.function, pytensor.scan, mode="NUMBA")
    measure_compile("pytensor")


if __name__ == "__main__":
    main()
