"""`agora view` in real Chromium over real records: runs, filters, search, an episode of each kind (game,
tool, web, GUI with its screenshot and click, SWE with both diffs), compare, a tournament, a training run,
and the static export. Each page's screenshot goes to docs/images/viewer-*.png (the docs show them).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agora.cli import app
from agora.view.app import BackgroundServer
from agora.view.pages import Viewer
from tests.view.records import make_runs

pytestmark = [pytest.mark.browser, pytest.mark.docker]
IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("view")
    return root, make_runs(root)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from agora.envs.web.browser import CHROMIUM_FLAGS, find_chromium

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=find_chromium(), headless=True, args=list(CHROMIUM_FLAGS))
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(runs, browser):
    root, paths = runs
    viewer = Viewer(root)
    context = browser.new_context(viewport={"width": 1200, "height": 760}, java_script_enabled=False)
    with BackgroundServer(viewer) as url:
        yield url, context.new_page(), paths
    context.close()
    viewer.close()


def shot(page, name: str) -> None:
    """A small PNG of the page (palette colours) for the docs."""
    from PIL import Image

    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB").quantize(colors=64)
    IMAGES.mkdir(parents=True, exist_ok=True)
    image.save(IMAGES / f"viewer-{name}.png", optimize=True)


def open_run(page, url: str, name: str) -> None:
    page.goto(url)
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_selector("#episodes")


def first_episode(page) -> None:
    page.locator("#episodes a[href*='/e/']").first.click()
    page.wait_for_selector(".turn, .summary")


def test_runs_filters_search_and_game_episode(site):
    url, page, paths = site
    page.goto(url)
    runs = page.locator("#runs").inner_text()
    for name in ("runs/game.jsonl", "runs/tool.jsonl", "runs/gui.jsonl", "runs/swe.jsonl", "tournament", "training"):
        assert name in runs
    shot(page, "runs")

    records = lines(paths["game_after"])
    wins = sum(1 for e in records if sum(e["returns"].values()) >= 1)
    open_run(page, url, "runs/game_after.jsonl")
    assert page.locator("#count").inner_text().startswith(f"{len(records)} episodes")
    page.fill("input[name=min]", "1")
    page.click("#filters button[type=submit]")
    page.wait_for_selector("#count")
    assert page.locator("#count").inner_text().startswith(f"{wins} episode")
    assert page.locator("#episodes tr").count() == wins + 1
    shot(page, "episodes")

    first_episode(page)
    record = next(e for e in records if sum(e["returns"].values()) >= 1)
    assert page.locator(".turn").count() == len(record["turns"])
    assert record["turns"][0]["action"] in page.locator(".turn .action").first.inner_text()
    assert "games/TicTacToe-v0" in page.locator("h1").inner_text()

    open_run(page, url, "runs/tool.jsonl")
    page.fill("input[name=q]", "sqlite_master")
    page.click("#filters button[type=submit]")
    assert page.locator("#count").inner_text().startswith("3 episodes")
    page.fill("input[name=q]", "sqlite_master zebracorn")
    page.click("#filters button[type=submit]")
    assert page.locator("#count").inner_text().startswith("0 episodes")


def test_tool_web_gui_and_swe_episodes(site):
    url, page, paths = site
    open_run(page, url, "runs/tool.jsonl")
    first_episode(page)
    calls = page.locator(".turn .call").all_inner_texts()
    assert calls[0].startswith("sql") and "sqlite_master" in calls[0]
    assert "SELECT * FROM nowhere" in page.locator(".turn.invalid .action").first.inner_text()
    assert page.locator(".turn .error").count() >= 1  # the env's error about the malformed call

    open_run(page, url, "runs/web.jsonl")
    first_episode(page)
    record = lines(paths["web"])[0]
    assert record["turns"][0]["observation"][:40] in page.locator(".observation").first.inner_text()
    assert "tag ok" in page.content()

    open_run(page, url, "runs/gui.jsonl")
    first_episode(page)
    shots = page.locator("svg.screenshot")
    assert shots.count() == len(lines(paths["gui"])[0]["turns"])
    box = shots.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 150  # the 320x240 screenshot drawn, not a broken image
    click = page.locator("svg.screenshot circle.click").first
    assert (click.get_attribute("cx"), click.get_attribute("cy")) == ("160", "120")
    shot(page, "episode-gui")

    open_run(page, url, "runs/swe.jsonl")
    first_episode(page)
    record = lines(paths["swe"])[0]
    final = record["meta"]["final_info"]
    assert final["resolved"] and record["returns"]["agent"] == 1.0
    patch = final["agent_patch"].splitlines()
    agent_added = [line[1:] for line in patch if line.startswith("+") and not line.startswith("+++") and line[1:]]
    assert agent_added and agent_added[0].strip() in page.locator(".agent-diff .add").first.inner_text()
    assert page.locator(".bug-diff .del").count() >= 1 and page.locator(".bug-diff .add").count() >= 1
    shot(page, "episode-swe")


def test_compare_tournament_and_training(site):
    url, page, paths = site
    page.goto(url)
    page.select_option("select[name=a]", label="runs/game.jsonl")
    page.select_option("select[name=b]", label="runs/game_after.jsonl")
    page.click("form.filters button[type=submit]")
    table = page.locator("#per-env").inner_text()
    assert "games/TicTacToe-v0" in table and "12" in table
    page.locator("a.seed").first.click()
    page.wait_for_selector("#pair")
    assert page.locator("#pair .turn").count() >= 2
    assert "runs/game_after.jsonl" in page.locator("#pair").inner_text()
    shot(page, "compare")

    page.goto(url)
    page.get_by_role("link", name="tournament", exact=True).click()
    ratings = page.locator("#ratings").inner_text()
    assert "minimax" in ratings and "random" in ratings
    results = json.loads((paths["tournament"] / "results.json").read_text())
    cell = results["matrix"]["minimax"]["random"]
    link = page.locator("#matrix a").first
    assert link.inner_text().count("/") == 2
    shot(page, "tournament")
    link.click()
    games = [e for e in lines(paths["tournament"] / "games.jsonl")]
    assert page.locator("#count").inner_text().startswith(f"{len(games)} episodes")
    assert sum(cell[k] for k in ("wins", "draws", "losses")) >= 1
    first_episode(page)
    assert page.locator(".turn").count() >= 5  # a TicTacToe transcript

    page.goto(url)
    page.get_by_role("link", name="training", exact=True).click()
    assert page.locator("#curves img").count() == 1
    assert page.locator("#curves img").first.bounding_box()["height"] > 100
    shot(page, "training")
    page.locator("#updates a").first.click()
    trained = [e for e in lines(paths["training"] / "episodes.jsonl") if e["meta"]["step"] == 1]
    assert page.locator("#count").inner_text().startswith(f"{len(trained)} episodes")
    first_episode(page)
    assert page.locator(".advantage").count() >= 1


def test_static_export_opens_without_a_server(runs, browser, tmp_path):
    root, _ = runs
    out = tmp_path / "export"
    result = CliRunner().invoke(app, ["view", str(root), "--export", str(out)])
    assert result.exit_code == 0, result.output
    page = browser.new_page(java_script_enabled=False)
    page.goto((out / "index.html").as_uri())
    page.get_by_role("link", name="runs/gui.jsonl", exact=True).click()
    first_episode(page)
    assert page.locator("svg.screenshot").count() >= 1
    page.get_by_role("link", name="runs/gui.jsonl").click()
    assert page.locator("#episodes").count() == 1
    page.close()
