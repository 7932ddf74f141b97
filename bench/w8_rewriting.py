"""W8 (toy-op part): rewrite time per node for generated graphs of 1,000, 10,000 and 50,000
nodes, chains and trees of binary ops, through FAST_RUN's phases (merge, canonicalize with
constant folding, ..., final merge) with two pattern rules registered in canonicalize.

Tensor part: the same sizes of tensor graphs (elementwise chains and trees with sums and
dots, each with something for every phase to do) through our whole FAST_RUN pipeline and
through PyTensor's FAST_RUN rewriter on the same graph built with pytensor.tensor; and
the eight-schools log density plus gradient, compiled and rewritten, beside PyTensor."""

from __future__ import annotations

import statistics
import time
from collections import deque
from functools import partial
from typing import Any

from common import record, unavailable

WORKLOAD = "W8"
SIZES = (1_000, 10_000, 50_000)
PYTENSOR_SECONDS = 300  # a PyTensor size projected to take longer is skipped (and said so)


def toy_ops() -> dict[str, Any]:
    """A float type and three binary ops, enough for merge, folding and patterns to fire."""
    import graphcore as g

    class Real(g.Type):
        def filter(self, value: Any, strict: bool = False, allow_downcast: Any = None) -> float:
            return float(value)

        def __str__(self) -> str:
            return "real"

    class Binary(g.Op):
        __props__ = ("name",)

        def __init__(self, name: str, fn: Any):
            self.name = name
            self.fn = fn

        def make_node(self, a: Any, b: Any) -> Any:
            return g.Apply(self, [a, b], [a.type()])

        def perform(self, node: Any, inputs: Any, output_storage: Any) -> None:
            output_storage[0][0] = self.fn(*inputs)

    real = Real()
    return {
        "real": real,
        "add": Binary("add", lambda a, b: a + b),
        "mul": Binary("mul", lambda a, b: a * b),
        "sub": Binary("sub", lambda a, b: a - b),
        "const": real.make_constant,
    }


