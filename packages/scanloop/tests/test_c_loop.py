"""The loop in C (c_loop.py) against the Python loop (loop.py) and NumPy.

One table of scans is compiled twice, as one function each: FAST_RUN with the default
linker (C, the whole function one entry point) and the same rewrites with the Python
linker. Every case must give the Python backend's values (and NumPy's where a case
names a reference). Errors are compiled one function each and must raise the same
exception in C as in Python, naming the scan and the step.
"""

from __future__ import annotations

import getpass
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphcore
import tensorops as pt
from graphcore import Apply, Op, Variable, function
from graphcore.config import config
from scanloop import Scan, scan, until

ccodegen = pytest.importorskip("ccodegen", reason="ccodegen is not installed (scanloop[c])")
from ccodegen.linker import CProgram  # noqa: E402 - after the skip

pytestmark = pytest.mark.skipif(
    not ccodegen.have_c_compiler(), reason="no C compiler: scans run on the Python backend"
)

PYTHON = graphcore.Mode(linker="py")


@pytest.fixture(scope="module", autouse=True)
def test_cache() -> Iterator[None]:
    """Compile into a cache of this user's test runs, kept between runs (not the user's)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "anyone"
    folder = Path(tempfile.gettempdir()) / f"scanloop-c-tests-{user}"
    with config.change_flags(cache_dir=str(folder)):
        yield


# ---- the table ------------------------------------------------------------------------------


@dataclass
class Case:
    """Symbolic inputs and outputs (and shared-variable updates), the argument values, and
    optionally NumPy's values of the outputs."""

    name: str
    build: Callable[[], tuple[list[Variable], list[Variable], dict[Any, Any]]]
    args: tuple[Any, ...]
    numpy: Callable[..., list[Any]] | None = None


def power() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    A, k = pt.vector("A"), pt.iscalar("k")
    result, _ = scan(
        lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=k
    )
    return [A, k], [result, result[-1]], {}


def polynomial() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    coefficients, x = pt.vector("coefficients"), pt.scalar("x")
    components, _ = scan(
        lambda c, power, x: c * x**power,
        sequences=[coefficients, pt.arange(1000)],
        non_sequences=x,
    )
    return [coefficients, x], [components, components.sum()], {}


def fibonacci() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    initial, n = pt.lvector("initial"), pt.iscalar("n")
    numbers, _ = scan(
        lambda a, b: a + b, outputs_info=dict(initial=initial, taps=[-2, -1]), n_steps=n
    )
    return [initial, n], [numbers], {}


def cumulative_sum() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    v = pt.vector("v")
    total, _ = scan(lambda x, acc: acc + x, sequences=v, outputs_info=pt.zeros(()))
    return [v], [total], {}


def recurrent_net() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    xs, h0 = pt.tensor3("xs"), pt.matrix("h0")
    W, U, b = pt.matrix("W"), pt.matrix("U"), pt.vector("b")
    hidden, _ = scan(
        lambda x, h, W, U, b: pt.tanh(x @ W + h @ U + b),
        sequences=xs,
        outputs_info=h0,
        non_sequences=[W, U, b],
    )
    return [xs, h0, W, U, b], [hidden], {}


def states_and_mapped() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    v, s0, m0 = pt.vector("v"), pt.scalar("s0"), pt.vector("m0")
    outputs, _ = scan(
        lambda x, s, m: (s + x, m * 2 + x, s * x, m.sum()),
        sequences=v,
        outputs_info=[s0, m0, None, None],
    )
    return [v, s0, m0], outputs, {}


def stops_early() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    x0 = pt.scalar("x0")
    outputs, _ = scan(
        lambda p: ([p * 2, p + 1], until(p * 2 > 100)), outputs_info=[x0, None], n_steps=50
    )
    return [x0], outputs, {}


def backwards() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    v = pt.vector("v")
    total, _ = scan(
        lambda x, acc: acc * 0.5 + x, sequences=v, outputs_info=pt.zeros(()), go_backwards=True
    )
    return [v], [total], {}


def zero_steps() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    A, k = pt.vector("A"), pt.iscalar("k")
    result, _ = scan(
        lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=k
    )
    doubled, _ = scan(lambda x: x * 2, sequences=A[:0])
    return [A, k], [result, doubled], {}


def strided_sequence() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    m = pt.matrix("m")
    totals, _ = scan(lambda column, acc: acc + column, sequences=m.T, outputs_info=pt.zeros(3))
    return [m], [totals], {}


def sequence_taps() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    v = pt.vector("v")
    slopes, _ = scan(
        lambda before, now, after: after - before, sequences=dict(input=v, taps=[-1, 0, 1])
    )
    return [v], [slopes], {}


