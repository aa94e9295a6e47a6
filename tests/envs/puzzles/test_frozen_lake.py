"""FrozenLake: Gymnasium's env inside, known maps, the optimal policy on slippery ice, oracle and random agent."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from gymnasium.envs.toy_text.frozen_lake import MAPS, FrozenLakeEnv

import agora
from agora.agent import RandomAgent, resolve_agent
from agora.envs.puzzles.frozen_lake.rules import ACTIONS, optimal_policy, parse, shortest_path

GYM_4X4 = MAPS["4x4"]  # SFFF / FHFH / FFFH / HFFG


def test_gymnasiums_4x4_map_has_the_known_shortest_path_and_slippery_optimum():
    assert len(shortest_path(GYM_4X4)) == 6
    _, value = optimal_policy(FrozenLakeEnv(desc=GYM_4X4, is_slippery=True).P)
    assert value[0] == pytest.approx(14 / 17, abs=1e-6)  # the optimal policy's chance from the start


def test_moves_rewards_and_holes_on_a_known_map():
    env = agora.make("puzzles/FrozenLake-v0")
    obs, info = env.reset(seed=0, options={"map": GYM_4X4})
    assert obs.endswith("P___\n_O_O\n___O\nO__G") and info["optimal_length"] == 6
    assert env.step("Up")[0].endswith("P___\n_O_O\n___O\nO__G")  # against the edge: stays
    obs, reward, terminated, _, _ = env.step("Right")
    assert obs.endswith("_P__\n_O_O\n___O\nO__G") and (reward, terminated) == (0.0, False)
    obs, reward, terminated, _, _ = env.step("Down")
    assert obs.endswith("____\n_X_O\n___O\nO__G") and (reward, terminated) == (0.0, True)
    env.reset(seed=0, options={"map": GYM_4X4})
    for move in ["Down", "Down", "Right", "Right", "Down"]:
        assert env.step(move)[1:3] == (0.0, False)
    obs, reward, terminated, _, _ = env.step("Right")
    assert obs.endswith("√") and (reward, terminated) == (1.0, True)


@pytest.mark.parametrize("env_id", ["puzzles/FrozenLake-v0", "puzzles/FrozenLake-slippery-v0"])
def test_every_move_lands_where_gymnasiums_own_step_lands(env_id):
    # On non-slippery ice agora reads the move's one outcome from Gymnasium's transition table instead of calling
    # its step; on slippery ice it calls step. Either way a FrozenLakeEnv on the same map, with a copy of the
    # lake's RNG, stepped by Gymnasium itself, must agree on every cell, reward and ending.
    env, moves = agora.make(env_id, max_turns=1000), ["Left", "Down", "Right", "Up"]
    rng = np.random.default_rng(0)
    for seed in range(30):
        env.reset(seed=seed)
        lake = env.unwrapped.lake
        twin = FrozenLakeEnv(desc=env.unwrapped.desc, is_slippery=env.unwrapped.is_slippery)
        twin.reset(seed=0)
        twin.np_random = copy.deepcopy(lake.np_random)
        terminated = False
        while not terminated:
            move = moves[rng.integers(4)]
            _, reward, terminated, _, info = env.step(move)
            cell, twin_reward, twin_terminated, _, _ = twin.step(ACTIONS[move])
            assert (int(lake.s), reward, terminated) == (cell, twin_reward, twin_terminated)
            assert parse(info["state_key"])[1] == cell


def test_the_board_parses_back_to_the_map():
    env = agora.make("puzzles/FrozenLake-hard-v0")
    _, info = env.reset(seed=4)
    desc, position = parse(info["state_key"])
    assert desc == env.unwrapped.desc and position == 0 and len(desc) == 8


@pytest.mark.parametrize(
    "env_id", ["puzzles/FrozenLake-v0", "puzzles/FrozenLake-hard-v0", "puzzles/VisualFrozenLake-v0"]
)
def test_the_oracle_reaches_the_goal_in_the_optimal_number_of_moves(env_id):
    env = agora.make(env_id)
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    for seed in range(20):
        obs, info = env.reset(seed=seed)
        total, moves, terminated = 0.0, 0, False
        while not terminated:
            obs, reward, terminated, _, info = env.step(oracle.act(obs, info))
            total, moves = total + reward, moves + 1
        assert total == 1.0 and moves == info["optimal_length"]


def test_on_slippery_ice_the_oracle_succeeds_as_often_as_the_optimal_policy_says():
    env = agora.make("puzzles/FrozenLake-slippery-v0")
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    wins, expected = 0, 0.0
    for seed in range(200):
        obs, info = env.reset(seed=seed, options={"map": GYM_4X4})
        expected += info["success_probability"]
        terminated = truncated = False
        while not (terminated or truncated):
            obs, reward, terminated, truncated, info = env.step(oracle.act(obs, info))
        wins += reward == 1.0
    assert abs(wins - expected) < 25  # 200 * 14/17 = 164.7; sd about 5.4 (the 100-turn limit cuts a few)


@pytest.mark.parametrize(
    ("env_id", "most"),
    [("puzzles/FrozenLake-v0", 6), ("puzzles/VisualFrozenLake-v0", 6), ("puzzles/FrozenLake-hard-v0", 1)],
)
def test_a_random_agent_almost_never_reaches_the_goal(env_id, most):
    env, wins = agora.make(env_id), 0
    for seed in range(100):
        agent, (obs, info) = RandomAgent(seed), env.reset(seed=seed)
        terminated = truncated = False
        while not (terminated or truncated):
            obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        wins += reward == 1.0
    assert wins <= most  # measured over 1,000 seeds within the 15-turn limit: 3.0% (4x4); 8x8: 0 of 400


def test_the_same_seed_gives_the_same_map_and_slips():
    env = agora.make("puzzles/FrozenLake-slippery-v0")
    traces = []
    for _ in range(2):
        obs, info = env.reset(seed=11)
        trace = [obs]
        for move in ["Right", "Down", "Right", "Down", "Right", "Down"] * 2:
            obs, reward, terminated, _, _ = env.step(move)
            trace.append(obs)
            if terminated:
                break
        traces.append(trace)
    assert traces[0] == traces[1]
    visual = agora.make("puzzles/VisualFrozenLake-v0")
    assert np.array_equal(visual.reset(seed=2)[0]["image"], visual.reset(seed=2)[0]["image"])
    assert visual.observation_space.contains(visual.reset(seed=2)[0])


def test_bad_kwargs_and_maps_are_refused():
    with pytest.raises(ValueError):
        agora.make("puzzles/FrozenLake-v0", size=1)
    with pytest.raises(ValueError):
        agora.make("puzzles/FrozenLake-v0").reset(options={"map": ["SH", "HG"]})
