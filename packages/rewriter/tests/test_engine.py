"""Node rewriters, walks, sequences and the equilibrium: what they change and what it costs."""

from collections import Counter

import pytest
from rewriter_toys import (
    NO_REWRITES,
    Binary,
    Unary,
    add,
    add_inplace,
    const,
    exp,
    fast_run,
    fscalar,
    log,
    mul,
    neg,
    op_names,
    registered,
    run,
    split,
    vector,
    view,
)

import graphcore as g
from rewriter import (
    EquilibriumGraphRewriter,
    NodeRewriter,
    PatternNodeRewriter,
    RewriteBudgetWarning,
    RewriteErrorWarning,
    SequentialGraphRewriter,
    WalkingGraphRewriter,
    can_destroy,
    canonicalize_db,
    constant_folding,
    is_destroyed,
    merge_equal_nodes,
    node_rewriter,
)


@node_rewriter([log])
def log_of_exp(fgraph, node):
    """log(exp(x)) -> x"""
    inner = node.inputs[0].owner
    if inner is not None and inner.op == exp:
        return [inner.inputs[0]]
    return None


def graph(outputs, *inputs):
    return g.FunctionGraph(list(inputs), outputs if isinstance(outputs, list) else [outputs])


def test_node_rewriter_decorator_keeps_name_and_tracks():
    assert isinstance(log_of_exp, NodeRewriter)
    assert log_of_exp.name == "log_of_exp" and log_of_exp.tracks == (log,)
    assert "log(exp(x))" in log_of_exp.__doc__
    with pytest.raises(TypeError, match="tracks op instances or Op subclasses"):
        node_rewriter(["log"])


def test_walk_applies_a_list_replacement_and_values_agree(pipeline):
    x = fscalar("x")
    out = add(log(exp(x)), x)
    fg = graph(out, x)
    report = WalkingGraphRewriter([log_of_exp])(fg)
    assert op_names(fg) == ["Add"] and report.applied["log_of_exp"] == 1
    fg.check_integrity()
    with registered(canonicalize_db, "log_of_exp", log_of_exp, "fast_run"):
        rewritten = g.function([x], out, mode=fast_run())
        assert op_names(rewritten.maker.fgraph) == ["Add"]
    plain = g.function([x], out, mode=NO_REWRITES)
    assert op_names(plain.maker.fgraph) == ["Exp", "Log", "Add"]
    assert rewritten(0.7) == pytest.approx(plain(0.7)) == pytest.approx(1.4)


def test_tracking_by_instance_class_and_everything():
    x = fscalar("x")
    seen = {"instance": [], "class": [], "all": []}

    def recorder(key, tracks):
        @node_rewriter(tracks, name=key)
        def record(fgraph, node):
            seen[key].append(str(node.op))

        return record

    twin_of_add = Binary("Add", lambda a, b: a + b + 0)  # equal to add: same props
    rewriters = [
        recorder("instance", [twin_of_add]),
        recorder("class", [Unary]),
        recorder("all", None),
    ]
    WalkingGraphRewriter(rewriters)(graph(mul(add(exp(x), x), neg(x)), x))
    assert seen["instance"] == ["Add"]
    assert sorted(seen["class"]) == ["Exp", "Neg"]
    assert sorted(seen["all"]) == ["Add", "Exp", "Mul", "Neg"]


def test_dict_and_none_replacements_on_a_two_output_node():
    x = fscalar("x")
    half, double = split(x)
    out = add(half, double)

    @node_rewriter([split])
    def only_double(fgraph, node):
        return [None, add(node.inputs[0], node.inputs[0])]

    fg = graph(out, x)
    WalkingGraphRewriter([only_double])(fg)
    assert op_names(fg) == ["Split", "Add", "Add"]

    @node_rewriter([split])
    def both_by_dict(fgraph, node):
        a = node.inputs[0]
        return {node.outputs[0]: mul(a, const(0.5)), node.outputs[1]: add(a, a)}

    fg = graph(add(*split(x)), x)
    WalkingGraphRewriter([both_by_dict])(fg)
    assert "Split" not in op_names(fg)
    assert run(fg, 4.0) == 10.0


def test_a_replacement_of_another_type_is_refused_and_named():
    x = fscalar("x")
    other = vector("v")

    @node_rewriter([exp], name="bad_type")
    def bad_type(fgraph, node):
        return [other]

    fg = g.FunctionGraph([x, other], [exp(x)])
    with pytest.raises(TypeError, match="changes the type") as info:
        WalkingGraphRewriter([bad_type])(fg)
    assert any("bad_type" in note for note in info.value.__notes__)
    with pytest.warns(RewriteErrorWarning, match="bad_type"):
        WalkingGraphRewriter([bad_type], on_error="warn")(fg)
    assert op_names(fg) == ["Exp"]


def test_walk_order_and_sequence():
    x = fscalar("x")
    order = []

    @node_rewriter(None)
    def record(fgraph, node):
        order.append(str(node.op))

    out = log(exp(neg(x)))
    WalkingGraphRewriter([record])(graph(out, x))
    WalkingGraphRewriter([record], order="out_to_in")(graph(out, x))
    assert order == ["Neg", "Exp", "Log", "Log", "Exp", "Neg"]
    with pytest.raises(ValueError, match="order must be"):
        WalkingGraphRewriter([record], order="sideways")

    fg = graph(log(exp(log(exp(x)))), x)
    sequence = SequentialGraphRewriter(log_of_exp, WalkingGraphRewriter([log_of_exp]), name="twice")
    report = sequence(fg)
    assert [part.name for part in report.parts] == ["log_of_exp", "WalkingGraphRewriter"]
    assert op_names(fg) == [] and report.total_applied == 2
    assert "twice" in report.summary()