def swap() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    a, b = pt.vector("a"), pt.vector("b")
    (first, second), _ = scan(lambda a, b: (b, a), outputs_info=[a, b], n_steps=5)
    return [a, b], [first, second], {}


def nested() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    A, k = pt.vector("A"), pt.iscalar("k")

    def squared_step(prior: Variable, A: Variable) -> Variable:
        inner, _ = scan(lambda p, A: p * A, outputs_info=prior, non_sequences=A, n_steps=2)
        return inner[-1]

    result, _ = scan(squared_step, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=k)
    return [A, k], [result], {}


def carried_shared() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    rows = pt.matrix("rows")
    running = graphcore.shared(np.zeros(3), name="running")
    sums, updates = scan(lambda x: (x.sum(), {running: running + x}), sequences=rows)
    return [rows], [sums, updates[running]], {}


def with_store(
    build: Callable[[], tuple[list[Variable], list[Variable], dict[Any, Any]]],
    store: tuple[int | None, ...],
) -> Callable[[], tuple[list[Variable], list[Variable], dict[Any, Any]]]:
    """The case's first scan with ``store`` set, as the memory rewrite sets it: its raw
    outputs (each the last ``store`` entries)."""

    def stored() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
        inputs, outputs, _ = build()
        node = next(
            var.owner
            for var in graphcore.ancestors(outputs)
            if var.owner is not None and isinstance(var.owner.op, Scan)
        )
        op: Scan = node.op  # type: ignore[assignment]
        results = Scan(op.info.with_store(store), op.inner, op.mode)(*node.inputs)
        return inputs, results if isinstance(results, list) else [results], {}

    return stored


def mapped_only() -> tuple[list[Variable], list[Variable], dict[Any, Any]]:
    v = pt.vector("v")
    tripled, _ = scan(lambda x: x * 3, sequences=v)
    return [v], [tripled], {}


RNG = np.random.default_rng(0)
XS, H0 = RNG.normal(size=(5, 3, 4)), np.zeros((3, 6))
W, U, B = RNG.normal(size=(4, 6)), RNG.normal(size=(6, 6)) * 0.3, RNG.normal(size=6)
COEFFICIENTS = np.linspace(0, 1, 1000)


def _rnn(xs: Any, h: Any, W: Any, U: Any, b: Any) -> list[Any]:
    hidden = []
    for x in xs:
        h = np.tanh(x @ W + h @ U + b)
        hidden.append(h)
    return [np.array(hidden)]


def _fibonacci(initial: Any, n: int) -> list[Any]:
    numbers = list(initial)
    for _ in range(n):
        numbers.append(numbers[-2] + numbers[-1])
    return [np.array(numbers[len(initial) :])]


CASES = [
    Case(
        "power",
        power,
        (np.arange(10.0), 7),
        lambda A, k: [A ** np.arange(1, k + 1)[:, None], A**k],
    ),
    Case(
        "polynomial",
        polynomial,
        (COEFFICIENTS, 0.99),
        lambda c, x: [c * x ** np.arange(1000), np.sum(c * x ** np.arange(1000))],
    ),
    Case("fibonacci", fibonacci, (np.array([0, 1]), 20), _fibonacci),
    Case("cumulative_sum", cumulative_sum, (np.arange(7.0) ** 2,), lambda v: [np.cumsum(v)]),
    Case("recurrent_net", recurrent_net, (XS, H0, W, U, B), _rnn),
    Case("states_and_mapped", states_and_mapped, (np.arange(5.0), 1.5, np.ones(3))),
    Case(
        "stops_early",
        stops_early,
        (3.0,),
        lambda x0: [x0 * 2.0 ** np.arange(1, 7), x0 * 2.0 ** np.arange(6) + 1],
    ),
    Case("backwards", backwards, (np.arange(6.0),)),
    Case(
        "zero_steps", zero_steps, (np.arange(3.0), 0), lambda A, k: [np.zeros((0, 3)), np.zeros(0)]
    ),
    Case("sequence_taps", sequence_taps, (np.arange(6.0) ** 2,)),
    Case(
        "strided_sequence",
        strided_sequence,
        (np.arange(12.0).reshape(3, 4),),
        lambda m: [np.cumsum(m.T, axis=0)],
    ),
    Case("swap", swap, (np.array([1.0, 2.0]), np.array([3.0, 4.0]))),
    Case(
        "swap_store_1",
        with_store(swap, (1, 1)),
        (np.array([1.0, 2.0]), np.array([3.0, 4.0])),
        lambda a, b: [b[None], a[None]],  # after 5 swaps
    ),
    Case(
        "power_store_1",
        with_store(power, (1,)),
        (np.arange(10.0), 7),
        lambda A, k: [(A**k)[None]],
    ),
    Case(
        "fibonacci_store_3",  # the kept entries wrap around the ring
        with_store(fibonacci, (3,)),
        (np.array([0, 1]), 20),
        lambda initial, n: [_fibonacci(initial, n)[0][-3:]],
    ),
    Case(
        "mapped_store_3",
        with_store(mapped_only, (3,)),
        (np.arange(7.0),),
        lambda v: [3 * v[-3:]],
    ),
    Case(
        "nested",
        nested,
        (np.array([1.0, 2.0, 3.0]), 3),
        lambda A, k: [A ** (2 * np.arange(1, k + 1))[:, None]],
    ),
    Case("carried_shared", carried_shared, (np.arange(12.0).reshape(4, 3),)),
]


