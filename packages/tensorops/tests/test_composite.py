"""Composite as plain data: built from a scalar graph in one pass, equal and hashed by value,
pickled by table row, queried by name, printed with shared values named once."""

import copy
import itertools
import pickle

import numpy as np
import pytest

import tensorops as pt
from tensorops.composite import Composite, Step
from tensorops.elemwise import Elemwise
from tensorops.scalar_ops import SCALAR_OPS, cast_op


def squarings(length: int) -> tuple[pt.TensorVariable, pt.TensorVariable]:
    """x squared ``length`` times as ``e * e``: each value read twice."""
    x = pt.dscalar("x")
    e = x
    for _ in range(length):
        e = e * e
    return x, e


def reuse_chain(length: int) -> tuple[pt.TensorVariable, pt.TensorVariable]:
    """exp(-e*e), e*e and e + x in turn: values read several times, x read throughout."""
    x = pt.dscalar("x")
    e = x
    for step in range(length):
        e = (pt.exp(-e * e), e * e, e + x)[step % 3]
    return x, e


def test_equal_by_value_and_hashed_once() -> None:
    a, b = pt.dscalars("a", "b")
    fused = Composite([a, b], [pt.exp(a) + b, a * b])
    same = Composite([a, b], [pt.exp(a) + b, a * b])
    c, d = pt.dscalars("c", "d")
    renamed = Composite([c, d], [pt.exp(c) + d, c * d])
    assert fused == same == renamed and len({fused, same, renamed}) == 1
    assert fused != Composite([a, b], [pt.exp(a) + b, b * a])
    assert fused != Composite([a, b], [pt.exp(a) + b])
    assert Composite([a], [a + 1.0]) != Composite([a], [a + 2.0])
    assert Composite([a], [a * np.nan]) == Composite([a], [a * np.nan])
    assert Composite([a], [a * 0.0]) != Composite([a], [a * -0.0])
    assert Elemwise(fused) == Elemwise(same)


def test_the_declaration() -> None:
    a, b = pt.dscalars("a", "b")
    fused = Composite([a, b], [pt.exp(a) * 2.0 + b, a, b * 2.0])
    exp, mul, add = SCALAR_OPS["exp"], SCALAR_OPS["mul"], SCALAR_OPS["add"]
    assert fused.input_dtypes == ("float64", "float64")
    assert [float(c) for c in fused.constants] == [2.0]
    assert fused.steps == (Step(exp, (0,)), Step(mul, (3, 2)), Step(add, (4, 1)), Step(mul, (1, 2)))
    assert fused.output_slots == (5, 0, 6)
    assert fused.output_types == ("float64",) * 3
    declared = Composite.declare(
        ["float64", "float64"],
        [(exp, (0,)), (mul, (3, 2)), (add, (4, 1)), (mul, (1, 2))],
        [np.float64(2.0)],
        [5, 0, 6],
    )
    assert declared == fused
    with pytest.raises(ValueError, match="slots"):
        Composite.declare(["float64"], [(exp, (1,))], [], [1])
    with pytest.raises(TypeError, match="takes 2 arguments"):
        Composite.declare(["float64"], [(add, (0,))], [], [1])


def test_queries_for_rewriters() -> None:
    i0, i1 = pt.dscalars("i0", "i1")
    program = Composite([i0, i1], [pt.exp(i0), i0 * i1, i1, pt.exp(i0)])
    assert program.first_step_slot == 2 and program.step_slot(1) == 3
    assert program.step_of(3) == 1 and program.step_of(1) is None
    assert program.last_reader(0) == 1 and program.last_reader(1) == 1
    assert program.last_reader(3) is None
    assert [program.writer_of(k) for k in range(4)] == [0, 1, None, None]


def test_immutable_copied_as_itself_and_pickled_by_row_name() -> None:
    a, b = pt.dscalars("a", "b")
    fused = Composite([a, b], [pt.cast(pt.exp(a), "float32") * pt.cast(b, "float32"), a + 1.0])
    with pytest.raises(AttributeError, match="immutable"):
        fused.steps = ()
    assert copy.copy(fused) is fused and copy.deepcopy(fused) is fused
    data = pickle.dumps(fused)
    assert b"cast_float32" in data and len(data) < 1000
    back = pickle.loads(data)
    assert back == fused and hash(back) == hash(fused)
    assert back.steps[1].op is cast_op("float32")
    assert pickle.loads(pickle.dumps(Elemwise(fused))) == Elemwise(fused)


def test_printing() -> None:
    a, b = pt.dscalars("a", "b")
    assert str(Composite([a, b], [pt.exp(a) + b, a * b])) == "Composite{(exp(i0) + i1), (i0 * i1)}"
    shared = pt.exp(a) * b
    assert (
        Composite([a, b], [shared + shared, shared]).render()
        == "Composite{t0 = (exp(i0) * i1); (t0 + t0), t0}"
    )
    x, e = squarings(26)
    long = Composite([x], [e])
    text = long.render()
    assert text.startswith("Composite{t0 = (i0 * i0); t1 = (t0 * t0); ")
    assert text.endswith("t24 = (t23 * t23); (t24 * t24)}")
    assert len(str(long)) <= 80 and str(long).endswith("...}")
    assert str(Elemwise(long)) == str(long)


def test_graph_construction_merges_equal_steps_and_inlines_nested_composites() -> None:
    a, b = pt.dscalars("a", "b")
    twice = Composite([a, b], [pt.exp(a) * b + pt.exp(a) * b])
    assert len(twice.steps) == 3  # exp, mul, add: the repeated product is computed once
    inner = Composite([a, b], [a * b, a + b])
    product, total = Elemwise(inner)(a, b)
    outer = Composite([a, b], [pt.sin(product) - total])
    flat = Composite([a, b], [pt.sin(a * b) - (a + b)])
    assert outer.render() == flat.render() and len(outer.steps) == len(flat.steps) == 4
    assert all(isinstance(step.op, type(SCALAR_OPS["add"])) for step in outer.steps)


def test_graph_construction_refuses_what_is_not_a_scalar_program() -> None:
    a, b = pt.dscalars("a", "b")
    with pytest.raises(ValueError, match="not an input"):
        Composite([a], [a + b])
    with pytest.raises(ValueError, match="only single values"):
        Composite([a], [a + np.ones(2)])
    inplace = Elemwise(SCALAR_OPS["add"], {0: 0})(a, b)
    with pytest.raises(TypeError, match="not an elementwise scalar op"):
        Composite([a, b], [inplace])


@pytest.mark.parametrize("chain", [squarings, reuse_chain])
def test_size_grows_linearly_with_the_graph(chain) -> None:
    """Doubling the graph doubles the steps and the printed text (no copies of shared text)."""
    sizes = []
    for length in (100, 200, 400):
        x, e = chain(length)
        fused = Composite([x], [e])
        sizes.append((len(fused.steps), len(fused.render())))
    for (steps, text), (more_steps, more_text) in itertools.pairwise(sizes):
        assert 1.8 < more_steps / steps < 2.2
        assert 1.8 < more_text / text < 2.3
    x, e = squarings(26)
    assert len(Composite([x], [e]).steps) == 26
