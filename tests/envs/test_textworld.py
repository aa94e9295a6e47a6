"""text/TextWorld-v0: games made by TextWorld's generator, won by their walkthrough, offline.

Generated games are cached on disk (AGORA_CACHE_DIR or ~/.cache/agora), so later runs reuse them.
"""

from __future__ import annotations

import pytest

import agora
from agora.envs.text.textworld.env import TextWorldEnv, WalkthroughAgent, clean_command
from agora.envs.text.textworld.games import challenge_settings, game_file

pytest.importorskip("textworld", reason="TextWorld is in the 'text' extra: pip install 'agora[text]'")


def play(env, agent, max_turns: int = 60) -> tuple[float, list[float], dict, bool]:
    obs, info = env.reset(seed=0)
    rewards, terminated = [], False
    for _ in range(max_turns):
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        rewards.append(reward)
        if terminated or truncated:
            break
    return sum(rewards), rewards, info, terminated


@pytest.fixture(scope="module")
def simple():
    env = agora.make("text/TextWorld-v0")
    yield env
    env.close()


def test_walkthrough_wins_with_the_maximum_score_dense(simple):
    simple.reset(seed=0)
    agent = WalkthroughAgent(simple.unwrapped.walkthrough)
    total, rewards, info, terminated = play(simple, agent)
    assert terminated and info["won"] and not info["lost"]
    assert total == info["score"] == info["max_score"] > 0
    assert sum(r > 0 for r in rewards) > 1  # dense: points along the way


def test_sparse_reward_comes_only_at_the_end():
    env = agora.make("text/TextWorld-v0", reward="sparse")
    env.reset(seed=0)
    total, rewards, info, terminated = play(env, WalkthroughAgent(env.unwrapped.walkthrough))
    assert terminated and rewards[-1] == info["max_score"] and not any(rewards[:-1])
    env.close()


def test_a_wandering_agent_scores_nothing(simple):
    agent = WalkthroughAgent(["look", "inventory", "go west", "dance", "xyzzy"] * 4)
    total, _, info, terminated = play(simple, agent, max_turns=20)
    assert total == 0 and not terminated and not info["won"]


def test_same_seed_same_game_other_seed_other_game(simple):
    first, _ = simple.reset(seed=3)
    walkthrough = simple.unwrapped.walkthrough
    again, _ = simple.reset(seed=3)
    assert again == first and simple.unwrapped.walkthrough == walkthrough
    simple.reset(seed=0)
    assert simple.unwrapped.walkthrough != walkthrough


def test_admissible_commands_are_listed_and_legal():
    env = agora.make("text/TextWorld-v0", admissible_commands=True)
    obs, info = env.reset(seed=0)
    assert "Admissible commands:" in obs and "look" in info["legal_actions"]
    assert env.unwrapped.walkthrough[0] in info["legal_actions"]
    env.close()


def test_a_game_file_is_played_as_is(simple):
    simple.reset(seed=0)
    path = simple.unwrapped._path
    env = TextWorldEnv(game_file=str(path))
    obs, _ = env.reset(seed=123)
    assert obs == simple.reset(seed=0)[0]
    env.close()
    with pytest.raises(FileNotFoundError, match="No TextWorld game"):
        TextWorldEnv(game_file="/nonexistent/game.z8")


def test_generated_games_are_cached_by_challenge_settings_and_seed(simple):
    simple.reset(seed=0)
    path = simple.unwrapped._path
    mtime = path.stat().st_mtime_ns
    assert game_file("tw-simple", None, int(path.name.split("-")[2])) == path
    assert path.stat().st_mtime_ns == mtime  # reused, not regenerated


def test_bad_challenge_or_settings_say_what_to_do():
    with pytest.raises(ValueError, match="tw-coin_collector"):
        challenge_settings("tw-nothing", None)
    with pytest.raises(ValueError, match="Bad settings"):
        challenge_settings("tw-simple", {"rewards": "plenty"})


def test_commands_are_sanitised_for_the_interpreter():
    assert clean_command("open door\n\\q quit\x00") == "open door q quit"


@pytest.mark.slow
@pytest.mark.parametrize(
    "challenge, settings",
    [
        ("tw-coin_collector", {"level": 5}),
        ("tw-treasure_hunter", {"level": 2}),
        ("tw-cooking", {"recipe": 1, "go": 1}),
    ],
)
def test_other_challenges_are_won_by_their_walkthrough(challenge, settings):
    env = agora.make("text/TextWorld-v0", challenge=challenge, settings=settings)
    env.reset(seed=0)
    total, _, info, terminated = play(env, WalkthroughAgent(env.unwrapped.walkthrough))
    assert terminated and info["won"] and total == info["max_score"]
    env.close()
