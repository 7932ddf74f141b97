"""The rewrites of Scan nodes: each compiled graph has the expected structure, and gives
what the graph without rewrites gives on random inputs.

``FAST_PY`` is FAST_RUN's rewrites on the Python linker (the rewrites alone, no C);
``REFERENCE`` runs the graph as built. The memory rewrite is checked by the length of
the array the loop allocates, read from the compiled program's storage after a call.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import graphcore as g
import tensorops as pt
from rewriter import is_destroyed
from scanloop import Scan, scan, until
from scanloop.rewrites import step as step_rewrites

FAST_PY = g.Mode(linker="py", optimizer=g.RewriteQuery(include=("fast_run",)), name="FAST_PY")
REFERENCE = g.Mode(linker="py", optimizer=None, name="REFERENCE")
RNG = np.random.default_rng(15)


def scan_nodes(f: g.Function) -> list[Any]:
    return [node for node in f.maker.fgraph.toposort() if isinstance(node.op, Scan)]


def compile_and_check(
    inputs: list[Any], outputs: Any, values: list[Any], mode: Any = FAST_PY
) -> g.Function:
    """``function(inputs, outputs)`` under ``mode``, checked against REFERENCE on ``values``."""
    f = g.function(inputs, outputs, mode=mode)
    expected = g.function(inputs, outputs, mode=REFERENCE)(*values)
    got = f(*values)
    if isinstance(outputs, list):
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-10)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-10)
    return f


def allocated(f: g.Function, node: Any, output: int = 0) -> tuple[int, ...]:
    """The shape of the array the loop left in its output cell at the last call (a
    graph whose outputs overwrite it in place would have emptied the cell)."""
    return tuple(f.program.storage[node.outputs[output]][0].shape)  # type: ignore[attr-defined]


def power_scan() -> tuple[Any, Any, Any]:
    """The seed's A**k: ``result[k - 1] == A ** k``."""
    k, A = pt.iscalar("k"), pt.vector("A")
    result, _ = scan(
        fn=lambda prior, A: prior * A, outputs_info=pt.ones_like(A), non_sequences=A, n_steps=k
    )
    return A, k, result


# ---- memory ----------------------------------------------------------------------------------


def test_power_keeps_one_entry() -> None:
    A, k, result = power_scan()
    f = compile_and_check([A, k], result[-1], [np.arange(10.0), 7])
    np.testing.assert_allclose(f(np.arange(10.0), 7), np.arange(10.0) ** 7)
    (node,) = scan_nodes(f)
    assert node.op.info.store == (1,)
    assert allocated(f, node) == (1, 10)


@dataclass
class StoreCase:
    name: str
    build: Callable[[Any, Any], Any]  # (x0 vector, n) -> outputs
    store: int | None
    length: Callable[[int], int]  # entries of the loop's output after n steps (x0: 2 entries)


def _fibonacci(x0: Any, n: Any) -> Any:
    fib, _ = scan(lambda a, b: a + b, outputs_info=dict(initial=x0, taps=[-2, -1]), n_steps=n)
    return fib


def _mapped(x0: Any, n: Any) -> Any:
    # n_steps unrelated to the sequence's length: the loop is not vectorized away
    sums, _ = scan(
        lambda t, x0: (t * x0).sum(), sequences=pt.arange(100), non_sequences=x0, n_steps=n
    )
    return sums


def _last_and_window(x0: Any, n: Any) -> Any:
    fib = _fibonacci(x0, n)
    return [fib[-1], fib[-4:-1]]


def _first_and_last(x0: Any, n: Any) -> Any:
    fib = _fibonacci(x0, n)
    return [fib[0], fib[-1]]


def _last_and_length(x0: Any, n: Any) -> Any:
    fib = _fibonacci(x0, n)
    return [fib[-1], fib.shape[0]]


def _state_and_mapped_last(x0: Any, n: Any) -> Any:
    (total, doubled), _ = scan(
        lambda prior: [prior + 1, prior * 2], outputs_info=[x0[0], None], n_steps=n
    )
    return [total[-1], doubled[-1]]  # not multiplied: a product would overwrite the buffers


