"""Indexing beyond the op table: run-time errors, accumulation, aliasing, static shapes."""

from __future__ import annotations

import numpy as np
import pytest

import tensorops as pt
from graphcore import function
from tensorops.indexing import (
    AdvancedIncSubtensor,
    AdvancedIncSubtensor1,
    AdvancedSubtensor,
    AdvancedSubtensor1,
    IncSubtensor,
    Subtensor,
    getitem,
    inc_subtensor,
    set_subtensor,
)
from tensorops.shape import Shape_i


class TestOutOfRange:
    """NumPy raises IndexError for an index past the end; so do compiled functions,
    when they run (the sizes are not known when the graph is built)."""

    @pytest.mark.parametrize(
        "build",
        [
            lambda x: x[3],
            lambda x: x[-4],
            lambda x: x[[0, 3]],
            lambda x: x[[[1], [-4]]],
            lambda x: set_subtensor(x[5], 1.0),
            lambda x: inc_subtensor(x[[2, 7]], 1.0),
            lambda x: inc_subtensor(x[[[0, 9]]], 1.0),
        ],
        ids=["int", "negative", "list", "matrix", "set_int", "inc_list", "inc_advanced"],
    )
    def test_constant_index(self, build):
        x = pt.dvector("x")
        compiled = function([x], build(x))
        with pytest.raises(IndexError):
            compiled(np.zeros(3))
        compiled(np.zeros(10))  # the same graph is fine when the array is long enough

    def test_symbolic_index(self):
        x, i = pt.dmatrix("x"), pt.lscalar("i")
        compiled = function([x, i], x[1, i])
        assert compiled(np.arange(6.0).reshape(2, 3), -1) == 5.0
        with pytest.raises(IndexError):
            compiled(np.zeros((2, 3)), 3)

    def test_mask_of_wrong_length(self):
        x, mask = pt.dvector("x"), pt.bvector("mask")
        compiled = function([x, mask], x[mask > 0])
        with pytest.raises(IndexError):
            compiled(np.zeros(3), np.ones(4, dtype="int8"))

    def test_error_names_the_op_and_shapes(self):
        x = pt.dvector("x")
        compiled = function([x], x[[5]])
        with pytest.raises(IndexError) as error:
            compiled(np.zeros(2))
        notes = "\n".join(getattr(error.value, "__notes__", []))
        assert "AdvancedSubtensor1" in notes and "shape (2,)" in notes

    def test_build_time_errors(self):
        x = pt.dmatrix("x")
        with pytest.raises(IndexError, match="too many indices"):
            x[0, 0, 0]
        with pytest.raises(IndexError, match="single ellipsis"):
            x[..., ...]
        with pytest.raises(IndexError, match="only integers"):
            x[pt.dscalar("f")]
        with pytest.raises(TypeError, match="slice indices"):
            x[0.5:]
        with pytest.raises(ValueError, match="step cannot be zero"):
            x[::0]


