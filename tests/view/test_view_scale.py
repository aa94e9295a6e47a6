"""`agora view` over a generated 100,000-episode file: indexed once on disk, pages served from the index.

The pages' load times are printed (the figures to keep come from ``benchmarks/view.py``); what is
checked is that the index is what answers: counts and filters match the file, the Python heap stays
far below the file's size while pages load, and appended episodes show on the next load without the
file being indexed again.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from agora.view.app import create_app
from agora.view.pages import Viewer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from view import AGENTS, ENVS, RARE, write_synthetic  # noqa: E402

EPISODES = 100_000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "run.jsonl"
    write_synthetic(path, EPISODES)
    viewer = Viewer(path)
    start = time.perf_counter()
    [source] = viewer.sources.values()
    index = viewer.index(source.path)
    size_mb = path.stat().st_size / 1e6
    print(f"\nindexed {index.count():,} episodes ({size_mb:.0f} MB) in {time.perf_counter() - start:.1f} s")
    yield path, viewer, source.sid
    viewer.close()


def count(html: str) -> int:
    return int(html.split('<p id="count"><b>')[1].split("<")[0].replace(",", ""))


def test_pages_come_from_the_index_with_bounded_memory(big):
    path, viewer, sid = big
    client = TestClient(create_app(viewer))
    pages = [
        "/",
        f"/s/{sid}/episodes",
        f"/s/{sid}/episodes?env={ENVS[2]}&min=0.5",
        f"/s/{sid}/episodes?q={RARE[1]}",
        f"/s/{sid}/episodes?agent={AGENTS[1]}&invalid=1&sort=return&order=desc&page=20",
        f"/s/{sid}/episodes?infra=1",
        f"/s/{sid}/e/{EPISODES // 2}",
        f"/s/{sid}/e/{EPISODES}",
    ]
    client.get(pages[1])  # warm (templates compiled)
    tracemalloc.start()
    times = {}
    try:
        for url in pages:
            start = time.perf_counter()
            response = client.get(url)
            times[url] = time.perf_counter() - start
            assert response.status_code == 200, url
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print("\n" + "\n".join(f"{t * 1000:7.1f} ms  {url}" for url, t in times.items()))
    assert peak < path.stat().st_size / 10, f"peak Python heap {peak / 1e6:.0f} MB while serving pages"

    assert count(client.get(f"/s/{sid}/episodes").text) == EPISODES
    assert count(client.get(f"/s/{sid}/episodes?infra=1").text) == EPISODES // 200
    rare = client.get(f"/s/{sid}/episodes?q={RARE[1]}").text
    assert count(rare) == len([i for i in range(EPISODES) if i % 1000 == 7 and (i // 1000) % 4 == 1])
    last = client.get(f"/s/{sid}/e/{EPISODES}").text
    assert f"seed={(EPISODES - 1) // 2}/{(EPISODES - 1) % 2}" in last


def test_appended_episodes_show_on_the_next_load(big):
    path, viewer, sid = big
    client = TestClient(create_app(viewer))
    index = viewer.index(path)
    before = index.count()
    write_synthetic(path, 25, start=before)
    with open(path, "ab") as f:
        f.write(b'{"episode_id": "torn", "turns": [')  # a line still being written
    start = time.perf_counter()
    html = client.get(f"/s/{sid}/episodes?sort=line&order=desc").text
    print(f"\nthe page after 25 appended episodes: {(time.perf_counter() - start) * 1000:.0f} ms")
    assert count(html) == before + 25
    assert f"seed={(before + 24) // 2}/{(before + 24) % 2}" in html
