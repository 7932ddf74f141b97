"""The ``ccodegen.rules`` seam: modules named by that entry-point group register C rules
for other packages' ops, imported once, before the first translation."""

from __future__ import annotations

import sys
import textwrap
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

import tensorops as pt
from ccodegen import cnode
from ccodegen.build import have_c_compiler
from ccodegen.linker import CProgram
from graphcore import function

OP_MODULE = '''
import numpy as np
import tensorops as pt
from graphcore import Apply, Op

class Twice(Op):
    """2 * x, known to ccodegen only through a plug-in."""
    __props__ = ()

    def make_node(self, x):
        x = pt.as_tensor(x)
        return Apply(self, [x], [x.type.make_variable()])

    def perform(self, node, inputs, output_storage):
        output_storage[0][0] = np.asarray(2 * inputs[0])
'''

RULES_MODULE = """
from ccodegen.cnode import NodeC, c_ops
from ccodegen.loops import elementwise_loop
from ccodegen_test_twice_op import Twice

@c_ops.register(Twice)
def twice_c(ctx):
    (x,), (out,) = ctx.inputs, ctx.outputs
    shape = "\\n".join(f"{out.dim(a)} = {x.dim(a)};" for a in range(x.ndim))
    return NodeC(shape, elementwise_loop([out], [x], lambda v: ([], [f"2 * {v[0]}"])))
"""


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[metadata.EntryPoint]]:
    """Two entry points of the group: a module registering a rule, and a broken one."""
    (tmp_path / "ccodegen_test_twice_op.py").write_text(textwrap.dedent(OP_MODULE))
    (tmp_path / "ccodegen_test_twice_rules.py").write_text(textwrap.dedent(RULES_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    group = cnode.RULE_PLUGINS
    entries = [
        metadata.EntryPoint("twice", "ccodegen_test_twice_rules", group),
        metadata.EntryPoint("broken", "ccodegen_test_no_such_module", group),
    ]
    installed = metadata.entry_points

    def entry_points(group: str) -> object:
        return entries if group == cnode.RULE_PLUGINS else installed(group=group)

    monkeypatch.setattr(cnode, "_plugins_loaded", False)
    monkeypatch.setattr(cnode.metadata, "entry_points", entry_points)
    yield entries
    for name in ("ccodegen_test_twice_op", "ccodegen_test_twice_rules"):
        sys.modules.pop(name, None)


@pytest.mark.skipif(not have_c_compiler(), reason="no C compiler")
def test_a_plugin_rule_is_loaded_before_translating(plugins: list[metadata.EntryPoint]) -> None:
    from ccodegen_test_twice_op import Twice  # type: ignore[import-not-found]

    assert cnode.c_ops.lookup(Twice(), None) is None  # not yet: nothing translated
    x = pt.dvector("x")
    with pytest.warns(RuntimeWarning, match="ccodegen_test_no_such_module"):
        f = function([x], Twice()(x) + 1)
    assert isinstance(f.program, CProgram)  # the plug-in's rule: one C entry point
    np.testing.assert_array_equal(f(np.arange(3.0)), [1.0, 3.0, 5.0])
    assert "ccodegen_test_twice_rules" in sys.modules


def test_loading_happens_once(plugins: list[metadata.EntryPoint]) -> None:
    with pytest.warns(RuntimeWarning):
        cnode.load_rule_plugins()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second import, no second warning
        cnode.load_rule_plugins()