class TestIncrements:
    def test_repeated_indices_accumulate(self):
        x, y = pt.dvector("x"), pt.dvector("y")
        compiled = function([x, y], inc_subtensor(x[[0, 2, 0, 0]], y))
        result = compiled(np.zeros(3), np.array([1.0, 2.0, 3.0, 4.0]))
        np.testing.assert_array_equal(result, [8.0, 0.0, 2.0])

    def test_repeated_pairs_accumulate(self):
        x = pt.dmatrix("x")
        rows, cols = pt.lvector("rows"), pt.lvector("cols")
        compiled = function([x, rows, cols], inc_subtensor(x[rows, cols], 1.0))
        result = compiled(np.zeros((2, 2)), [1, 1, 0], [0, 0, 1])
        np.testing.assert_array_equal(result, [[0.0, 1.0], [2.0, 0.0]])

    def test_symbolic_index_vector_repeats(self):
        x, i = pt.fmatrix("x"), pt.ivector("i")
        compiled = function([x, i], inc_subtensor(x[i], np.float32(1.0)))
        result = compiled(np.zeros((3, 2), dtype="float32"), np.array([2, 2, -1], dtype="int32"))
        np.testing.assert_array_equal(result, [[0, 0], [0, 0], [3, 3]])
        assert result.dtype == np.float32

    def test_value_broadcasts(self):
        x, row = pt.dmatrix("x"), pt.dvector("row")
        compiled = function([x, row], set_subtensor(x[::2], row))
        result = compiled(np.zeros((3, 2)), np.array([1.0, 2.0]))
        np.testing.assert_array_equal(result, [[1, 2], [0, 0], [1, 2]])

    def test_boolean_mask_set_and_inc(self):
        x = pt.dvector("x")
        clipped = set_subtensor(x[x < 0], 0.0)
        doubled = inc_subtensor(x[x > 1], x[x > 1])
        compiled = function([x], [clipped, doubled])
        values = np.array([-1.0, 0.5, 2.0, 3.0])
        got_clipped, got_doubled = compiled(values)
        np.testing.assert_array_equal(got_clipped, [0.0, 0.5, 2.0, 3.0])
        np.testing.assert_array_equal(got_doubled, [-1.0, 0.5, 4.0, 6.0])

    def test_ops_chosen_by_key(self):
        x = pt.dmatrix("x")
        assert isinstance(set_subtensor(x[1:], 0.0).owner.op, IncSubtensor)
        assert isinstance(set_subtensor(x[[1]], 0.0).owner.op, AdvancedIncSubtensor1)
        assert isinstance(set_subtensor(x[:, [1]], 0.0).owner.op, AdvancedIncSubtensor)
        op = inc_subtensor(x[1], 1.0).owner.op
        assert not op.set_instead_of_inc and not op.inplace and op.destroy_map == {}
        assert IncSubtensor(op.spec, inplace=True).destroy_map == {0: [0]}

    def test_refuses_lossy_values_and_non_indexing(self):
        x = pt.lvector("x")
        with pytest.raises(TypeError, match="dtype"):
            set_subtensor(x[0], 1.5)
        with pytest.raises(TypeError, match="without loss"):
            set_subtensor(x[0], pt.dscalar())
        with pytest.raises(TypeError, match="result of indexing"):
            set_subtensor(x, 1)
        with pytest.raises(ValueError, match="broadcast"):
            set_subtensor(pt.dmatrix(shape=(3, 4))[1:], np.ones(3))


class TestNoMutation:
    """set/inc_subtensor build a new array: the caller's array is never written."""

    @pytest.mark.parametrize(
        "build",
        [
            lambda x: set_subtensor(x[0], 5.0),
            lambda x: inc_subtensor(x[1:], 5.0),
            lambda x: inc_subtensor(x[[0, 0]], 5.0),
            lambda x: set_subtensor(x[x > 0], 5.0),
            lambda x: set_subtensor(x[:, [1]], 5.0),
        ],
        ids=["set_int", "inc_slice", "inc_list", "set_mask", "set_advanced"],
    )
    @pytest.mark.parametrize("mode", [None, "DebugMode"])
    def test_user_array_unchanged(self, build, mode):
        x = pt.dmatrix("x")
        compiled = function([x], build(x), mode=mode)
        user_array = np.arange(6.0).reshape(2, 3)
        before = user_array.copy()
        result = compiled(user_array)
        np.testing.assert_array_equal(user_array, before)
        assert not np.shares_memory(result, user_array)
        assert not np.array_equal(result, before)


