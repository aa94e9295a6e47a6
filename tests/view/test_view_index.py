"""The viewer's index and pages without a browser: incremental indexing, hostile lines, filters against
the records themselves, escaping, path traversal, screenshots in records (the trainer's episode log is
checked in tests/trainers/test_loop.py)."""

from __future__ import annotations

import json
import random

import gymnasium as gym
import numpy as np
from starlette.testclient import TestClient

from agora.agent import Agent
from agora.rollout import run
from agora.rollout.writer import EpisodeWriter
from agora.trajectory import Episode, Turn
from agora.view import index as index_module
from agora.view.app import create_app
from agora.view.index import EpisodeIndex, Filters, fts_query
from agora.view.pages import Viewer
from agora.view.records import png_size, pointer_points, screenshot_view


def episode(i: int, *, env: str = "games/Nim-v0", ret: float = 0.0, text: str = "", **fields) -> Episode:
    turns = [
        Turn("p0", 0, f"obs {i} {text}", "[1]", reward=ret),
        Turn("p0", 1, "second", "bad move", valid=i % 3 != 0),
    ]
    return Episode(
        f"{env}/seed={i}/0", env, i, f"{env}/seed={i}", turns, {"p0": ret}, {"p0": f"agent{i % 2}"}, **fields
    )


def write(path, episodes):
    writer = EpisodeWriter(path)
    writer.write_many(episodes)
    writer.close()


def test_incremental_indexing_torn_lines_and_replaced_files(tmp_path):
    path = tmp_path / "run.jsonl"
    write(path, [episode(i) for i in range(3)])
    index = EpisodeIndex(path)
    assert index.refresh() == 3 and index.refresh() == 0
    assert index.db_path == tmp_path / "run.jsonl.view.sqlite"
    line = episode(3).to_json()
    with open(path, "a") as f:
        f.write(episode(4).to_json() + "\n" + line[:50])
    assert index.refresh() == 1  # the torn line waits for its newline
    with open(path, "a") as f:
        f.write(line[50:] + "\n")
    assert index.refresh() == 1 and index.count() == 5
    assert json.loads(index.read(index.row(5)))["episode_id"] == "games/Nim-v0/seed=3/0"
    path.write_text(episode(9).to_json() + "\n")  # replaced by a shorter file: indexed again
    assert index.refresh() == 1 and index.count() == 1
    assert index.query(Filters())[0][0].seed == 9
    index.close()
    assert EpisodeIndex(path).count() == 1  # the index is on disk: a new viewer does not index again


def test_hostile_lines_are_skipped_never_raised(tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "MAX_LINE_BYTES", 5000)
    monkeypatch.setattr(index_module, "READ_CHUNK", 1024)
    good = episode(1).to_json()
    lines = [
        good,
        "not json",
        "[1, 2]",
        '{"episode_id": 1, "turns": "no"}',
        "[" * 100_000,
        '{"episode_id": "x", "turns": [], "pad": "' + "a" * 20_000 + '"}',
        '{"episode_id": "y", "turns": [{"observation": 5, "info": []}], "returns": {"a": "NaN"}, "seed": 1e300}',
        "\r\x00\xff",
        good.replace("seed=1", "seed=2"),
    ]
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = EpisodeIndex(path)
    assert index.refresh() == 3
    assert index.skipped() == 6
    viewer = Viewer(path)
    client = TestClient(create_app(viewer))
    [sid] = viewer.sources
    for n in (1, 2, 3):
        assert client.get(f"/s/{sid}/e/{n}").status_code == 200


