"""Tensor variables: constructors, operators, dtype promotion, filtering, errors."""

from __future__ import annotations

import operator

import numpy as np
import pytest

import tensorops as pt
from graphcore import config
from tensorops.basic import CONSTRUCTOR_NAMES, DTYPE_PREFIXES, KINDS, PLURAL_NAMES
from tensorops.dtypes import upcast
from tensorops.elemwise import Elemwise
from tensorops.scalar_ops import SCALAR_OPS
from tensorops.testing.case import OpCase
from tensorops.testing.harness import check_values
from tensorops.variable import TensorConstant, TensorVariable

# -- constructors --------------------------------------------------------------


@pytest.mark.parametrize("prefix", list(DTYPE_PREFIXES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_typed_constructors(prefix: str, kind: str) -> None:
    x = getattr(pt, prefix + kind)("x")
    assert isinstance(x, TensorVariable)
    assert x.name == "x"
    assert x.dtype == DTYPE_PREFIXES[prefix]
    assert x.type.shape == KINDS[kind]


def test_every_constructor_and_plural_is_public() -> None:
    for name in [*CONSTRUCTOR_NAMES, *PLURAL_NAMES]:
        assert callable(getattr(pt, name)), name
    assert "dmatrices" in PLURAL_NAMES and "matrices" in PLURAL_NAMES


def test_plurals_follow_theano() -> None:
    a, b = pt.dscalars("a", "b")
    assert (a.name, b.name, a.dtype) == ("a", "b", "float64")
    single = pt.imatrices("m")
    assert isinstance(single, TensorVariable) and single.dtype == "int32"
    assert [v.name for v in pt.fvectors("xyz")] == ["x", "y", "z"]
    assert len(pt.matrices(3)) == 3


def test_generic_constructors_use_floatx() -> None:
    assert pt.vector().dtype == "float64"
    with config.change_flags(floatX="float32"):
        assert pt.scalar("a").dtype == "float32"
        assert pt.matrix().dtype == "float32"
        assert pt.constant(1.5).dtype == "float32"
    assert pt.matrix(dtype="int16").dtype == "int16"


def test_tensor_constructor_forms() -> None:
    assert pt.tensor(dtype="float32", shape=(None, 3)).type == pt.TensorType("float32", (None, 3))
    named = pt.tensor("x", shape=(2,), dtype="int64")
    assert named.name == "x" and named.type.shape == (2,)
    assert pt.tensor("float64", (False, True)).type.shape == (None, 1)
    assert pt.tensor(dtype="float64", ndim=3).type.shape == (None, None, None)
    assert pt.tensor(dtype="float64", broadcastable=(True,)).type.shape == (1,)
    assert pt.vector(shape=(4,)).type.shape == (4,)
    with pytest.raises(ValueError, match="dimensions"):
        pt.matrix(shape=(3,))


def test_type_strings() -> None:
    assert str(pt.dvector().type) == "Vector(float64, shape=(?,))"
    assert str(pt.fmatrix().type) == "Matrix(float32, shape=(?, ?))"
    assert str(pt.drow().type) == "Matrix(float64, shape=(1, ?))"
    assert str(pt.iscalar().type) == "Scalar(int32, shape=())"
    assert str(pt.dtensor3().type) == "Tensor(float64, shape=(?, ?, ?))"


# -- compiling ---------------------------------------------------------------------


def test_adding_two_scalars() -> None:
    x = pt.dscalar("x")
    y = pt.dscalar("y")
    z = x + y
    f = pt.function([x, y], z)
    assert f(2, 3) == 5
    assert np.allclose(f(16.3, 12.1), 28.4)
    assert z.owner.op == Elemwise(SCALAR_OPS["add"])
    assert str(z.owner.op) == "Add"


def test_adding_two_matrices_and_keywords() -> None:
    x, y = pt.dmatrices("x", "y")
    f = pt.function([x, y], x + y)
    np.testing.assert_array_equal(f([[1, 2], [3, 4]], [[10, 20], [30, 40]]), [[11, 22], [33, 44]])
    a, b = pt.dvectors("a", "b")
    g = pt.function([a, b], a * b)
    np.testing.assert_array_equal(g(a=[1, 2], b=[3, 4.5]), [3, 9])


def test_filter_refuses_floats_into_int_input() -> None:
    x = pt.ivector("x")
    f = pt.function([x], x * 2)
    np.testing.assert_array_equal(f([1, 2, 3]), [2, 4, 6])
    with pytest.raises(TypeError, match="input 'x'"):
        f([1.5, 2.0])
    with pytest.raises(TypeError, match="ndim"):
        f(3)


def test_scalars_and_lists_are_converted() -> None:
    x = pt.fvector("x")
    f = pt.function([x], x + 1)
    result = f([1, 2.5])
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, [2, 3.5])


def test_eval_with_intermediate_values() -> None:
    x, y = pt.dscalars("x", "y")
    z = x + y
    w = pt.log(z)
    assert np.isclose(w.eval({z: np.e}), 1.0)
    assert np.isclose(z.eval({x: 1, y: 2}), 3.0)


def test_shared_tensor() -> None:
    state = pt.shared(np.zeros(3), name="state")
    assert type(state).__name__ == "TensorSharedVariable"
    assert state.type == pt.TensorType("float64", (None,))
    inc = pt.dvector("inc")
    f = pt.function([inc], state, updates=[(state, state + inc)])
    np.testing.assert_array_equal(f([1, 2, 3]), [0, 0, 0])
    np.testing.assert_array_equal(state.get_value(), [1, 2, 3])
    state.set_value(np.ones(5))
    assert state.get_value().shape == (5,)
    counter = pt.shared(np.int32(0))
    with pytest.raises(TypeError):
        counter.set_value(np.array(1.5))
    assert pt.shared(1.5).type == pt.TensorType("float64", ())
    assert pt.shared(np.ones((1, 3)), shape=(1, None)).type.shape == (1, None)
    with pytest.raises(ValueError):
        pt.shared(np.ones(3), shape=(4,))


# -- operators ---------------------------------------------------------------------

BINARY = [
    (operator.add, "add"), (operator.sub, "sub"), (operator.mul, "mul"),
    (operator.truediv, "true_div"), (operator.floordiv, "int_div"), (operator.mod, "mod"),
    (operator.pow, "pow"), (operator.lt, "lt"), (operator.le, "le"), (operator.gt, "gt"),
    (operator.ge, "ge"),
]  # fmt: skip


MIRRORED = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le"}


@pytest.mark.parametrize(("python_op", "name"), BINARY)
def test_binary_operators(python_op: object, name: str) -> None:
    x, y = pt.dvectors("x", "y")
    a, b = np.array([1.5, 2.0, 3.0]), np.array([0.5, 3.0, 2.0])
    for expression, expected in [
        (python_op(x, y), python_op(a, b)),  # type: ignore[operator]
        (python_op(x, 2.0), python_op(a, 2.0)),  # type: ignore[operator]
        (python_op(2.0, y), python_op(2.0, b)),  # type: ignore[operator]
        (python_op(a, y), python_op(a, b)),  # type: ignore[operator]
    ]:
        assert isinstance(expression, TensorVariable)
        # ``2.0 < y`` is ``y > 2.0`` for Python: comparisons reflect to their mirror.
        assert expression.owner.op.scalar_op.name in (name, MIRRORED.get(name))
        values = {v: value for v, value in ((x, a), (y, b)) if v in _inputs(expression)}
        np.testing.assert_allclose(expression.eval(values), expected)


def _inputs(var: TensorVariable) -> set[object]:
    from graphcore import graph_inputs

    return set(graph_inputs([var]))


@pytest.mark.parametrize(
    ("python_op", "name"),
    [(operator.and_, "and"), (operator.or_, "or"), (operator.xor, "xor"),
     (operator.lshift, "left_shift"), (operator.rshift, "right_shift")],
)  # fmt: skip
def test_bitwise_operators(python_op: object, name: str) -> None:
    x = pt.ivector("x")
    a = np.array([1, 6, 12], dtype="int32")
    expression = python_op(x, 2)  # type: ignore[operator]
    reflected = python_op(3, x)  # type: ignore[operator]
    assert expression.owner.op.scalar_op.name == name
    assert expression.dtype == "int32"
    np.testing.assert_array_equal(expression.eval({x: a}), python_op(a, 2))  # type: ignore[operator]
    np.testing.assert_array_equal(reflected.eval({x: a}), python_op(3, a))  # type: ignore[operator]


def test_unary_operators() -> None:
    x = pt.dvector("x")
    a = np.array([-1.5, 0.0, 2.0])
    np.testing.assert_array_equal((-x).eval({x: a}), -a)
    np.testing.assert_array_equal(abs(x).eval({x: a}), np.abs(a))
    assert +x is x
    b = pt.bvector("b")
    np.testing.assert_array_equal((~b).eval({b: np.array([1, 2], dtype="int8")}), [-2, -3])
    flags = pt.tensor(dtype="bool", shape=(None,))
    np.testing.assert_array_equal((~flags).eval({flags: [True, False]}), [False, True])


def test_equality_is_identity_and_eq_is_elementwise() -> None:
    x, y = pt.dvectors("x", "y")
    assert x == x  # noqa: PLR0124
    assert x != y
    assert len({x, y, x}) == 2
    equal = pt.eq(x, y)
    assert equal.dtype == "bool"
    np.testing.assert_array_equal(equal.eval({x: [1, 2], y: [1, 3]}), [True, False])
    np.testing.assert_array_equal(pt.neq(x, y).eval({x: [1, 2], y: [1, 3]}), [False, True])


def test_python_control_flow_raises() -> None:
    x = pt.dscalar("x")
    with pytest.raises(TypeError, match="switch"):
        bool(x > 0)
    with pytest.raises(TypeError, match="switch"):
        if x:
            pass


def test_len_and_iter_need_a_static_length() -> None:
    with pytest.raises(TypeError, match="not known"):
        len(pt.dvector())
    with pytest.raises(TypeError):
        iter(pt.dvector())
    fixed = pt.vector(shape=(3,))
    assert len(fixed) == 3
    assert len(list(fixed)) == 3


def test_attributes() -> None:
    m = pt.tensor(dtype="float32", shape=(2, None, 1))
    assert m.ndim == 3 and m.dtype == "float32"
    assert m.broadcastable == (False, False, True)
    assert m.T.type.shape == (1, None, 2)
    assert m.dimshuffle(1, 0).type.shape == (None, 2)
    assert pt.dmatrix().dimshuffle("x", 1, 0).type.shape == (1, None, None)
    assert pt.vector(shape=(3,)).dimshuffle(0, "x").type.shape == (3, 1)
    assert m.astype("float64").dtype == "float64"
    assert pt.tensor(dtype="float64", shape=(2, 3)).size.eval() == 6


def test_copy_does_not_alias() -> None:
    x = pt.dvector("x")
    f = pt.function([x], x.copy())
    a = np.arange(3.0)
    result = f(a)
    result[0] = 99
    assert a[0] == 0


# -- dtype promotion ---------------------------------------------------------------

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64", "complex64"]


@pytest.mark.parametrize("left", DTYPES)
@pytest.mark.parametrize("right", DTYPES)
def test_promotion_matches_numpy(left: str, right: str) -> None:
    x = pt.tensor(dtype=left, shape=(None,))
    y = pt.tensor(dtype=right, shape=(None,))
    expected = (np.ones(2, left) * np.ones(2, right)).dtype
    assert (x * y).dtype == expected
    assert upcast(left, right) == expected


@pytest.mark.parametrize(
    ("dtype", "scalar", "expected"),
    [("int8", 1, "int8"), ("int8", 1.5, "float64"), ("float32", 1.5, "float32"),
     ("float32", 2, "float32"), ("int8", 1000, "int64"), ("uint8", -1, "int64"),
     ("float16", 1e10, "float16"), ("bool", 1, "int64"), ("bool", True, "bool"),
     ("float32", 1j, "complex64")],
)  # fmt: skip
def test_python_scalars_are_weak(dtype: str, scalar: object, expected: str) -> None:
    x = pt.tensor(dtype=dtype, shape=(None,))
    assert (x + scalar).dtype == expected
    assert (scalar + x).dtype == expected


def test_true_division_of_integers_gives_float64() -> None:
    assert (pt.ivector() / pt.ivector()).dtype == "float64"
    assert (pt.bvector() / 2).dtype == "float64"
    assert (pt.fvector() / 2).dtype == "float32"
    assert (pt.ivector() // 2).dtype == "int32"
    assert pt.exp(pt.bvector()).dtype == "float64"
    assert pt.sqrt(pt.fvector()).dtype == "float32"


def test_constants() -> None:
    assert pt.constant(3).dtype == "int64"
    assert pt.constant(1.5).dtype == config.floatX
    assert pt.constant(np.float32(1.5)).dtype == "float32"
    assert pt.constant([1, 2], dtype="int8").type == pt.TensorType("int8", (2,))
    c = pt.as_tensor(2)
    assert isinstance(c, TensorConstant) and c.weak
    assert not pt.constant(2).weak
    # A NumPy scalar is strong, as in NumPy 2.
    assert (pt.fvector() + np.float64(1.5)).dtype == "float64"


def test_as_tensor() -> None:
    x = pt.dvector("x")
    assert pt.as_tensor(x) is x
    assert pt.as_tensor(np.ones((2, 3))).type.shape == (2, 3)
    assert pt.as_tensor([1.0, 2.0]).dtype == "float64"
    assert pt.as_tensor(x, dtype="float32").dtype == "float32"
    assert pt.as_tensor(pt.drow(), ndim=1).ndim == 1
    with pytest.raises(TypeError):
        pt.as_tensor(pt.dmatrix(), ndim=1)
    with pytest.raises(TypeError):
        pt.as_tensor("text")
    assert pt.as_tensor_variable is pt.as_tensor


def test_cast() -> None:
    x = pt.dvector("x")
    assert pt.cast(x, "float64") is x
    as_int = pt.cast(x, "int32")
    assert as_int.dtype == "int32"
    assert str(as_int.owner.op) == "Cast{int32}"
    np.testing.assert_array_equal(as_int.eval({x: [1.7, -2.2]}), [1, -2])
    with pytest.raises(TypeError, match="imaginary"):
        pt.cast(pt.zvector(), "float64")


# -- shapes at build time and run time -------------------------------------------


def test_static_shape_mismatch_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"shape=\(3,\).*shape=\(4,\)"):
        pt.vector(shape=(3,)) + pt.vector(shape=(4,))
    with pytest.raises(ValueError, match="broadcast"):
        pt.matrix(shape=(2, 3)) * pt.matrix(shape=(3, 3))


def test_static_shapes_are_inferred() -> None:
    a = pt.matrix(shape=(3, 1))
    b = pt.matrix(shape=(1, 4))
    assert (a + b).type.shape == (3, 4)
    assert (a + pt.dmatrix()).type.shape == (3, None)
    assert (pt.vector(shape=(5,)) + pt.dmatrix()).type.shape == (None, 5)
    assert (pt.drow() + pt.dcol()).type.shape == (None, None)
    assert (pt.drow() * 2).type.shape == (1, None)


def test_broadcasting_at_run_time() -> None:
    r, c = pt.drow("r"), pt.dcol("c")
    f = pt.function([r, c], r + c)
    np.testing.assert_array_equal(f([[1, 2, 3]], [[10], [20]]), [[11, 12, 13], [21, 22, 23]])
    x, y = pt.dmatrices("x", "y")
    g = pt.function([x, y], x + y)
    with pytest.raises(ValueError, match="broadcast"):
        g(np.ones((3, 1)), np.ones((3, 4)))
    with pytest.raises(ValueError):
        g(np.ones((3, 2)), np.ones((3, 4)))


def test_output_buffers_are_reused_and_results_are_fresh() -> None:
    x = pt.dvector("x")
    intermediate = pt.exp(x)
    f = pt.function([x], intermediate * 2)
    first = f(np.zeros(3))
    second = f(np.ones(3))
    np.testing.assert_array_equal(first, [2, 2, 2])
    np.testing.assert_allclose(second, 2 * np.e)
    inner = f.maker.fgraph.outputs[0].owner.inputs[0]
    buffer = f.program.storage[inner][0]
    f(np.ones(3))
    assert f.program.storage[inner][0] is buffer
    f(np.ones(4))
    assert f.program.storage[inner][0].shape == (4,)


def test_inplace_pattern_overwrites_its_input() -> None:
    x, y = pt.dvectors("x", "y")
    doubled = x * 2
    op = Elemwise(SCALAR_OPS["add"], {0: 0})
    assert op.destroy_map == {0: [0]}
    assert str(op) == "Add{inplace}"
    assert op != Elemwise(SCALAR_OPS["add"])
    f = pt.function([x, y], op(doubled, y))
    np.testing.assert_array_equal(f([1, 2], [10, 20]), [12, 24])
    with pytest.raises(TypeError, match="overwrite"):
        Elemwise(SCALAR_OPS["add"], {0: 0})(pt.ivector(), pt.dvector())


def test_dimshuffle() -> None:
    x = pt.dmatrix("x")
    ds = x.dimshuffle(1, "x", 0)
    assert ds.owner.op.view_map == {0: [0]}
    assert str(x.T.owner.op) == "Transpose{axes=[1, 0]}"
    assert str(pt.dvector().dimshuffle("x", 0).owner.op) == "ExpandDims{axis=0}"
    assert str(pt.drow().dimshuffle(1).owner.op) == "DropDims{axis=0}"
    with pytest.raises(ValueError, match="length is not known"):
        x.dimshuffle(0)
    with pytest.raises(ValueError):
        x.dimshuffle(0, 0)
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ds.eval({x: a}), a.T[:, None, :])
    assert x.dimshuffle(1, "x", 0).owner.op == ds.owner.op


