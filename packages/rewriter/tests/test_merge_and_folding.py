"""Merging common subexpressions and folding constants, alone and through the pipeline."""

import math

import pytest
from rewriter_toys import (
    NO_REWRITES,
    Binary,
    add,
    add_inplace,
    const,
    exp,
    fast_run,
    fscalar,
    log,
    mul,
    neg,
    noise,
    op_names,
    run,
    small_only,
    split,
)

import graphcore as g
from rewriter import (
    EquilibriumGraphRewriter,
    MergeRewriter,
    WalkingGraphRewriter,
    constant_folding,
    merge_equal_nodes,
)

div = Binary("Div", lambda a, b: a / b)


def merged(outputs, *inputs):
    fg = g.FunctionGraph(list(inputs), outputs)
    report = MergeRewriter()(fg)
    fg.check_integrity()
    return fg, report


def test_merge_joins_equal_nodes_and_whole_duplicated_subgraphs():
    x, y = fscalar("x"), fscalar("y")
    first = log(mul(add(x, y), exp(y)))
    second = log(mul(add(x, y), exp(y)))
    fg, report = merged([add(first, second), neg(second)], x, y)
    assert sorted(op_names(fg)) == ["Add", "Add", "Exp", "Log", "Mul", "Neg"]
    assert report.applied["merge nodes"] == 4
    top = fg.outputs[0].owner
    assert top.inputs[0] is top.inputs[1]
    assert run(fg, 1.0, 2.0) == pytest.approx(2 * math.log(3.0 * math.exp(2.0)))


def test_merge_joins_equal_constants_then_their_readers():
    x = fscalar("x")
    fg, report = merged([add(add(x, const(2.0)), add(x, const(2.0))), mul(x, const(2.0))], x)
    assert report.applied["merge nodes"] == 1 and report.applied["merge constants"] == 1
    inner_add, _, times = fg.toposort()
    assert op_names(fg) == ["Add", "Add", "Mul"] and inner_add.inputs[1] is times.inputs[1]


def test_merge_keeps_ops_that_differ_and_nodes_that_overwrite():
    x, y = fscalar("x"), fscalar("y")
    fg, report = merged([add(x, y), mul(x, y), add(y, x)], x, y)
    assert report.applied["merge nodes"] == 0 and len(fg.apply_nodes) == 3
    a, b = add(x, y), add(x, y)
    _, report = merged([add_inplace(a, y), b], x, y)
    assert report.applied["merge nodes"] == 0  # b would read a's sum after it is overwritten


def test_merge_is_linear():
    """Two copies of a 10,000-node chain become one (reader lists stay short here:
    graphcore drops a reader from a list, which costs that list's length)."""
    x = fscalar("x")

    def chain(length):
        out = x
        for step in range(length):
            out = neg(out) if step % 2 else mul(out, const(-1.0))
        return out

    fg = g.FunctionGraph([x], [chain(10_000), chain(10_000)])
    report = MergeRewriter()(fg)
    assert len(fg.apply_nodes) == 10_000 and fg.outputs[0] is fg.outputs[1]
    assert report.applied["merge nodes"] == 10_000 and report.applied["merge constants"] == 4_999
    assert run(fg, 2.0) == 2.0


def test_merging_inside_an_equilibrium():
    x, y = fscalar("x"), fscalar("y")
    fg = g.FunctionGraph([x, y], [mul(add(x, const(2.0)), add(x, const(2.0))), add(y, y)])
    report = EquilibriumGraphRewriter([merge_equal_nodes])(fg)
    assert op_names(fg) == ["Add", "Mul", "Add"] and report.applied["merge_equal_nodes"] == 1
    assert run(fg, 1.0, 0.0) == 9.0


def test_constant_folding_cascades_and_values_agree(pipeline):
    x = fscalar("x")
    folded_part = log(exp(mul(add(const(1.0), const(2.0)), const(4.0))))
    out = add(x, folded_part)
    fg = g.FunctionGraph([x], [out])
    EquilibriumGraphRewriter([constant_folding])(fg)
    assert op_names(fg) == ["Add"]
    assert fg.outputs[0].owner.inputs[1].data == pytest.approx(12.0)
    rewritten = g.function([x], out, mode=fast_run())
    assert op_names(rewritten.maker.fgraph) == ["Add"]
    assert rewritten(0.5) == pytest.approx(g.function([x], out, mode=NO_REWRITES)(0.5)) == 12.5


def test_folding_respects_opt_outs_and_failures():
    x = fscalar("x")
    fold = WalkingGraphRewriter([constant_folding])
    kept = [noise(const(1.0)), add_inplace(const(1.0), const(2.0)), div(const(1.0), const(0.0))]
    fg = g.FunctionGraph([x], [add(x, out) for out in kept])
    fold(fg)
    assert sorted(op_names(fg)) == ["Add", "Add", "Add", "AddInplace", "Div", "Noise"]

    fg = g.FunctionGraph([x], [add(small_only(const(3.0)), small_only(const(30.0)))])
    fold(fg)
    assert op_names(fg) == ["SmallOnly", "Add"]
    assert str(fg.toposort()[0].inputs[0]) == "30.0"


def test_folding_a_node_with_two_outputs():
    x = fscalar("x")
    half, double = split(const(8.0))
    fg = g.FunctionGraph([x], [add(half, x), mul(double, x)])
    WalkingGraphRewriter([constant_folding])(fg)
    assert op_names(fg) == ["Add", "Mul"]
    assert [node.inputs[0].data for node in fg.toposort()] == [4.0, 16.0]


def test_fast_run_merges_folds_and_keeps_values(pipeline):
    x, y = fscalar("x"), fscalar("y")
    out = add(mul(add(x, y), add(const(1.0), const(1.0))), mul(add(x, y), const(2.0)))
    fast = g.function([x, y], out, mode=fast_run())
    assert op_names(fast.maker.fgraph) == ["Add", "Mul", "Add"]
    compact = g.function([x, y], out, mode="FAST_COMPILE")
    assert op_names(compact.maker.fgraph) == ["Add", "Mul", "Add"]
    assert (
        fast(1.5, 2.0) == compact(1.5, 2.0) == g.function([x, y], out, mode=NO_REWRITES)(1.5, 2.0)
    )
