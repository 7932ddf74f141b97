"""Issue 4's measurements: building and compiling the gradient of long chains (it must
grow linearly with the chain), and the size of the rewritten logistic-regression
gradient beside PyTensor's for the same graph."""

from __future__ import annotations

import time

import numpy as np
from common import optional_import, record, unavailable

WORKLOAD = "grad"


def chain(pt, x, length):
    """``length`` elementwise ops alternating sin, *1.001 and +x: a deep, narrow graph."""
    out = x
    for step in range(length):
        kind = step % 3
        out = pt.sin(out) if kind == 0 else (out * 1.001 if kind == 1 else out + x)
    return out


def build_and_compile(pt, grad, function, length, mode):
    x = pt.dvector("x")
    started = time.perf_counter()
    gradient = grad(pt.sum(chain(pt, x, length)), x)
    built = time.perf_counter()
    function([x], gradient, mode=mode)
    return built - started, time.perf_counter() - built


def logistic_regression_nodes(pt, grad, function, mode):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 20))
    y = (rng.uniform(size=1000) < 0.5).astype(float)
    w = pt.dvector("w")
    p = 1 / (1 + pt.exp(-pt.dot(X, w)))
    nll = -pt.sum(y * pt.log(p) + (1 - y) * pt.log(1 - p))
    compiled = function([w], [nll, grad(nll, w)], mode=mode)
    return len(compiled.maker.fgraph.toposort())


def measure(impl, pt, grad, function, mode):
    for length in (500, 1000, 2000):
        try:
            build, compile_seconds = build_and_compile(pt, grad, function, length, mode)
        except RecursionError:
            unavailable(WORKLOAD, impl, f"RecursionError on the {length}-node chain")
            continue
        record(WORKLOAD, f"build gradient, {length}-node chain", impl, "s", build, build)
        record(
            WORKLOAD,
            f"compile gradient, {length}-node chain",
            impl,
            "s",
            compile_seconds,
            compile_seconds,
        )
    nodes = logistic_regression_nodes(pt, grad, function, mode)
    record(WORKLOAD, "logreg NLL+grad, nodes after rewriting", impl, "", nodes, nodes)


def main() -> None:
    import tensorops as pt
    from autodiff import grad

    measure("ours FAST_RUN", pt, grad, pt.function, "FAST_RUN")
    pytensor = optional_import("pytensor")
    if pytensor is None:
        unavailable(WORKLOAD, "pytensor", "not installed")
        return
    import pytensor.tensor as ptt

    measure("pytensor FAST_RUN", ptt, pytensor.grad, pytensor.function, "FAST_RUN")


if __name__ == "__main__":
    main()
