"""Inplace: buffers are overwritten only where nobody else reads them.

The table compiles each graph with FAST_RUN and with DebugMode, calls it twice,
and checks after each call that no input array and no shared value changed
(shared values with an update must equal NumPy's update), that the values match
NumPy, and that results handed back by the first call survive the second.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import graphcore as g
import tensorops as pt
from graphcore import Apply, Op
from tensorops.basic import TensorSharedVariable
from tensorops.type import TensorType

RNG = np.random.default_rng(1)
MODES = ["FAST_RUN", "DebugMode"]


@dataclass
class Case:
    """Inputs (symbolic and two sets of values), outputs, updates, and NumPy's answer."""

    name: str
    inputs: list[Any]
    values: list[list[np.ndarray]]
    outputs: list[Any]
    expected: Callable[..., list[np.ndarray]]
    shared: dict[Any, np.ndarray] = field(default_factory=dict)
    updates: dict[Any, Any] = field(default_factory=dict)
    next_shared: Callable[..., dict[str, np.ndarray]] | None = None
    destroyers: int | None = None  # how many nodes should overwrite something, if known


def vec(n=5):
    return RNG.normal(size=n)


def mat(rows=3, cols=4):
    return RNG.normal(size=(rows, cols))


def cases() -> list[Case]:
    table = []
    x, y = pt.dvector("x"), pt.dvector("y")
    table.append(
        Case(
            "chain reading an input twice",
            [x, y],
            [[vec(), vec()], [vec(), vec()]],
            [pt.exp(x) + x * y, (x * 2).sum() + x],
            lambda x, y: [np.exp(x) + x * y, (x * 2).sum() + x],
            destroyers=0,
        )
    )
    x, y = pt.dvector("x"), pt.dvector("y")
    table.append(
        Case(
            "set_subtensor on an input",
            [x, y],
            [[vec(), vec()], [vec(), vec()]],
            [pt.set_subtensor(x[1:], y[:4]), x + 0],
            lambda x, y: [np.concatenate([x[:1], y[:4]]), x],
        )
    )
    x, y = pt.dvector("x"), pt.dvector("y")
    table.append(
        Case(
            "inc_subtensor on a result computed here",
            [x, y],
            [[vec(), vec()], [vec(), vec()]],
            [pt.inc_subtensor((x * 2)[0], y[1])],
            lambda x, y: [np.concatenate([[2 * x[0] + y[1]], 2 * x[1:]])],
            destroyers=1,
        )
    )
    x = pt.dvector("x")
    w = pt.shared(vec(), name="w")
    table.append(
        Case(
            "set_subtensor on a shared value",
            [x],
            [[vec()], [vec()]],
            [pt.set_subtensor(w[0], x[0]) * 3],
            lambda x, w: [np.concatenate([[x[0]], w[1:]]) * 3],
            shared={w: w.get_value()},
        )
    )
    x = pt.dvector("x")
    w = pt.shared(vec(), name="w")
    table.append(
        Case(
            "set_subtensor on a shared value that is also its update",
            [x],
            [[vec()], [vec()]],
            [x + 1],
            lambda x, w: [x + 1],
            shared={w: w.get_value()},
            updates={w: pt.inc_subtensor(w[2], x[0])},
            next_shared=lambda x, w: {"w": np.concatenate([w[:2], [w[2] + x[0]], w[3:]])},
            destroyers=0,  # a shared tensor is never overwritten, even by its own update
        )
    )
    x = pt.dvector("x")
    t = x * 2
    table.append(
        Case(
            "a result returned and read by other nodes",
            [x],
            [[vec()], [vec()]],
            [t, pt.exp(t) + 1, pt.set_subtensor(t[0], 1.0)],
            lambda x: [2 * x, np.exp(2 * x) + 1, np.concatenate([[1.0], 2 * x[1:]])],
        )
    )
    m = pt.dmatrix("m")
    table.append(
        Case(
            "views of an input: transpose, slices",
            [m],
            [[mat()], [mat()]],
            [
                pt.exp(m.T) + 1,
                m[1:] * 2,
                pt.set_subtensor(m.T[0], 0.0),
                pt.inc_subtensor(m[1:][0], 1),
            ],
            lambda m: [
                np.exp(m.T) + 1,
                m[1:] * 2,
                np.concatenate([np.zeros((1, 3)), m[:, 1:].T]),
                np.concatenate([m[1:2] + 1, m[2:]]),
            ],
        )
    )
    m = pt.dmatrix("m")
    table.append(
        Case(
            "views of results computed here",
            [m],
            [[mat()], [mat()]],
            [pt.set_subtensor((m * 2).T[0], 0.0), pt.exp((m + 1)[1:]) * 3],
            lambda m: [
                np.concatenate([np.zeros((1, 3)), (2 * m)[:, 1:].T]),
                np.exp((m + 1)[1:]) * 3,
            ],
        )
    )
    a = pt.dmatrix("a")
    table.append(
        Case(
            "elementwise after a dot, with a multi-output Composite",
            [a],
            [[mat(3, 3)], [mat(3, 3)]],
            [pt.exp(pt.dot(a, a)), (pt.exp(pt.dot(a, a)) + 1).sum(axis=0)],
            lambda a: [np.exp(a @ a), (np.exp(a @ a) + 1).sum(axis=0)],
        )
    )
    x = pt.dvector("x")
    w = pt.shared(vec(), name="w")
    v = pt.shared(vec(), name="v")
    table.append(
        Case(
            "updates reading shared values also returned",
            [x],
            [[vec()], [vec()]],
            [w * 2, pt.exp(v) + x],
            lambda x, w, v: [w * 2, np.exp(v) + x],
            shared={w: w.get_value(), v: v.get_value()},
            updates={w: w + x, v: pt.exp(v) - 1},
            next_shared=lambda x, w, v: {"w": w + x, "v": np.exp(v) - 1},
        )
    )
    x = pt.dvector("x")
    w = pt.shared(vec(), name="w")
    table.append(
        Case(
            "a shared value whose only reader is its update",
            [x],
            [[vec()], [vec()]],
            [x * 3],
            lambda x, w: [x * 3],
            shared={w: w.get_value()},
            updates={w: pt.exp(w) * 0.5},
            next_shared=lambda x, w: {"w": np.exp(w) * 0.5},
            destroyers=0,  # a shared tensor is never overwritten, even by its own update
        )
    )
    return table


