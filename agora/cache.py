"""agora's one on-disk cache: converted models, generated games. ``$AGORA_CACHE_DIR`` or ``~/.cache/agora``."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """The cache folder (or a subfolder of it, created on demand)."""
    root = Path(os.environ.get("AGORA_CACHE_DIR") or Path.home() / ".cache" / "agora")
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