def test_equilibrium_reaches_the_fixed_point_in_one_call():
    x = fscalar("x")
    out = add(log(exp(log(exp(log(exp(x)))))), const(1.0))
    fg = graph(out, x)
    report = EquilibriumGraphRewriter([log_of_exp])(fg)
    assert op_names(fg) == ["Add"] and report.applied["log_of_exp"] == 3
    assert report.most_visits_of_one_node <= 2


def test_a_rewrite_loop_exhausts_the_budget_and_names_the_rewriter():
    x, y = fscalar("x"), fscalar("y")

    @node_rewriter([add], name="swap_forever")
    def swap_forever(fgraph, node):
        return [add(node.inputs[1], node.inputs[0])]

    fg = graph(mul(add(x, y), y), x, y)
    with pytest.warns(RewriteBudgetWarning, match="swap_forever"):
        report = EquilibriumGraphRewriter([swap_forever], visits_per_node=4)(fg)
    assert report.stopped_early and report.visits == 4 * 2 + 256
    assert run(fg, 2.0, 3.0) == 15.0  # the graph is still whole and right


def test_a_node_changed_in_place_forever_hits_the_per_node_limit():
    x = fscalar("x")

    @node_rewriter([log], name="wrap_input")
    def wrap_input(fgraph, node):
        """Rewires the log's input, keeping the log node: it is changed in place."""
        inner = node.inputs[0]
        return {inner: neg(neg(inner))}

    fg = graph(log(x), x)
    with pytest.warns(RewriteBudgetWarning, match="wrap_input kept changing"):
        report = EquilibriumGraphRewriter([wrap_input], max_visits_per_node=5)(fg)
    assert report.most_visits_of_one_node == 5 and report.applied["wrap_input"] == 5


def test_equilibrium_refuses_graph_rewriters():
    with pytest.raises(TypeError, match="expected a NodeRewriter"):
        EquilibriumGraphRewriter([WalkingGraphRewriter([log_of_exp])])


def chain(length, x, y):
    """``length`` nodes: adds of y, each followed by a multiplication by 1.0 half the time."""
    out = x
    one = const(1.0)
    for step in range(length):
        out = mul(out, one) if step % 2 else add(out, y)
    return out


def test_equilibrium_scales_linearly_and_visits_each_node_a_bounded_number_of_times():
    x, y = fscalar("x"), fscalar("y")
    fg = graph(chain(20_000, x, y), x, y)
    visits = Counter()

    @node_rewriter(None, name="count")
    def count(fgraph, node):
        visits[node] += 1

    times_one = PatternNodeRewriter((mul, "x", 1), "x", name="times_one")
    rewriter = EquilibriumGraphRewriter([count, merge_equal_nodes, constant_folding, times_one])
    report = rewriter(fg)
    assert op_names(fg) == ["Add"] * 10_000
    assert report.applied["times_one"] == 10_000
    assert max(visits.values()) <= 2 and report.most_visits_of_one_node <= 2
    assert report.visits <= 2 * 20_000
    assert run(fg, 1.0, 0.5) == pytest.approx(5001.0)


def test_equilibrium_cost_follows_what_changes():
    """One rewritable spot in a long chain: about one visit per node, not one per pass."""
    x, y = fscalar("x"), fscalar("y")
    out = log(exp(chain(10_000, x, y)))
    fg = graph(out, x, y)
    report = EquilibriumGraphRewriter([log_of_exp])(fg)
    assert report.applied["log_of_exp"] == 1
    assert report.visits <= len(fg.apply_nodes) + 2 + 5


# ---- aliasing: what the inplace phase and merging rely on --------------------------------


def test_can_destroy_only_an_unshared_intermediate():
    a, b = fscalar("a"), fscalar("b")
    total = add(a, b)
    out = add_inplace(total, b)
    fg = graph(out, a, b)
    total, node = fg.outputs[0].owner.inputs[0], fg.outputs[0].owner
    assert can_destroy(fg, total, node)
    assert is_destroyed(fg, total) and not is_destroyed(fg, fg.outputs[0])
    fg = graph(add_inplace(b, exp(a)), a, b)
    node = fg.outputs[0].owner
    assert not can_destroy(fg, fg.inputs[1], node)  # a function input
    fg.mutable_inputs = {fg.inputs[1]}
    assert can_destroy(fg, fg.inputs[1], node)

    shared_sum = add(a, b)
    fg = graph([add_inplace(shared_sum, b), exp(shared_sum)], a, b)
    node = fg.outputs[0].owner
    assert not can_destroy(fg, node.inputs[0], node)  # exp reads it too

    base = add(a, b)
    seen = view(base)
    fg = graph([add_inplace(seen, b)], a, b)
    node = fg.outputs[0].owner
    assert can_destroy(fg, node.inputs[0], node)
    assert is_destroyed(fg, node.inputs[0].owner.inputs[0])  # through the view
    base = add(a, b)
    fg = graph([add_inplace(view(base), b), neg(base)], a, b)
    node = fg.outputs[0].owner
    assert not can_destroy(fg, node.inputs[0], node)  # the viewed sum has another reader
    fg = graph([add_inplace(const(2.0), b)], b)
    assert not can_destroy(fg, fg.outputs[0].owner.inputs[0], fg.outputs[0].owner)
