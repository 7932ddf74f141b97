"""The variable interface: the method table, NumPy's ufuncs on variables, constructors as types."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest
import scipy.special

import tensorops as pt
from graphcore import config
from tensorops import variable
from tensorops.basic import DTYPE_PREFIXES, KINDS
from tensorops.elemwise import Elemwise
from tensorops.methods import METHODS
from tensorops.products import MatMul
from tensorops.scalar_ops import SCALAR_OPS
from tensorops.variable import TensorConstant, TensorOperators, TensorVariable

# -- the method table ---------------------------------------------------------------------


def _declared_methods() -> set[str]:
    """The names variable.py declares for type checkers under ``if TYPE_CHECKING:``."""
    tree = ast.parse(inspect.getsource(variable))
    (operators,) = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef) and node.name == "TensorOperators"
    ]
    names: set[str] = set()
    for node in operators.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            names.update(item.name for item in node.body if isinstance(item, ast.FunctionDef))
    return names


def test_the_table_and_the_type_declarations_agree() -> None:
    assert _declared_methods() == set(METHODS)


@pytest.mark.parametrize(
    "make",
    [pt.dvector, lambda: pt.constant([1.0, 2.0]), lambda: pt.shared(np.zeros(2))],
    ids=["variable", "constant", "shared"],
)
def test_every_tensor_class_has_the_table(make: object) -> None:
    x = make()  # type: ignore[operator]
    for name, member in METHODS.items():
        assert getattr(type(x), name) is member, name


def test_variable_module_imports_no_op() -> None:
    tree = ast.parse(inspect.getsource(variable))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tensorops")
    }
    assert imported == {"tensorops.type"}


def test_operators_and_methods_build_the_ops_of_the_functions() -> None:
    x = pt.dmatrix("x")
    assert (x + 1).owner.op == Elemwise(SCALAR_OPS["add"])
    assert (2 - x).owner.op == Elemwise(SCALAR_OPS["sub"])
    assert isinstance((x @ x).owner.op, MatMul)
    assert x.T.owner.op == x.transpose().owner.op
    assert x.sum(axis=0).owner.op == pt.sum(x, axis=0).owner.op
    assert x.astype("float32").dtype == "float32"
    f = pt.function([x], [x.reshape(-1), x[0, 1:], x.var(axis=1), x.size, x.shape])
    value = np.arange(6.0).reshape(2, 3)
    flat, row, variance, size, shape = f(value)
    np.testing.assert_array_equal(flat, value.reshape(-1))
    np.testing.assert_array_equal(row, value[0, 1:])
    np.testing.assert_allclose(variance, value.var(axis=1))
    assert size == 6 and tuple(shape) == (2, 3)


def test_lists_holding_variables_are_stacked() -> None:
    x, y = pt.dscalars("x", "y")
    swapped = [y, x]
    stacked = pt.as_tensor([x, y]) + swapped
    np.testing.assert_array_equal(pt.function([x, y], stacked)(1, 2), [3, 3])


# -- NumPy's ufuncs on variables ----------------------------------------------------------


@pytest.mark.parametrize(
    ("ufunc", "function"),
    [(np.exp, pt.exp), (np.log1p, pt.log1p), (np.sqrt, pt.sqrt), (scipy.special.expit, pt.sigmoid)],
    ids=["exp", "log1p", "sqrt", "expit"],
)
def test_unary_ufuncs_build_our_ops(ufunc: np.ufunc, function: object) -> None:
    x = pt.dvector("x")
    result = ufunc(x)
    assert isinstance(result, TensorVariable)
    assert result.owner.op == function(x).owner.op  # type: ignore[operator]
    values = np.array([0.1, 0.5, 2.0])
    np.testing.assert_allclose(pt.function([x], result)(values), ufunc(values))


def test_binary_ufuncs_and_mixed_operands_build_graphs() -> None:
    x = pt.dvector("x")
    values = np.array([0.5, 1.0, 4.0])
    ones = np.ones(3)
    results = [
        np.add(x, 1),
        np.power(x, 2),
        np.maximum(x, 0.75),
        ones + x,
        x + ones,
        ones * x,
        ones - x,
        ones / x,
        ones < x,
        np.arctan2(ones, x),
    ]
    assert all(isinstance(result, TensorVariable) for result in results)
    computed = pt.function([x], results)(values)
    expected = [
        values + 1,
        values**2,
        np.maximum(values, 0.75),
        ones + values,
        values + ones,
        ones * values,
        ones - values,
        ones / values,
        ones < values,
        np.arctan2(ones, values),
    ]
    for got, want in zip(computed, expected, strict=True):
        np.testing.assert_allclose(got, want)


def test_matmul_ufunc_on_a_variable() -> None:
    a = pt.dmatrix("a")
    weights = np.arange(6.0).reshape(3, 2)
    for result in (np.matmul(weights, a), weights @ a):
        assert isinstance(result.owner.op, MatMul)
        value = np.ones((2, 4))
        np.testing.assert_allclose(pt.function([a], result)(value), weights @ value)


def test_equality_stays_identity_when_numpy_asks() -> None:
    x = pt.dvector("x")
    ones = np.ones(3)
    assert (ones == x) is False
    assert (x == ones) is False
    assert (ones != x) is True
    assert np.equal(x, x) is True


def test_ufuncs_without_a_counterpart_say_what_to_use() -> None:
    x = pt.dvector("x")
    with pytest.raises(TypeError, match=r"numpy\.logical_and has no tensorops counterpart"):
        np.logical_and(x, x)
    with pytest.raises(TypeError, match=r"numpy\.add\.reduce .*pt\.sum"):
        np.add.reduce(x)
    with pytest.raises(TypeError, match=r"numpy\.multiply\.accumulate .*pt\.cumprod"):
        np.multiply.accumulate(x)
    with pytest.raises(TypeError, match=r"numpy\.exp: out= .*assign instead: y = np\.exp"):
        np.exp(x, out=np.empty(3))
    array = np.zeros(3)
    with pytest.raises(TypeError, match=r"numpy\.add: out= .*a = a \+ x"):
        array += x
    with pytest.raises(TypeError, match=r"numpy\.add: the keyword arguments \['dtype'\]"):
        np.add(x, 1, dtype="float32")


def test_every_ufunc_row_maps_to_its_function() -> None:
    from tensorops.ufuncs import UFUNC_ROWS, python_name

    rows = [op for op in SCALAR_OPS.values() if isinstance(op.function, np.ufunc)]
    assert len(rows) == len(UFUNC_ROWS) > 50
    for op in rows:
        if op.function in (np.equal, np.not_equal):
            continue  # identity, as ==: see test_equality_stays_identity_when_numpy_asks
        x = pt.tensor(dtype="float64" if "f" in op.kinds else "int64", shape=(None,))
        built = op.function(*[x] * op.nin)
        assert built.owner.op == Elemwise(op), python_name(op.name)


# -- constructors are types ------------------------------------------------------------------


def test_a_variable_type_equals_its_constructor() -> None:
    x = pt.dscalar("x")
    assert x.type == pt.dscalar
    assert pt.dvector("v").type == pt.dvector
    assert pt.dvector("v").type != pt.dmatrix
    assert pt.imatrix().type == pt.TensorType("int32", (None, None))


@pytest.mark.parametrize("prefix", list(DTYPE_PREFIXES))
@pytest.mark.parametrize("kind", list(KINDS))
def test_typed_constructors_are_tensor_types(prefix: str, kind: str) -> None:
    constructor = getattr(pt, prefix + kind)
    assert constructor == pt.TensorType(DTYPE_PREFIXES[prefix], KINDS[kind])
    for made in (constructor("x"), constructor(name="x")):
        assert made.name == "x" and made.type == constructor
    assert constructor().name is None


def test_typed_constructors_keep_their_keywords() -> None:
    fixed = pt.dvector("x", shape=(3,))
    assert fixed.type.shape == (3,) and fixed.dtype == "float64"
    assert pt.dmatrix(shape=(None, 2)).type.shape == (None, 2)
    assert pt.drow(shape=(True, 4)).type.shape == (1, 4)
    assert pt.dvector("x", dtype="float64").type == pt.dvector
    with pytest.raises(TypeError, match="float64"):
        pt.dvector("x", dtype="int32")
    with pytest.raises(ValueError, match="dimensions"):
        pt.dvector(shape=(3, 4))
    with pytest.raises(ValueError, match="axis 0 has length 1"):
        pt.drow(shape=(2, None))


def test_plurals_and_floatx_constructors_stay_functions() -> None:
    for name in ("dscalars", "vector", "scalar", "matrix", "tensor", "row", "tensor3"):
        assert inspect.isfunction(getattr(pt, name)), name
    with config.change_flags(floatX="float32"):
        assert pt.vector("v").dtype == "float32"
    a, b = pt.dscalars("a", "b")
    assert a.type == b.type == pt.dscalar


def test_constants_and_shared_tensors_have_the_methods_too() -> None:
    constant = pt.constant(np.arange(3.0))
    assert isinstance(constant, TensorConstant)
    assert isinstance(constant, TensorOperators)
    shared = pt.shared(np.arange(3.0))
    f = pt.function([], [np.exp(constant), shared.sum()])
    exp_values, total = f()
    np.testing.assert_allclose(exp_values, np.exp(np.arange(3.0)))
    assert total == 3.0
