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
    assert [e.group_id for e in result.episodes] == ["games/TicTacToe-v0/seed=0"] * 3 + [
        "games/TicTacToe-v0/seed=1"
    ] * 3
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
        rollout.run(
            flaky,
            RandomAgent(),
            seeds=range(1, 100, 2),
            concurrency=2,
            max_failure_rate=0.2,
            min_episodes_for_abort=4,
            out=tmp_path / "x.jsonl",
        )
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
    (e,) = rollout.run(
        "games/KuhnPoker-v0" if "games/KuhnPoker-v0" in agora.list_envs() else "games/TicTacToe-v0",
        "random",
        episodes=1,
    ).episodes
    assert Episode.from_json(e.to_json()).to_json() == e.to_json()


def test_opponent_forfeit_during_reset_ends_the_episode_with_its_outcome():
    garbage = agora.FunctionAgent(lambda obs, info: "no move", name="garbage")
    result = rollout.run("games/TicTacToe-v0", "random", episodes=2, env_kwargs={"opponent": garbage, "seat": 1})
    for e in result.episodes:
        assert e.status == "ok" and e.terminated and e.turns == [] and e.returns == {"player_1": 1.0}


def test_env_call_policy_inlines_only_fast_envs():
    from agora.env_calls import InlinePolicy

    policy = InlinePolicy(inline_below_s=0.001, window=4, never_inline_above_s=0.01, max_slow=0)
    for _ in range(4):
        assert not policy.inline("fast")
        policy.observe("fast", 0.0001)
        policy.observe("slow", 0.005)
    assert policy.inline("fast") and not policy.inline("slow")
    policy.observe("fast", 0.05)  # one very slow call, and no slow call is forgiven: back to threads
    assert not policy.inline("fast")
    assert not InlinePolicy(inline_below_s=0.0).inline("fast")  # the engine's default: every call in the pool
    result = rollout.run("games/TicTacToe-v0", "random", episodes=40, concurrency=8, inline_env_calls_below_s=0.01)
    assert all(e.status == "ok" for e in result.episodes)


def test_an_agent_that_raises_or_answers_non_text_makes_invalid_moves():
    def broken(obs, info):
        if len(info["legal_actions"]) % 2:
            raise RuntimeError("boom")
        return 42

    agent = agora.FunctionAgent(broken, name="broken")
    result = rollout.run("games/TicTacToe-v0", {"player_0": agent, "player_1": "random"}, episodes=2)
    for e in result.episodes:
        assert e.status == "ok" and e.terminated and e.returns["player_0"] == -1.0  # forfeits by the game's policy
        errors = [t.info["agent_error"] for t in e.turns_of("player_0")]
        assert errors and all(not t.valid for t in e.turns_of("player_0"))
        assert {"RuntimeError: boom", "act() returned int, not str: 42"} >= set(errors)


def test_in_memory_games_run_inline_until_three_slow_calls_in_a_row():
    from agora.env_calls import InlinePolicy
    from agora.rollout.core import _in_memory

    policy = InlinePolicy(never_inline_above_s=0.01)
    policy.mark_in_memory("game")
    assert policy.inline("game") and not policy.inline("other")
    for took in (0.05, 0.2, 0.0001, 0.3, 0.02):  # slow now and then (imports, preemption): stays inline
        policy.observe("game", took)
    assert policy.inline("game")
    policy.observe("game", 0.5)  # three slow calls in a row (an LLM opponent): the thread pool for good
    assert not policy.inline("game")
    assert _in_memory(agora.make("games/TicTacToe-v0")) and _in_memory(agora.make("games/Nim-v0", opponent="random"))
    assert not _in_memory(agora.make("drills/GuessNumber-v0"))


def test_registered_games_are_built_and_stepped_on_the_loop_without_a_thread_pool():
    import threading

    from agora.rollout.core import _registered_game

    assert _registered_game("games/TicTacToe-v0") and _registered_game("games/KuhnPoker-v0")
    assert not _registered_game("drills/GuessNumber-v0") and not _registered_game("games/NoSuchGame-v0")
    pool_threads = []

    def watch(obs, info):  # agents act on the loop; an env built or stepped in the pool leaves its threads
        pool_threads.extend(t.name for t in threading.enumerate() if t.name.startswith("agora-env"))
        return RandomAgent(seed=0).act(obs, info)

    result = rollout.run(
        "games/TicTacToe-v0", agora.FunctionAgent(watch), episodes=8, concurrency=4, env_kwargs={"opponent": "random"}
    )
    assert all(e.status == "ok" for e in result.episodes) and not pool_threads


def test_the_env_call_policy_learns_from_a_call_s_own_time_not_the_wait_for_a_thread():
    import concurrent.futures
    import time

    from agora.rollout import RolloutSettings
    from agora.rollout.core import Engine
    from agora.rollout.report import RolloutProgress

    async def main():
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            settings = RolloutSettings(max_turns=10, max_failure_rate=1.0, inline_env_calls_below_s=0.001)
            engine = Engine({}, "random", settings, executor=pool, progress=RolloutProgress(0, False))
            episode = Episode("e", "cheap", 0, "g", timings={"env_s": 0.0})
            pool.submit(time.sleep, 0.1)  # the only thread is busy: the first call waits 0.1 s for it
            assert await engine.call(episode, sum, [1, 2]) == 3
            for _ in range(engine.policy.window):
                await engine.call(episode, sum, [1, 2])
            return engine, episode

    engine, episode = asyncio.run(main())
    assert episode.timings["env_s"] >= 0.09  # the episode waited
    assert engine.policy.inline("cheap")  # but a microsecond call is inlined, not sent to the pool for good
