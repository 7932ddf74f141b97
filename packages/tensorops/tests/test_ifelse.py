"""The lazy ifelse: only the branch that is taken runs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorops as pt
from graphcore import Apply, Op, function
from tensorops.ifelse import IfElse, ifelse
from tensorops.opsupport import tensor_output
from tensorops.shape import shape_of


class CountingOp(Op):
    """Doubles its input and counts how often it ran (or raises, when told to)."""

    def __init__(self, fail: bool = False):
        self.calls = 0
        self.fail = fail

    def make_node(self, x: Any) -> Apply:
        return Apply(self, [x], [tensor_output(x.type.dtype, x.type.shape)])

    def perform(self, node: Apply, inputs: Any, output_storage: Any) -> None:
        self.calls += 1
        if self.fail:
            raise RuntimeError("the untaken branch ran")
        output_storage[0][0] = inputs[0] * 2

    def infer_shape(self, fgraph: Any, node: Apply, input_shapes: Any) -> list[Any]:
        return [input_shapes[0]]


def test_only_the_taken_branch_runs():
    condition, x = pt.lscalar("c"), pt.dvector("x")
    then_op, else_op = CountingOp(), CountingOp()
    compiled = function([condition, x], ifelse(condition, then_op(x), else_op(x) + 1))
    value = np.arange(3.0)
    np.testing.assert_array_equal(compiled(1, value), value * 2)
    assert (then_op.calls, else_op.calls) == (1, 0)
    np.testing.assert_array_equal(compiled(0, value), value * 2 + 1)
    assert (then_op.calls, else_op.calls) == (1, 1)


def test_a_failing_branch_is_never_run_when_not_taken():
    condition, x = pt.bscalar("c"), pt.dmatrix("x")
    compiled = function([condition, x], ifelse(condition, x.T, CountingOp(fail=True)(x)))
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(compiled(1, value), value.T)
    with pytest.raises(RuntimeError, match="untaken branch"):
        compiled(0, value)


def test_several_outputs_and_nesting():
    a, b = pt.dscalar("a"), pt.dscalar("b")
    never = CountingOp(fail=True)
    inner = ifelse(a > b, [a, b], [never(a), never(b)])
    outer = ifelse(a > 0, inner, [b, a])
    compiled = function([a, b], outer)
    assert [float(v) for v in compiled(2.0, 1.0)] == [2.0, 1.0]
    assert [float(v) for v in compiled(-2.0, 1.0)] == [1.0, -2.0]
    assert never.calls == 0


def test_condition_computed_in_the_graph():
    x = pt.dvector("x")
    compiled = function([x], ifelse(x.sum() > 0, x, -x))
    np.testing.assert_array_equal(compiled(np.array([1.0, -3.0])), [-1.0, 3.0])


def test_types_and_errors():
    x, y = pt.dvector("x", shape=(3,)), pt.dvector("y", shape=(4,))
    assert ifelse(pt.lscalar(), x, y).type.shape == (None,)
    assert ifelse(pt.lscalar(), x, x).type.shape == (3,)
    assert ifelse(pt.lscalar(), pt.fscalar(), 0.5).dtype == "float32"
    with pytest.raises(TypeError, match="same dtype and ndim"):
        ifelse(pt.lscalar(), pt.dvector(), pt.fvector())
    with pytest.raises(TypeError, match="scalar"):
        ifelse(pt.lvector(), x, x)
    with pytest.raises(ValueError, match="then-branch has 2"):
        ifelse(pt.lscalar(), [x, x], [x])
    assert IfElse(2).view_map == {0: [1, 3], 1: [2, 4]}
    assert IfElse(2) == IfElse(2) and IfElse(1) != IfElse(2)


def test_shape_of_does_not_run_either_branch():
    condition, x = pt.lscalar("c"), pt.dvector("x")
    branch_op = CountingOp(fail=True)
    out = ifelse(condition, branch_op(x), x[1:])
    compiled = function([condition, x], list(shape_of(out)))
    assert int(compiled(1, np.zeros(5))[0]) == 5
    assert int(compiled(0, np.zeros(5))[0]) == 4
    assert branch_op.calls == 0


def test_output_is_not_the_callers_array():
    condition, x = pt.lscalar("c"), pt.dvector("x")
    user_array = np.arange(3.0)
    result = function([condition, x], ifelse(condition, x, x * 2))(1, user_array)
    assert not np.shares_memory(result, user_array)