def test_composite() -> None:
    a, b = pt.dscalars("a", "b")
    fused = pt.Composite([a, b], [pt.exp(a) + b, a * b])
    same = pt.Composite([a, b], [pt.exp(a) + b, a * b])
    assert fused == same and hash(fused) == hash(same)
    assert str(fused) == "Composite{(exp(i0) + i1), (i0 * i1)}"
    x, y = pt.dvectors("x", "y")
    first, second = Elemwise(fused)(x, y)
    f = pt.function([x, y], [first, second])
    got = f([0.0, 1.0], [2.0, 3.0])
    np.testing.assert_allclose(got[0], np.exp([0.0, 1.0]) + np.array([2.0, 3.0]))
    np.testing.assert_allclose(got[1], [0.0, 3.0])
    with pytest.raises(ValueError, match="not an input"):
        pt.Composite([a], [a + b])
    with pytest.raises(TypeError, match="dtypes"):
        Elemwise(fused)(pt.fvector(), pt.fvector())


def test_table_rows_have_public_functions() -> None:
    from tensorops.math import python_name

    for name in SCALAR_OPS:
        assert callable(getattr(pt, python_name(name))), name
    assert pt.sigmoid is pt.math.sigmoid
    np.testing.assert_allclose(pt.log1mexp(np.array([-1e-20, -50.0])).eval(),
                               [np.log(1e-20), -np.exp(-50.0)])  # fmt: skip
    np.testing.assert_allclose(pt.softplus(np.array([-800.0, 0.0, 800.0])).eval(),
                               [0.0, np.log(2.0), 800.0])  # fmt: skip


