import sys
from pathlib import Path

import pytest

import graphcore as g

sys.path.insert(0, str(Path(__file__).parent))

import rewriter.pipeline


@pytest.fixture
def pipeline():
    """graphcore compiles through our database, as the installed entry point would make it."""
    g.register_rewrites(rewriter.pipeline.build)
    yield rewriter.pipeline.build
    g.unregister_rewrites(rewriter.pipeline.build)
