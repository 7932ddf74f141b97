"""Every seed example script of examples/seeds runs to the end, as the demo runs it.

The scripts check what they compute with ``assert`` against the seed documents' printed
output (graph-level values) or against NumPy/SciPy; a failing check exits non-zero. A
script whose ``REQUIRES`` names do not exist yet is skipped, naming them (it fails instead
when ``DEMO_STRICT=1``).
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from seed_scripts import STRICT, missing_names, required_names, run_script, seed_scripts

SCRIPTS = seed_scripts()
TIMEOUT_SECONDS = 300


def test_every_seed_has_scripts():
    """The four seed documents each have scripts, named after the seed."""
    prefixes = {"intro_theano_", "pymc3_paper_", "pymc3_theano_", "pymc_pytensor_"}
    found = {prefix for prefix in prefixes for s in SCRIPTS if s.name.startswith(prefix)}
    assert found == prefixes


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_seed_script_runs(script, tmp_path):
    missing = missing_names(script)
    if missing and STRICT:
        pytest.fail(f"DEMO_STRICT is set and {script.name} still waits for {', '.join(missing)}")
    if missing:
        pytest.skip(f"waiting for {', '.join(missing)}")
    result = run_script(script, tmp_path, capture=True, timeout=TIMEOUT_SECONDS)
    assert result.returncode == 0, (
        f"{script.name} exited with {result.returncode}\n"
        f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
    assert result.stdout.strip(), f"{script.name} printed nothing"
    if "savefig" in script.read_text():
        assert any(tmp_path.iterdir()), f"{script.name} saves plots but wrote none"


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.stem for script in SCRIPTS])
def test_requires_names_are_dotted_api_names(script):
    """REQUIRES lists our packages' names, so the runner can tell waiting from failing."""
    ours = {"graphcore", "tensorops", "autodiff", "randomstreams", "scanloop", "ppl", "samplers"}
    for name in required_names(script):
        assert name.split(".")[0] in ours, f"{script.name}: REQUIRES {name!r} is not ours"
