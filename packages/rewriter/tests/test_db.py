"""The rewrite database, its queries, the phases and the seam graphcore calls."""

import tomllib
from pathlib import Path

import pytest
from rewriter_toys import (
    NO_REWRITES,
    add,
    const,
    exp,
    fast_run,
    fscalar,
    log,
    mul,
    neg,
    op_names,
    registered,
)

import graphcore as g
import rewriter
from rewriter import (
    EquilibriumDatabase,
    EquilibriumGraphRewriter,
    GraphRewriter,
    MergeRewriter,
    PatternNodeRewriter,
    RewriteErrorWarning,
    SequenceDatabase,
    SequentialGraphRewriter,
    canonicalize_db,
    node_rewriter,
    register_canonicalize,
    register_specialize,
    rewrite_db,
    rewrite_graph,
    specialize_db,
)
from rewriter.engine.report import RewriteReport

sqr = type(neg)("Sqr", lambda a: a * a)
square = PatternNodeRewriter((mul, "x", "x"), (sqr, "x"), name="square")


class Marker(GraphRewriter):
    """Records that it ran."""

    def __init__(self, name, log):
        super().__init__(name)
        self.log = log

    def rewrite(self, fgraph):
        self.log.append(self.name)
        return RewriteReport(self.name)


def ran(database, *, include=(), exclude=(), require=()):
    log = []
    for entry_name in database.names():
        if isinstance(database[entry_name], Marker):
            database[entry_name].log = log
    x = fscalar("x")
    database.query(include, exclude, require)(g.FunctionGraph([x], [exp(x)]))
    return log


def small_database():
    database = SequenceDatabase("test")
    phase = EquilibriumDatabase("phase")
    database.register("last", Marker("last", []), "fast_run", position=9)
    database.register("first", Marker("first", []), "fast_run", "fast_compile", position=0)
    database.register("middle", Marker("middle", []), "extra", position=5)
    database.register("phase", phase, "fast_run", position=7)
    return database, phase


def test_positions_order_the_sequence_and_tags_select():
    database, _ = small_database()
    assert database.names() == ["first", "middle", "phase", "last"]
    assert ran(database, include=("fast_run",)) == ["first", "last"]
    assert ran(database, include=("fast_compile",)) == ["first"]
    assert ran(database, include=("fast_run", "middle")) == ["first", "middle", "last"]  # by name
    assert ran(database, include=("fast_run", "extra"), exclude=("last",)) == ["first", "middle"]
    assert ran(database, include=("fast_run",), require=("fast_compile",)) == ["first"]


def test_a_phase_is_taken_by_its_tags_or_for_a_rule_the_query_names():
    database, phase = small_database()
    hidden = PatternNodeRewriter((exp, (log, "x")), "x", name="exp_log")
    phase.register("exp_log", hidden, "experimental")
    assert [e.name for e in database.selected(include=("fast_compile",))] == ["first"]
    chosen = database.selected(include=("fast_compile", "exp_log"))
    assert [e.name for e in chosen] == ["first", "phase"]
    equilibrium = phase.query(include=("fast_run",))
    assert isinstance(equilibrium, EquilibriumGraphRewriter) and equilibrium.rewriters == []
    assert phase.query(include=("experimental",)).rewriters == [hidden]
    assert phase.query(include=("experimental",), exclude=("exp_log",)).rewriters == []


def test_registration_errors_name_the_problem():
    database, phase = small_database()
    with pytest.raises(ValueError, match="already has a rewriter named 'first'"):
        database.register("first", MergeRewriter(), "fast_run")
    with pytest.raises(KeyError, match="no rewriter named 'nothing'"):
        database.unregister("nothing")
    with pytest.raises(TypeError, match="must be a NodeRewriter"):
        phase.register("merge", MergeRewriter())
    with pytest.raises(TypeError, match="must be a GraphRewriter, a NodeRewriter or a"):
        database.register("junk", lambda fgraph: None)


def test_queries_are_reused_until_the_database_changes():
    database, phase = small_database()
    first = database.query(include=("fast_run",))
    assert database.query(include=("fast_run",)) is first
    with registered(phase, "square", square, "fast_run"):
        again = database.query(include=("fast_run",))
        assert again is not first
        assert [part.name for part in again.rewriters] == ["first", "phase", "last"]


def test_the_default_phases_follow_the_design():
    phases = ["merge1", "canonicalize", "stabilize", "specialize", "fusion", "inplace", "merge2"]
    # The tensor rules add their whole-graph passes between the phases once imported.
    passes = {"fuse_elementwise": "fusion", "make_inplace": "inplace"}
    names = rewrite_db.names()
    assert [name for name in names if name not in passes] == phases
    for name, after in passes.items():
        if name in names:
            assert names.index(name) == names.index(after) + 1
    compact = rewrite_db.query(include=("fast_compile",))
    assert isinstance(compact, SequentialGraphRewriter)
    assert [part.name for part in compact.rewriters] == ["merge1", "canonicalize", "merge2"]
    canonicalize = compact.rewriters[1]
    assert [r.name for r in canonicalize.rewriters] == ["merge_equal_nodes", "constant_folding"]
    assert "fast_compile" in canonicalize_db.tags_of("constant_folding")
    assert "fast_compile" not in rewrite_db.tags_of("stabilize")


