"""The link seam: programs, the storage plan, thunks, and the modes built on them."""

from typing import Any, ClassVar

import numpy as np
import pytest
from toy_ops import VectorDouble, add, exp, fscalar, log, mul, vector

import graphcore as g
from graphcore.testing import Binary, FloatType


class StrictAdd(g.Op):
    """Adds two Python floats and refuses anything else: defaults must arrive filtered."""

    __props__ = ()

    def make_node(self, a: g.Variable, b: g.Variable) -> g.Apply:
        return g.Apply(self, [a, b], [FloatType()()])

    def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
        assert all(type(value) is float for value in inputs), inputs
        output_storage[0][0] = inputs[0] + inputs[1]


def test_defaults_go_through_the_type_once_at_compile_time():
    x, y, w = fscalar("x"), fscalar("y"), fscalar("w")
    strict_add = StrictAdd()
    z = strict_add(strict_add(x, y), w)
    f = g.function([x, g.In(y, value=1), g.In(w, value=2, name="w_by_name")], z)
    assert f(33) == 36.0 and f(33, 0) == 35.0 and f(33, w_by_name=1, y=0) == 34.0
    with pytest.raises(TypeError, match=r"bad value for input 'y' \(argument 1\)"):
        g.function([x, g.In(y, value="one")], strict_add(x, y))


def test_trust_input_skips_filtering():
    x, y = fscalar("x"), fscalar("y")
    checked = g.function([x, y], StrictAdd()(x, y))
    trusted = g.function([x, y], StrictAdd()(x, y), trust_input=True)
    assert checked(1, 2) == 3.0  # ints are filtered into floats
    assert trusted(1.0, 2.0) == 3.0
    with pytest.raises(AssertionError):
        trusted(1, 2)  # nothing converted the ints: the op sees them as given


def test_link_returns_a_program_whose_call_returns_every_output():
    x, y = fscalar("x"), fscalar("y")
    fgraph = g.FunctionGraph([x, y], [add(x, y), mul(x, y)])
    program = g.PythonLinker().link(fgraph)
    assert isinstance(program, g.Program)
    assert program.call([2.0, 3.0]) == [5.0, 6.0]


def test_borrowed_outputs_keep_their_buffer_and_others_are_fresh():
    x = vector("x")
    doubled = VectorDouble()(x)
    borrowed = g.function([x], g.Out(doubled, borrow=True))
    first = borrowed(np.ones(3))
    second = borrowed(np.full(3, 2.0))
    assert second is first and first.tolist() == [4.0, 4.0, 4.0]  # the buffer was reused
    fresh = g.function([x], doubled)
    first = fresh(np.ones(3))
    second = fresh(np.full(3, 2.0))
    assert first is not second and first.tolist() == [2.0, 2.0, 2.0]


def test_storage_plan_copies_roots_views_and_repeats():
    x = vector("x")
    doubled = VectorDouble()(x)
    fgraph = g.FunctionGraph([x], [x, doubled, doubled])
    plan = g.StoragePlan.for_graph(fgraph, [False, False, False])
    assert plan.copy_outputs == (True, False, True)
    assert plan.cleared == (fgraph.outputs[1],)
    borrowed = g.StoragePlan.for_graph(fgraph, [False, True, False])
    assert borrowed.cleared == (fgraph.outputs[1],)  # returned twice: still not reused


def test_thunk_program_mixes_backends():
    x = fscalar("x")
    out = log(exp(x))
    fgraph = g.FunctionGraph([x], [out])
    seen: list[str] = []

    def thunk_for(node: g.Apply, inputs: list[g.Cell], outputs: list[g.Cell]) -> g.Thunk:
        if str(node.op) == "Exp":

            def foreign() -> None:  # another backend: here, NumPy by hand
                seen.append("foreign")
                outputs[0][0] = float(np.exp(inputs[0][0]))

            return foreign
        return g.python_thunk(node, inputs, outputs)

    storage = g.allocate_storage(fgraph)
    run = g.thunk_program(fgraph.toposort(), storage, thunk_for)
    storage[fgraph.inputs[0]][0] = 1.5
    run()
    assert storage[fgraph.outputs[0]][0] == pytest.approx(1.5) and seen == ["foreign"]


