"""Random draws inside a scan's step (randomstreams with scanloop): new draws on every
call, at every step, and gradients that see the forward loop's draws."""

from __future__ import annotations

import numpy as np

import tensorops as pt
from autodiff import grad
from graphcore import Mode, RewriteQuery, function
from randomstreams import RandomStream
from scanloop import Scan, scan


def test_random_walk_draws_anew_on_every_call() -> None:
    srng = RandomStream(seed=234)
    walk, updates = scan(
        lambda prev: prev + srng.normal(0, 1), outputs_info=pt.constant(0.0), n_steps=50
    )
    assert len(updates) == 1
    f = function([], walk, updates=updates)
    first, second = f(), f()
    assert first.shape == (50,) and not np.allclose(first, second)
    steps = np.diff(np.concatenate([[0.0], first]))
    assert 0.5 < steps.std() < 1.5
    # without updates= the generator is still advanced (the loop's draw is its default update)
    g = function([], walk)
    assert not np.allclose(g(), g())


def test_gradient_sees_the_draws_of_the_forward_loop() -> None:
    srng = RandomStream(seed=3)
    w = pt.dscalar("w")
    out, updates = scan(
        lambda h, w: h * w + srng.normal(0, 1),
        outputs_info=pt.constant(0.0),
        non_sequences=w,
        n_steps=4,
    )
    f = function([w], [out, grad(out[-1], w)], updates=updates, mode="FAST_COMPILE")
    values, slope = f(0.5)
    noise = [values[0], *(values[t] - 0.5 * values[t - 1] for t in range(1, 4))]
    # out[3] = e0 w**3 + e1 w**2 + e2 w + e3
    np.testing.assert_allclose(slope, 3 * noise[0] * 0.25 + 2 * noise[1] * 0.5 + noise[2])


def test_random_draw_stays_in_the_loop() -> None:
    srng = RandomStream(seed=3)
    mu = pt.scalar("mu")
    walk, updates = scan(
        lambda prior, mu: prior + srng.normal(mu, 1.0),
        outputs_info=pt.constant(0.0),
        non_sequences=mu,
        n_steps=6,
    )
    f = function(
        [mu],
        walk,
        updates=updates,
        mode=Mode(linker="py", optimizer=RewriteQuery(include=("fast_run",))),
    )
    steps = np.diff(f(np.array(0.0)))
    assert len(set(np.round(steps, 12))) == len(steps)  # a new draw at every step
    (node,) = [n for n in f.maker.fgraph.toposort() if isinstance(n.op, Scan)]
    assert node.op.info.n_carries == 1
