"""Every test of this package compiles into a temporary cache, never the user's.

The session's cache is one folder under the system's temporary directory, kept from
one run to the next: the op-table and accuracy tests compile a few large modules,
and a rerun with unchanged C loads them from there in milliseconds. The cache keeps
its own size bound (``config.cache_size_limit_mb``). Tests that need an empty or
damaged cache (test_cache.py) switch to their own ``tmp_path`` inside this one.
"""

from __future__ import annotations

import getpass
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphcore.config import config

sys.path.insert(0, str(Path(__file__).parent))


def session_cache_dir() -> Path:
    """The test cache shared by this user's test sessions, under the temporary directory."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        user = "anyone"
    return Path(tempfile.gettempdir()) / f"ccodegen-tests-{user}"


@pytest.fixture(scope="session", autouse=True)
def session_cache() -> Iterator[Path]:
    """Point ``config.cache_dir`` at the session's cache for the whole run."""
    folder = session_cache_dir()
    with config.change_flags(cache_dir=str(folder)):
        yield folder
