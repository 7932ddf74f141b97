"""The C linker end to end: FAST_RUN picks it, a whole graph is one entry point, nodes
without C run in Python beside it, and every way it can fail says what happened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import graphcore as g
import tensorops as pt
from ccodegen import CCompileError, scalar_c
from ccodegen.linker import CLinker, CProgram
from graphcore import config
from tensorops.nlinalg import norm


@pytest.fixture(scope="module", autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("linker-cache")
    with config.change_flags(cache_dir=str(root)):
        yield root


def test_fast_run_links_a_whole_graph_into_one_c_entry_point() -> None:
    x, y = pt.dvectors("x", "y")
    f = pt.function([x, y], [pt.exp(x) * y + 1, (x - y).sum()])
    assert f.maker.linker.name == "c" and isinstance(f.program, CProgram)
    a, b = np.linspace(0, 1, 5), np.linspace(1, 2, 5)
    got = f(a, b)
    np.testing.assert_allclose(got[0], np.exp(a) * b + 1)
    assert got[1] == pytest.approx((a - b).sum())
    longer = f(np.ones(7), np.ones(7))  # new lengths: the program asks for new arrays
    assert longer[0].shape == (7,)
    assert got[0] is not f(a, b)[0]  # every call hands out fresh arrays


def test_scalar_add_and_shared_updates_in_c() -> None:
    x = pt.dscalar("x")
    total = g.shared(np.float64(0.0), name="total")
    accumulate = pt.function([x], total, updates=[(total, total + x)])
    assert isinstance(accumulate.program, CProgram)
    assert [float(accumulate(v)) for v in (1.0, 2.0, 3.0)] == [0.0, 1.0, 3.0]
    assert float(total.get_value()) == 6.0


def test_borrowed_output_reuses_its_array() -> None:
    x = pt.dvector("x")
    f = pt.function([x], g.Out(x * 2, borrow=True))
    first = f(np.ones(3))
    second = f(np.full(3, 2.0))
    assert second is first and second.tolist() == [4.0, 4.0, 4.0]


def test_nodes_without_c_run_in_python_in_the_same_program() -> None:
    m = pt.dmatrix("m")
    f = pt.function([m], norm(pt.exp(m), 2) * 2)  # a matrix 2-norm needs an SVD: no C
    assert f.maker.linker.name == "c" and not isinstance(f.program, CProgram)
    v = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.testing.assert_allclose(f(v), np.linalg.norm(np.exp(v), 2) * 2)


def test_run_time_errors_raise_the_python_exception_naming_the_op() -> None:
    x, y = pt.dvectors("x", "y")
    f = pt.function([x, y], x * y)
    with pytest.raises(ValueError, match="may not broadcast") as caught:
        f(np.ones(3), np.ones(4))
    assert any("Mul" in note and "test_linker.py" in note for note in caught.value.__notes__)
    m, i = pt.dmatrix("m"), pt.lscalar("i")
    row = pt.function([m, i], m[i])
    with pytest.raises(IndexError, match="out of bounds"):
        row(np.ones((2, 3)), 5)


def test_debug_mode_names_the_first_node_a_wrong_c_rule_computes(monkeypatch) -> None:
    x = pt.dvector("x")
    out = pt.dot(pt.exp(x), x)  # Exp stays a node of its own, rewrites or not
    assert pt.function([x], out, mode="DebugMode")(np.ones(2)) == pytest.approx(2 * np.e)
    wrong = scalar_c.SCALAR_C["exp"]
    monkeypatch.setitem(scalar_c.SCALAR_C, "exp", lambda args, ops: f"({wrong(args, ops)} + 1)")
    f = pt.function([x], out, mode="DebugMode")
    with pytest.raises(
        g.DebugModeError, match=r"'c' backend[\s\S]*first node that disagrees is Exp"
    ):
        f(np.ones(2))


def test_a_failed_c_compile_names_the_compiler_message_and_the_file(monkeypatch) -> None:
    x = pt.dvector("x")
    monkeypatch.setitem(scalar_c.SCALAR_C, "tanh", lambda args, ops: "tanh(")
    with pytest.raises(CCompileError) as caught:
        pt.function([x], pt.tanh(x))
    message = str(caught.value)
    assert "error" in message and ".c" in message
    kept = Path(message.split("kept at ")[1].split(maxsplit=1)[0])
    assert kept.exists() and "tanh(" in kept.read_text()
    # The Python backend still compiles the same graph.
    np.testing.assert_allclose(
        pt.function([x], pt.tanh(x), mode="FAST_COMPILE")([0.5]), [np.tanh(0.5)]
    )
    np.testing.assert_allclose(
        pt.function([x], pt.tanh(x), mode=g.Mode(linker="py"))([0.5]), [np.tanh(0.5)]
    )


def test_without_a_compiler_fast_run_warns_once_and_runs_python(monkeypatch) -> None:
    monkeypatch.setenv("CC", "/nonexistent/cc")
    monkeypatch.setattr(CLinker, "_warned", False)
    x = pt.dvector("x")
    with pytest.warns(RuntimeWarning, match="no C compiler"):
        f = pt.function([x], pt.exp(x))
    np.testing.assert_allclose(f([0.0, 1.0]), np.exp([0.0, 1.0]))
    assert not isinstance(f.program, CProgram)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pt.function([x], pt.exp(x) + 1)  # no second warning


@pytest.mark.parametrize("reduction", ["sum", "mean", "prod", "max", "min"])
def test_a_reduction_of_an_elementwise_program_runs_in_one_pass(reduction) -> None:
    x, y = pt.dvectors("x", "y")
    m, row = pt.dmatrix("m"), pt.drow("row")
    cases = [
        (getattr(pt.exp(x * 0.3) + y, reduction)(), [x, y]),
        (getattr(pt.sin(m) * row, reduction)(), [m, row]),
    ]
    rng = np.random.default_rng(3)
    for out, inputs in cases:
        f = pt.function(inputs, out)
        reference = pt.function(inputs, out, mode=g.Mode(linker="py"))
        shapes = {x: (300,), y: (300,), m: (40, 30), row: (1, 30)}
        values = [rng.uniform(0.5, 1.0, shapes[var]) for var in inputs]
        layouts = [values, [v[::-1] for v in values], [np.asfortranarray(v) for v in values]]
        for given in layouts:
            np.testing.assert_allclose(f(*given), reference(*given), rtol=1e-12)
    if reduction in ("max", "min"):
        with pytest.raises(ValueError, match="zero-size"):
            pt.function([x, y], getattr(pt.exp(x) + y, reduction)())(np.ones(0), np.ones(0))


def test_python_floats_are_read_in_place_by_a_whole_c_function() -> None:
    x, y, v, m = pt.dscalar("x"), pt.dscalar("y"), pt.dvector("v"), pt.dscalar("m")
    f = pt.function([x, y, v, g.In(m, mutable=True)], [x * y + v.sum() + m, x])
    assert isinstance(f.program, CProgram)
    assert f.program.raw_floats == frozenset({1, 3})  # x is also an output: made an array
    value, same_x = f(1.5, 2.0, np.ones(3), 4.0)  # m, mutable, is still made an array
    assert value == 10.0 and isinstance(value, np.ndarray) and same_x == 1.5
    # Other scalars still go through the filter: NumPy scalars, ints, 0-d arrays.
    assert f(np.float64(2.0), 3, np.zeros(2), np.array(1.0))[0] == 7.0
    with pytest.raises(ValueError, match="input 'y'"):
        f(1.0, "two", np.ones(1), 1.0)
    y_value = 2.5
    assert f(y_value, y_value, np.zeros(0), 0.0)[0] == 6.25 and y_value == 2.5
