from __future__ import annotations

import json
from pathlib import Path

import pytest

import agora
from agora.errors import ResetNeeded
from agora.wrappers import RecordEpisode, TurnLimit


def test_enforce_order() -> None:
    env = agora.make("example/CountUp-v0")
    with pytest.raises(ResetNeeded, match=r"Call env.reset\(\) first"):
        env.step("1")


def test_turn_limit_truncates_and_shows_in_repr() -> None:
    env = TurnLimit(agora.make("example/CountUp-v0"), max_turns=3)
    assert repr(env).startswith("<TurnLimit<TurnLimit<EnforceOrder<CountUp")
    env.reset(seed=0)
    flags = [env.step("9")[2:4] for _ in range(3)]
    assert flags == [(False, False), (False, False), (False, True)]


def test_turn_limit_does_not_truncate_a_terminated_episode() -> None:
    env = agora.make("example/CountUp-v0", target=2, max_turns=2)
    env.reset(seed=0)
    env.step("1")
    assert env.step("2")[2:4] == (True, False)


def test_record_episode_writes_whole_episodes(tmp_path: Path) -> None:
    path = tmp_path / "episodes.jsonl"
    env = RecordEpisode(agora.make("example/CountUp-v0", target=2), path=path)
    for seed in (0, 1):
        env.reset(seed=seed)
        env.step("1")
        env.step("oops")
        env.step("2")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and len(env.episodes) == 2
    first = json.loads(lines[0])
    assert first["env_id"] == "example/CountUp-v0" and first["seed"] == 0
    assert [t["reward"] for t in first["turns"]] == [1.0, -0.5, 1.0] and first["return"] == 1.5
    assert "error" in first["turns"][1]["info"]
