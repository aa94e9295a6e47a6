"""text/ALFWorld-v0: games generated from the alfworld wheel's floor plans, played by TextWorld's PDDL engine.

Generated games are cached on disk (AGORA_CACHE_DIR or ~/.cache/agora), so later runs reuse them. The
oracle (ALFWorld's hand-coded expert) plays one game of each task type in train and one game in each
held-out split; a random agent plays two.
"""

from __future__ import annotations

import json
import shutil

import pytest

import agora
from agora.agent import resolve_agent
from agora.envs.text.alfworld.env import clean_command
from agora.envs.text.alfworld.games import generated_game
from agora.envs.text.alfworld.tasks import TASK_TYPES, constants, game_spec, problem_pddl, task_type_of

pytest.importorskip("alfworld", reason="ALFWorld is in the 'alfworld' extra: pip install 'agora[alfworld]'")


def play(env, agent, options, max_turns=50):
    obs, info = env.reset(seed=0, options=options)
    agent.reset()
    total, terminated = 0.0, False
    for _ in range(max_turns):
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        total += reward
        if terminated or truncated:
            break
    return total, info, terminated


@pytest.fixture(scope="module")
def train():
    env = agora.make("text/ALFWorld-v0")
    yield env
    env.close()


def test_game_indices_cycle_through_the_six_task_types_and_splits_use_their_scenes():
    assert [task_type_of(i) for i in range(6)] == list(TASK_TYPES)
    held_out = set(constants().TEST_SCENE_NUMBERS)
    for index in range(12):
        assert game_spec("valid_unseen", index).floor_plan in held_out
        assert game_spec("train", index).floor_plan not in held_out
        assert game_spec("valid_seen", index).floor_plan not in held_out
    assert game_spec("train", 7) == game_spec("train", 7) != game_spec("valid_seen", 7)
    with pytest.raises(ValueError, match="has games 0..139"):
        game_spec("valid_seen", 140)


def test_the_goal_does_not_hold_at_the_start():
    for index in range(0, 30, 5):
        spec = game_spec("train", index)
        parent = spec.params["parent_target"]
        kinds = {r.id: r.type for r in spec.receptacles}
        assert all(kinds[r] != parent for _, kind, r in spec.objects if kind == spec.params["object_target"])
        assert "(:goal" in problem_pddl(spec) and "(canContain" in problem_pddl(spec)


@pytest.mark.parametrize("task_type", TASK_TYPES)
def test_the_oracle_solves_each_task_type(train, task_type):
    index = TASK_TYPES.index(task_type)
    oracle = resolve_agent("oracle", table=train.unwrapped.scripted_agents)
    total, info, terminated = play(train, oracle, {"game": index})
    assert terminated and info["won"] and total == 1.0 and info["task_type"] == task_type


@pytest.mark.parametrize("split", ["valid_seen", "valid_unseen"])
def test_the_oracle_solves_held_out_games(split):
    env = agora.make("text/ALFWorld-v0", split=split)
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    total, info, terminated = play(env, oracle, {"game": 3})
    env.close()
    assert terminated and info["won"] and total == 1.0


def test_a_random_agent_does_not_solve_games(train):
    for game in (0, 2):
        total, info, _ = play(train, resolve_agent("random", seed=game), {"game": game})
        assert not info["won"] and total == 0.0


def test_reset_starts_the_game_over_and_admissible_commands_are_in_info(train):
    first, info = train.reset(options={"game": 0})
    assert "Your task is to:" in first and info["instructions"].endswith(first.rsplit("Your task is to:", 1)[1].strip())
    assert "look" in info["legal_actions"] and any(c.startswith("go to ") for c in info["legal_actions"])
    go = next(c for c in info["legal_actions"] if c.startswith("go to "))
    assert "You arrive at" in train.step(go)[0]
    again, info_again = train.reset(options={"game": 0})
    assert again == first and info_again["legal_actions"] == info["legal_actions"]


def test_original_data_is_played_when_alfworld_data_points_at_it(tmp_path):
    trial = tmp_path / "json_2.1.1" / "valid_seen" / "pick_and_place_simple-Cloth-None-Shelf-415" / "trial_T0"
    shutil.copytree(generated_game("train", 0).parent, trial)
    unsolvable = trial.parent.parent / "pick_heat_then_place_in_recep-Apple-None-Fridge-1" / "trial_T0"
    shutil.copytree(trial, unsolvable)
    game = json.loads((unsolvable / "game.tw-pddl").read_text())
    (unsolvable / "game.tw-pddl").write_text(json.dumps({**game, "solvable": False}))
    env = agora.make("text/ALFWorld-v0", split="valid_seen", data_dir=str(tmp_path))
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    total, info, _ = play(env, oracle, {})
    env.close()
    assert "infra_error" in env.step("look")[4]  # a closed game says so, it does not raise
    assert info["game_file"] == str(trial / "game.tw-pddl") and info["won"] and total == 1.0
    assert len(env.unwrapped._games()) == 1  # the unsolvable game is left out, as ALFWorld's loader does


def test_commands_are_one_line_of_printable_ascii():
    assert clean_command("go to\ncabinet 1\x00") == "go to cabinet 1"
    assert len(clean_command("x" * 10_000)) == 200