def test_register_helpers_as_calls_and_decorators():
    @register_specialize
    @node_rewriter([neg])
    def plain_form(fgraph, node):
        return None

    @register_specialize("fast_compile", name="tagged_form", position=10)
    @node_rewriter([neg])
    def decorated_with_tags(fgraph, node):
        return None

    try:
        assert specialize_db["plain_form"] is plain_form
        assert specialize_db.tags_of("plain_form") >= {"fast_run", "specialize"}
        assert specialize_db.tags_of("tagged_form") >= {"fast_run", "specialize", "fast_compile"}
        assert specialize_db.names()[-1] == "tagged_form"
        assert register_canonicalize(square, name="square_c") is square
        assert canonicalize_db["square_c"] is square
    finally:
        specialize_db.unregister("plain_form")
        specialize_db.unregister("tagged_form")
        canonicalize_db.unregister("square_c")


def test_modes_pick_the_phases_through_graphcore(pipeline):
    x = fscalar("x")
    out = add(mul(x, x), mul(const(2.0), const(3.0)))
    register_specialize(square)
    try:
        fast = g.function([x], out, mode=fast_run())
        compact = g.function([x], out, mode="FAST_COMPILE")
        no_specialize = g.function([x], out, mode=fast_run().excluding("specialize"))
    finally:
        specialize_db.unregister("square")
    assert op_names(fast.maker.fgraph) == ["Sqr", "Add"]
    assert op_names(compact.maker.fgraph) == ["Mul", "Add"]  # folded, not specialized
    assert op_names(no_specialize.maker.fgraph) == ["Mul", "Add"]
    plain = g.function([x], out, mode=NO_REWRITES)
    assert op_names(plain.maker.fgraph) == ["Mul", "Mul", "Add"]
    assert fast(3.0) == compact(3.0) == no_specialize(3.0) == plain(3.0) == 15.0


def test_rewrite_graph_leaves_the_given_graph_alone_unless_asked():
    x = fscalar("x")
    out = add(x, mul(const(2.0), const(3.0)))
    result = rewrite_graph(out)
    assert result is not out and result.owner.inputs[0] is x
    assert result.owner.inputs[1].data == 6.0
    assert out.owner.inputs[1].owner is not None  # the original still multiplies
    [same] = rewrite_graph([out], clone=False)
    assert same is out and out.owner.inputs[1].data == 6.0
    assert rewrite_graph(exp(x), include=("fast_run",)).owner.op == exp


def test_the_entry_point_is_declared_and_callable():
    pyproject = Path(__file__).parents[1] / "pyproject.toml"  # the package's, installed or not
    entry_points = tomllib.loads(pyproject.read_text())["project"]["entry-points"]
    assert entry_points["graphcore.rewrites"] == {"tensor": "rewriter.pipeline:build"}
    built = rewriter.pipeline.build(g.RewriteQuery(include=("fast_run",)))
    x = fscalar("x")
    fg = g.FunctionGraph([x], [add(exp(x), exp(x))])
    built(fg)
    assert op_names(fg) == ["Exp", "Add"]


def test_a_failing_rule_warns_during_compilation_and_the_function_still_works(pipeline):
    @node_rewriter([exp], name="broken_rule")
    def broken_rule(fgraph, node):
        raise ZeroDivisionError("a bug in the rule")

    x = fscalar("x")
    with (
        registered(canonicalize_db, "broken_rule", broken_rule, "fast_run"),
        pytest.warns(RewriteErrorWarning, match="broken_rule failed on Exp"),
    ):
        fn = g.function([x], exp(x), mode=fast_run())
    assert fn(0.0) == 1.0


def test_a_phase_with_only_cleanup_rules_does_not_run():
    x = fscalar("x")
    fg = g.FunctionGraph([x], [add(exp(x), exp(x))])
    # The tensor rules (tagged "tensor") are left out: alone, the cleanup rules do not run.
    report = rewrite_db.query(include=("stabilize",), exclude=("tensor",))(fg)
    (stabilize,) = report.parts
    assert stabilize.name == "stabilize" and stabilize.visits == 0
    with registered(rewriter.stabilize_db, "square", square, "stabilize"):
        report = rewrite_db.query(include=("stabilize",))(fg)
    assert report.parts[0].visits > 0 and op_names(fg) == ["Exp", "Add"]  # merged there
