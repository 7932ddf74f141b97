"""Elementwise fusion: which nodes become one Elemwise(Composite), and the values stay NumPy's."""

import time

import numpy as np
import pytest

import graphcore as g
import tensorops as pt
from rewriter.tensor.fusion import ElementwiseFusion
from tensorops.composite import Composite
from tensorops.elemwise import Elemwise

RNG = np.random.default_rng(0)


def elemwise_nodes(f):
    return [node for node in f.maker.fgraph.apply_nodes if isinstance(node.op, Elemwise)]


def composite_nodes(f):
    return [node for node in elemwise_nodes(f) if isinstance(node.op.scalar_op, Composite)]


def op_kinds(f):
    return sorted(type(node.op).__name__ for node in f.maker.fgraph.apply_nodes)


def fused_only(outputs, inputs):
    """A graph rewritten by the fusion pass alone, on its own inputs."""
    fgraph = g.FunctionGraph(inputs, outputs)
    report = ElementwiseFusion()(fgraph)
    return fgraph, report


def test_exp_of_polynomial_is_one_composite_and_the_sum(pipeline):
    a, x, y = pt.dscalar("a"), pt.dvector("x"), pt.dvector("y")
    f = pt.function([a, x, y], pt.exp(a * x**3 + y**2).sum(), mode="FAST_RUN")
    assert len(composite_nodes(f)) == 1
    assert len(elemwise_nodes(f)) == 1
    # a broadcast by a DimShuffle (a view) feeds the Composite; the Sum reads it.
    assert [k for k in op_kinds(f) if k not in {"DimShuffle"}] == ["Elemwise", "Reduce"]
    xs, ys = RNG.normal(size=50), RNG.normal(size=50)
    np.testing.assert_allclose(f(0.3, xs, ys), np.exp(0.3 * xs**3 + ys**2).sum(), rtol=1e-12)


def test_logistic_is_one_node(pipeline):
    x = pt.dvector("x")
    f = pt.function([x], 1 / (1 + pt.exp(-x)), mode="FAST_RUN")
    assert len(f.maker.fgraph.apply_nodes) == 1
    xs = RNG.normal(size=20) * 10
    np.testing.assert_allclose(f(xs), 1 / (1 + np.exp(-xs)), rtol=1e-12)


def test_long_chain_fuses_and_compiles_fast(pipeline):
    x, y = pt.dvector("x"), pt.dvector("y")
    out = x
    for step in range(200):
        out = pt.sin(out) + y if step % 2 else out * 0.5 - y
    start = time.perf_counter()
    f = pt.function([x, y], out, mode="FAST_RUN")
    seconds = time.perf_counter() - start
    assert len(elemwise_nodes(f)) == 1
    assert seconds < 3.0, f"compiling a 200-op chain took {seconds:.2f} s"
    xs, ys = RNG.normal(size=7), RNG.normal(size=7)
    expected = xs
    for step in range(200):
        expected = np.sin(expected) + ys if step % 2 else expected * 0.5 - ys
    np.testing.assert_allclose(f(xs, ys), expected, rtol=1e-10)


def test_a_result_read_outside_becomes_an_extra_output(pipeline):
    x, y = pt.dvector("x"), pt.dvector("y")
    shared_part = pt.exp(x) * y
    f = pt.function([x, y], [shared_part + 1, shared_part.sum(), pt.log(shared_part**2)])
    # The first consumer's region takes the shared part as an extra output; the other
    # elementwise consumer becomes a node of its own (regions grow towards the inputs).
    fused = [node for node in composite_nodes(f) if len(node.outputs) > 1]
    assert len(fused) == 1 and len(elemwise_nodes(f)) == 2
    xs, ys = RNG.normal(size=9), RNG.normal(size=9)
    part = np.exp(xs) * ys
    for got, want in zip(f(xs, ys), [part + 1, part.sum(), np.log(part**2)], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_broadcast_inputs_and_dimshuffles_fuse(pipeline):
    m, v, c = pt.dmatrix("m"), pt.dvector("v"), pt.dcol("c")
    out = pt.exp(m + v.dimshuffle("x", 0)) * c - pt.sqrt(pt.abs(c))
    f = pt.function([m, v, c], out)
    assert len(elemwise_nodes(f)) == 1
    ms, vs, cs = RNG.normal(size=(4, 3)), RNG.normal(size=3), RNG.normal(size=(4, 1))
    np.testing.assert_allclose(
        f(ms, vs, cs), np.exp(ms + vs[None, :]) * cs - np.sqrt(np.abs(cs)), rtol=1e-12
    )


def test_small_operand_is_computed_at_its_own_shape_inside(pipeline):
    """exp of a row joins a matrix region; a result of row shape never leaves it as the matrix."""
    r, m = pt.drow("r"), pt.dmatrix("m")
    row_part = pt.exp(r) * 2
    f = pt.function([r, m], [row_part + m, row_part])
    rs, ms = RNG.normal(size=(1, 3)), RNG.normal(size=(5, 3))
    got_matrix, got_row = f(rs, ms)
    assert got_row.shape == (1, 3) and got_matrix.shape == (5, 3)
    np.testing.assert_allclose(got_matrix, np.exp(rs) * 2 + ms, rtol=1e-12)
    np.testing.assert_allclose(got_row, np.exp(rs) * 2, rtol=1e-12)


def test_no_fusion_across_a_dot(pipeline):
    a, b = pt.dmatrix("a"), pt.dmatrix("b")
    f = pt.function([a, b], pt.exp(pt.dot(a * 2 + 1, b) - 3) * b)
    assert len(composite_nodes(f)) == 2
    assert "Dot" in op_kinds(f)
    xs, ys = RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3))
    np.testing.assert_allclose(f(xs, ys), np.exp((xs * 2 + 1) @ ys - 3) * ys, rtol=1e-12)


