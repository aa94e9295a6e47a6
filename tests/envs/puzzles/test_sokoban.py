"""Sokoban: rules and solver on hand-made levels with known optima, generated levels, oracle, random agent."""

from __future__ import annotations

import random
from collections import deque

import numpy as np
import pytest

import agora
from agora.agent import RandomAgent, resolve_agent
from agora.envs.puzzles import ENVS as PUZZLES
from agora.envs.puzzles.base import parse_moves
from agora.envs.puzzles.sokoban.rules import move, parse, render, solved
from agora.envs.puzzles.sokoban.solver import SearchLimitReached, solve
from agora.envs.puzzles.sokoban.tasks import generate_level

CORRIDOR = "#######\n#P_X_O#\n#######"
DETOUR = "######\n#O___#\n#_X__#\n#__P_#\n######\n######"
TWO_BOXES = "######\n#PXO_#\n#_XO_#\n######"
CORNERED = "#####\n#X__#\n#_PO#\n#####"
KNOWN = [("#####\n#PXO#\n#####", 1), (CORRIDOR, 3), (DETOUR, 5), (TWO_BOXES, 4)]
"""Hand-made levels and their optimal lengths in moves, worked out by hand."""
SOKOBAN_IDS = ["puzzles/Sokoban-v0", "puzzles/Sokoban-easy-v0", "puzzles/Sokoban-hard-v0", "puzzles/VisualSokoban-v0"]


def bfs_length(board: str) -> int | None:
    """Optimal length by plain breadth-first search over the rules (an independent check of A*)."""
    room, start = parse(board)
    seen, frontier = {start}, deque([(start, 0)])
    while frontier:
        state, depth = frontier.popleft()
        if solved(room, state):
            return depth
        for direction in ("Up", "Down", "Left", "Right"):
            result = move(room, state, direction)
            if result and result[0] not in seen:
                seen.add(result[0])
                frontier.append((result[0], depth + 1))
    return None


@pytest.mark.parametrize(("board", "optimal"), KNOWN)
def test_solver_finds_the_known_optimum_of_hand_made_levels(board, optimal):
    room, state = parse(board)
    plan = solve(room, state)
    assert len(plan) == optimal == bfs_length(board)
    for direction in plan:
        state, _ = move(room, state, direction)
    assert solved(room, state)


def test_a_box_in_a_corner_off_target_is_unsolvable():
    assert solve(*parse(CORNERED)) is None and bfs_length(CORNERED) is None


def test_the_solver_stops_at_its_expansion_budget():
    with pytest.raises(SearchLimitReached):
        solve(*parse(DETOUR), max_expansions=2)


def test_pushes_are_blocked_by_walls_and_by_other_boxes():
    room, state = parse(TWO_BOXES)
    assert move(room, state, "Up") is None  # wall
    after, pushed = move(room, state, "Right")
    assert pushed and render(room, after) == "######\n#_P√_#\n#_XO_#\n######"
    assert move(room, after, "Down") is None  # the box below would go into the wall
    assert move(*parse("######\n#PXX_#\n#OO__#\n######"), "Right") is None  # two boxes in a row


def test_render_and_parse_round_trip_and_reject_open_rooms():
    for board, _ in KNOWN:
        assert render(*parse(board)) == board
    with pytest.raises(ValueError, match="enclosed"):
        parse("#####\n#PXO_\n#####")
    with pytest.raises(ValueError):
        parse("#####\n#PX_#\n#####")  # a box but no target


@pytest.mark.parametrize(
    "kwargs", [{}, {"max_moves": 5}, {"dim_room": (8, 8), "num_boxes": 2, "min_moves": 12}, {"dim_room": (7, 9)}]
)
def test_generated_levels_are_solvable_in_exactly_their_recorded_optimum(kwargs):
    for seed in range(12):
        level = generate_level(random.Random(seed), **kwargs)
        board = render(level.room, level.start)
        assert len(solve(level.room, level.start)) == level.optimal_length == bfs_length(board)
        assert kwargs.get("min_moves", 1) <= level.optimal_length <= kwargs.get("max_moves", 10**9)
        assert not level.start.boxes & level.room.targets


