"""The examples in the docs run: the package doctest and README's quickstart blocks."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import agora

README = Path(__file__).parents[1] / "README.md"


def test_package_doctest() -> None:
    result = doctest.testmod(agora, verbose=False)
    assert result.attempted > 0 and result.failed == 0


def test_readme_python_blocks_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    runnable = [b for b in blocks if "def register_envs" not in b]  # the plugin example is a file, not a script
    assert len(runnable) >= 2
    for block in runnable:
        exec(compile(block, str(README), "exec"), {})
