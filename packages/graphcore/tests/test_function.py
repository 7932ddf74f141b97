"""function(): calls, defaults, updates, givens, errors, laziness and buffer reuse."""

import numpy as np
import pytest
from toy_ops import (
    Explode,
    InplaceLiar,
    LazyChoice,
    VectorDouble,
    add,
    exp,
    fscalar,
    log,
    mul,
    vector,
)

import graphcore as g


def test_single_output_and_list_output():
    x, y = fscalar("x"), fscalar("y")
    assert g.function([x, y], add(x, y))(2, 3) == 5.0
    assert g.function([x, y], [add(x, y), mul(x, y)])(2, 3) == [5.0, 6.0]


def test_keyword_calls_defaults_and_in_names():
    x, y = fscalar("x"), fscalar("y")
    f = g.function([x, g.In(y, value=1.0, name="y_by_name")], add(x, y))
    assert f(1) == 2.0
    assert f(1, 5) == 6.0
    assert f(x=1, y_by_name=7) == 8.0
    assert f(1) == 2.0  # the default comes back after a call that overrode it


def test_input_with_update_keeps_state():
    x, acc = fscalar("x"), fscalar("acc")
    f = g.function([x, g.In(acc, value=0.0, update=add(acc, x))], acc)
    assert [f(1), f(2), f(3)] == [0.0, 1.0, 3.0]


def test_shared_updates_return_the_old_value():
    state = g.shared(0.0, name="state")
    inc = fscalar("inc")
    accumulator = g.function([inc], state, updates=[(state, add(state, inc))])
    assert accumulator(1) == 0.0
    assert accumulator(300) == 1.0
    assert state.get_value() == 301.0
    state.set_value(-1.0)
    assert accumulator(3) == -1.0 and state.get_value() == 2.0


def test_two_functions_share_state():
    state = g.shared(0.0, name="state")
    inc = fscalar("inc")
    up = g.function([inc], [], updates=[(state, add(state, inc))])
    read = g.function([], state)
    up(5)
    assert read() == 5.0


def test_shared_get_value_copies_unless_borrowed():
    values = np.zeros(3)
    shared = g.shared(values, name="w")
    values[0] = 9  # the shared variable copied the value it was given
    assert shared.get_value()[0] == 0
    shared.get_value()[1] = 9
    assert shared.get_value()[1] == 0
    shared.get_value(borrow=True)[2] = 9
    assert shared.get_value()[2] == 9


def test_default_update_and_no_default_updates():
    counter = g.shared(0.0, name="counter")
    one = g.shared(1.0, name="one")
    counter.default_update = add(counter, one)
    f = g.function([], counter)
    assert [f(), f(), f()] == [0.0, 1.0, 2.0]
    frozen = g.function([], counter, no_default_updates=True)
    assert [frozen(), frozen()] == [3.0, 3.0]
    assert counter.eval() == 3.0 and counter.eval() == 3.0


def test_givens_substitute_before_compiling():
    x, y, z = fscalar("x"), fscalar("y"), fscalar("z")
    f = g.function([x, z], add(x, y), givens={y: mul(z, z)})
    assert f(1, 3) == 10.0


def test_eval_caches_and_accepts_intermediate_values():
    x, y = fscalar("x"), fscalar("y")
    z = add(x, y)
    w = mul(z, x)
    assert w.eval({x: 2.0, y: 3.0}) == 10.0
    assert w.eval({z: 4.0, x: 2.0}) == 8.0
    assert len(w._eval_cache) == 2
    w.eval({x: 1.0, y: 1.0})
    assert len(w._eval_cache) == 2


