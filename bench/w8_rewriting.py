"""W8 (toy-op part): rewrite time per node for generated graphs of 1,000, 10,000 and 50,000
nodes, chains and trees of binary ops, through FAST_RUN's phases (merge, canonicalize with
constant folding, ..., final merge) with two pattern rules registered in canonicalize.
Tensor graphs (elementwise ops, sums, dots) and PyTensor beside them come with tensorops."""

from __future__ import annotations

import statistics
import time
from collections import deque
from typing import Any

from common import record, unavailable

WORKLOAD = "W8"
SIZES = (1_000, 10_000, 50_000)


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


def main() -> None:
    measure("chain", chain, repeats=5)
    measure("tree", tree, repeats=5)
    unavailable(WORKLOAD, "pytensor", "toy-op graphs have no PyTensor twin; tensor graphs later")


if __name__ == "__main__":
    main()
