"""scan() and its friends on the Python backend and the default mode, against NumPy loops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import tensorops as pt
from graphcore import function, shared
from scanloop import foldl, foldr, map, reduce, scan, until

MODES = ["FAST_COMPILE", "FAST_RUN"]


def _power() -> tuple[list[Any], Any, list[Any], Any]:
    k, A = pt.iscalar("k"), pt.vector("A")
    result, _ = scan(
        fn=lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=k
    )
    a = np.arange(10.0)
    return [A, k], result[-1], [a, 4], a**4


def _polynomial() -> tuple[list[Any], Any, list[Any], Any]:
    coefficients, x = pt.vector("coefficients"), pt.scalar("x")
    components, _ = scan(
        fn=lambda c, power, val: c * (val**power),
        sequences=[coefficients, pt.arange(1000)],
        non_sequences=x,
    )
    return [coefficients, x], components.sum(), [np.array([1.0, 0.0, 2.0]), 3.0], 19.0


def _fibonacci() -> tuple[list[Any], Any, list[Any], Any]:
    x0, n = pt.lvector("x0"), pt.iscalar("n")
    fib, _ = scan(lambda a, b: a + b, outputs_info=dict(initial=x0, taps=[-2, -1]), n_steps=n)
    expected = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
    return [x0, n], fib, [np.array([0, 1]), 10], np.array(expected)


def _cumsum() -> tuple[list[Any], Any, list[Any], Any]:
    x = pt.dvector("x")
    total, _ = scan(lambda xt, acc: acc + xt, sequences=x, outputs_info=pt.zeros(()))
    values = np.random.default_rng(1).normal(size=17)
    return [x], total, [values], np.cumsum(values)


def _rnn() -> tuple[list[Any], Any, list[Any], Any]:
    x, W, U, b, h0 = (
        pt.dmatrix("x"),
        pt.dmatrix("W"),
        pt.dmatrix("U"),
        pt.dvector("b"),
        pt.dvector("h0"),
    )
    hidden, _ = scan(
        lambda xt, h, W, U, b: pt.tanh(pt.dot(xt, W) + pt.dot(h, U) + b),
        sequences=x,
        outputs_info=h0,
        non_sequences=[W, U, b],
    )
    rng = np.random.default_rng(2)
    values = [
        rng.normal(size=(6, 3)),
        rng.normal(size=(3, 4)),
        rng.normal(size=(4, 4)) * 0.5,
        rng.normal(size=4),
        rng.normal(size=4),
    ]
    h, expected = values[-1], []
    for row in values[0]:
        h = np.tanh(row @ values[1] + h @ values[2] + values[3])
        expected.append(h)
    return [x, W, U, b, h0], hidden, values, np.array(expected)


def _sequence_taps() -> tuple[list[Any], Any, list[Any], Any]:
    x = pt.dvector("x")
    out, _ = scan(
        lambda before, now, after: before - 2 * now + after,
        sequences=dict(input=x, taps=[-1, 0, 1]),
    )
    values = np.arange(8.0) ** 2
    return [x], out, [values], values[:-2] - 2 * values[1:-1] + values[2:]


def _until() -> tuple[list[Any], Any, list[Any], Any]:
    a = pt.dscalar("a")
    out, _ = scan(
        lambda h, a: (h * a, until(h * a > 50)),
        outputs_info=pt.constant(1.0),
        non_sequences=a,
        n_steps=100,
    )
    return [a], out, [2.0], 2.0 ** np.arange(1, 7)


def _backwards() -> tuple[list[Any], Any, list[Any], Any]:
    x = pt.dvector("x")
    out, _ = scan(
        lambda xt, acc: acc * 10 + xt, sequences=x, outputs_info=pt.zeros(()), go_backwards=True
    )
    return [x], out, [np.array([1.0, 2.0, 3.0])], np.array([3.0, 32.0, 321.0])


def _several_outputs() -> tuple[list[Any], Any, list[Any], Any]:
    x = pt.dvector("x")
    (squares, running, count), _ = scan(
        lambda xt, total, n: (xt**2, total + xt, n + 1),
        sequences=x,
        outputs_info=[None, pt.zeros(()), pt.constant(0, dtype="int64")],
    )
    values = np.array([1.0, -2.0, 4.0])
    return (
        [x],
        pt.concatenate([squares, running, pt.cast(count, "float64")]),
        [values],
        np.array([1.0, 4.0, 16.0, 1.0, -1.0, 3.0, 1.0, 2.0, 3.0]),
    )


def _zero_steps() -> tuple[list[Any], Any, list[Any], Any]:
    x = pt.dmatrix("x", shape=(None, 3))  # a loop of no steps shapes entries statically
    out, _ = scan(lambda row: row * 2, sequences=x)
    return [x], out, [np.zeros((0, 3))], np.zeros((0, 3))


def _swap() -> tuple[list[Any], Any, list[Any], Any]:
    a, b = pt.dscalar("a"), pt.dscalar("b")
    (first, second), _ = scan(lambda p, q: (q, p), outputs_info=[a, b], n_steps=3)
    return [a, b], pt.stack([first[-1], second[-1]]), [1.0, 2.0], np.array([2.0, 1.0])


CASES: dict[str, Callable[[], tuple[list[Any], Any, list[Any], Any]]] = {
    "power": _power,
    "polynomial": _polynomial,
    "fibonacci": _fibonacci,
    "cumsum": _cumsum,
    "rnn": _rnn,
    "sequence_taps": _sequence_taps,
    "until": _until,
    "go_backwards": _backwards,
    "several_outputs": _several_outputs,
    "zero_steps": _zero_steps,
    "swap": _swap,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_scan_matches_numpy(case: str, mode: str) -> None:
    inputs, output, values, expected = CASES[case]()
    f = function(inputs, output, mode=mode)
    np.testing.assert_allclose(f(*values), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(f(*values), expected, rtol=1e-12, atol=1e-12)  # buffers reused


def test_shapes_are_known_without_running_the_loop() -> None:
    from scanloop import Scan

    x, h0 = pt.dmatrix("x"), pt.dvector("h0")
    hidden, _ = scan(lambda xt, h: h + xt.sum(), sequences=x, outputs_info=h0)
    shape = function([x, h0], pt.stack(pt.shape_of(hidden)), mode="FAST_COMPILE")
    assert not any(isinstance(node.op, Scan) for node in shape.maker.fgraph.toposort())
    assert list(shape(np.zeros((5, 2)), np.zeros(3))) == [5, 3]
    k = pt.iscalar("k")
    mapped, _ = scan(lambda: pt.zeros((2, 4)), n_steps=k)
    lengths = function([k], pt.stack(pt.shape_of(mapped)), mode="FAST_COMPILE")
    assert not any(isinstance(node.op, Scan) for node in lengths.maker.fgraph.toposort())
    assert list(lengths(7)) == [7, 2, 4]
    # FAST_RUN reads `.shape` (and a slice's) from Scan.infer_shape too: no loop runs
    for read in (hidden.shape, hidden[1:].shape, mapped.shape[0]):
        f = function([x, h0, k], read, on_unused_input="ignore")
        assert not any(isinstance(node.op, Scan) for node in f.maker.fgraph.toposort())
    f = function([x, h0, k], [hidden.shape, hidden[1:].shape, mapped.shape[0]])
    assert [list(np.atleast_1d(v)) for v in f(np.zeros((5, 2)), np.zeros(3), 7)] == [
        [5, 3],
        [4, 3],
        [7],
    ]


def test_shared_variable_updated_in_the_step() -> None:
    counter = shared(np.array(0.0), name="counter")
    xs = pt.dvector("xs")
    out, updates = scan(lambda x: (x * 2, {counter: counter + x}), sequences=xs)
    f = function([xs], out, updates=updates)
    np.testing.assert_allclose(f(np.array([1.0, 2.0, 3.0])), [2.0, 4.0, 6.0])
    assert float(counter.get_value()) == 6.0
    f(np.array([1.0]))
    assert float(counter.get_value()) == 7.0


def test_map_reduce_foldl_foldr() -> None:
    x = pt.dvector("x")
    values = np.array([1.0, 2.0, 3.0, 4.0])
    squares, _ = map(lambda v: v**2, x)
    total, _ = reduce(lambda v, acc: acc + v, x, pt.zeros(()))
    left, _ = foldl(lambda v, acc: acc * 10 + v, x, pt.zeros(()))
    right, _ = foldr(lambda v, acc: acc * 10 + v, x, pt.zeros(()))
    f = function([x], [squares, total, left, right])
    got = f(values)
    np.testing.assert_allclose(got[0], values**2)
    assert float(got[1]) == 10.0 and float(got[2]) == 1234.0 and float(got[3]) == 4321.0


def test_n_steps_shorter_than_the_sequences_uses_their_start() -> None:
    x, k = pt.dvector("x"), pt.iscalar("k")
    out, _ = scan(lambda v: v + 1, sequences=x, n_steps=k)
    np.testing.assert_allclose(function([x, k], out)(np.arange(5.0), 3), [1.0, 2.0, 3.0])


def test_nested_scan() -> None:
    x = pt.dmatrix("x")
    row_sums, _ = scan(
        lambda row: scan(lambda v, acc: acc + v, sequences=row, outputs_info=pt.zeros(()))[0][-1],
        sequences=x,
    )
    values = np.arange(12.0).reshape(3, 4)
    for mode in MODES:
        np.testing.assert_allclose(function([x], row_sums, mode=mode)(values), values.sum(axis=1))


def test_outer_variables_read_by_the_step_become_inputs() -> None:
    A, k = pt.dvector("A"), pt.iscalar("k")
    scale = A * 2  # computed outside, read inside without non_sequences
    out, _ = scan(lambda prior: prior * scale, outputs_info=pt.ones_like(A), n_steps=k)
    np.testing.assert_allclose(function([A, k], out[-1])(np.array([1.0, 2.0]), 3), [8.0, 64.0])


def test_dprint_shows_the_step_named_after_the_parameters() -> None:
    from graphcore import dprint

    k, A = pt.iscalar("k"), pt.vector("A")
    result, _ = scan(
        lambda prior_result, A: prior_result * A,
        outputs_info=pt.ones_like(A),
        non_sequences=A,
        n_steps=k,
    )
    text = dprint(result[-1], file="str")
    assert "Inner graphs:" in text
    inner = text.split("Inner graphs:")[1]
    assert "← Mul" in inner and "prior_result" in inner and "A" in inner


def test_a_step_mode_given_as_a_mode_object() -> None:
    from graphcore import Mode

    x = pt.dvector("x")
    out, _ = scan(lambda v: v * 2, sequences=x, mode=Mode(linker="py"))
    np.testing.assert_allclose(function([x], out)(np.array([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(ValueError, match="unknown mode"):
        scan(lambda v: v * 2, sequences=x, mode="NO_SUCH_MODE")


@pytest.mark.parametrize("mode", MODES)
def test_indexing_past_the_steps_taken_raises_whatever_is_stored(mode: str) -> None:
    k, A = pt.iscalar("k"), pt.dvector("A")
    result, _ = scan(lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A,
                     n_steps=k)  # fmt: skip
    third_last = function([A, k], result[-3], mode=mode)  # only 3 entries are kept
    np.testing.assert_allclose(third_last(np.arange(3.0), 4), [0.0, 1.0, 4.0])
    with pytest.raises(IndexError):
        third_last(np.arange(3.0), 2)


def test_a_compiled_scan_pickles_and_runs_in_a_new_process() -> None:
    import pickle
    import subprocess
    import sys

    k, A = pt.iscalar("k"), pt.dvector("A")
    result, updates = scan(lambda prior, A: prior * A, outputs_info=pt.ones_like(A),
                           non_sequences=A, n_steps=k)  # fmt: skip
    power = function([A, k], result[-1], updates=updates)
    code = (
        "import pickle, sys; import numpy as np; f = pickle.loads(sys.stdin.buffer.read()); "
        "print(f(np.arange(4.0), 3).tolist())"
    )
    done = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(power),
                          capture_output=True, check=True)  # fmt: skip
    assert done.stdout.decode().strip() == "[0.0, 1.0, 8.0, 27.0]"
