"""Every family's envs pass the conformance checkers through the server, and play as in-process."""

from __future__ import annotations

import numpy as np
import pytest

import agora
import agora.remote
from agora.remote import RemoteEnv, RemoteGame

# one id per family that CI can run, with the marker of the infrastructure it needs
FAMILY_IDS = [
    pytest.param("reasoning/Arithmetic-v0", id="reasoning"),
    pytest.param("puzzles/VisualSokoban-v0", id="puzzles"),
    pytest.param("tools/SQL-v0", id="tools"),
    pytest.param("drills/GuessNumber-v0", id="drills"),
    pytest.param("example/CountUp-v0", id="plugin"),
    pytest.param("code/UnitTests-v0", id="code", marks=pytest.mark.docker),
    pytest.param("text/TextWorld-v0", id="text", marks=pytest.mark.slow),
    pytest.param("web/miniwob.click-button-v0", id="web", marks=pytest.mark.browser),
    pytest.param("gui/canvas.click-button-v0", id="gui", marks=pytest.mark.browser),
]


def _same(a, b) -> bool:
    from gymnasium.utils.env_checker import data_equivalence

    return data_equivalence(a, b)


def _play(env, seed: int, turns: int = 4) -> list:
    obs, info = env.reset(seed=seed)
    trace = [obs, info]
    for turn in range(turns):
        legal = info.get("legal_actions") or [f"answer {turn}"]
        obs, reward, terminated, truncated, info = env.step(legal[turn % len(legal)])
        trace += [obs, reward, terminated, truncated, info]
        if terminated or truncated:
            break
    return trace


@pytest.mark.parametrize("env_id", FAMILY_IDS)
def test_family_env_conforms_through_the_server_and_plays_as_in_process(server, env_id: str) -> None:
    remote = agora.remote.make(server.url, env_id)
    local = agora.make(env_id)
    try:
        assert isinstance(remote, RemoteEnv)
        assert remote.observation_space == local.observation_space
        agora.check_env(remote)
        remote_trace, local_trace = _play(remote, 7), _play(local, 7)
        assert len(remote_trace) == len(local_trace)
        for a, b in zip(remote_trace, local_trace, strict=True):
            assert _same(a, b), (a, b)
    finally:
        remote.close()
        local.close()


def test_game_passes_check_game_and_the_learner_view_check_env(server) -> None:
    game = agora.remote.make(server.url, "games/TicTacToe-v0")
    assert isinstance(game, RemoteGame)
    agora.check_game(game)
    game.close()
    single = agora.remote.make(server.url, "games/KuhnPoker-v0", opponent="random")
    agora.check_env(single)
    single.close()


def test_game_trajectories_match_in_process_for_many_seeds(server) -> None:
    """Same seeds and actions: every observation, reward, flag and info equal to the local game's."""
    remote = agora.remote.make(server.url, "games/LiarsDice-v0")
    local = agora.make("games/LiarsDice-v0")
    for seed in range(5):
        traces = []
        for game in (remote, local):
            game.reset(seed=seed)
            trace = []
            for agent in game.agent_iter(max_iter=60):
                obs, reward, terminated, truncated, info = game.last()
                trace.append((agent, str(obs), reward, terminated, truncated, info))
                legal = info["legal_actions"]
                game.step(None if terminated or truncated else legal[len(trace) % len(legal)])
            traces.append(trace)
        assert traces[0] == traces[1]
        assert len(traces[0]) > 2
    remote.close()


@pytest.mark.browser
def test_screenshots_travel_as_binary_frames_bit_exact(server) -> None:
    remote = agora.remote.make(server.url, "gui/canvas.click-button-v0")
    local = agora.make("gui/canvas.click-button-v0")
    (robs, _), (lobs, _) = remote.reset(seed=3), local.reset(seed=3)
    assert robs["image"].dtype == np.uint8 and robs["image"].shape == lobs["image"].shape
    assert np.array_equal(robs["image"], lobs["image"])
    remote.close()
    local.close()
