"""Fusion: what a fused elementwise chain costs per call, and what fusing costs to compile.

(a) A 20-op chain on two float64 vectors (``chain`` below: 6 transcendental and 14
arithmetic ops once FAST_RUN has rewritten it), at 10^3 and 10^6 elements: our fused
Python thunk (FAST_RUN), the same graph with fusion turned off (one thunk per op,
buffers reused), and plain NumPy (one temporary per op).

(b) Compile time and peak traced memory of ``function([x], e)`` for graphs of 100,
1,000 and 10,000 nodes whose values are read several times each (squarings and
``exp(-e*e)`` steps on a running value, plus ``e + x``): the fused programs' size must
follow the node count, not the size of the expression tree.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
from common import record, time_call

WORKLOAD = "fusion"
CHAIN_SIZES = (10**3, 10**6)
GRAPH_SIZES = (100, 1_000, 10_000)


def chain(module, x, y):
    """20 elementwise ops after FAST_RUN's rewrites (log(1 + y*y) becomes log1p(y*y))."""
    a = module.exp(-(x * x))
    b = module.log(1.0 + y * y)
    c = module.sin(a + b) * 0.5
    d = module.sqrt(c * c + 1.0)
    e = (d - a) * (b + x)
    f = module.exp(e * 0.1) + module.cos(y)
    return f / (1.0 + d)


def measure_chain() -> None:
    import graphcore
    import tensorops as pt

    x, y = pt.dvector("x"), pt.dvector("y")
    fused = pt.function([x, y], chain(pt, x, y), mode="FAST_RUN")
    unfused_mode = graphcore.get_mode("FAST_RUN").excluding("fusion")
    unfused = pt.function([x, y], chain(pt, x, y), mode=unfused_mode)
    ops = len(unfused.maker.fgraph.apply_nodes)
    assert len(fused.maker.fgraph.apply_nodes) == 1, "the chain should fuse into one node"
    rng = np.random.default_rng(0)
    for n in CHAIN_SIZES:
        xv, yv = rng.uniform(-1, 1, n), rng.uniform(-1, 1, n)
        expected = chain(np, xv, yv)
        for impl, call in (
            ("ours fused", lambda x=xv, y=yv: fused(x, y)),
            ("ours unfused", lambda x=xv, y=yv: unfused(x, y)),
            ("numpy", lambda x=xv, y=yv: chain(np, x, y)),
        ):
            np.testing.assert_allclose(call(), expected, rtol=1e-12)  # and warms the buffers
            median, best = time_call(call, repeats=7, min_seconds=0.2)
            record(WORKLOAD, f"{ops}-op chain n={n:.0e}", impl, "us", median * 1e6, best * 1e6)


def reused_graph(pt, nodes: int):
    """A graph of about ``nodes`` nodes on one vector, each value read two or three times."""
    x = pt.dvector("x")
    e, count, step = x, 0, 0
    while count < nodes:
        kind = step % 4
        if kind == 0:
            e, count = pt.exp(-e * e), count + 3
        elif kind == 1:
            e, count = e * e, count + 1
        elif kind == 2:
            e, count = (e + x) * e, count + 2
        else:
            e, count = pt.sqrt(e * e + 1.0), count + 3
        step += 1
    return x, e


def measure_compile() -> None:
    import graphcore
    import tensorops as pt
    from tensorops.composite import Composite

    for nodes in GRAPH_SIZES:
        x, e = reused_graph(pt, nodes)
        counted = len(graphcore.FunctionGraph([x], [e]).apply_nodes)
        start = time.perf_counter()
        f = pt.function([x], e, mode="FAST_RUN")
        seconds = time.perf_counter() - start
        tracemalloc.start()
        pt.function([x], e, mode="FAST_RUN")
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        programs = [
            node.op.scalar_op
            for node in f.maker.fgraph.apply_nodes
            if isinstance(node.op, pt.Elemwise) and isinstance(node.op.scalar_op, Composite)
        ]
        steps = sum(len(p.steps) for p in programs)
        text = sum(len(p.render()) for p in programs)
        f(np.linspace(0.0, 1.0, 5))
        case = f"compile {counted}-node reused graph"
        record(WORKLOAD, case, "ours", "s", seconds, seconds, nodes=counted,
               composites=len(programs), steps=steps, text_chars=text)  # fmt: skip
        record(WORKLOAD, f"{case}, peak memory", "ours", "MB", peak, peak)


def main() -> None:
    import graphcore
    import rewriter.pipeline

    # Running from source no entry point is installed; registering twice is harmless.
    graphcore.register_rewrites(rewriter.pipeline.build)
    measure_chain()
    measure_compile()


if __name__ == "__main__":
    from common import ratio_table

    main()
    print(ratio_table())
