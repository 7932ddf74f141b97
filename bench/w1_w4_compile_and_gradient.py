"""W1 (compile time of x + y, logistic NLL + gradient, eight schools logp + gradient) and
W4 (logistic NLL + gradient per evaluation, X 10,000 x 20), ours beside PyTensor's."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from common import jax_with_x64, optional_import, record, time_call, unavailable

HERE = Path(__file__).resolve().parent

COMPILE_SNIPPETS = {
    "(a) x + y": "x, y = pt.dscalars('x', 'y'); build = lambda: function([x, y], x + y)",
    "(b) logreg NLL+grad": (
        "X, yv = models.logistic_data(1000); w = pt.dvector('w'); Xs = shared(X);"
        "nll = models.logistic_nll(pt, Xs, yv, w);"
        "build = lambda: function([w], [nll, grad(nll, w)])"
    ),
    "(c) eight schools logp+grad": (
        "x = pt.dvector('x'); lp = models.eight_schools_logp(pt, x);"
        "build = lambda: function([x], [lp, grad(lp, x)])"
    ),
}

PRELUDE = {
    # Ours loads its plug-ins (rewriter, ccodegen) at the first compile; load them first,
    # as `import pytensor` loads everything: the figure is the compile, not the imports.
    "ours": (
        "import tensorops as pt; from tensorops import function, shared; "
        "from autodiff import grad; import rewriter.pipeline, ccodegen.linker"
    ),
    "pytensor": "import pytensor.tensor as pt; from pytensor import function, shared, grad",
}


def compile_in_fresh_process(impl: str, snippet: str, cache: Path) -> float:
    """Seconds of ``function(...)`` in a new interpreter (imports and graph building
    excluded), with ``cache`` as the compiled-module cache."""
    code = (
        f"import sys, time; sys.path.insert(0, {str(HERE)!r}); import models; {PRELUDE[impl]}; "
        f"{snippet}; t = time.perf_counter(); build(); print(time.perf_counter() - t)"
    )
    environment = dict(os.environ)
    environment["GRAPHCORE_FLAGS"] = f"cache_dir={cache}"  # ours
    environment["PYTENSOR_FLAGS"] = f"base_compiledir={cache}"  # PyTensor's
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    return float(out.stdout.strip().splitlines()[-1])


def w1(impls: list[str]) -> None:
    """Each case three times with an empty cache, then three times with the cache the
    cold runs filled, each in a new process (as ANCHORS.md measured PyTensor)."""
    for case, snippet in COMPILE_SNIPPETS.items():
        for impl in impls:
            with tempfile.TemporaryDirectory() as root:
                cold = [
                    compile_in_fresh_process(impl, snippet, Path(root) / f"cold{k}")
                    for k in range(3)
                ]
                warm = [
                    compile_in_fresh_process(impl, snippet, Path(root) / "cold0") for _ in range(3)
                ]
            record(
                "W1", f"compile {case}, empty cache", impl, "s", float(np.median(cold)), min(cold)
            )
            record(
                "W1", f"compile {case}, warm cache", impl, "s", float(np.median(warm)), min(warm)
            )


def w4(impl: str, pt, function, grad, shared) -> None:
    X, y = __import__("models").logistic_data()
    w = pt.dvector("w")
    nll = __import__("models").logistic_nll(pt, shared(X), y, w)
    compiled = function([w], [nll, grad(nll, w)])
    at = np.full(20, 0.1)
    median, best = time_call(lambda: compiled(at))
    record("W4", "logreg NLL+grad 10000x20", impl, "ms", median * 1e3, best * 1e3)


def w4_numpy() -> None:
    X, y = __import__("models").logistic_data()
    at = np.full(20, 0.1)

    def value_and_grad():
        eta = X @ at
        return np.sum(np.logaddexp(0, eta) - y * eta), X.T @ (1 / (1 + np.exp(-eta)) - y)

    median, best = time_call(value_and_grad)
    record("W4", "logreg NLL+grad 10000x20", "numpy handwritten", "ms", median * 1e3, best * 1e3)


def w4_jax() -> None:
    jax = jax_with_x64("W4")
    if jax is None:
        return
    import jax.numpy as jnp

    X, y = __import__("models").logistic_data()
    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    jnp_with_softplus = SimpleNamespace(dot=jnp.dot, sum=jnp.sum, softplus=jax.nn.softplus)
    value_and_grad = jax.jit(
        jax.value_and_grad(
            lambda w: __import__("models").logistic_nll(jnp_with_softplus, Xj, yj, w)
        )
    )
    at = np.full(20, 0.1)

    def call():
        value, gradient = value_and_grad(at)
        return float(value), np.asarray(gradient)

    median, best = time_call(call)
    record(
        "W4", "logreg NLL+grad 10000x20", "jax.jit value_and_grad", "ms", median * 1e3, best * 1e3
    )


def main() -> None:
    import tensorops as pt
    from autodiff import grad

    impls = ["ours"]
    pytensor = optional_import("pytensor")
    if pytensor is not None:
        impls.append("pytensor")
    else:
        unavailable("W1", "pytensor", "not installed")
    w1(impls)
    w4("ours", pt, pt.function, grad, pt.shared)
    w4_numpy()
    if pytensor is not None:
        import pytensor.tensor as ptt

        w4("pytensor", ptt, pytensor.function, pytensor.grad, pytensor.shared)
    w4_jax()


if __name__ == "__main__":
    started = time.perf_counter()
    main()