def test_input_cap_splits_wide_trees(pipeline):
    xs = [pt.dvector(f"x{i}") for i in range(40)]
    total = pt.exp(xs[0])
    for x in xs[1:]:
        total = total + pt.exp(x)
    f = pt.function(xs, total)
    fused = composite_nodes(f)
    assert len(fused) >= 2
    assert all(len(node.inputs) <= 32 for node in fused)
    values = [RNG.normal(size=4) for _ in xs]
    np.testing.assert_allclose(f(*values), sum(np.exp(v) for v in values), rtol=1e-12)


def test_no_cycle_through_a_reduction(pipeline):
    """t feeds a sum whose result comes back into t's consumer: t cannot be an extra output."""
    x = pt.dvector("x")
    t = pt.exp(x) + 1
    out = (t * t.sum()) / 3
    f = pt.function([x], [out, t])
    xs = RNG.normal(size=6)
    expected_t = np.exp(xs) + 1
    got_out, got_t = f(xs)
    np.testing.assert_allclose(got_out, expected_t * expected_t.sum() / 3, rtol=1e-12)
    np.testing.assert_allclose(got_t, expected_t, rtol=1e-12)
    g.FunctionGraph([x], [out]).check_integrity()


def test_the_pass_alone_reports_and_keeps_types():
    x, y = pt.dvector("x"), pt.dvector("y")
    outputs = [pt.exp(x * y) + 1, pt.tanh(x) - y]
    fgraph, report = fused_only(outputs, [x, y])
    assert report.applied["fuse_elementwise"] == 2
    assert len(fgraph.apply_nodes) == 2
    assert [out.type for out in fgraph.outputs] == [out.type for out in outputs]
    fgraph.check_integrity()


def test_one_visit_per_node_on_large_graphs():
    """The pass grows regions once: its time per node stays flat as the graph grows."""
    per_node = []
    for length in (500, 4000):
        x = pt.dvector("x")
        out = x
        for step in range(length):
            out = pt.exp(out) * x if step % 3 else out + 1.0
        fgraph = g.FunctionGraph([x], [out])
        size = len(fgraph.apply_nodes)
        start = time.perf_counter()
        report = ElementwiseFusion()(fgraph)
        per_node.append((time.perf_counter() - start) / length)
        assert report.visits == size
    assert per_node[1] < 4 * per_node[0] + 1e-4


@pytest.mark.parametrize("mode", ["FAST_RUN", "DebugMode"])
def test_integer_and_bool_regions(pipeline, mode):
    i, j = pt.lvector("i"), pt.lvector("j")
    f = pt.function([i, j], [(i * j + 3) % 5, (i < j) & (j > 0)], mode=mode)
    iv, jv = np.arange(-3, 5), np.arange(8) - 2
    first, second = f(iv, jv)
    np.testing.assert_array_equal(first, (iv * jv + 3) % 5)
    np.testing.assert_array_equal(second, (iv < jv) & (jv > 0))


@pytest.mark.parametrize("mode", ["FAST_RUN", "DebugMode"])
def test_reused_temporaries_never_leak_between_calls(pipeline, mode):
    """The Composite keeps its temporaries for the next call; results must not share them."""
    x, y = pt.dvector("x"), pt.dvector("y")
    f = pt.function([x, y], [pt.exp(x * y + 1) - x, pt.tanh(x) * y + 2], mode=mode)
    kept = []
    for n in (5, 5, 8, 3, 8):
        xs, ys = RNG.normal(size=n), RNG.normal(size=n)
        first, second = f(xs, ys)
        np.testing.assert_allclose(first, np.exp(xs * ys + 1) - xs, rtol=1e-12)
        np.testing.assert_allclose(second, np.tanh(xs) * ys + 2, rtol=1e-12)
        kept.append((first, first.copy(), second, second.copy()))
    for first, first_copy, second, second_copy in kept:
        np.testing.assert_array_equal(first, first_copy)
        np.testing.assert_array_equal(second, second_copy)


def squared(x, times):
    """x squared ``times`` times as ``e * e``: every value read twice, 2**times leaves."""
    e = x
    for _ in range(times):
        e = e * e
    return e


def test_a_chain_of_squarings_fuses_into_one_step_per_node(pipeline):
    """Each value is read twice: the Composite holds it once, so its size follows the
    graph's node count (not the 2**26 leaves of the expression tree)."""
    sizes = []
    for times in (26, 52):
        x = pt.dvector("x")
        f = pt.function([x], squared(x, times), mode="FAST_RUN")
        (node,) = composite_nodes(f)
        composite = node.op.scalar_op
        assert len(composite.steps) == times
        sizes.append(len(composite.render()))
        np.testing.assert_array_equal(f(np.array([1.0, -1.0, 0.5, 0.0])), [1.0, 1.0, 0.0, 0.0])
    assert 1.8 < sizes[1] / sizes[0] < 2.3