STORE_CASES = [
    StoreCase("fib[-1]", lambda x0, n: _fibonacci(x0, n)[-1], 1, lambda n: 1),
    StoreCase("fib[-3:]", lambda x0, n: _fibonacci(x0, n)[-3:], 3, lambda n: 3),
    StoreCase("fib[-1] and fib[-4:-1]", _last_and_window, 4, lambda n: 4),
    StoreCase("sum of fib[-2:]", lambda x0, n: _fibonacci(x0, n)[-2:].sum(), 2, lambda n: 2),
    StoreCase("mapped[-2]", lambda x0, n: _mapped(x0, n)[-2], 2, lambda n: 2),
    StoreCase("mapped[-2:]", lambda x0, n: _mapped(x0, n)[-2:], 2, lambda n: 2),
    StoreCase("state[-1] and mapped[-1]", _state_and_mapped_last, 1, lambda n: 1),
    # the length is read from n_steps (Scan.infer_shape), not from the output
    StoreCase("fib[-1] and len(fib)", _last_and_length, 1, lambda n: 1),
    # readers that need other entries keep the output whole
    StoreCase("fib", _fibonacci, None, lambda n: n + 2),
    StoreCase("fib[0] and fib[-1]", _first_and_last, None, lambda n: n + 2),
    StoreCase("fib[::-1][0]", lambda x0, n: _fibonacci(x0, n)[::-1][0], None, lambda n: n + 2),
]


@pytest.mark.parametrize("case", STORE_CASES, ids=lambda case: case.name)
def test_store(case: StoreCase) -> None:
    x0, n = pt.vector("x0"), pt.iscalar("n")
    outputs = case.build(x0, n)
    inputs = [x0, n]
    f = compile_and_check(inputs, outputs, [np.array([0.5, 1.0]), 9])
    for steps in (2, 6):  # fewer steps than a slice reads, too
        compile_and_check(inputs, outputs, [np.array([0.5, 1.0]), steps])
    nodes = scan_nodes(f)
    assert {store for node in nodes for store in node.op.info.store} == {case.store}
    f(np.array([0.5, 1.0]), 9)
    assert {allocated(f, node)[0] for node in nodes} == {case.length(9)}


def test_store_with_until() -> None:
    """A loop with until keeps one entry for result[-1] (the number of steps is known only
    when it runs)."""
    limit = pt.scalar("limit")
    values, _ = scan(
        lambda prior, limit: (prior * 2, until(prior * 2 > limit)),
        outputs_info=pt.constant(1.0),
        non_sequences=limit,
        n_steps=100,
    )
    f = compile_and_check([limit], values[-1], [np.array(1000.0)])
    assert f(np.array(1000.0)) == 1024.0
    (node,) = scan_nodes(f)
    assert node.op.info.store == (1,)
    assert allocated(f, node) == (1,)


# ---- vectorizing -------------------------------------------------------------------------------


def polynomial() -> tuple[Any, Any, Any]:
    coefficients, x = pt.vector("coefficients"), pt.scalar("x")
    components, _ = scan(
        fn=lambda c, p, v: c * v**p,
        outputs_info=None,
        sequences=[coefficients, pt.arange(1000)],
        non_sequences=x,
    )
    return coefficients, x, components.sum()


def test_polynomial_needs_no_loop() -> None:
    coefficients, x, total = polynomial()
    f = compile_and_check([coefficients, x], total, [RNG.normal(size=30), np.array(0.9)])
    assert scan_nodes(f) == []
    assert f(np.array([1.0, 0.0, 2.0]), np.array(3.0)) == 19.0


VECTORIZE_CASES = {
    # name: (step of rows a, b and scalar w, whether the loop goes away)
    "elementwise": (lambda a, b, w: pt.exp(a) * b + w, True),
    "rows": (lambda a, b, w: (a * b).sum() + w, True),
    "an output not read from the sequences": (lambda a, b, w: [a + b, w * 2], True),
    # a slice bound read from the sequence has no batching rule (LoopOverBatch)
    "a slice bound from the sequence": (
        lambda a, b, w: pt.arange(3)[: pt.cast(a[0], "int64")].sum() + w,
        False,
    ),
}


