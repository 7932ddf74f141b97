"""Fusing a gradient graph with heavily reused values: the fused programs' size follows
the graph's node count, and their values are the unfused graph's."""

import numpy as np
import pytest

import graphcore
import rewriter.pipeline
import tensorops as pt
from autodiff import grad
from tensorops.composite import Composite


@pytest.fixture(autouse=True)
def installed_rewrites():
    """As the installed entry point does (a fixture elsewhere may have unregistered it)."""
    graphcore.register_rewrites(rewriter.pipeline.build)


def reuse_chain(x, length):
    """exp(-e*e), e*e and e + x in turn, each reading the running value e twice or with x."""
    e = x
    for step in range(length):
        e = (pt.exp(-e * e), e * e, e + x)[step % 3]
    return e


def fused_programs(f) -> list[Composite]:
    return [
        node.op.scalar_op
        for node in f.maker.fgraph.apply_nodes
        if isinstance(node.op, pt.Elemwise) and isinstance(node.op.scalar_op, Composite)
    ]


def test_gradient_of_a_reused_chain_fuses_linearly():
    sizes = []
    for length in (120, 240):
        x = pt.dvector("x")
        gradient = grad(pt.sum(reuse_chain(x, length)), x)
        nodes = len(graphcore.FunctionGraph([x], [gradient]).apply_nodes)
        assert nodes >= 500
        f = pt.function([x], gradient, mode="FAST_RUN")
        programs = fused_programs(f)
        steps = sum(len(p.steps) for p in programs)
        text = sum(len(p.render()) for p in programs)
        assert steps <= nodes and text <= 40 * nodes
        sizes.append((nodes, steps, text))
        unfused_mode = graphcore.get_mode("FAST_RUN").excluding("fusion")
        unfused = pt.function([x], gradient, mode=unfused_mode)
        value = np.linspace(-1.0, 1.0, 7)
        np.testing.assert_allclose(f(value), unfused(value), rtol=1e-10)
    (nodes, steps, text), (more_nodes, more_steps, more_text) = sizes
    assert 1.8 < more_nodes / nodes < 2.2
    assert 1.7 < more_steps / steps < 2.3
    assert 1.7 < more_text / text < 2.3
