from __future__ import annotations

from pathlib import Path

import pytest

import agora
from agora.errors import ResetNeeded
from agora.rollout import read_episodes
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
    written = list(read_episodes(path)[0].values())  # the engine's reader: the wrapper writes `Episode` records
    assert len(written) == 2 and written == env.episodes
    first = written[0]
    assert (first.env_id, first.seed, first.episode_id) == ("example/CountUp-v0", 0, "example/CountUp-v0/seed=0/0")
    assert [t.reward for t in first.turns] == [1.0, -0.5, 1.0] and first.returns == {"agent": 1.5}
    assert [t.action for t in first.turns] == ["1", "oops", "2"] and [t.valid for t in first.turns] == [1, 0, 1]
    assert "error" in first.turns[1].info and first.terminated and first.status == "ok"