@pytest.mark.parametrize("name", list(VECTORIZE_CASES))
def test_vectorize(name: str) -> None:
    step, vectorized = VECTORIZE_CASES[name]
    a, b, w = pt.matrix("a"), pt.matrix("b"), pt.scalar("w")
    outputs, _ = scan(step, sequences=[a, b], non_sequences=w, return_list=True)
    values = [np.abs(RNG.normal(size=(4, 3))) + 1, RNG.normal(size=(5, 3)), np.array(0.5)]
    f = compile_and_check([a, b, w], outputs, values)
    assert (scan_nodes(f) == []) == vectorized


def test_vectorize_keeps_the_length_check() -> None:
    """With an n_steps the graph does not relate to the sequence, the loop stays: it
    reports a short sequence, where a slice would cut the result silently."""
    xs, n = pt.vector("xs"), pt.iscalar("n")
    doubled, _ = scan(lambda x: x * 2, sequences=xs, n_steps=n)
    f = compile_and_check([xs, n], doubled, [np.arange(5.0), 3])
    assert len(scan_nodes(f)) == 1
    with pytest.raises(ValueError, match="n_steps is 7"):
        f(np.arange(5.0), 7)


# ---- hoisting, dead outputs, merging ------------------------------------------------------------


def invariant_step_nodes(node: Any) -> list[Any]:
    """The step's nodes whose inputs are all non-sequences or constants."""
    info, inner = node.op.info, node.op.inner
    outside = {inner.inputs[k] for k in info.inner_non_seqs}
    return [
        n
        for n in inner.nodes()
        if all(var in outside or isinstance(var, g.Constant) for var in n.inputs)
    ]


def test_hoist_invariants() -> None:
    xs, A, B = pt.vector("xs"), pt.vector("A"), pt.matrix("B")
    result, _ = scan(
        lambda x, acc, A, B: acc + x * pt.exp(A).sum() + pt.dot(B, A).max(),
        sequences=xs,
        outputs_info=pt.constant(0.0),
        non_sequences=[A, B],
    )
    f = compile_and_check(
        [xs, A, B], result, [RNG.normal(size=6), RNG.normal(size=3), RNG.normal(size=(2, 3))]
    )
    (node,) = scan_nodes(f)
    assert invariant_step_nodes(node) == []
    # A and B are read only by the hoisted work: the step reads two scalars instead
    info = node.op.info
    assert info.n_non_seqs == 2
    assert all(node.inputs[k].type.ndim == 0 for k in info.outer_non_seqs)


def test_dead_outputs() -> None:
    xs = pt.vector("xs")
    (total, _doubled, _count), _ = scan(
        lambda x, acc, n: [acc + x, x * 2, n + 1],
        sequences=xs,
        outputs_info=[pt.constant(0.0), None, pt.constant(0.0)],
    )
    f = compile_and_check([xs], total, [RNG.normal(size=5)])
    (node,) = scan_nodes(f)
    info = node.op.info
    assert (info.n_states, info.n_mapped) == (1, 0)


def test_state_read_by_a_kept_output_stays() -> None:
    xs = pt.vector("xs")
    (_acc, scaled), _ = scan(
        lambda x, acc: [acc + x, acc * 3],
        sequences=xs,
        outputs_info=[pt.constant(0.0), None],
    )
    f = compile_and_check([xs], scaled, [RNG.normal(size=5)])
    (node,) = scan_nodes(f)
    assert (node.op.info.n_states, node.op.info.n_mapped) == (1, 1)


def test_merge_scans_over_the_same_sequence() -> None:
    xs = pt.vector("xs")
    sums, _ = scan(lambda x, acc: acc + x, sequences=xs, outputs_info=pt.constant(0.0))
    products, _ = scan(lambda x, acc: acc * x, sequences=xs, outputs_info=pt.constant(1.0))
    f = compile_and_check([xs], [sums, products[-1]], [RNG.normal(size=7)])
    (node,) = scan_nodes(f)
    assert node.op.info.n_states == 2
    assert node.op.info.n_seqs == 1
    assert node.op.info.store == (None, 1)


