"""`agora view --export DIR`: a static copy of the viewer's pages (HTML and the stylesheet, no server).

Every page is rendered by the same `Viewer` with relative links: the runs list, each tournament and
training run, the first `max_pages` pages of each episode table and every episode on them. Filters,
search and the compare page need the server, so the copy leaves them out and says so.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path

from agora.view.index import Filters
from agora.view.pages import PER_PAGE, Links, Viewer


def export(viewer: Viewer, out: str | Path, *, max_pages: int = 4) -> list[Path]:
    """Writes the static copy into `out` (made if missing); returns the files written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [_write(out / "index.html", viewer.runs_page(Links(0)))]
    css = resources.files("agora.view.static").joinpath("style.css").read_text(encoding="utf-8")
    written.append(_write(out / "static" / "style.css", css))
    for source in list(viewer.sources.values()):
        base = out / "s" / source.sid
        if source.kind == "tournament":
            written.append(_write(base / "tournament.html", viewer.tournament_page(Links(2), source.sid)))
        elif source.kind == "training":
            written.append(_write(base / "training.html", viewer.training_page(Links(2), source.sid)))
        else:
            written += _export_episodes(viewer, source.sid, base, max_pages)
    return written


def _export_episodes(viewer: Viewer, sid: str, base: Path, max_pages: int) -> list[Path]:
    index = viewer.index(viewer.sources[sid].path)
    total = index.count()
    pages = min(max_pages, max(1, math.ceil(total / PER_PAGE)))
    written = []
    for page in range(1, pages + 1):
        html = viewer.episodes_page(Links(2), sid, {"page": str(page)}, max_pages=pages)
        written.append(_write(base / f"episodes-{page}.html", html))
        rows, _ = index.query(Filters(), page=page, per_page=PER_PAGE)
        for row in rows:
            html = viewer.episode_page(Links(3), sid, row.rowid, last=pages * PER_PAGE)
            written.append(_write(base / "e" / f"{row.rowid}.html", html))
    return written


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