def chain(ops: dict[str, Any], size: int) -> tuple[list[Any], list[Any]]:
    """Groups of six nodes on one running value: a duplicated product (merge), a
    multiplication by 1 (pattern), a sum of two constants (folding), and two adds.

    ``y`` is read by a third of the nodes: graphcore keeps readers in lists, so
    dropping one of ``y``'s readers costs the list's length, which shows at 50,000."""
    add, mul, const = ops["add"], ops["mul"], ops["const"]
    x, y = ops["real"]("x"), ops["real"]("y")
    value = x
    for _ in range(size // 6):
        value = add(mul(value, y), mul(value, y))
        value = add(mul(value, const(1.0)), add(const(2.0), const(3.0)))
    return [x, y], [value]


def tree(ops: dict[str, Any], size: int) -> tuple[list[Any], list[Any]]:
    """A balanced tree over distinct inputs (pairs taken in level order); after each
    combination, every third node is wrapped in ``+ 0`` (pattern) and every fifth gets
    ``- 2 * 0.5`` (folding), so a combination costs about 26/15 nodes."""
    add, mul, sub, const = ops["add"], ops["mul"], ops["sub"], ops["const"]
    inputs = [ops["real"](f"x{i}") for i in range(size * 15 // 28 + 1)]
    queue, count = deque(inputs), 0
    while len(queue) > 1:
        node = (add if count % 2 else mul)(queue.popleft(), queue.popleft())
        count += 1
        if count % 3 == 0:
            node, count = add(node, const(0.0)), count + 1
        if count % 5 == 0:
            node, count = sub(node, mul(const(2.0), const(0.5))), count + 2
        queue.append(node)
    return inputs, list(queue)


def measure(shape: str, build: Any, repeats: int) -> None:
    import graphcore as g
    import rewriter

    ops = toy_ops()
    rules = [
        rewriter.PatternNodeRewriter((ops["mul"], "x", 1), "x", name="w8_times_one"),
        rewriter.PatternNodeRewriter((ops["add"], "x", 0), "x", name="w8_plus_zero"),
    ]
    for rule in rules:
        rewriter.register_canonicalize(rule)
    try:
        pipeline = rewriter.build(g.RewriteQuery(include=("fast_run",)))
        for size in SIZES:
            inputs, outputs = build(ops, size)
            samples, report, nodes, left = [], None, 0, 0
            for _ in range(repeats if size < 50_000 else max(repeats // 2, 2)):
                fgraph = g.FunctionGraph(inputs, outputs)
                nodes = len(fgraph.apply_nodes)
                start = time.perf_counter()
                report = pipeline(fgraph)
                samples.append(time.perf_counter() - start)
                left = len(fgraph.apply_nodes)
            per_node = [seconds / nodes * 1e6 for seconds in samples]
            record(
                WORKLOAD,
                f"rewrite {shape}, {size} nodes",
                "ours",
                "us",
                statistics.median(per_node),
                min(per_node),
                nodes=nodes,
                nodes_after=left,
                rewrites=report.total_applied if report else 0,
                total_seconds=statistics.median(samples),
            )
    finally:
        for rule in rules:
            rewriter.canonicalize_db.unregister(rule.name)


# ---- tensor graphs, ours and PyTensor's -----------------------------------------------


def ensure_pipeline() -> None:
    """Running from source, entry points are invisible: register our pipeline by hand."""
    import graphcore as g
    import rewriter.pipeline

    g.register_rewrites(rewriter.pipeline.build)


def tensor_chain(pt: Any, size: int) -> tuple[list[Any], list[Any]]:
    """Groups of about a dozen nodes on one running vector: log(1 + v*v) (stabilize),
    --w + 1 + 2 (canonicalize), * 1, a sum of a product (a dot after specialize), and
    elementwise steps for fusion."""
    x, y = pt.dvector("x"), pt.dvector("y")
    value = x
    for _ in range(max(size // 12, 1)):
        product = value * y
        smooth = pt.log(1 + product * product)
        shifted = (pt.neg(pt.neg(smooth)) + 1.0) + 2.0
        scaled = shifted * 1.0
        value = pt.exp(-scaled) + pt.sum(scaled * y)
    return [x, y], [value]


def tensor_tree(pt: Any, size: int) -> tuple[list[Any], list[Any]]:
    """A balanced tree over distinct vectors: pairs combined in level order by add, mul or
    exp(a) - 1 (stabilize), every fifth result scaled by a dot of its pair (a sum and a
    dot) and every third wrapped in log(1 + a*a)."""
    inputs = [pt.dvector(f"x{i}") for i in range(max(size // 4, 2))]
    queue, count = deque(inputs), 0
    while len(queue) > 1:
        a, b = queue.popleft(), queue.popleft()
        count += 1
        node = a * b if count % 2 else a + b
        if count % 3 == 0:
            node = pt.exp(a) - 1 + b
        if count % 5 == 0:
            node = node * pt.sum(a * b)
        if count % 3 == 1:
            node = pt.log(1 + node * node)
        queue.append(node)
    return inputs, list(queue)


def pytensor_rewriter() -> Any:
    """PyTensor's FAST_RUN rewriter and a maker of its FunctionGraphs as ``pytensor.function``
    prepares them (with the Supervisor its inplace rewrites need), or None when absent."""
    try:
        from pytensor.compile.function.types import add_supervisor_to_fgraph
        from pytensor.compile.mode import get_mode
        from pytensor.graph.fg import FunctionGraph
    except Exception as error:
        unavailable(WORKLOAD, "pytensor", f"{type(error).__name__}: {error}")
        return None

    def function_graph(inputs: list[Any], outputs: list[Any], clone: bool = True) -> Any:
        fgraph = FunctionGraph(inputs, outputs, clone=clone)
        add_supervisor_to_fgraph(fgraph, [_In(var) for var in fgraph.inputs])
        return fgraph

    return get_mode("FAST_RUN").optimizer, function_graph


def _In(var: Any) -> Any:
    from pytensor.compile.io import In

    return In(var)


def time_rewrites(make_graph: Any, rewrite: Any, repeats: int) -> tuple[list[float], int, int]:
    """Seconds of ``rewrite`` on fresh copies of one graph, its node count before and after."""
    samples, nodes, left = [], 0, 0
    for _ in range(repeats):
        fgraph = make_graph()
        nodes = len(fgraph.apply_nodes)
        start = time.perf_counter()
        rewrite(fgraph)
        samples.append(time.perf_counter() - start)
        left = len(fgraph.apply_nodes)
    return samples, nodes, left


def record_per_node(case: str, impl: str, samples: list[float], nodes: int, left: int) -> None:
    per_node = [seconds / nodes * 1e6 for seconds in samples]
    record(WORKLOAD, case, impl, "us", statistics.median(per_node), min(per_node),
           nodes=nodes, nodes_after=left, total_seconds=statistics.median(samples))  # fmt: skip


def measure_tensor(shape: str, build: Any, repeats: int) -> None:
    import graphcore as g
    import rewriter
    import tensorops

    ensure_pipeline()
    ours = rewriter.build(g.RewriteQuery(include=("fast_run",)))
    theirs = pytensor_rewriter()
    their_per_node = 0.0
    for size in SIZES:
        times = repeats if size < 50_000 else 2
        inputs, outputs = build(tensorops, size)
        samples, nodes, left = time_rewrites(partial(g.FunctionGraph, inputs, outputs), ours, times)
        record_per_node(f"tensor {shape}, {size} nodes", "ours", samples, nodes, left)
        if theirs is None:
            continue
        import pytensor.tensor as ptt

        optimizer, function_graph = theirs
        if their_per_node * size > PYTENSOR_SECONDS:
            unavailable(WORKLOAD, "pytensor", f"tensor {shape}, {size} nodes: skipped, about "
                        f"{their_per_node * size:.0f} s at its smaller size's rate")  # fmt: skip
            continue
        inputs, outputs = build(ptt, size)
        if size == SIZES[0]:  # once, untimed: PyTensor compiles and caches C for folding
            optimizer.rewrite(function_graph(inputs, outputs))
        samples, nodes, left = time_rewrites(
            partial(function_graph, inputs, outputs, clone=True),
            optimizer.rewrite,
            times if size < 10_000 else 1,
        )
        record_per_node(f"tensor {shape}, {size} nodes", "pytensor", samples, nodes, left)
        their_per_node = statistics.median(samples) / nodes


def eight_schools(repeats: int = 5) -> None:
    """Compile of the eight-schools log density and gradient: ours whole and its rewrite
    phase, PyTensor's rewrite phase (its C compile is cached and not ours to compare)."""
    import models

    import graphcore as g
    import rewriter
    import tensorops
    from autodiff import grad

    ensure_pipeline()
    x = tensorops.dvector("x")
    logp = models.eight_schools_logp(tensorops, x)
    outputs = [logp, grad(logp, x)]
    compiles = []
    for _ in range(repeats):
        start = time.perf_counter()
        g.function([x], outputs)
        compiles.append(time.perf_counter() - start)
    record(WORKLOAD, "eight schools compile", "ours", "ms",
           statistics.median(compiles) * 1e3, min(compiles) * 1e3)  # fmt: skip
    pipeline = rewriter.build(g.RewriteQuery(include=("fast_run",)))
    samples, nodes, left = time_rewrites(lambda: g.FunctionGraph([x], outputs), pipeline, repeats)
    record(WORKLOAD, "eight schools rewrite", "ours", "ms", statistics.median(samples) * 1e3,
           min(samples) * 1e3, nodes=nodes, nodes_after=left)  # fmt: skip
    theirs = pytensor_rewriter()
    if theirs is None:
        return
    import pytensor
    import pytensor.tensor as ptt

    optimizer, function_graph = theirs
    px = ptt.dvector("x")
    plogp = models.eight_schools_logp(ptt, px)
    poutputs = [plogp, pytensor.grad(plogp, px)]
    optimizer.rewrite(function_graph([px], poutputs))  # untimed: C code compiled and cached
    samples, nodes, left = time_rewrites(
        lambda: function_graph([px], poutputs, clone=True), optimizer.rewrite, repeats
    )
    record(WORKLOAD, "eight schools rewrite", "pytensor", "ms", statistics.median(samples) * 1e3,
           min(samples) * 1e3, nodes=nodes, nodes_after=left)  # fmt: skip
    compiles = []
    for _ in range(repeats):
        start = time.perf_counter()
        pytensor.function([px], poutputs)
        compiles.append(time.perf_counter() - start)
    record(WORKLOAD, "eight schools compile", "pytensor", "ms",
           statistics.median(compiles) * 1e3, min(compiles) * 1e3)  # fmt: skip


def main() -> None:
    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 200_000))
    measure("chain", chain, repeats=5)
    measure("tree", tree, repeats=5)
    unavailable(WORKLOAD, "pytensor", "toy-op graphs have no PyTensor twin")
    measure_tensor("chain", tensor_chain, repeats=3)
    measure_tensor("tree", tensor_tree, repeats=3)
    eight_schools()


if __name__ == "__main__":
    main()