def test_dependent_scans_do_not_merge() -> None:
    xs = pt.vector("xs")
    sums, _ = scan(lambda x, acc: acc + x, sequences=xs, outputs_info=pt.constant(0.0))
    shifted, _ = scan(
        lambda x, acc, last: acc + x + last,
        sequences=xs,
        outputs_info=pt.constant(0.0),
        non_sequences=sums[-1],
    )
    f = compile_and_check([xs], shifted, [RNG.normal(size=4)])
    assert len(scan_nodes(f)) == 2


# ---- the step -------------------------------------------------------------------------------


def recurrent_net() -> tuple[list[Any], Any, list[np.ndarray]]:
    W, b, h0, xs = pt.matrix("W"), pt.vector("b"), pt.vector("h0"), pt.matrix("xs")
    hs, _ = scan(
        lambda x, h, W, b: pt.tanh(pt.dot(W, h) + x + b),
        sequences=xs,
        outputs_info=h0,
        non_sequences=[W, b],
    )
    values = [
        RNG.normal(size=(6, 3)),
        RNG.normal(size=3),
        RNG.normal(size=(3, 3)),
        RNG.normal(size=3),
    ]
    return [xs, h0, W, b], hs, values


def test_step_is_fused_and_never_overwrites_its_inputs() -> None:
    inputs, hs, values = recurrent_net()
    kept = [value.copy() for value in values]
    f = compile_and_check(inputs, hs, values)
    (node,) = scan_nodes(f)
    ops = [str(n.op) for n in node.op.inner.nodes()]
    assert any(op.startswith("Composite") for op in ops), ops
    assert any(n.op.destroy_map for n in node.op.inner.nodes())  # overwrites an intermediate
    step = node.op.inner.fgraph()
    assert not any(is_destroyed(step, var) for var in step.inputs)
    second = f(*values)
    np.testing.assert_allclose(second, g.function(inputs, hs, mode=REFERENCE)(*values))
    for value, copy in zip(values, kept, strict=True):
        np.testing.assert_array_equal(value, copy)


def test_step_follows_the_scan_mode() -> None:
    """A scan given its own mode has its step rewritten by that mode's rewrites."""
    xs, h0 = pt.vector("xs"), pt.scalar("h0")
    hs, _ = scan(
        lambda x, h: pt.tanh(h * 2 + x), sequences=xs, outputs_info=h0, mode="FAST_COMPILE"
    )
    f = compile_and_check([xs, h0], hs, [RNG.normal(size=4), np.array(0.1)])
    (node,) = scan_nodes(f)
    assert [str(n.op) for n in node.op.inner.nodes()] == ["Mul", "Add", "Tanh"]


def test_step_rewritten_once_per_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    pipeline = step_rewrites.rewrite_pipeline

    def counting(query: Any) -> Any:
        calls.append(query)
        return pipeline(query)

    monkeypatch.setattr(step_rewrites, "rewrite_pipeline", counting)
    monkeypatch.setattr(step_rewrites, "_rewritten", {})
    inputs, hs, _ = recurrent_net()
    g.function(inputs, hs, mode=FAST_PY)
    assert len(calls) == 1
    g.function(inputs, hs, mode=FAST_PY)  # the same step again: cached
    assert len(calls) == 1


def test_nested_scan() -> None:
    rows = pt.matrix("rows")

    def cumulative(row: Any) -> Any:
        sums, _ = scan(lambda x, acc: acc + x, sequences=row, outputs_info=pt.constant(0.0))
        return sums[-1]

    totals, _ = scan(
        lambda row, acc: acc + cumulative(row), sequences=rows, outputs_info=pt.constant(0.0)
    )
    f = compile_and_check([rows], totals[-1], [RNG.normal(size=(4, 5))])
    (outer,) = scan_nodes(f)
    (inner,) = [n for n in outer.op.inner.nodes() if isinstance(n.op, Scan)]
    assert inner.op.info.store == (1,)


# ---- the default mode ---------------------------------------------------------------------------


def test_default_mode_agrees() -> None:
    A, k, result = power_scan()
    compile_and_check([A, k], result[-1], [RNG.normal(size=10), 5], mode="FAST_RUN")
    coefficients, x, total = polynomial()
    compile_and_check(
        [coefficients, x], total, [RNG.normal(size=20), np.array(0.7)], mode="FAST_RUN"
    )
    inputs, hs, values = recurrent_net()
    compile_and_check(inputs, hs, values, mode="FAST_RUN")
