"""The docs site builds with ``mkdocs build --strict``, every env id has its page, and no internal link is broken.

The site is built once per run into a temporary folder; a real Chromium then follows its navigation.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from agora.registry import registered_specs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    return out


class _Links(html.parser.HTMLParser):
    """Collects the targets of a page's ``href`` and ``src`` attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.targets.append(value)


def _internal_target(page: Path, target: str, site: Path) -> Path | None:
    """The file an internal link points at (None for external links, in-page anchors and special schemes)."""
    parsed = urllib.parse.urlsplit(target)
    if parsed.scheme or parsed.netloc or not parsed.path:
        return None
    path = urllib.parse.unquote(parsed.path)
    base = site if path.startswith("/") else page.parent  # 404.html links from the site root
    resolved = (base / path.lstrip("/")).resolve()
    assert resolved.is_relative_to(site.resolve()), f"{page}: {target} leaves the site"
    return resolved / "index.html" if resolved.is_dir() or parsed.path.endswith("/") else resolved


def test_every_registered_env_id_has_a_rendered_page(site: Path) -> None:
    # Every id a package registers (built-in families and plugins); other tests register ids of their own
    # in this process (`testing/...`), which the site's build never sees.
    ids = sorted(env_id for env_id, spec in registered_specs().items() if spec.plugin)
    assert len(ids) > 100
    index = (site / "envs" / "index.html").read_text(encoding="utf-8")
    for env_id in ids:
        page = site / "envs" / env_id / "index.html"
        assert page.exists(), env_id
        text = page.read_text(encoding="utf-8")
        assert f"<title>{env_id} - agora</title>" in text
        assert "entry point:" in text
        assert f'href="{env_id.split("/", 1)[0]}/' in index


def test_no_internal_link_of_the_site_is_broken(site: Path) -> None:
    broken = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 100
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for target in parser.targets:
            path = _internal_target(page, target, site)
            if path is not None and not path.exists():
                broken.append(f"{page.relative_to(site)} -> {target}")
    assert not broken, broken[:20]


def test_the_benchmarks_page_shows_the_recorded_results(site: Path) -> None:
    text = (site / "benchmarks" / "index.html").read_text(encoding="utf-8")
    assert "{{ benchmark_results }}" not in text
    assert "results.jsonl" in text


@pytest.fixture()
def served_site(site: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_chromium_follows_the_navigation_to_every_section_and_an_env_page(served_site: str) -> None:
    from playwright.sync_api import sync_playwright

    from agora.envs.web.browser import CHROMIUM_FLAGS, find_chromium

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=list(CHROMIUM_FLAGS))
        try:
            page = browser.new_page()
            assert page.goto(served_site).ok
            assert "agora" in page.title()
            nav = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
            sections = sorted({link.split("#")[0] for link in nav if link.startswith(served_site)})
            assert len(sections) >= 20, sections
            for link in sections:
                response = page.goto(link)
                assert response is not None and response.ok, link
                assert page.locator("article h1").count() == 1, link
            page.goto(served_site + "envs/")
            page.get_by_role("link", name="games/TicTacToe-v0").first.click()
            page.wait_for_url("**/envs/games/TicTacToe-v0/")
            assert page.locator("article h1").inner_text().rstrip("¶") == "games/TicTacToe-v0"
            assert "entry point:" in page.locator("article").inner_text()
        finally:
            browser.close()