def test_kinds_are_checked_when_building() -> None:
    with pytest.raises(TypeError, match="Sub"):
        pt.sub(pt.tensor(dtype="bool", shape=(None,)), True)
    with pytest.raises(TypeError, match="Invert"):
        ~pt.dvector()
    with pytest.raises(TypeError, match="expected 2 inputs"):
        Elemwise(SCALAR_OPS["add"])(pt.dvector())


def test_harness_detects_a_wrong_reference() -> None:
    wrong = OpCase("wrong", pt.exp, np.log, [lambda rng: rng.uniform(1, 2, size=3)])
    with pytest.raises(AssertionError, match="values differ"):
        check_values(wrong)


# -- methods that delegate to the other modules -----------------------------------


def test_methods_delegate() -> None:
    x = pt.dmatrix("x")
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(x.sum().eval({x: a}), a.sum())
    np.testing.assert_allclose(x.mean(axis=0).eval({x: a}), a.mean(axis=0))
    np.testing.assert_allclose(x.max(axis=1).eval({x: a}), a.max(axis=1))
    np.testing.assert_array_equal(x.argmax(axis=1).eval({x: a}), a.argmax(axis=1))
    np.testing.assert_array_equal(x.shape.eval({x: a}), [2, 3])
    np.testing.assert_array_equal(x.reshape((3, 2)).eval({x: a}), a.reshape(3, 2))
    np.testing.assert_array_equal(x.reshape(3, 2).eval({x: a}), a.reshape(3, 2))
    np.testing.assert_array_equal(x.flatten().eval({x: a}), a.ravel())
    np.testing.assert_array_equal(x[1].eval({x: a}), a[1])
    np.testing.assert_array_equal(x.cumsum(axis=1).eval({x: a}), a.cumsum(axis=1))
    np.testing.assert_allclose(x.dot(x.T).eval({x: a}), a @ a.T)
    np.testing.assert_allclose((x @ x.T).eval({x: a}), a @ a.T)


def test_python_ints_for_integer_scalars() -> None:
    """A Python int is converted directly when it fits the dtype; one that does not fit is
    refused, naming the input, unless downcasting is allowed (then it wraps, as NumPy's)."""
    k = pt.iscalar("k")
    f = pt.function([k], k * 2)
    assert int(f(21)) == 42 and f(21).dtype == np.int32
    with pytest.raises(TypeError, match="'k'"):
        f(2**40)
    wrapping = pt.function([k], k * 1, allow_input_downcast=True)
    assert int(wrapping(2**32 + 3)) == 3
