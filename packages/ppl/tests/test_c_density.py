"""A model's compiled density as a C function pointer: samplers' C NUTS calls it with no
Python between gradients, and the draws are those of the Python NUTS."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import ppl as pm
import ppl.model.flat
import tensorops as pt
from ccodegen import have_c_compiler

pytestmark = pytest.mark.skipif(not have_c_compiler(), reason="needs a C compiler")

Y = np.array([28.0, 8, -3, 7, -1, 1, 18, 12])
SIGMA = np.array([15.0, 10, 16, 11, 9, 11, 10, 18])


def eight_schools() -> pm.Model:
    with pm.Model() as model:
        mu = pm.Normal("mu", 0, 5)
        tau = pm.HalfCauchy("tau", 5)
        theta = pm.Normal("theta", 0, 1, shape=8)
        pm.Normal("obs", mu + tau * theta, SIGMA, observed=Y)
    return model


def with_a_discrete_variable() -> pm.Model:
    with pm.Model() as model:
        data = pm.Data("data", np.linspace(-1.0, 2.0, 90))  # held by address: 90 > 64 numbers
        mu = pm.Normal("mu", 0, 2)
        sigma = pm.HalfNormal("sigma", 1)
        shift = pm.Bernoulli("shift", 0.5)
        pm.Normal("y", mu + shift, sigma, observed=data)
    return model


def sample(model: pm.Model, backend: str) -> Any:
    return pm.sample(
        150,
        tune=150,
        chains=2,
        cores=1,
        random_seed=3,
        progressbar=False,
        compute_convergence_checks=False,
        model=model,
        backend=backend,
    )


@pytest.mark.parametrize("build", [eight_schools, with_a_discrete_variable])
def test_the_c_pointer_gives_the_draws_of_the_python_nuts(build) -> None:
    model = build()
    c, python = sample(model, "c"), sample(model, "python")
    for name in c.varnames:
        np.testing.assert_array_equal(c.posterior[name], python.posterior[name])
    for name in ("tree_depth", "diverging", "n_grad_evals"):
        np.testing.assert_array_equal(c.stats[name], python.stats[name])


def test_the_density_offers_its_entry_point_and_follows_held_values() -> None:
    model = with_a_discrete_variable()
    density = model.logp_dlogp_function()
    assert isinstance(density.c_logp_dlogp, int) and isinstance(density.c_context, int)
    pointer = density._c_pointer()
    x = np.array([0.3, -0.2])
    np.testing.assert_allclose(pointer.call(x)[1], density.logp_dlogp(x)[1], rtol=1e-13)
    # the discrete value held by condition(), and data changed by set_data (read again
    # when samplers asks for the context)
    density.condition({"shift": np.array(1)})
    with model:
        pm.set_data({"data": np.linspace(0.0, 3.0, 90)})
    assert density.c_context is not None  # reading it re-reads the shared values
    logp, gradient = pointer.call(x)
    want_logp, want_gradient = density.logp_dlogp(x)
    assert logp == pytest.approx(want_logp, rel=1e-13)
    np.testing.assert_allclose(gradient, want_gradient, rtol=1e-13)


def test_a_density_pickles_without_its_c_state() -> None:
    density = eight_schools().logp_dlogp_function()
    assert density.c_logp_dlogp is not None
    copy = pickle.loads(pickle.dumps(density))
    x = np.linspace(-1, 1, density.dim)
    assert copy.c_logp_dlogp is not None
    assert copy._c_pointer().call(x)[0] == pytest.approx(density.logp_dlogp(x)[0], rel=1e-13)


def test_a_failure_inside_the_c_density_names_the_step_and_the_error() -> None:
    with pm.Model():
        rho = pm.Normal("rho", 0.0, 1.0)
        one = pt.constant(1.0)
        factor = pt.slinalg.cholesky(pt.stack([pt.stack([one, rho]), pt.stack([rho, one])]))
        pm.Potential("p", pt.log(factor[1, 1]))  # |rho| >= 1 is not positive definite
        with pytest.raises(pm.SamplingError) as raised:
            pm.sample(200, tune=100, chains=1, cores=1, random_seed=1, progressbar=False)
    message = str(raised.value)
    assert "NUTS on ['rho'] failed at the point rho = " in message
    assert "LinAlgError: Cholesky: the matrix is not positive definite" in message


def test_without_a_c_entry_point_the_density_compiles_as_a_c_function(monkeypatch) -> None:
    # density_pointer says None where some node has no C, or (unpickled elsewhere) where
    # there is no compiler: the density then compiles as an ordinary function
    model = eight_schools()
    want = model.logp_dlogp_function()
    monkeypatch.setattr(ppl.model.flat, "density_pointer", lambda *args: None)
    density = model.logp_dlogp_function()
    assert density.c_logp_dlogp is None
    assert density.function.maker.linker.name == "c"
    x = np.linspace(-1, 1, density.dim)
    assert density.logp_dlogp(x)[0] == pytest.approx(want.logp_dlogp(x)[0], rel=1e-13)
    copy = pickle.loads(pickle.dumps(want))  # unpickled where the pointer cannot be built
    assert copy.c_logp_dlogp is None and copy.function.maker.linker.name == "c"
    assert copy.logp_dlogp(x)[0] == pytest.approx(want.logp_dlogp(x)[0], rel=1e-13)


def test_a_compiled_density_and_logp_pickle_into_a_new_process_with_equal_results() -> None:
    import subprocess
    import sys

    model = eight_schools()
    density = model.logp_dlogp_function()
    logp = model.compile_logp()
    x = np.linspace(-1.0, 1.0, density.dim)
    point = density.array_to_point(x)
    code = (
        "import pickle, sys, numpy as np\n"
        "density, logp, x, point = pickle.loads(sys.stdin.buffer.read())\n"
        "value, gradient = density.logp_dlogp(x)\n"
        "assert density.c_logp_dlogp is not None  # the C entry point, built again here\n"
        "print(repr(value), repr(float(logp(point))), *map(repr, gradient.tolist()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps((density, logp, x, point)),
        capture_output=True,
        check=True,
    )
    printed = [float(word) for word in done.stdout.decode().split()]
    value, gradient = density.logp_dlogp(x)
    assert printed[0] == value
    assert printed[1] == float(logp(point))
    assert printed[2:] == gradient.tolist()
