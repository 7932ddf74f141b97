"""PatternNodeRewriter: what matches, what is built, and the values before and after."""

import math

import numpy as np
import pytest
from rewriter_toys import (
    NO_REWRITES,
    Binary,
    Unary,
    add,
    const,
    exp,
    fast_run,
    fscalar,
    log,
    log1p,
    mul,
    neg,
    op_names,
    run,
    sub,
    vector,
)

import graphcore as g
from rewriter import (
    EquilibriumGraphRewriter,
    PatternNodeRewriter,
    WalkingGraphRewriter,
    constant_folding,
    register_stabilize,
    stabilize_db,
)

log1p_rule = PatternNodeRewriter((log, (add, 1, "x")), (log1p, "x"), name="log1p")


def rewritten(rule, outputs, *inputs, equilibrium=False):
    fg = g.FunctionGraph(list(inputs), outputs if isinstance(outputs, list) else [outputs])
    engine = EquilibriumGraphRewriter if equilibrium else WalkingGraphRewriter
    engine([rule] if not isinstance(rule, list) else rule)(fg)
    return fg


def test_stabilize_rule_compiles_to_an_accurate_function(pipeline):
    x = fscalar("x")
    out = log(add(const(1.0), x))
    register_stabilize(log1p_rule)
    try:
        fn = g.function([x], out, mode=fast_run())
    finally:
        stabilize_db.unregister("log1p")
    assert op_names(fn.maker.fgraph) == ["Log1p"]
    plain = g.function([x], out, mode=NO_REWRITES)
    assert plain(1e-20) == 0.0  # the naive formula loses everything
    assert fn(1e-20) == pytest.approx(1e-20, rel=1e-12)
    assert fn(0.5) == pytest.approx(plain(0.5)) == pytest.approx(math.log(1.5))


def test_numbers_match_constants_equal_everywhere():
    x = fscalar("x")
    assert op_names(rewritten(log1p_rule, log(add(const(1.0), x)), x)) == ["Log1p"]
    assert op_names(rewritten(log1p_rule, log(add(const(2.0), x)), x)) == ["Add", "Log"]
    assert op_names(rewritten(log1p_rule, log(add(x, const(1.0))), x)) == ["Add", "Log"]

    v = vector("v")
    for ones, matches in [
        ([1.0, 1.0, 1.0], True),
        ([1.0], True),
        ([1.0, 2.0, 1.0], False),
        ([], False),
    ]:
        fg = rewritten(log1p_rule, log(add(vector.make_constant(ones), v)), v)
        assert (op_names(fg) == ["Log1p"]) is matches, ones


def test_a_name_used_twice_must_bind_one_variable():
    x, y = fscalar("x"), fscalar("y")
    zero = PatternNodeRewriter((sub, "x", "x"), lambda fgraph, b: const(0.0), name="x-x")
    assert op_names(rewritten(zero, add(sub(x, x), y), x, y)) == ["Add"]
    assert op_names(rewritten(zero, add(sub(x, y), y), x, y)) == ["Sub", "Add"]


def test_output_numbers_become_constants_like_their_siblings():
    x = fscalar("x")
    twice = PatternNodeRewriter((add, "x", "x"), (mul, 2, "x"), name="twice")
    fg = rewritten(twice, add(x, x), x)
    assert op_names(fg) == ["Mul"] and run(fg, 3.0) == 6.0
    constant = fg.outputs[0].owner.inputs[0]
    assert isinstance(constant, g.Constant) and constant.type == fscalar

    v = vector("v")
    with pytest.raises(TypeError, match="expected ndim 1"):
        rewritten(twice, add(v, v), v)  # a vector type cannot hold the number 2 as is

    made = []

    def broadcast_constant(value, like):
        made.append(like)
        return like.type.make_constant(np.full(1, value))

    twice_v = PatternNodeRewriter(
        (add, "x", "x"), (mul, 2, "x"), make_constant=broadcast_constant, name="twice_v"
    )
    fg = rewritten(twice_v, add(v, v), v)
    assert op_names(fg) == ["Mul"] and made == [fg.inputs[0]]
    np.testing.assert_allclose(run(fg, np.array([1.0, 2.0])), [2.0, 4.0])


