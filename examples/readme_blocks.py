"""The Python examples of the READMEs, as (where, code) pairs: the demo runs them, the
integration tests check they still work."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def readme_blocks() -> list[tuple[str, str]]:
    """Every ```python block of README.md and of each package's README, in package order."""
    readmes = [ROOT / "README.md", *sorted((ROOT / "packages").glob("*/README.md"))]
    blocks = []
    for readme in readmes:
        for number, match in enumerate(_BLOCK.finditer(readme.read_text()), start=1):
            blocks.append((f"{readme.relative_to(ROOT)} example {number}", match.group(1)))
    return blocks