@pytest.mark.parametrize("env_id", SOKOBAN_IDS)
def test_the_oracle_solves_every_sampled_level_in_the_optimal_number_of_moves(env_id):
    env = agora.make(env_id)
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    for seed in range(15):
        obs, info = env.reset(seed=seed)
        total, moves, terminated = 0.0, 0, False
        while not terminated:
            obs, reward, terminated, truncated, info = env.step(oracle.act(obs, info))
            total, moves = total + reward, moves + 1
            assert not truncated and "error" not in info
        assert moves == info["optimal_length"]
        assert total == pytest.approx(10 + env.unwrapped.num_boxes - 0.1 * moves)


@pytest.mark.parametrize(
    ("env_id", "seeds", "most"),
    [("puzzles/Sokoban-v0", 100, 6), ("puzzles/Sokoban-easy-v0", 100, 10), ("puzzles/Sokoban-hard-v0", 40, 1)],
)
def test_a_random_agent_almost_never_solves_a_level(env_id, seeds, most):
    env, wins = agora.make(env_id), 0
    for seed in range(seeds):
        agent, (obs, info) = RandomAgent(seed), env.reset(seed=seed)
        terminated = truncated = False
        while not (terminated or truncated):
            obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        wins += terminated
    # Measured over 1,000 seeds within each id's turn limit: 3.9% (Sokoban-v0), 5.1% (easy); hard 0 of 200.
    assert wins <= most


def test_turn_limits_leave_the_oracle_twice_the_longest_optimal_solution():
    for env_id, (_, max_turns, kwargs) in PUZZLES.items():
        if "Sokoban" in env_id:
            assert max_turns >= 2 * kwargs["max_moves"], env_id


def test_rewards_follow_gym_sokoban_on_a_known_level():
    env = agora.make("puzzles/Sokoban-v0", dim_room=(3, 7), min_moves=1)
    obs, info = env.reset(seed=0, options={"level": CORRIDOR})
    assert info["optimal_length"] == 3 and obs.endswith(CORRIDOR)
    assert env.step("<answer>Left</answer>")[1:3] == (-0.1, False)  # into the wall: unchanged, still a step
    assert env.step("Right")[1] == pytest.approx(-0.1)
    assert env.step("right")[1] == pytest.approx(-0.1)  # a push that is not onto a target
    obs, reward, terminated, _, info = env.step("[Right]")
    assert reward == pytest.approx(-0.1 + 1 + 10) and terminated and info["boxes_on_target"] == 1


def test_malformed_replies_are_errors_that_change_nothing():
    env = agora.make("puzzles/Sokoban-v0")
    obs, info = env.reset(seed=3)
    for reply in ("", "jump", "Up Up", "<answer>" + "Up " * 100 + "</answer>", "\udcff"):
        obs2, reward, terminated, _, info2 = env.step(reply)
        assert info2["error"] and reward == -0.1 and not terminated and info2["state_key"] == info["state_key"]


def test_several_moves_per_turn_when_allowed():
    assert parse_moves("<answer>Up, up, L</answer>", 3) == ["Up", "Up", "Left"]
    assert "at most 2" in parse_moves("U D L", 2)
    env = agora.make("puzzles/Sokoban-v0", dim_room=(3, 7), actions_per_turn=3)
    env.reset(seed=0, options={"level": CORRIDOR})
    obs, reward, terminated, _, _ = env.step("Right, Right, Right")
    assert terminated and reward == pytest.approx(-0.3 + 11)


def test_the_same_seed_gives_the_same_level_and_play():
    env = agora.make("puzzles/VisualSokoban-v0")
    first, second = env.reset(seed=7), env.reset(seed=7)
    assert first[1] == second[1] and np.array_equal(first[0]["image"], second[0]["image"])
    boards = {agora.make("puzzles/Sokoban-v0").reset(seed=s)[1]["state_key"] for s in range(10)}
    assert len(boards) == 10


def test_pixel_observations_match_the_board():
    env = agora.make("puzzles/VisualSokoban-v0")
    obs, info = env.reset(seed=1)
    assert env.observation_space.contains(obs) and obs["image"].shape == (96, 96, 3)
    assert "#" not in obs["text"]  # the board is only in the image
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    after, *_ = env.step(oracle.act(obs, info))
    changed = np.argwhere((after["image"] != obs["image"]).any(axis=2))
    assert len(changed) and changed.max() - changed.min() < 3 * 16  # only the cells around the player changed