@dataclass
class Table:
    c_function: Any
    c_values: list[Any]
    python_values: list[Any]
    spans: dict[str, tuple[int, int]]


@pytest.fixture(scope="module")
def table() -> Table:
    """Every case as outputs of one function, compiled for C and for Python: two compiles."""
    inputs: list[Variable] = []
    outputs: list[Variable] = []
    updates: dict[Any, Any] = {}
    args: list[Any] = []
    spans: dict[str, tuple[int, int]] = {}
    for case in CASES:
        case_inputs, case_outputs, case_updates = case.build()
        spans[case.name] = (len(outputs), len(outputs) + len(case_outputs))
        inputs += case_inputs
        outputs += case_outputs
        updates.update(case_updates)
        args += case.args
    c_function = function(inputs, outputs, updates=updates)
    python_function = function(inputs, outputs, updates=updates, mode=PYTHON)
    return Table(c_function, c_function(*args), python_function(*args), spans)


def _assert_same(got: Any, expected: Any, what: str) -> None:
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape, f"{what}: shape {got.shape}, expected {expected.shape}"
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300, err_msg=what)
    else:
        np.testing.assert_array_equal(got, expected, err_msg=what)


def test_the_table_is_one_c_entry_point(table: Table) -> None:
    from ccodegen.translate import translate_segment

    fgraph = table.c_function.maker.fgraph
    without_c = [
        str(node.op)
        for node in fgraph.toposort()
        if translate_segment("probe", [node], node.inputs, node.outputs) is None
    ]
    assert isinstance(table.c_function.program, CProgram), f"nodes without C: {without_c}"


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_c_loop_equals_python_loop(table: Table, case: Case) -> None:
    start, stop = table.spans[case.name]
    for k in range(start, stop):
        what = f"{case.name}, output {k - start}"
        assert table.c_values[k].dtype == table.python_values[k].dtype, what
        _assert_same(table.c_values[k], table.python_values[k], what)
    if case.numpy is not None:
        for k, expected in enumerate(case.numpy(*case.args)):
            if expected is not None:
                _assert_same(table.c_values[start + k], expected, f"{case.name} vs NumPy")


# ---- the seed, whole C --------------------------------------------------------------------


def test_the_seed_power_is_one_c_entry_point() -> None:
    (A, k), (_, last), _ = power()
    f = function([A, k], last)
    assert isinstance(f.program, CProgram)
    assert f.maker.linker.name == "c"
    a = np.arange(10.0)
    np.testing.assert_array_equal(f(a, 2), a**2)
    f.free()  # the loop's buffers too; the next call makes them again
    np.testing.assert_array_equal(f(a, 3), a**3)
    np.testing.assert_array_equal(f(a, 1), a)


def test_the_rule_is_an_installed_entry_point() -> None:
    values = [entry.value for entry in metadata.entry_points(group="ccodegen.rules")]
    assert "scanloop.c_loop" in values, (
        "scanloop's entry point ccodegen.rules:scan is not installed; reinstall scanloop "
        "(pip install -e packages/scanloop[c])"
    )


# ---- errors ---------------------------------------------------------------------------------


def too_few_entries() -> tuple[list[Variable], list[Variable], tuple[Any, ...]]:
    v, n = pt.vector("v"), pt.iscalar("n")
    total, _ = scan(
        lambda x, acc: acc + x, sequences=v, outputs_info=pt.zeros(()), n_steps=n, name="acc"
    )
    return [v, n], [total], (np.arange(3.0), 5)


def negative_n_steps() -> tuple[list[Variable], list[Variable], tuple[Any, ...]]:
    (A, k), (result, _), _ = power()
    return [A, k], [result], (np.arange(3.0), -2)


def state_grows() -> tuple[list[Variable], list[Variable], tuple[Any, ...]]:
    x0 = pt.vector("x0")
    grown, _ = scan(lambda p: pt.concatenate([p, p])[: p.shape[0] + 1], outputs_info=x0, n_steps=3)
    return [x0], [grown], (np.ones(2),)


