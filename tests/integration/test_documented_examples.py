"""Every Python example in the READMEs runs as written."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))

from readme_blocks import readme_blocks

BLOCKS = readme_blocks()


@pytest.mark.parametrize("code", [code for _, code in BLOCKS], ids=[where for where, _ in BLOCKS])
def test_example_runs(code, capsys):
    """Examples check their own results with ``assert``; running one runs its checks."""
    assert "assert " in code, "a documented example must state what it computes with assert"
    exec(compile(code, "example", "exec"), {"__name__": "__example__"})
