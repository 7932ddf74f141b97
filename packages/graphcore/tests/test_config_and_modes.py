"""config flags, modes and the plug-in registries."""

import os
import subprocess
import sys

import pytest
from toy_ops import add, fscalar, log, mul

import graphcore as g


def test_flags_from_the_environment():
    env = dict(os.environ, GRAPHCORE_FLAGS="floatX=float32, mode=FAST_COMPILE")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import graphcore; print(graphcore.config.floatX, graphcore.config.mode)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == ["float32", "FAST_COMPILE"]


def test_bad_flags_are_refused():
    with pytest.raises(ValueError, match="unknown flag 'colour'"):
        g.config.__class__("colour=red")
    with pytest.raises(ValueError, match="must be one of"):
        g.config.floatX = "float8"
    with pytest.raises(AttributeError, match="no flag 'floatx'"):
        g.config.floatx = "float32"


def test_change_flags_restores():
    with g.config.change_flags(floatX="float32"):
        assert g.config.floatX == "float32"
    assert g.config.floatX == "float64"


def test_unknown_mode_is_named():
    x = fscalar("x")
    with pytest.raises(ValueError, match="unknown mode 'FASTEST'"):
        g.function([x], log(x), mode="FASTEST")


def test_registered_rewrites_run_for_matching_queries():
    seen = []

    def build(query):
        def rewrite(fgraph):
            if "fast_run" not in query.include or "no_mul" in query.exclude:
                return
            seen.append(query)
            for node in fgraph.toposort():
                if node.op == mul:
                    fgraph.replace(node.outputs[0], add(*node.inputs), reason="mul to add")

        return rewrite

    g.register_rewrites(build)
    try:
        x, y = fscalar("x"), fscalar("y")
        assert g.function([x, y], mul(x, y), mode="FAST_RUN")(2, 5) == 7.0
        assert g.function([x, y], mul(x, y), mode="FAST_COMPILE")(2, 5) == 10.0
        no_mul = g.get_mode("FAST_RUN").excluding("no_mul")
        assert g.function([x, y], mul(x, y), mode=no_mul)(2, 5) == 10.0
    finally:
        g.unregister_rewrites(build)
    assert len(seen) == 1


def test_registered_linker_becomes_auto_by_priority():
    calls = []

    class CountingLinker(g.PythonLinker):
        name = "counting"

        def link(self, fgraph, input_cells=None):
            calls.append(fgraph)
            return super().link(fgraph, input_cells)

    g.register_linker("counting", CountingLinker, priority=5)
    try:
        assert g.available_linkers()[0] == "counting"
        x = fscalar("x")
        assert g.function([x], add(x, x))(2) == 4.0
        assert len(calls) == 1
        # DebugMode runs the Python backend and the other linkers side by side.
        assert g.function([x], add(x, x), mode="DebugMode")(3) == 6.0
        assert len(calls) == 2
    finally:
        g.register_linker("counting", CountingLinker, priority=-5)