class TestViews:
    def test_basic_indexing_is_a_view(self):
        x = pt.dmatrix("x")
        node = x[1:, ::2].owner
        assert isinstance(node.op, Subtensor) and node.op.view_map == {0: [0]}
        value = np.arange(12.0).reshape(3, 4)
        cell = [None]
        node.op.perform(node, [value, *(np.int64(c.data) for c in node.inputs[1:])], [cell])
        assert np.shares_memory(cell[0], value)
        np.testing.assert_array_equal(cell[0], value[1:, ::2])

    def test_full_integer_key_gives_a_0d_array(self):
        x = pt.dmatrix("x")
        result = function([x], x[1, 2])(np.arange(6.0).reshape(2, 3))
        assert isinstance(result, np.ndarray) and result.shape == () and result == 5.0

    def test_advanced_indexing_copies(self):
        x = pt.dmatrix("x")
        assert AdvancedSubtensor1().view_map == {}
        assert isinstance(x[:, [0]].owner.op, AdvancedSubtensor)
        assert x[:, [0]].owner.op.view_map == {}

    def test_function_output_of_a_view_is_a_copy(self):
        x = pt.dvector("x")
        user_array = np.arange(4.0)
        result = function([x], x[::2])(user_array)
        assert not np.shares_memory(result, user_array)

    @pytest.mark.parametrize(
        "key",
        [np.s_[1:], np.s_[[0, 1]], np.s_[:, [1, 1]], np.s_[None, 0, ..., ::-1]],
        ids=["slice", "list", "advanced", "mixed"],
    )
    def test_debug_mode_accepts_declared_aliasing(self, key):
        x = pt.dmatrix("x")
        value = np.arange(6.0).reshape(2, 3)
        result = function([x], getitem(x, key), mode="DebugMode")(value)
        np.testing.assert_array_equal(result, value[key])


class TestStaticShapes:
    def test_slice_of_known_shape(self):
        x = pt.dmatrix("x", shape=(3, 4))
        assert x[1:].type.shape == (2, 4)
        assert x[::-2, 1].type.shape == (2,)
        assert x[None, :, -3:].type.shape == (1, 3, 3)
        assert x[5:].type.shape == (0, 4)

    def test_unknown_sizes_stay_unknown(self):
        x = pt.dmatrix("x")
        assert x[1:].type.shape == (None, None)
        assert x[0].type.shape == (None,)

    def test_advanced_shapes(self):
        x = pt.dtensor3("x", shape=(2, 3, 4))
        assert x[[0, 1, 1]].type.shape == (3, 3, 4)
        assert x[:, [0, 2]].type.shape == (2, 2, 4)
        assert x[[0, 1], :, [1, 1]].type.shape == (2, 3)
        assert x[1, :, [0, 2]].type.shape == (2, 3)
        assert x[np.ones((2, 3), dtype=bool)].type.shape == (6, 4)
        assert x[pt.bmatrix() > 0].type.shape == (None, 4)

    def test_shape_entries(self):
        x = pt.dmatrix("x", shape=(3, None))
        assert x.shape[0].data == 3
        assert isinstance(x.shape[1].owner.op, Shape_i)
        assert isinstance(x.shape[-1].owner.op, Shape_i)

    def test_ops_equal_by_spec(self):
        x = pt.dvector("x")
        assert x[1:].owner.op == x[2:].owner.op
        assert x[1:].owner.op != x[:2].owner.op
        assert hash(x[[1]].owner.op) == hash(x[[2]].owner.op)
        matrix = pt.dmatrix("m")
        assert str(matrix[1:, None].owner.op) == "Subtensor{start:, None}"


def test_symbolic_integer_arrays_and_lists():
    x, i, j = pt.dmatrix("x"), pt.lscalar("i"), pt.lscalar("j")
    rows = pt.imatrix("rows")
    compiled = function([x, i, j, rows], [x[[i, j]], x[rows, 0]])
    value = np.arange(6.0).reshape(3, 2)
    by_scalars, by_matrix = compiled(value, 2, -3, np.array([[0, 2]], dtype="int32"))
    np.testing.assert_array_equal(by_scalars, value[[2, -3]])
    np.testing.assert_array_equal(by_matrix, value[[[0, 2]], 0])