ERRORS = [
    (
        "missing input",
        lambda x, y: g.function([x], add(x, y)),
        g.MissingInputError,
        "needs a value for y",
    ),
    ("unused input", lambda x, y: g.function([x, y], log(x)), g.UnusedInputError, "input y"),
    ("input twice", lambda x, y: g.function([x, x], log(x)), ValueError, "input x .* given twice"),
    ("inputs not a list", lambda x, y: g.function(x, log(x)), TypeError, "list of variables"),
    (
        "update non-shared",
        lambda x, y: g.function([x], x, updates=[(y, x)]),
        TypeError,
        "y .* is not one",
    ),
    (
        "update wrong type",
        lambda x, y: g.function([x], x, updates=[(g.shared(np.zeros(2), name="w"), x)]),
        TypeError,
        "update of w has type float, but w has type Array1",
    ),
    (
        "bad call type",
        lambda x, y: g.function([x, y], add(x, y))("a", 1),
        TypeError,
        "input 'x' .*argument 0",
    ),
    ("missing call value", lambda x, y: g.function([x, y], add(x, y))(1), TypeError, r"\['y'\]"),
    (
        "unknown keyword",
        lambda x, y: g.function([x, y], add(x, y))(1, q=2),
        TypeError,
        "no input named 'q'",
    ),
    (
        "too many",
        lambda x, y: g.function([x, y], add(x, y))(1, 2, 3),
        TypeError,
        "takes 2 inputs, got 3",
    ),
    (
        "given twice",
        lambda x, y: g.function([x, y], add(x, y))(1, 2, x=1),
        TypeError,
        "both by position and by name",
    ),
    (
        "shared as input",
        lambda x, y: g.function([g.shared(1.0)], x),
        TypeError,
        "cannot be an explicit input",
    ),
    (
        "ambiguous keyword",
        lambda x, y: g.function([x, fscalar("x")], add(x, x), on_unused_input="ignore")(x=1),
        TypeError,
        "two inputs .* are named 'x'",
    ),
]


@pytest.mark.parametrize("case", ERRORS, ids=[case[0] for case in ERRORS])
def test_errors_name_what_was_wrong(case):
    _, make, error, message = case
    with pytest.raises(error, match=message):
        make(fscalar("x"), fscalar("y"))


def test_unused_input_can_warn_or_be_ignored():
    x, y = fscalar("x"), fscalar("y")
    with pytest.warns(UserWarning, match="input y"):
        g.function([x, y], log(x), on_unused_input="warn")
    assert g.function([x, y], log(x), on_unused_input="ignore")(1, 2) == 0.0


def test_runtime_failure_names_the_op_and_where_it_was_built():
    v = vector("v")
    f = g.function([v], Explode()(v))
    with pytest.raises(RuntimeError) as info:
        f([1.0, 2.0])
    note = "\n".join(info.value.__notes__)
    assert "Explode" in note and "shape (2,)" in note and __file__ in note


def test_lazy_op_runs_only_the_taken_branch():
    c, a = fscalar("c"), fscalar("a")
    f = g.function([c, a], LazyChoice()(c, add(a, a), Explode()(a)))
    assert f(1, 2) == 4.0
    with pytest.raises(RuntimeError, match="must not run"):
        f(-1, 2)


def test_buffers_are_reused_but_returned_outputs_are_not_overwritten():
    double = VectorDouble()
    v = vector("v")
    hidden = double(v)
    f = g.function([v], [log(hidden)])
    f([1.0, 2.0])
    f([1.0, 2.0])
    assert double.reused == 1  # the intermediate reused last call's buffer

    returned = VectorDouble()
    h = g.function([v], returned(v))
    first = h([1.0, 2.0])
    second = h([5.0, 5.0])
    assert first.tolist() == [2.0, 4.0] and second.tolist() == [10.0, 10.0]


def test_outputs_that_are_inputs_are_copies():
    v = vector("v")
    f = g.function([v], [v, log(v)])
    values = np.ones(2)
    out, _ = f(values)
    out[0] = 5.0
    assert values[0] == 1.0


