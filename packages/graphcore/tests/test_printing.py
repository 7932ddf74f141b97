"""pp, dprint and graphviz."""

import io
import shutil

import pytest
from toy_ops import Binary, add, fscalar, log, mul

import graphcore as g

g.register_printer(lambda node: node.op == add, g.OperatorPrinter("+"))
g.register_printer(lambda node: node.op == log, g.FunctionPrinter("log"))


def test_pp_infix_and_function_calls():
    x, y = fscalar("x"), fscalar("y")
    assert g.pp(add(x, y)) == "(x + y)"
    assert g.pp(log(add(x, y))) == "log((x + y))"
    assert g.pp(mul(x, y)) == "Mul(x, y)"


def test_dprint_tree_of_a_variable():
    x, y = fscalar("x"), fscalar("y")
    out = log(add(x, y))
    out.name = "log(x + y)"
    expected = "Log [id A] 'log(x + y)'\n └─ Add [id B]\n    ├─ x [id C]\n    └─ y [id D]\n"
    assert g.dprint(out, file="str") == expected
    stream = io.StringIO()
    g.dprint(out, file=stream)
    assert stream.getvalue() == expected


def test_dprint_of_a_function_shows_order_and_shared_subtrees():
    x, y = fscalar("x"), fscalar("y")
    s = add(x, y)
    f = g.function([x, y], [log(s), mul(s, s)])
    text = g.dprint(f, file="str")
    assert text.splitlines() == [
        "Log [id A] 1",
        " └─ Add [id B] 0",
        "    ├─ x [id C]",
        "    └─ y [id D]",
        "Mul [id E] 2",
        " ├─ Add [id B] 0",
        " │  └─ ···",
        " └─ Add [id B] 0",
        "    └─ ···",
    ]


def test_dprint_to_stdout(capsys):
    g.dprint(log(fscalar("x")))
    assert capsys.readouterr().out == "Log [id A]\n └─ x [id B]\n"


def test_dprint_rejects_other_objects():
    with pytest.raises(TypeError, match="expected a variable"):
        g.dprint(3)


def test_graphviz_writes_dot(tmp_path):
    x, y = fscalar("x"), fscalar("y")
    f = g.function([x, y], log(add(x, y)))
    path = g.graphviz(f, tmp_path / "graph.dot")
    text = path.read_text()
    assert text.startswith("digraph G {") and '"Add"' in text and '"Log"' in text
    assert text.count("->") == 5  # x, y -> Add -> sum -> Log -> output
    assert list(tmp_path.iterdir()) == [path]


def test_graphviz_renders_or_says_what_is_missing(tmp_path, monkeypatch):
    out = Binary("Sub", lambda a, b: a - b)(fscalar("a"), fscalar("b"))
    if shutil.which("dot"):
        assert g.graphviz(out, tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.warns(UserWarning, match="needs the Graphviz 'dot' program"):
        path = g.graphviz(out, tmp_path / "h.png")
    assert path == tmp_path / "h.dot" and path.read_text().startswith("digraph G {")
    assert not (tmp_path / "h.png").exists()