def test_registered_python_thunk_holds_the_state_not_the_op():
    class Scale(g.Op):
        __props__ = ("factor",)

        def __init__(self, factor: float):
            self.factor = factor

        def make_node(self, a: g.Variable) -> g.Apply:
            return g.Apply(self, [a], [FloatType()()])

        def perform(self, node: g.Apply, inputs: Any, output_storage: Any) -> None:
            output_storage[0][0] = self.factor * inputs[0]

    calls: list[int] = []

    @g.python_thunks.register(Scale)
    def scale_thunk(node: g.Apply, inputs: list[g.Cell], outputs: list[g.Cell]) -> g.Thunk:
        factor = node.op.factor
        count = [0]  # per-program state

        def thunk() -> None:
            count[0] += 1
            calls.append(count[0])
            outputs[0][0] = factor * inputs[0][0]

        return thunk

    x = fscalar("x")
    f, h = g.function([x], Scale(3.0)(x)), g.function([x], Scale(3.0)(x))
    assert f(2) == 6.0 and f(1) == 3.0 and h(1) == 3.0
    assert calls == [1, 2, 1]  # each program counts on its own


class WrongProgram:
    """A backend that is off by one: DebugMode must catch it."""

    def __init__(self, inner: g.Program):
        self.inner = inner

    def call(self, args: Any) -> list[Any]:
        return [value + 1.0 for value in self.inner.call(args)]

    def free(self) -> None:
        self.inner.free()


class OffByOneLinker:
    name: ClassVar[str] = "off_by_one"
    priority: ClassVar[int] = -10  # asked for by name below, then made a backend

    def link(self, fgraph: g.FunctionGraph, layout: g.CallLayout | None = None) -> g.Program:
        return WrongProgram(g.PythonLinker().link(fgraph, layout))


def test_debug_mode_catches_a_wrong_backend():
    g.register_linker("off_by_one", OffByOneLinker)
    try:
        x, y = fscalar("x"), fscalar("y")
        assert g.function([x, y], add(x, y), mode=g.Mode(linker="off_by_one"))(1, 2) == 4.0
        g.register_linker("off_by_one", OffByOneLinker, priority=0)
        f = g.function([x, y], add(x, y), mode="DebugMode")
        with pytest.raises(g.DebugModeError, match=r"output 0 .* 'off_by_one' backend"):
            f(1, 2)
    finally:
        g.unregister_linker("off_by_one")
    assert g.function([x, y], add(x, y), mode="DebugMode")(1, 2) == 3.0


def test_nan_guard_names_the_op_that_made_a_nan():
    x, y = vector("x"), vector("y")
    sub = Binary("Sub", lambda a, b: a - b)
    divide = Binary("Div", lambda a, b: a / b)
    out = divide(sub(x, y), sub(x, y))  # 0/0 where x == y
    f = g.function([x, y], out, mode="NanGuardMode")
    np.testing.assert_allclose(f(np.array([2.0]), np.array([1.0])), [1.0])
    with np.errstate(invalid="ignore"), pytest.raises(g.NonFiniteError) as caught:
        f(np.array([1.0, 2.0]), np.array([1.0, 0.0]))
    message = str(caught.value)
    assert "Div" in message and "produced nan in output 0" in message
    assert "test_program.py" in message  # the user's line that built the node
    with np.errstate(invalid="ignore"):  # other modes let the NaN through
        assert np.isnan(g.function([x, y], out)(np.array([2.0]), np.array([2.0]))).all()


def test_graph_inputs_takes_graphs_by_keyword():
    x, y = fscalar("x"), fscalar("y")
    w = add(x, mul(y, x))
    assert g.graph_inputs(graphs=[w]) == [x, y]


@pytest.mark.parametrize("outputs", ["hello", 3, {"a": 1}])
def test_outputs_that_are_not_variables_are_named_whole(outputs):
    x = fscalar("x")
    with pytest.raises(TypeError, match="outputs must be a symbolic variable or a list"):
        g.function([x], outputs)
