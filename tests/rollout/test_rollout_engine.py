"""The rollout engine on real envs: games and single-agent envs, groups, failures, JSONL output."""

import asyncio
import json

import pytest

import agora
from agora import rollout
from agora.agent import Agent, RandomAgent
from agora.core import TextEnv
from agora.errors import RolloutAborted
from agora.trajectory import Episode


def test_self_play_game_records_every_turn_and_zero_sum_returns():
    result = rollout.run("games/TicTacToe-v0", "random", episodes=6, group_size=3, concurrency=4)
    assert [e.group_id for e in result.episodes] == ["games/TicTacToe-v0/seed=0"] * 3 + ["games/TicTacToe-v0/seed=1"] * 3
    assert [e.index_in_group for e in result.episodes] == [0, 1, 2, 0, 1, 2]
    assert len({tuple(t.action for t in e.turns) for e in result.episodes}) > 1  # group members differ
    for e in result.episodes:
        assert e.status == "ok" and e.terminated and not e.truncated
        assert sum(e.returns.values()) == 0 and set(e.returns) == {"player_0", "player_1"}
        for seat in e.returns:  # turn rewards add up to the seat's return; only the last turn pays
            turns = e.turns_of(seat)
            assert sum(t.reward for t in turns) == e.returns[seat]
            assert all(t.reward == 0 for t in turns[:-1])
        assert [t.agent_id for t in e.turns][:2] == ["player_0", "player_1"]
        assert e.turns[0].state_key == (0, 0, 0, 0, 0, 0, 0, 0, 0) or e.turns[0].state_key is not None
        assert e.timings["wall_s"] >= e.timings["env_s"] >= 0


def test_seats_with_different_agents():
    result = rollout.run("games/TicTacToe-v0", {"player_0": "minimax", "player_1": "random"}, episodes=4)
    assert all(e.returns["player_0"] >= 0 for e in result.episodes)  # minimax never loses
    assert result.episodes[0].agents == {"player_0": "minimax", "player_1": "random"}


def test_single_agent_env_through_the_adapter():
    result = rollout.run("games/TicTacToe-v0", "random", episodes=3, env_kwargs={"opponent": "minimax"})
    for e in result.episodes:
        (seat,) = e.returns
        assert e.returns[seat] <= 0 and all(t.agent_id == seat for t in e.turns)
        assert e.turns[-1].reward == e.returns[seat]


class Flaky(TextEnv):
    """Counts to 3; raises on its second step for odd seeds, reports a broken sandbox for seed 2."""

    def _reset(self, options):
        self.seed_, self.t = int(self.np_random_seed), 0
        return "say anything", {"instructions": "Say anything."}

    def _step(self, action):
        self.t += 1
        if self.t == 2 and self.seed_ % 2 == 1:
            raise RuntimeError(f"env exploded on seed {self.seed_}")
        info = {"infra_error": "sandbox died"} if self.seed_ == 2 else {}
        return f"step {self.t}", 1.0, self.t == 3, info


def flaky():
    return Flaky()


def test_failed_episodes_are_recorded_apart_and_the_run_completes(tmp_path):
    out = tmp_path / "run.jsonl"
    result = rollout.run(flaky, RandomAgent(), seeds=range(8), concurrency=3, out=out, max_failure_rate=0.9)
    assert len(result.episodes) == 8
    by_seed = {e.seed: e for e in result.episodes}
    for seed, e in by_seed.items():
        if seed % 2 == 1 or seed == 2:
            assert e.status == "failed" and e.returns == {} and e.traceback
            assert ("exploded" in e.error) if seed % 2 else ("sandbox died" in e.error)
        else:
            assert e.status == "ok" and e.returns == {"agent": 3.0} and len(e.turns) == 3
    lines = out.read_text().splitlines()
    assert sorted(Episode.from_json(x).episode_id for x in lines) == sorted(e.episode_id for e in result.episodes)


def test_failure_rate_threshold_stops_the_run(tmp_path):
    with pytest.raises(RolloutAborted, match="failed .* > max_failure_rate 20%.*exploded"):
        rollout.run(flaky, RandomAgent(), seeds=range(1, 100, 2), concurrency=2, max_failure_rate=0.2,
                    min_episodes_for_abort=4, out=tmp_path / "x.jsonl")
    assert 4 <= len((tmp_path / "x.jsonl").read_text().splitlines()) < 50


class Sleepy(Agent):
    name = "sleepy"

    async def aact(self, observation, info):
        await asyncio.sleep(5)
        return "late"


def test_agent_timeout_fails_the_episode():
    result = rollout.run(flaky, Sleepy(), seeds=[0, 4], agent_timeout_s=0.05, max_failure_rate=1.0)
    assert all(e.status == "failed" and e.error.startswith("AgentTimeout") for e in result.episodes)


def test_torn_last_line_is_cut_and_finished_episodes_are_skipped(tmp_path):
    out = tmp_path / "run.jsonl"
    first = rollout.run("games/TicTacToe-v0", "random", episodes=3, out=out)
    text = out.read_text()
    out.write_text(text + text.splitlines()[0][:50])  # a record torn by a crash
    again = rollout.run("games/TicTacToe-v0", "random", episodes=5, out=out)
    assert (again.new, again.resumed) == (2, 3)
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and all(json.loads(x) for x in lines)
    assert [e.to_json() for e in again.episodes[:3]] == [e.to_json() for e in first.episodes]


def test_episode_json_round_trip():
    (e,) = rollout.run("games/KuhnPoker-v0" if "games/KuhnPoker-v0" in agora.list_envs() else "games/TicTacToe-v0",
                       "random", episodes=1).episodes
    assert Episode.from_json(e.to_json()).to_json() == e.to_json()