def mapped_grows() -> tuple[list[Variable], list[Variable], tuple[Any, ...]]:
    n = pt.lvector("n")
    ranges, _ = scan(pt.arange, sequences=n)
    return [n], [ranges], (np.array([2, 2, 3]),)


def index_out_of_range() -> tuple[list[Variable], list[Variable], tuple[Any, ...]]:
    indices, x = pt.lvector("indices"), pt.vector("x")
    picked, _ = scan(lambda i, x: x[i], sequences=indices, non_sequences=x, name="pick")
    return [indices, x], [picked], (np.array([0, 1, 5]), np.arange(3.0))


ERRORS = [
    (
        too_few_entries,
        ValueError,
        r"scan 'acc': n_steps is 5, but sequence 0 has only 3 entries",
        r"scan 'acc': n_steps is 5, but sequence 0 has only 3 entries",
    ),
    (
        negative_n_steps,
        ValueError,
        "n_steps must be at least 0, got -2",
        "n_steps must be at least 0, got -2",
    ),
    (
        state_grows,
        ValueError,
        r"at step 0, output 0 has shape \(3,\), but the initial value gives its entries "
        r"shape \(2,\)",
        r"at step 0, output 0 has shape \(3,\), but the initial value gives its entries "
        r"shape \(2,\)",
    ),
    (
        mapped_grows,
        ValueError,
        r"at step 2, output 0 has shape \(3,\), but it had shape \(2,\) at step 0",
        r"at step 2, output 0 has shape \(3,\), but it had shape \(2,\) at step 0",
    ),
    (
        index_out_of_range,
        IndexError,
        r"scan 'pick': at step 2, Subtensor\{i\}: index 5 is out of bounds",
        "index 5 is out of bounds",
    ),
]


@pytest.mark.parametrize(
    ("build", "kind", "c_message", "python_message"),
    ERRORS,
    ids=[build.__name__ for build, *_ in ERRORS],
)
def test_errors_are_raised_in_c_as_in_python(
    build: Callable[[], tuple[list[Variable], list[Variable], tuple[Any, ...]]],
    kind: type[Exception],
    c_message: str,
    python_message: str,
) -> None:
    inputs, outputs, args = build()
    in_c = function(inputs, outputs)
    assert isinstance(in_c.program, CProgram)
    with pytest.raises(kind, match=c_message) as raised:
        in_c(*args)
    assert "Scan" in " ".join(getattr(raised.value, "__notes__", []))  # the node, in C
    with pytest.raises(kind, match=python_message):
        function(inputs, outputs, mode=PYTHON)(*args)


def test_the_python_loop_names_the_failing_step_too() -> None:
    inputs, outputs, args = index_out_of_range()
    with pytest.raises(IndexError) as raised:
        function(inputs, outputs, mode=PYTHON)(*args)
    assert "scan 'pick': at step 2" in raised.value.__notes__


def test_a_failed_call_leaves_the_loop_usable() -> None:
    inputs, outputs, (indices, x) = index_out_of_range()
    pick = function(inputs, outputs)
    with pytest.raises(IndexError):
        pick(indices, x)
    np.testing.assert_array_equal(pick(np.array([2, 0]), x)[0], [2.0, 0.0])


# ---- what stays in Python -----------------------------------------------------------------


class PythonOnlyDouble(Op):
    """``2 * x`` with no C rule: a step that uses it runs the Python loop."""

    __props__ = ()

    def make_node(self, x: Any) -> Apply:
        x = pt.as_tensor(x)
        return Apply(self, [x], [x.type.make_variable()])

    def perform(self, node: Apply, inputs: Any, output_storage: Any) -> None:
        output_storage[0][0] = np.asarray(inputs[0] * 2)


def test_a_step_without_c_and_a_scan_beside_python_ops() -> None:
    v = pt.vector("v")
    doubled, _ = scan(lambda x: PythonOnlyDouble()(x) + 1, sequences=v)  # the loop in Python
    total, _ = scan(lambda x, acc: acc + x, sequences=v, outputs_info=pt.zeros(()))
    outputs = [doubled, PythonOnlyDouble()(total)]  # a C loop in a mixed program
    in_c = function([v], outputs)
    assert not isinstance(in_c.program, CProgram)
    values = np.arange(5.0)
    expected = [2 * values + 1, 2 * np.cumsum(values)]
    for got, python, reference in zip(
        in_c(values), function([v], outputs, mode=PYTHON)(values), expected, strict=True
    ):
        np.testing.assert_array_equal(got, python)
        np.testing.assert_array_equal(got, reference)