CASES = cases()


def snapshot(values):
    return [np.array(v, copy=True) for v in values]


def run_case(case: Case, mode: str) -> g.Function:
    for var, value in case.shared.items():
        var.set_value(value)
    f = pt.function(case.inputs, case.outputs, mode=mode, updates=case.updates or None)
    shared_vars = list(case.shared)
    kept: list[tuple[list[np.ndarray], list[np.ndarray]]] = []
    for values in case.values:
        arguments = [np.array(v, copy=True) for v in values]
        before = [var.get_value() for var in shared_vars]
        results = f(*arguments)
        for given, original in zip(arguments, values, strict=True):
            np.testing.assert_array_equal(given, original, err_msg=f"{case.name}: input changed")
        for got, want in zip(results, case.expected(*values, *before), strict=True):
            np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=case.name)
        replaced = case.next_shared(*values, *before) if case.next_shared else {}
        for var, old in zip(shared_vars, before, strict=True):
            want = replaced.get(var.name, old)
            np.testing.assert_allclose(var.get_value(), want, rtol=1e-12, err_msg=case.name)
        kept.append((results, snapshot(results)))
    for results, copies in kept:
        for result, copy in zip(results, copies, strict=True):
            np.testing.assert_array_equal(result, copy, err_msg=f"{case.name}: a result changed")
    return f


def destroyers(f) -> list[Apply]:
    return [node for node in f.maker.fgraph.apply_nodes if node.op.destroy_map]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_no_input_and_no_kept_shared_value_is_modified(pipeline, case, mode):
    f = run_case(case, mode)
    if case.destroyers is not None:
        assert len(destroyers(f)) == case.destroyers, [str(n) for n in destroyers(f)]


def test_inplace_happens_where_safe(pipeline):
    a = pt.dmatrix("a")
    f = pt.function([a], pt.exp(pt.dot(a, a)) + 1)
    (node,) = destroyers(f)
    assert node.op.inplace_pattern == ((0, 0),)
    assert str(node.inputs[0].owner.op) == "Dot"
    x = pt.dvector("x")
    f = pt.function([x], pt.set_subtensor((x * 2)[1:3], 0.0))
    assert [type(n.op).__name__ for n in destroyers(f)] == ["IncSubtensor"]


