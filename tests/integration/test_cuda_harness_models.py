"""A ppl model's log density and gradient planned by cudagen wholly on the device (its
parameter checks and its gradient's join included), run on cudagen's CPU harness (the
generated CUDA compiled as C++, the grid run as loops) against the Python backend."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ppl
import tensorops as pt
from autodiff import grad
from graphcore import Mode, function

sys.path.insert(0, str(Path(__file__).parents[2] / "packages" / "cudagen" / "tests"))
from cpu_grid import ONE_THREAD, WARPS, CpuGrid, build

from cudagen.executor import Executor
from cudagen.joined import GuardKernel, JoinKernel
from cudagen.plan import build_plan

REWRITTEN = Mode(linker="py")


def _hierarchical_model() -> tuple[Any, list[Any], list[Any]]:
    """Eight groups' means around mu (scale tau), observations around their group's
    mean (scale sigma): logp (its parameter checks in) and its gradient, joined."""
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 8, size=300)
    with ppl.Model() as model:
        mu = ppl.Normal("mu", 0.0, 5.0)
        tau = ppl.HalfNormal("tau", 2.0)
        theta = ppl.Normal("theta", mu, tau, shape=8)
        # Untransformed: a value below zero reaches the observations' check.
        sigma = ppl.HalfNormal("sigma", 1.0, transform=None)
        ppl.Normal("obs", theta[groups], sigma, observed=rng.normal(size=300))
    logp = model.logp()
    value_vars = model.continuous_value_vars
    gradients = grad(logp, value_vars)
    flat = pt.concatenate([g.flatten() if g.ndim else g.dimshuffle("x") for g in gradients])
    return model, value_vars, [logp, flat]


@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")
def test_hierarchical_model_density_runs_wholly_on_the_device(tmp_path: Path) -> None:
    model, value_vars, outputs = _hierarchical_model()
    f = function(value_vars, outputs, mode=REWRITTEN)
    plan = build_plan(f.maker.fgraph)
    kinds = {type(s.kernel.kernel) for s in plan.steps if s.kernel is not None}
    assert plan.count("host") == 0 and not plan.transfers, plan.describe()
    assert {JoinKernel, GuardKernel} <= kinds
    library = build(plan.kernels, tmp_path)
    for config in (ONE_THREAD, WARPS):
        _check_on_the_harness(model, value_vars, f, Executor(plan, CpuGrid(library, config)))


def _check_on_the_harness(model: Any, value_vars: list[Any], f: Any, executor: Executor) -> None:
    rng = np.random.default_rng(4)
    point = [rng.normal(size=model.initial_point()[v.name].shape) for v in value_vars]
    sigma_at = [v.name for v in value_vars].index("sigma")
    point[sigma_at] = np.array(0.7)
    got = executor.run(point)
    for value, expected in zip(got, f(*point), strict=True):
        np.testing.assert_allclose(value, expected, rtol=1e-11)
    counters = executor.counters
    assert counters.transfers == 0 and counters.status_reads == 1
    assert counters.inputs_copied == len(value_vars) and counters.outputs_copied == 2

    # sigma below zero: the observations' check fails, with the Python backend's error.
    point[sigma_at] = np.array(-0.5)
    with pytest.raises(ValueError) as expected_error:
        f(*point)
    with pytest.raises(ValueError) as raised:
        executor.run(point)
    assert type(raised.value) is type(expected_error.value)
    assert type(raised.value).__name__ == "ParameterValueError"
    assert str(raised.value) == str(expected_error.value)
    assert "sigma > 0" in str(raised.value)
