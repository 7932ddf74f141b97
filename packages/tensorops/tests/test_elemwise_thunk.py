"""Elemwise's Python thunk against ``perform`` and NumPy: table rows and Composites, every
dtype family, broadcasting, blocks (arrays longer than BLOCK_SIZE), reused and unfit
output buffers, outputs overwriting inputs."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import tensorops as pt
from graphcore import Apply
from graphcore.compile.thunks import python_thunks
from tensorops.elemwise import Elemwise
from tensorops.elemwise_thunk import BLOCK_SIZE, elemwise_thunk
from tensorops.scalar_ops import SCALAR_OPS

RNG = np.random.default_rng(7)
LONG = 2 * BLOCK_SIZE + 123  # two whole blocks and a tail


def run_thunk(node: Apply, values: list[np.ndarray], output_cells: list[list[Any]] | None = None):
    output_cells = output_cells or [[None] for _ in node.outputs]
    thunk = elemwise_thunk(node, [[v] for v in values], output_cells)
    thunk()
    return [cell[0] for cell in output_cells], thunk, output_cells


def run_perform(node: Apply, values: list[np.ndarray]) -> list[np.ndarray]:
    cells: list[list[Any]] = [[None] for _ in node.outputs]
    node.op.perform(node, [v.copy() for v in values], cells)
    return [cell[0] for cell in cells]


def fused(inputs: list[Any], outputs: Callable[..., list[Any]]) -> Apply:
    """``Elemwise(Composite)`` of ``outputs(*scalars)`` applied to the tensors ``inputs``."""
    scalars = [pt.TensorType(x.dtype, ())() for x in inputs]
    composite = pt.Composite(scalars, outputs(*scalars))
    return Elemwise(composite).make_node(*inputs)


def vector(dtype: str = "float64", n: int | None = None) -> Any:
    return pt.TensorType(dtype, (n,))()


def matrix(shape: tuple[int | None, int | None]) -> Any:
    return pt.TensorType("float64", shape)()


@dataclass
class Case:
    name: str
    node: Callable[[], Apply]
    values: Callable[[int], list[np.ndarray]]  # of a size
    reference: Callable[..., list[np.ndarray]]
    sizes: tuple[int, ...] = (5, LONG)


def floats(*shapes: Any) -> Callable[[int], list[np.ndarray]]:
    def make(n: int) -> list[np.ndarray]:
        return [RNG.uniform(0.1, 2.0, size=shape(n) if callable(shape) else shape)
                for shape in shapes]  # fmt: skip

    return make


def ints(dtype: str, count: int) -> Callable[[int], list[np.ndarray]]:
    return lambda n: [RNG.integers(-20, 20, size=n).astype(dtype) for _ in range(count)]


def by_rows(rows: int) -> Callable[[int], tuple[int, int]]:
    """A matrix shape with ``rows`` rows and about ``n`` elements."""
    return lambda n: (rows, max(1, n // rows))


CASES = [
    Case(
        "float64 chain, two outputs",
        lambda: fused(
            [vector(), vector()],
            lambda a, b: [pt.exp(-a * a) + pt.log1p(b * b) * a, pt.sin(a) * b - pt.sqrt(b)],
        ),
        floats(lambda n: n, lambda n: n),
        lambda a, b: [np.exp(-a * a) + np.log1p(b * b) * a, np.sin(a) * b - np.sqrt(b)],
    ),
    Case(
        "int32 to float64, int32 and bool outputs",
        lambda: fused(
            [vector("int32"), vector("int32")],
            lambda i, j: [pt.exp(i / 10) + i, i * j - 3, (i < j) & (j > 0)],
        ),
        ints("int32", 2),
        lambda i, j: [np.exp(i / 10) + i, i * j - 3, (i < j) & (j > 0)],
    ),
    Case(
        "float32 with Python numbers stays float32",
        lambda: fused([vector("float32")], lambda x: [pt.sqrt(x) * 2.5 + 1]),
        lambda n: [RNG.uniform(0, 4, n).astype("float32")],
        lambda x: [np.sqrt(x) * np.float32(2.5) + np.float32(1)],
    ),
    Case(
        "complex128",
        lambda: fused([vector("complex128")], lambda z: [pt.exp(z) * z + 1j, pt.abs(z)]),
        lambda n: [RNG.normal(size=n) + 1j * RNG.normal(size=n)],
        lambda z: [np.exp(z) * z + 1j, np.abs(z)],
    ),
    Case(
        "a length-1 input broadcast (its steps hoisted), outputs of it and of an input",
        lambda: fused(
            [vector(n=1), vector()],
            lambda s, x: [pt.exp(s) * x + s, pt.exp(s) + 1.0, x, pt.constant(2.0)],
        ),
        floats(1, lambda n: n),
        lambda s, x: [np.exp(s) * x + s, np.exp(s) + 1.0 + 0 * x, x, np.full(x.shape, 2.0)],
    ),
    Case(
        "the same output twice",
        lambda: fused([vector(), vector()], lambda a, b: [a * b, pt.tanh(a), a * b]),
        floats(lambda n: n, lambda n: n),
        lambda a, b: [a * b, np.tanh(a), a * b],
    ),
    Case(
        "a row against a matrix (blocks of rows)",
        lambda: fused(
            [matrix((1, None)), matrix((None, None))],
            lambda r, m: [pt.exp(r) * m + m, r + 0.5],
        ),
        lambda n: [RNG.normal(size=(1, by_rows(40)(n)[1])), RNG.normal(size=by_rows(40)(n))],
        lambda r, m: [np.exp(r) * m + m, np.broadcast_to(r + 0.5, m.shape)],
    ),
    Case(
        "a column against a matrix (its steps per block)",
        lambda: fused(
            [matrix((None, 1)), matrix((None, None))],
            lambda c, m: [pt.exp(c) + m, pt.cos(c)],
        ),
        lambda n: [RNG.normal(size=(by_rows(40)(n)[0], 1)), RNG.normal(size=by_rows(40)(n))],
        lambda c, m: [np.exp(c) + m, np.broadcast_to(np.cos(c), m.shape)],
    ),
    Case(
        "matrices, a scalar parameter (flattened blocks)",
        lambda: fused(
            [matrix((1, 1)), matrix((None, None)), matrix((None, None))],
            lambda s, m, w: [(m - s) / pt.exp(s) * w],
        ),
        lambda n: [RNG.normal(size=(1, 1)), *floats(by_rows(7), by_rows(7))(n)],
        lambda s, m, w: [(m - s) / np.exp(s) * w],
    ),
    Case(
        "a transposed (not C-contiguous) matrix",
        lambda: fused([matrix((None, None)), matrix((None, None))], lambda a, b: [a * b + a]),
        lambda n: [RNG.normal(size=by_rows(9)(n)[::-1]).T, RNG.normal(size=by_rows(9)(n))],
        lambda a, b: [a * b + a],
    ),
    Case(
        "0-d inputs",
        lambda: fused([pt.dscalar(), pt.dscalar()], lambda a, b: [a**2 + pt.exp(b), a - b]),
        lambda n: [np.array(RNG.normal()), np.array(RNG.normal())],
        lambda a, b: [a**2 + np.exp(b), a - b],
        sizes=(1,),
    ),
    Case(
        "row: mixed int8 + float32",
        lambda: Elemwise(SCALAR_OPS["add"]).make_node(vector("int8"), vector("float32")),
        lambda n: [RNG.integers(-5, 5, n).astype("int8"), RNG.normal(size=n).astype("float32")],
        lambda i, x: [i + x],
    ),
    Case(
        "row: exp of int16 (computed in float32)",
        lambda: Elemwise(SCALAR_OPS["exp"]).make_node(vector("int16")),
        ints("int16", 1),
        lambda i: [np.exp(i.astype("float32"))],
    ),
    Case(
        "row: switch (not a ufunc) and softplus (takes out=)",
        lambda: fused(
            [vector("bool"), vector(), vector()],
            lambda c, a, b: [pt.switch(c, pt.softplus(a), b)],
        ),
        lambda n: [RNG.normal(size=n) > 0, RNG.normal(size=n) * 30, RNG.normal(size=n)],
        lambda c, a, b: [np.where(c, np.logaddexp(0, a), b)],
    ),
    Case(
        "row: exp of a 0-d array",
        lambda: Elemwise(SCALAR_OPS["exp"]).make_node(pt.dscalar()),
        lambda n: [np.array(RNG.normal())],
        lambda x: [np.exp(x)],
        sizes=(1,),
    ),
    Case(
        "row: cast to int16",
        lambda: Elemwise(pt.scalar_ops.cast_op("int16")).make_node(vector()),
        lambda n: [RNG.normal(size=n) * 100],
        lambda x: [x.astype("int16")],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_thunk_equals_perform_equals_numpy(case: Case) -> None:
    tolerance = 1e-6 if "float32" in case.name else 1e-12
    for n in case.sizes:
        node = case.node()
        values = case.values(n)
        input_cells = [[v] for v in values]
        output_cells: list[list[Any]] = [[None] for _ in node.outputs]
        thunk = elemwise_thunk(node, input_cells, output_cells)
        thunk()
        performed = run_perform(node, values)
        for var, cell, theirs, want in zip(
            node.outputs, output_cells, performed, case.reference(*values), strict=True
        ):
            mine = cell[0]
            assert mine.dtype == var.type.dtype == theirs.dtype
            assert mine.shape == theirs.shape == np.shape(want)
            np.testing.assert_allclose(mine, want, rtol=tolerance)
            np.testing.assert_array_equal(mine, theirs)
        # Again with new values: buffers are reused and nothing stale shows through.
        values = case.values(n)
        for cell, value in zip(input_cells, values, strict=True):
            cell[0] = value
        thunk()
        for cell, want in zip(output_cells, case.reference(*values), strict=True):
            np.testing.assert_allclose(cell[0], want, rtol=tolerance)


def test_the_thunk_is_registered_and_nodes_carry_no_kernel() -> None:
    x, y = pt.dvector("x"), pt.dvector("y")
    node = (x + y).owner
    assert python_thunks.lookup(node.op) is elemwise_thunk
    assert not hasattr(node.tag, "kernel")
    f = pt.function([x, y], pt.exp(x) * y)
    np.testing.assert_allclose(f([0.0, 1.0], [2.0, 3.0]), [2.0, 3 * np.e])


@pytest.mark.parametrize("n", [6, LONG])
def test_output_buffers_reused_when_they_fit_and_replaced_when_not(n: int) -> None:
    node = fused([vector(), vector()], lambda a, b: [a * b + 1.0, pt.exp(a)])
    a, b = RNG.normal(size=n), RNG.normal(size=n)
    wrong_shape = np.full(n + 1, -7.0)
    wrong_dtype = np.full(n, -7.0, dtype="float32")
    cells = [[wrong_shape], [wrong_dtype]]
    thunk = elemwise_thunk(node, [[a], [b]], cells)
    thunk()
    np.testing.assert_allclose(cells[0][0], a * b + 1.0)
    np.testing.assert_allclose(cells[1][0], np.exp(a))
    assert (wrong_shape == -7.0).all() and (wrong_dtype == -7.0).all()
    first, second = cells[0][0], cells[1][0]
    thunk()
    assert cells[0][0] is first and cells[1][0] is second
    # A view of someone else's array is never written into.
    owner = np.full(2 * n, -7.0)
    cells[0][0] = owner[:n]
    thunk()
    assert (owner == -7.0).all()
    np.testing.assert_allclose(cells[0][0], a * b + 1.0)


def test_row_output_buffer_of_wrong_shape() -> None:
    node = Elemwise(SCALAR_OPS["mul"]).make_node(vector(), vector())
    a, b = np.arange(4.0), np.arange(4.0) + 1
    cells = [[np.zeros(3)]]
    elemwise_thunk(node, [[a], [b]], cells)()
    np.testing.assert_array_equal(cells[0][0], a * b)


@pytest.mark.parametrize("n", [6, LONG])
def test_an_output_overwrites_its_input(n: int) -> None:
    x, y = vector(), vector()
    scalars = [pt.dscalar(), pt.dscalar()]
    composite = pt.Composite(scalars, [pt.exp(scalars[0]) * scalars[1] + scalars[0]])
    node = Elemwise(composite, {0: 0}).make_node(x, y)
    a, b = RNG.normal(size=n), RNG.normal(size=n)
    expected = np.exp(a) * b + a
    buffer = a.copy()
    got, _, _ = run_thunk(node, [buffer, b])
    assert got[0] is buffer
    np.testing.assert_allclose(buffer, expected)
    # Read-only, or read again at another position: a fresh array, the input untouched.
    frozen = a.copy()
    frozen.flags.writeable = False
    got, _, _ = run_thunk(node, [frozen, b])
    assert got[0] is not frozen
    np.testing.assert_allclose(got[0], expected)
    shared = a.copy()
    got, _, _ = run_thunk(node, [shared, shared])
    np.testing.assert_allclose(got[0], np.exp(a) * a + a)
    np.testing.assert_array_equal(shared, a)


def test_row_output_overwrites_its_input() -> None:
    node = Elemwise(SCALAR_OPS["add"], {0: 1}).make_node(vector(), vector())
    a, b = np.arange(3.0), np.arange(3.0) * 10
    got, _, _ = run_thunk(node, [a, b])
    assert got[0] is b
    np.testing.assert_array_equal(b, [0.0, 11.0, 22.0])
    negate = Elemwise(SCALAR_OPS["neg"], {0: 0}).make_node(vector())
    got, _, _ = run_thunk(negate, [a])
    assert got[0] is a
    np.testing.assert_array_equal(a, [-0.0, -1.0, -2.0])
    frozen = np.arange(3.0)
    frozen.flags.writeable = False
    got, _, _ = run_thunk(negate, [frozen])
    assert got[0] is not frozen
    np.testing.assert_array_equal(got[0], [-0.0, -1.0, -2.0])


@pytest.mark.parametrize("fused_node", [False, True])
def test_runtime_broadcasting_is_refused_as_perform_refuses_it(fused_node: bool) -> None:
    x, y = vector(), vector()
    node = (
        fused([x, y], lambda a, b: [a * b + 1.0])
        if fused_node
        else Elemwise(SCALAR_OPS["add"]).make_node(x, y)
    )
    values = [np.ones(3), np.ones(1)]
    with pytest.raises(ValueError, match=r"input 1 has shape \(1,\).*may not broadcast") as raised:
        run_thunk(node, values)
    with pytest.raises(ValueError, match="may not broadcast") as performed:
        run_perform(node, values)
    assert str(raised.value) == str(performed.value)


def test_a_fused_chain_runs_in_blocks_and_matches_numpy_end_to_end() -> None:
    x, y = pt.dvector("x"), pt.dvector("y")

    def chain(m: Any, a: Any, b: Any) -> Any:
        e = m.exp(-(a * a))
        return (m.sin(e + b) * 0.5 + m.sqrt(b * b + 1.0)) / (1.0 + e)

    f = pt.function([x, y], chain(pt, x, y))
    for n in (3, BLOCK_SIZE, LONG):
        a, b = RNG.normal(size=n), RNG.normal(size=n)
        np.testing.assert_allclose(f(a, b), chain(np, a, b), rtol=1e-12)