def test_mutable_inputs_may_be_overwritten(pipeline):
    x, y = pt.dvector("x"), pt.dvector("y")
    f = pt.function([g.In(x, mutable=True), y], pt.exp(x) * y)
    (node,) = destroyers(f)
    assert node.inputs[node.op.destroy_map[0][0]] is f.maker.fgraph.inputs[0]
    xs, ys = vec(), vec()
    given = xs.copy()
    np.testing.assert_allclose(f(given, ys), np.exp(xs) * ys)
    f = pt.function([x, y], pt.exp(x) * y)
    assert destroyers(f) == []


def test_excluding_inplace_leaves_no_destroyer(pipeline):
    a = pt.dmatrix("a")
    mode = g.get_mode("FAST_RUN").excluding("inplace")
    f = pt.function([a], pt.exp(pt.dot(a, a)) + 1, mode=mode)
    assert destroyers(f) == []


# ---- the generic protocol: any op offering make_inplace ------------------------------------


class Advance(Op):
    """A toy random op: the next state (``state + 1``) and a draw from it; like a random
    variable, it copies the state unless made inplace."""

    __props__ = ("inplace",)

    def __init__(self, inplace: bool = False):
        self.inplace = inplace
        self.destroy_map = {0: [0]} if inplace else {}

    def make_inplace(self):
        return None if self.inplace else Advance(True)

    def make_node(self, state):
        return Apply(self, [state], [state.type(), TensorType("float64", (None,))()])

    def perform(self, node, inputs, output_storage):
        state = inputs[0] if self.inplace else inputs[0].copy()
        state += 1
        output_storage[0][0] = state
        output_storage[1][0] = state * 2


class PrivateState(TensorType):
    """State only the function reads, like a random generator: it may advance in place."""

    update_in_place = True


def private_state() -> g.SharedVariable:
    return TensorSharedVariable(PrivateState("float64", (None,)), np.zeros(3), "state")


def test_a_shared_tensor_is_not_advanced_in_place(pipeline):
    state = pt.shared(np.zeros(3), name="state")
    next_state, draw = Advance()(state)
    f = pt.function([], draw, updates={state: next_state})
    assert destroyers(f) == []
    held = state.get_value(borrow=True)
    f()
    np.testing.assert_array_equal(held, np.zeros(3))


@pytest.mark.parametrize("mode", MODES)
def test_a_state_updated_by_the_function_advances_in_place(pipeline, mode):
    state = private_state()
    next_state, draw = Advance()(state)
    f = pt.function([], draw, updates={state: next_state}, mode=mode)
    assert [type(n.op).__name__ for n in destroyers(f)] == ["Advance"]
    held = state.get_value(borrow=True)
    first = f()
    np.testing.assert_array_equal(first, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(f(), [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(first, [2.0, 2.0, 2.0])
    assert state.get_value(borrow=True) is held  # advanced in place, not replaced
    np.testing.assert_array_equal(state.get_value(), [2.0, 2.0, 2.0])


def test_a_state_not_updated_or_read_twice_is_copied(pipeline):
    state = private_state()
    next_state, draw = Advance()(state)
    f = pt.function([], draw)  # no update: the state must stay as it is
    assert destroyers(f) == []
    f()
    np.testing.assert_array_equal(state.get_value(), np.zeros(3))
    next_state, draw = Advance()(state)
    f = pt.function([], [draw, state.sum()], updates={state: next_state})
    assert destroyers(f) == []
    np.testing.assert_array_equal(f()[1], 0.0)
    twin = state.clone()
    next_state, draw = Advance()(state)
    f = pt.function([], [draw, twin + 0], updates={state: next_state})
    assert destroyers(f) == []  # the twin shares the storage: it would see the change
    np.testing.assert_array_equal(f()[1], [1.0, 1.0, 1.0])


def test_a_composite_output_never_overwrites_an_input_read_after_it():
    from rewriter.tensor.inplace import composite_allows
    from tensorops.composite import Composite

    i0, i1 = pt.dscalar("i0"), pt.dscalar("i1")
    # exp(i0) is computed first; i0 * i1 reads i0 afterwards, and i1 is an output itself.
    program = Composite([i0, i1], [pt.exp(i0), i0 * i1, i1])
    assert not composite_allows(program, 0, 0)
    assert composite_allows(program, 1, 0)
    assert not composite_allows(program, 0, 1)
    assert not composite_allows(program, 2, 0)  # copied from an input: nothing to overwrite
