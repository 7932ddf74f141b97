"""Models (issue: ppl models): build and compile time of the eight-schools (M1),
logistic-regression (M3) and hierarchical (M4) log density plus gradient, with an
empty and a warm cache, each in a new process, and the per-call time of the compiled
function; ours (``import ppl as pm``) beside PyMC's ``logp_dlogp_function``.

The model code is written once against a module named ``pm`` (ours or PyMC's): the
two spell these models the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import optional_import, record, time_call, unavailable

HERE = Path(__file__).resolve().parent


def eight_schools(pm, np):
    y = np.array([28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0])
    sigma = np.array([15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0])
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfCauchy("tau", 5.0)
        theta_tilde = pm.Normal("theta_tilde", 0.0, 1.0, shape=8)
        pm.Normal("y", mu + tau * theta_tilde, sigma, observed=y)
    return model


def logistic_regression(pm, np):
    import models

    X, y = models.logistic_data()
    with pm.Model() as model:
        alpha = pm.Normal("alpha", 0.0, 5.0)
        beta = pm.Normal("beta", 0.0, 1.0, shape=20)
        pm.Bernoulli("y", logit_p=alpha + pm.math.dot(X, beta), observed=y.astype("int64"))
    return model


def hierarchical(pm, np):
    import models

    g, y = models.hierarchical_data()
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        tau = pm.HalfNormal("tau", 5.0)
        sigma = pm.HalfNormal("sigma", 5.0)
        z = pm.Normal("z", 0.0, 1.0, shape=100)
        theta = mu + tau * z
        pm.Normal("y", theta[g], sigma, observed=y)
    return model


MODELS = {"eight schools": eight_schools, "M3 logreg": logistic_regression, "M4 hier": hierarchical}

CHILD = """
import sys, time, json
sys.path.insert(0, {here!r})
import numpy as np
import ppl_models
{imports}
t0 = time.perf_counter()
model = ppl_models.MODELS[{case!r}](pm, np)
t1 = time.perf_counter()
{compile}
t2 = time.perf_counter()
x = np.full(dim, 0.1)
value = call(x)
t3 = time.perf_counter()
print(json.dumps({{"build": t1 - t0, "compile": t2 - t1, "first_call": t3 - t2,
                  "logp": float(value)}}))
"""

IMPORTS = {
    "ours": "import ppl as pm; import rewriter.pipeline, ccodegen.linker",
    "pymc": "import pymc as pm",
}

COMPILE = {
    "ours": ("f = model.logp_dlogp_function(); dim = f.dim\ncall = lambda x: f.logp_dlogp(x)[0]"),
    "pymc": (
        "f = model.logp_dlogp_function(ravel_inputs=True); f.set_extra_values({{}})\n"
        "dim = sum(v.size for v in model.initial_point().values())\n"
        "call = lambda x: f(x)[0]"
    ),
}


def in_fresh_process(impl: str, case: str, cache: Path) -> dict[str, float]:
    code = CHILD.format(
        here=str(HERE), imports=IMPORTS[impl], case=case, compile=COMPILE[impl].format()
    )
    environment = dict(os.environ)
    environment["GRAPHCORE_FLAGS"] = f"cache_dir={cache}"
    environment["PYTENSOR_FLAGS"] = f"base_compiledir={cache}"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"{impl} {case}: {out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compile_times(impls: list[str]) -> None:
    for case in MODELS:
        for impl in impls:
            with tempfile.TemporaryDirectory() as root:
                cold = [in_fresh_process(impl, case, Path(root) / f"c{k}") for k in range(2)]
                warm = [in_fresh_process(impl, case, Path(root) / "c0") for _ in range(2)]
            for label, runs in (("empty cache", cold), ("warm cache", warm)):
                build_and_compile = [r["build"] + r["compile"] for r in runs]
                record(
                    "Models",
                    f"{case} build+compile logp+grad, {label}",
                    impl,
                    "s",
                    float(np.median(build_and_compile)),
                    min(build_and_compile),
                    build_s=float(np.median([r["build"] for r in runs])),
                    first_call_s=float(np.median([r["first_call"] for r in runs])),
                    logp_at_0_1=runs[0]["logp"],
                )


def per_call(impl: str, pm) -> None:
    sys.path.insert(0, str(HERE))
    for case, build in MODELS.items():
        model = build(pm, np)
        if impl == "ours":
            f = model.logp_dlogp_function()
            x = np.full(f.dim, 0.1)
            fn = f.logp_dlogp
        else:
            f = model.logp_dlogp_function(ravel_inputs=True)
            f.set_extra_values({})
            x = np.full(sum(v.size for v in model.initial_point().values()), 0.1)
            fn = f
        median, best = time_call(lambda fn=fn, x=x: fn(x))
        record("Models", f"{case} logp+grad per call", impl, "us", median * 1e6, best * 1e6)


def main() -> None:
    import ppl

    impls = ["ours"]
    pymc = optional_import("pymc")
    if pymc is not None:
        impls.append("pymc")
    else:
        unavailable("Models", "pymc", "not installed")
    compile_times(impls)
    per_call("ours", ppl)
    if pymc is not None:
        per_call("pymc", pymc)


if __name__ == "__main__":
    main()
