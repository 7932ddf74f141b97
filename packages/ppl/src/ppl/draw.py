"""``pm.draw``: random draws of variables, many at once.

``draw(x, draws=n)`` compiles one function that draws all ``n`` at once: the forward
graph is rebuilt with a new leading axis of length ``n`` (every random variable draws
``n`` times as many values; the expressions between them are vectorized by
autodiff's batching rules), so no Python runs per draw. The generators advance on
every call (fresh draws); they are reseeded first, from ``random_seed`` when given (so a
seed reproduces the draws) and from fresh entropy otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

import tensorops as pt
from autodiff.vectorize import batch_rule, loop_over_batch
from graphcore import Apply, SharedVariable, Variable, function, io_toposort
from ppl.rebuild import rebuild
from randomstreams import RandomVariable


def _insert_axes(param: Any, count: int) -> Any:
    """``param`` with ``count`` length-1 axes after its leading (batch) axis."""
    for _ in range(count):
        param = pt.expand_dims(param, 1)
    return param


def _batch_random_variable(
    node: Apply, inputs: list[Variable], batched: list[bool], n: Any
) -> list[Variable]:
    """The node drawing ``n`` times as many values, along a new leading axis."""
    op: Any = node.op
    rng, _size, *params = inputs
    draw: Any = node.outputs[1]
    batch_ndim = draw.type.ndim - op.ndim_supp
    aligned: list[Any] = []
    param: Any
    for param, core, flag in zip(params, op.parsed.inputs, batched[2:], strict=True):
        if flag:
            missing = batch_ndim - (param.ndim - 1 - len(core))
            aligned.append(_insert_axes(param, missing))
        else:
            aligned.append(param)
    original_size: Any = node.inputs[1]
    if original_size.type.shape[0]:
        new_size = pt.concatenate([pt.as_tensor([n], dtype="int64"), original_size])
    elif any(batched[2:]):
        new_size = None
    else:
        static = draw.type.shape[:batch_ndim]
        if all(s is not None for s in static):
            entries: list[Any] = [n, *static]
        else:
            entries = [n, *pt.shape_tuple(draw)[:batch_ndim]]
        new_size = pt.stack([pt.cast(pt.as_tensor(e), "int64") for e in entries])
    return list(op.make_node(rng, new_size, *aligned, dtype=draw.type.dtype).outputs)


def batched_forward(
    outputs: Sequence[Variable], n: Any, givens: Mapping[Variable, Variable] | None = None
) -> list[Variable]:
    """``outputs`` computed for ``n`` independent draws, along a new leading axis.

    ``givens`` replaces variables by batched ones (their leading axis of length ``n``
    already there): the posterior predictive puts the posterior draws in place of the
    free variables this way, so everything downstream is drawn once per draw.
    """
    batched: set[Variable] = set(givens or {})

    def replace(node: Apply, inputs: list[Variable]) -> list[Variable] | None:
        flags = [inp in batched for inp in node.inputs]
        if isinstance(node.op, RandomVariable):
            new = _batch_random_variable(node, inputs, flags, n)
            batched.add(node.outputs[1])
            return new
        if not any(flags):
            return None
        rule = batch_rule(node.op) or loop_over_batch
        new = list(rule(node, inputs, flags))
        for old, out in zip(node.outputs, new, strict=True):
            if getattr(out, "ndim", None) == getattr(old, "ndim", -1) + 1:
                batched.add(old)
        return new

    results = rebuild(outputs, replace, givens)
    final = []
    for old, new in zip(outputs, results, strict=True):
        if old in batched:
            final.append(new)
        else:
            value = pt.as_tensor(new)
            final.append(pt.alloc(value, n, *pt.shape_tuple(value)))
    return final


def generator_updates(outputs: Sequence[Variable]) -> dict[SharedVariable, Variable]:
    """Each shared generator read by a random variable -> the generator after its draw."""
    updates: dict[SharedVariable, Variable] = {}
    for node in io_toposort([], list(outputs)):
        if isinstance(node.op, RandomVariable) and isinstance(node.inputs[0], SharedVariable):
            updates[node.inputs[0]] = node.outputs[0]
    return updates


def _entropy(random_seed: Any) -> Any:
    """A seed ``numpy.random.SeedSequence`` accepts (a Generator gives one of its draws)."""
    if isinstance(random_seed, np.random.Generator):
        return int(random_seed.integers(2**63))
    if isinstance(random_seed, np.random.RandomState):
        return int(random_seed.randint(2**31))
    return random_seed


def reseed(generators: Sequence[SharedVariable], random_seed: Any) -> None:
    """Give each generator its own stream spawned from ``random_seed`` (an integer, a
    sequence of them, a Generator or RandomState, or None)."""
    seeds = np.random.SeedSequence(_entropy(random_seed)).spawn(len(generators))
    for shared_rng, seed in zip(generators, seeds, strict=True):
        shared_rng.set_value(np.random.default_rng(seed), borrow=True)


def compile_forward(
    outputs: Sequence[Variable],
    draws: int | None,
    mode: Any = None,
    givens: Mapping[Variable, Variable] | None = None,
) -> tuple[Any, list[SharedVariable]]:
    """A function drawing ``outputs`` (``draws`` at once when given) and its generators.

    ``givens`` (see ``batched_forward``) become the function's inputs, in their order.
    """
    graph = list(outputs) if draws is None else batched_forward(outputs, draws, givens)
    updates = generator_updates(graph)
    fn = function(
        list((givens or {}).values()),
        graph,
        updates=list(updates.items()),
        mode=mode,
        on_unused_input="ignore",
    )
    return fn, list(updates)


def draw(
    vars: Any, draws: int = 1, random_seed: Any = None, mode: Any = None, **kwargs: Any
) -> Any:
    """Random draws of ``vars`` (a variable or a list): arrays with a leading axis of
    ``draws`` when ``draws > 1``."""
    single = isinstance(vars, Variable)
    targets = [vars] if single else list(vars)
    if not isinstance(draws, (int, np.integer)) or draws < 1:
        raise ValueError(f"pm.draw: draws must be a positive integer, got {draws!r}")
    fn, generators = compile_forward(targets, None if draws == 1 else int(draws), mode)
    # Always reseeded, as PyMC does: without a seed from fresh entropy, so the first draw
    # is not the value ``eval`` shows (which reads the generators' current state).
    reseed(generators, random_seed)
    values = fn()
    return values[0] if single else values