def test_op_classes_predicates_and_constraints():
    x, y = fscalar("x"), fscalar("y")
    # (anything unary)(anything unary)(x) -> x when the two are different ops
    cancel = PatternNodeRewriter(
        (Unary, {"pattern": (Unary, "x"), "constraint": lambda var: var.owner.op == exp}),
        "x",
        condition=lambda fgraph, bindings: True,
        name="cancel",
    )
    assert op_names(rewritten(cancel, add(log(exp(x)), y), x, y)) == ["Add"]
    assert op_names(rewritten(cancel, add(log(neg(x)), y), x, y)) == ["Neg", "Log", "Add"]

    named_only = PatternNodeRewriter(
        (mul, "x", "y"), (add, "x", "y"), constraints={"y": lambda var: var.name == "y"}
    )
    assert op_names(rewritten(named_only, mul(x, y), x, y)) == ["Add"]
    assert op_names(rewritten(named_only, mul(y, x), x, y)) == ["Mul"]

    is_input = PatternNodeRewriter(
        (lambda op: str(op) == "Mul", lambda var: var.owner is None, 0), lambda fg, b: const(0.0)
    )
    assert op_names(rewritten(is_input, add(mul(x, const(0.0)), y), x, y)) == ["Add"]
    assert op_names(rewritten(is_input, add(mul(neg(x), const(0.0)), y), x, y)) == [
        "Neg",
        "Mul",
        "Add",
    ]
    assert is_input.tracks is None  # a predicate head cannot be indexed: every node is tried


def test_inner_nodes_read_elsewhere_are_not_absorbed_unless_allowed():
    x, y = fscalar("x"), fscalar("y")
    inner = add(const(1.0), x)
    outputs = [log(inner), mul(inner, y)]
    fg = rewritten(log1p_rule, outputs, x, y)
    assert op_names(fg) == ["Add", "Log", "Mul"]
    shared = PatternNodeRewriter(
        (log, (add, 1, "x")), (log1p, "x"), allow_multiple_clients=True, name="log1p_shared"
    )
    fg = rewritten(shared, outputs, x, y)
    assert sorted(op_names(fg)) == ["Add", "Log1p", "Mul"]


def test_a_built_replacement_of_another_type_is_declined():
    x = fscalar("x")
    v = vector("v")

    def to_scalar(fgraph, bindings):
        return x

    wrong = PatternNodeRewriter((exp, "v"), to_scalar)
    fg = rewritten(wrong, exp(v), v, x)
    assert op_names(fg) == ["Exp"]


def test_commutative_ops_match_either_way():
    x = fscalar("x")
    both = PatternNodeRewriter((log, (add, 1, "x")), (log1p, "x"), commutative=[add])
    fg = rewritten(both, log(add(x, const(1.0))), x)
    assert op_names(fg) == ["Log1p"]
    assert fg.outputs[0].owner.inputs[0] is fg.inputs[0]


def test_outputs_may_use_any_builder_and_constants():
    x = fscalar("x")
    via_function = PatternNodeRewriter((neg, (neg, "x")), (lambda a: add(a, a), "x"))
    fg = rewritten(via_function, neg(neg(x)), x)
    assert op_names(fg) == ["Add"] and run(fg, 2.0) == 4.0
    half = const(0.5)
    to_constant = PatternNodeRewriter((exp, half), half)
    fg = rewritten(to_constant, add(exp(const(0.5)), x), x)
    assert op_names(fg) == ["Add"] and fg.outputs[0].owner.inputs[0] is half


def test_bad_patterns_are_refused_when_built():
    with pytest.raises(ValueError, match=r"\['y'\] must be bound"):
        PatternNodeRewriter((exp, "x"), (log, "y"))
    with pytest.raises(TypeError, match="must be a tuple"):
        PatternNodeRewriter("x", "x")
    with pytest.raises(TypeError, match="applies an op instance or a function"):
        PatternNodeRewriter((exp, "x"), (Binary, "x", "x"))
    with pytest.raises(TypeError, match="cannot appear in an input pattern"):
        PatternNodeRewriter((exp, ["x"]), "x")
    with pytest.raises(TypeError, match="starts with an op"):
        PatternNodeRewriter((exp, ("x", "y")), "x")


def test_the_equilibrium_revisits_a_pattern_root_when_a_node_below_it_changes():
    """log(add(mul(1, 1), x)): folding mul makes add's input 1, so log1p must be retried."""
    x = fscalar("x")
    one_times_one = mul(const(1.0), const(1.0))
    out = log(add(one_times_one, x))
    assert log1p_rule.depth == 2
    fg = rewritten([log1p_rule, constant_folding], out, x, equilibrium=True)
    assert op_names(fg) == ["Log1p"]


def test_a_root_visited_too_early_is_revisited_when_an_inner_node_loses_a_reader():
    """The log is visited while neg(x) has two readers; dropping the mul frees it."""
    x, y = fscalar("x"), fscalar("y")
    deep = PatternNodeRewriter((log, (add, 1, (neg, "x"))), (log1p, (neg, "x")), name="deep")
    drop_left = PatternNodeRewriter((mul, "a", "b"), "b", name="drop_left")
    assert deep.depth == 3
    inner = neg(x)
    outputs = [log(add(const(1.0), inner)), mul(inner, y)]
    fg = g.FunctionGraph([x, y], outputs)
    assert op_names(fg) == ["Neg", "Add", "Log", "Mul"]  # the log comes before the mul
    report = EquilibriumGraphRewriter([deep, drop_left])(fg)
    assert op_names(fg) == ["Neg", "Log1p"] and report.applied["deep"] == 1
    assert fg.outputs[1] is fg.inputs[1]
