"""Where the MiniWoB++ pages are: the ``html`` folder inside the installed ``miniwob`` wheel.

Kept apart from the env modules so that registering the ids (at ``import agora``) stays cheap.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path


@cache
def miniwob_html_root() -> Path | None:
    """The ``html`` folder inside the installed ``miniwob`` package (None when it is not installed)."""
    found = importlib.util.find_spec("miniwob")
    if found is None or not found.submodule_search_locations:
        return None
    root = Path(next(iter(found.submodule_search_locations))) / "html"
    return root if (root / "miniwob").is_dir() else None


def miniwob_tasks() -> list[str]:
    """Names of the MiniWoB++ tasks the installed package ships (empty when it is not installed)."""
    root = miniwob_html_root()
    return sorted(p.stem for p in (root / "miniwob").glob("*.html")) if root else []