def test_filters_search_sort_and_paging_match_the_records(tmp_path):
    rng = random.Random(0)
    episodes = [
        episode(
            i,
            env=("games/Nim-v0", "tools/SQL-v0")[i % 2],
            ret=rng.choice((-1.0, 0.0, 1.0)),
            text="needle" if i % 7 == 0 else "hay",
            status="failed" if i % 10 == 5 else "ok",
            meta={"infra_failure": True} if i % 20 == 5 else {},
        )
        for i in range(120)
    ]
    path = tmp_path / "run.jsonl"
    write(path, episodes)
    index = EpisodeIndex(path)
    index.refresh()

    def ids(filters, **kw):
        rows, total = index.query(filters, per_page=500, **kw)
        assert total == len(rows)
        return [r.seed for r in rows]

    assert ids(Filters(env="tools/SQL-v0", min_return=0.5)) == [
        e.seed for e in episodes if e.env_id == "tools/SQL-v0" and e.returns["p0"] >= 0.5
    ]
    assert ids(Filters(status="failed")) == [e.seed for e in episodes if e.status == "failed"]
    assert ids(Filters(infra=True)) == [e.seed for e in episodes if e.meta.get("infra_failure")]
    assert ids(Filters(invalid=True)) == [e.seed for e in episodes if not all(t.valid for t in e.turns)]
    assert ids(Filters(agent="agent1")) == [e.seed for e in episodes if e.seed % 2]
    assert ids(Filters(search="NEEDLE")) == [e.seed for e in episodes if e.seed % 7 == 0]
    assert ids(Filters(search='needle" OR "hay')) == []  # quotes and FTS words are only words
    ordered = ids(Filters(sort="return", descending=True))
    assert [episodes[s].returns["p0"] for s in ordered] == sorted((e.returns["p0"] for e in episodes), reverse=True)
    page2, total = index.query(Filters(), page=2, per_page=50)
    assert total == 120 and [r.seed for r in page2] == list(range(50, 100))
    assert fts_query("a_b (c*) NEAR") == '"a" AND "b" AND "c" AND "NEAR"'


def test_pages_escape_records_and_refuse_paths(tmp_path):
    evil = episode(1, text="<script>alert(1)</script>", env='games/<img src=x onerror="alert(2)">')
    evil.turns[0].info = {"screenshot": "javascript:alert(3)", "completion_text": "</pre><script>x</script>"}
    path = tmp_path / "run.jsonl"
    write(path, [evil])
    viewer = Viewer(tmp_path)
    client = TestClient(create_app(viewer))
    [sid] = viewer.sources
    for url in (f"/s/{sid}/episodes", f"/s/{sid}/e/1", "/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "<script" not in response.text and "<img src=x" not in response.text
        assert "script-src" not in response.headers["content-security-policy"]  # no scripts allowed at all
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/s/{sid}/e/1").text
    assert "javascript:" not in client.get(f"/s/{sid}/e/1").text
    for url in (
        "/s/../../etc/passwd/episodes",
        "/static/../pages.py",
        "/s/%2e%2e/e/1",
        f"/s/{sid}/e/99",
        "/s/x/tournament",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/s/{sid}/episodes?page=-5&min=nan&seed=1e999&sort=;drop").status_code == 200
    assert client.get(f"/s/{sid}/episodes?q=" + "x" * 5000).status_code == 414


def test_screenshots_are_recorded_and_drawn_with_the_click(tmp_path):
    class Pixels(gym.Env):
        """A one-step env with a text-and-image observation, as GUI envs return."""

        observation_space = gym.spaces.Dict(
            {"text": gym.spaces.Text(100), "image": gym.spaces.Box(0, 255, (24, 32, 3), np.uint8)}
        )
        action_space = gym.spaces.Text(100)

        def reset(self, *, seed=None, options=None):
            super().reset(seed=seed)
            image = np.zeros((24, 32, 3), np.uint8)
            image[4:8, 4:8] = (255, 0, 0)
            return {"text": "Task: click the red square", "image": image}, {}

        def step(self, action):
            return self.reset()[0], 1.0, True, False, {"clicked": action}

    class Clicker(Agent):
        def act(self, observation, info):
            return '{"name": "click", "arguments": {"x": 6, "y": 5}}'

    path = tmp_path / "gui.jsonl"
    run(Pixels, Clicker(), episodes=1, out=path, progress=False)
    record = json.loads(path.read_text())
    turn = record["turns"][0]
    assert turn["observation"] == "Task: click the red square"
    shot = screenshot_view(turn["info"]["screenshot"], turn["action"])
    assert (shot["width"], shot["height"], shot["points"]) == (32, 24, [(6, 5)])
    assert record["meta"]["final_info"] == {"clicked": turn["action"]}
    assert pointer_points("drag(1, 2, 30, 40)") == [(1, 2), (30, 40)]
    assert png_size("bm90IGEgcG5n") is None
