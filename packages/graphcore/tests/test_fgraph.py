"""FunctionGraph: clients, replacement, pruning and listeners."""

import pytest
from toy_ops import add, exp, fscalar, log, mul

import graphcore as g


class Recorder:
    def __init__(self):
        self.events = []

    def on_import(self, fgraph, node, reason):
        self.events.append(("import", str(node.op)))

    def on_prune(self, fgraph, node, reason):
        self.events.append(("prune", str(node.op)))

    def on_change_input(self, fgraph, node, position, old, new, reason):
        self.events.append(("change", position, reason))


def build():
    x, y = fscalar("x"), fscalar("y")
    return x, y, log(add(x, y))


def test_fgraph_copies_and_tracks_clients():
    x, y, out = build()
    fg = g.FunctionGraph([x, y], [out])
    assert fg.inputs[0] is not x and out.owner.inputs[0].owner.inputs == [x, y]
    (node_add, _node_log) = fg.toposort()
    assert fg.get_clients(fg.inputs[0]) == [(node_add, 0)]
    assert list(fg.clients[fg.outputs[0]]) == [("output", 0)]
    fg.check_integrity()


def test_replace_prunes_and_notifies():
    x, y, out = build()
    recorder = Recorder()
    fg = g.FunctionGraph([x, y], [out], features=[recorder])
    fx, fy = fg.inputs
    add_out = fg.outputs[0].owner.inputs[0]
    fg.replace(add_out, mul(fx, fy), reason="test")
    assert [str(n.op) for n in fg.toposort()] == ["Mul", "Log"]
    assert ("prune", "Add") in recorder.events and ("import", "Mul") in recorder.events
    assert ("change", 0, "test") in recorder.events
    assert len(fg.apply_nodes) == 2
    fg.check_integrity()


def test_replace_an_output():
    x, y, out = build()
    fg = g.FunctionGraph([x, y], [out])
    fg.replace(fg.outputs[0], exp(fg.inputs[0]))
    assert str(fg.outputs[0].owner.op) == "Exp" and len(fg.apply_nodes) == 1


def test_missing_input_is_named():
    x, _y, out = build()
    with pytest.raises(g.MissingInputError, match="needs a value for y"):
        g.FunctionGraph([x], [out])


def test_replace_with_wrong_type_raises():
    from toy_ops import vector

    x, y, out = build()
    fg = g.FunctionGraph([x, y], [out])
    with pytest.raises(TypeError, match="cannot replace"):
        fg.replace(fg.inputs[0], vector("v"))
