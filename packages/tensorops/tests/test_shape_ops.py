"""Shape ops, joins and creation beyond the op table: errors, views, static shapes, and
shape inference that does not run the ops."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tensorops as pt
from graphcore import Apply, Op, function
from tensorops.creation import alloc, arange, empty, eye, tile, zeros
from tensorops.join import MakeVector, concatenate, split, stack
from tensorops.opsupport import tensor_output
from tensorops.shape import (
    Reshape,
    Shape_i,
    broadcast_arrays,
    expand_dims,
    flatten,
    reshape,
    shape_of,
    specify_shape,
    squeeze,
)


def evaluate_shape(var: Any, inputs: list[Any], values: list[Any]) -> tuple[int, ...]:
    sizes = shape_of(var)
    if not sizes:
        return ()
    return tuple(int(n) for n in function(inputs, list(sizes), on_unused_input="ignore")(*values))


class TestReshape:
    def test_runtime_error_names_both_shapes(self):
        x, shape = pt.dmatrix("x"), pt.lvector("shape")
        compiled = function([x, shape], reshape(x, shape, ndim=2))
        with pytest.raises(ValueError, match=r"shape \(3, 4\).*shape \(5, 2\)"):
            compiled(np.zeros((3, 4)), [5, 2])

    def test_build_time_error_names_both_shapes(self):
        x = pt.dmatrix("x", shape=(3, 4))
        with pytest.raises(ValueError, match=r"\(3, 4\).*\(5, 2\)"):
            reshape(x, (5, 2))
        with pytest.raises(ValueError, match="only one size may be -1"):
            reshape(x, (-1, -1))

    def test_static_shape_resolves_minus_one(self):
        x = pt.dmatrix("x", shape=(3, 4))
        assert reshape(x, (-1, 2)).type.shape == (6, 2)
        assert x.reshape(2, -1, 3).type.shape == (2, 2, 3)
        assert flatten(x).type.shape == (12,)
        n = pt.lscalar("n")
        assert reshape(x, (n, 4)).type.shape == (None, 4)

    def test_result_is_a_view_when_numpy_gives_one(self):
        x = pt.dmatrix("x")
        node = reshape(x, (-1,)).owner
        assert isinstance(node.op, Reshape) and node.op.view_map == {0: [0]}
        value = np.arange(6.0).reshape(2, 3)
        cell = [None]
        node.op.perform(node, [value, node.inputs[1].data], [cell])
        assert np.shares_memory(cell[0], value)
        user_array = np.arange(6.0).reshape(2, 3)
        assert not np.shares_memory(function([x], x.reshape((3, 2)))(user_array), user_array)

    def test_symbolic_minus_one_in_shape_of(self):
        x, shape = pt.dtensor3("x"), pt.lvector("shape")
        out = reshape(x, shape, ndim=2)
        value = np.zeros((2, 3, 4))
        assert evaluate_shape(out, [x, shape], [value, [-1, 6]]) == (4, 6)
        assert evaluate_shape(out, [x, shape], [value, [3, 8]]) == (3, 8)

    def test_flatten_keeps_leading_axes(self):
        x = pt.dtensor4("x")
        out = flatten(x, 3)
        value = np.zeros((2, 3, 4, 5))
        assert function([x], out)(value).shape == (2, 3, 20)
        with pytest.raises(ValueError, match="ndim"):
            flatten(x, 5)


class TestSpecifyShape:
    def test_checks_at_run_time(self):
        x = pt.dmatrix("x")
        compiled = function([x], specify_shape(x, (2, None)))
        compiled(np.zeros((2, 7)))
        with pytest.raises(AssertionError, match="axis 0"):
            compiled(np.zeros((3, 7)))

    def test_refines_static_shape(self):
        x = pt.dmatrix("x")
        assert specify_shape(x, (2, None)).type.shape == (2, None)
        assert specify_shape(x, (None, None)) is x
        with pytest.raises(ValueError, match="static size"):
            specify_shape(pt.dmatrix(shape=(3, None)), (2, None))

    def test_symbolic_sizes(self):
        x, n = pt.dvector("x"), pt.iscalar("n")
        compiled = function([x, n], specify_shape(x, n))
        compiled(np.zeros(3), 3)
        with pytest.raises(AssertionError):
            compiled(np.zeros(3), 4)


class TestShapeOf:
    def test_known_sizes_are_constants_and_inputs_use_shape_i(self):
        x = pt.dmatrix("x", shape=(3, None))
        first, second = shape_of(x)
        assert first.data == 3
        assert isinstance(second.owner.op, Shape_i) and second.owner.inputs[0] is x

    def test_does_not_run_the_ops(self):
        x, y = pt.dmatrix("x"), pt.dmatrix("y")
        out = concatenate([x[1:], y.T], axis=1)
        sizes = shape_of(out)
        compiled = function([x, y], list(sizes))
        kinds = {type(node.op).__name__ for node in compiled.maker.fgraph.toposort()}
        assert not kinds & {"Join", "Subtensor", "DimShuffle"}, kinds
        assert tuple(compiled(np.zeros((4, 2)), np.zeros((5, 3)))) == (3, 7)

    def test_falls_back_to_shape_i_without_infer_shape(self):
        class NoShapeRule(Op):
            def make_node(self, x: Any) -> Apply:
                return Apply(self, [x], [tensor_output(x.type.dtype, (None,))])

            def perform(self, node: Apply, inputs: Any, output_storage: Any) -> None:
                output_storage[0][0] = inputs[0][::2].copy()

        x = pt.dvector("x")
        out = NoShapeRule()(x)
        (size,) = shape_of(out)
        assert isinstance(size.owner.op, Shape_i) and size.owner.inputs[0] is out
        assert evaluate_shape(out[1:], [x], [np.zeros(7)]) == (3,)


class TestAxes:
    def test_expand_dims_and_squeeze(self):
        x = pt.dmatrix("x")
        assert expand_dims(x, (0, 3)).type.shape == (1, None, None, 1)
        squeezed = squeeze(x, 1)
        assert squeezed.ndim == 1
        compiled = function([x], squeezed)
        assert compiled(np.zeros((3, 1))).shape == (3,)
        with pytest.raises(AssertionError):
            compiled(np.zeros((3, 2)))
        with pytest.raises(ValueError, match="not 1"):
            squeeze(pt.dmatrix(shape=(3, 2)), 1)

    def test_broadcast_arrays_with_unknown_sizes(self):
        x, y = pt.dmatrix("x"), pt.dvector("y")
        bx, by = broadcast_arrays(x, y)
        compiled = function([x, y], [bx, by])
        got_x, got_y = compiled(np.ones((2, 1)), np.arange(3.0))
        np.testing.assert_array_equal(got_y, np.broadcast_to(np.arange(3.0), (2, 3)))
        assert got_x.shape == (2, 3)
        assert evaluate_shape(bx, [x, y], [np.ones((2, 3)), np.ones(1)]) == (2, 3)


class TestJoinSplit:
    def test_static_shapes_and_mismatch(self):
        x, y = pt.dmatrix(shape=(2, 3)), pt.dmatrix(shape=(None, 3))
        assert concatenate([x, y]).type.shape == (None, 3)
        assert concatenate([x, x], axis=1).type.shape == (2, 6)
        assert stack([x, x], axis=2).type.shape == (2, 3, 2)
        with pytest.raises(ValueError, match="differ along axis 1"):
            concatenate([x, pt.dmatrix(shape=(2, 4))])

    def test_stack_of_symbolic_scalars_is_a_vector(self):
        a, b = pt.lscalar("a"), pt.lscalar("b")
        out = stack([a, b, 3])
        assert isinstance(out.owner.op, MakeVector)
        assert out.type.shape == (3,)
        np.testing.assert_array_equal(function([a, b], out)(1, 2), [1, 2, 3])

    def test_split_sizes_must_add_up(self):
        x = pt.dvector("x")
        pieces = split(x, [1, 2], 2)
        compiled = function([x], pieces)
        _, second = compiled(np.arange(3.0))
        np.testing.assert_array_equal(second, [1.0, 2.0])
        with pytest.raises(ValueError, match="do not cut"):
            compiled(np.arange(4.0))


class TestCreation:
    def test_arange_with_symbolic_bounds(self):
        start, stop = pt.lscalar("start"), pt.lscalar("stop")
        out = arange(start, stop, 2)
        compiled = function([start, stop], out)
        np.testing.assert_array_equal(compiled(1, 8), np.arange(1, 8, 2))
        assert out.dtype == "int64"
        assert arange(5).type.shape == (5,)
        assert arange(0.0, 1.0, 0.25).dtype == "float64"

    def test_alloc_errors_at_run_time(self):
        value, n = pt.dvector("value"), pt.lscalar("n")
        compiled = function([value, n], alloc(value, 2, n))
        assert compiled(np.arange(3.0), 3).shape == (2, 3)
        with pytest.raises(ValueError):
            compiled(np.arange(3.0), 4)

    def test_alloc_static_shapes(self):
        assert alloc(pt.dvector(shape=(3,)), 2, pt.lscalar()).type.shape == (2, 3)
        assert zeros((2, 3)).type.shape == (2, 3)
        with pytest.raises(ValueError, match="cannot fill"):
            alloc(pt.dvector(shape=(3,)), 2, 4)

    def test_empty_has_the_shape(self):
        n = pt.lscalar("n")
        result = function([n], empty((n, 2), dtype="int32"))(3)
        assert result.shape == (3, 2) and result.dtype == np.int32

    def test_eye_and_tile_static_shapes(self):
        assert eye(3, 4).type.shape == (3, 4)
        assert tile(pt.dmatrix(shape=(2, 3)), (2, 2)).type.shape == (4, 6)