def test_debug_mode_catches_an_undeclared_inplace_op():
    v = vector("v")
    f = g.function([v], InplaceLiar()(v), mode="DebugMode")
    with pytest.raises(AssertionError, match="destroy_map"):
        f([1.0])


def test_debug_mode_runs_correct_graphs():
    x, y = fscalar("x"), fscalar("y")
    assert g.function([x, y], add(x, y), mode="DebugMode")(1, 2) == 3.0


def test_compiled_graph_is_reachable():
    x, y = fscalar("x"), fscalar("y")
    f = g.function([x, y], log(add(x, y)))
    assert [str(node.op) for node in f.maker.fgraph.toposort()] == ["Add", "Log"]
    assert len(f.maker.fgraph.outputs) == 1


def test_an_update_that_views_a_reused_buffer_does_not_alias_it():
    from toy_ops import ViewOf

    double = VectorDouble()
    state = g.shared(np.array([1.0]), name="state")
    doubled = double(state)
    f = g.function([], add(doubled, state), updates=[(state, ViewOf()(doubled))])
    assert f().tolist() == [3.0]  # 2 + 1
    # Without a copy, the shared value would be the buffer `double` reuses and overwrites
    # before `add` reads the state: the next result would be 4 + 4.
    assert f().tolist() == [6.0]  # 4 + 2
    assert double.reused == 1


def test_ops_with_empty_props_compare_by_type():
    from toy_ops import ViewOf

    assert ViewOf() == ViewOf() and hash(ViewOf()) == hash(ViewOf())
    assert VectorDouble() != VectorDouble()  # no __props__: identity


def test_a_variable_listed_twice_comes_back_as_two_arrays():
    v = vector("v")
    doubled = VectorDouble()(v)
    first, second = g.function([v], [doubled, doubled])([1.0, 2.0])
    assert first is not second and first.tolist() == second.tolist() == [2.0, 4.0]


def test_a_compiled_function_pickles_and_compiles_again_in_a_new_process():
    import pickle
    import subprocess
    import sys

    state = g.shared(2.0, name="state")
    x, y = fscalar("x"), fscalar("y")
    f = g.function(
        [x, g.In(y, value=1.0)], [log(add(x, y)), state], updates=[(state, add(state, x))]
    )
    f(1.0)  # state is now 3.0: the pickle carries that value
    again = pickle.loads(pickle.dumps(f))
    assert again(0.5) == f(0.5)  # each has its own copy of the state
    code = (
        "import pickle, sys; f = pickle.loads(sys.stdin.buffer.read()); "
        "print(f(1.0)[1], f(2.0, 3.0)[1])"
    )
    blob = pickle.dumps(f)
    done = subprocess.run([sys.executable, "-c", code], input=blob, capture_output=True, check=True)
    assert done.stdout.decode().split() == ["3.5", "4.5"]


def test_the_state_of_an_input_with_an_update_travels_with_the_pickle():
    import pickle
    import subprocess
    import sys

    x, total = fscalar("x"), fscalar("total")
    f = g.function([x, g.In(total, value=0.0, update=add(total, x))], total)
    f(1.0)
    f(2.0)  # the running total is now 3.0; a copy continues from there, not from 0.0
    again = pickle.loads(pickle.dumps(f))
    assert [again(0.5), again(0.5)] == [3.0, 3.5]
    assert f(0.5) == 3.0  # the original keeps its own state
    code = "import pickle, sys; f = pickle.loads(sys.stdin.buffer.read()); f(4.0); print(f(0.0))"
    done = subprocess.run(
        [sys.executable, "-c", code], input=pickle.dumps(f), capture_output=True, check=True
    )
    assert done.stdout.decode().split() == ["7.5"]


def test_a_function_made_without_function_refuses_to_pickle():
    import pickle

    x = fscalar("x")
    f = g.function([x], exp(x))
    f.recipe = None
    with pytest.raises(TypeError, match="no recipe"):
        pickle.dumps(f)
