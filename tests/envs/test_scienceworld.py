"""text/ScienceWorld-v0: the real ScienceWorld simulator (the wheel's JAR on Java), its gold paths and splits.

One env (one JVM) is shared by the module's tests and one more JVM computes gold paths (the oracle's),
so the module pays two JVM starts. The benchmark (benchmarks/text_sims.py) plays every task's gold path.
"""

from __future__ import annotations

import pytest

import agora
from agora.agent import resolve_agent
from agora.envs.text.scienceworld.agents import OracleAgent, close_gold_simulator, gold_actions
from agora.envs.text.scienceworld.env import clean_command
from agora.envs.text.scienceworld.simulator import task_name, task_names

pytest.importorskip("scienceworld", reason="ScienceWorld is in the 'text' extra: pip install 'agora[text]'")

CHEAP_TASKS = ("find-non-living-thing", "lifespan-longest-lived", "power-component")
"""Tasks whose first variation's gold path is short (5 to 11 actions): the sample the tests play."""


@pytest.fixture(scope="module")
def env():
    env = agora.make("text/ScienceWorld-v0")
    yield env
    env.close()
    close_gold_simulator()


def play(env, agent, options, max_turns=60):
    obs, info = env.reset(seed=0, options=options)
    agent.reset()
    total, terminated = 0.0, False
    for _ in range(max_turns):
        obs, reward, terminated, truncated, info = env.step(agent.act(obs, info))
        total += reward
        if terminated or truncated:
            break
    return total, info, terminated


def test_thirty_tasks_by_name_id_and_title():
    assert len(task_names()) == 30 and len(set(task_names())) == 30
    assert task_name("1-1") == "boil" == task_name("boil")
    with pytest.raises(ValueError, match="Unknown ScienceWorld task"):
        task_name("juggle")


@pytest.mark.parametrize("task", CHEAP_TASKS)
def test_gold_path_reaches_the_full_score_on_the_first_variation(env, task):
    first = env.unwrapped.simulator.splits(task)["train"][0]
    oracle = resolve_agent("oracle", table=env.unwrapped.scripted_agents)
    assert isinstance(oracle, OracleAgent)
    total, info, terminated = play(env, oracle, {"task": task, "variation": first})
    assert terminated and info["won"] and info["score"] == info["max_score"] == 100
    assert total == pytest.approx(1.0)
    assert (info["task"], info["variation"]) == (task, first)


def test_a_random_agent_does_not_solve_the_task(env):
    random_agent = resolve_agent("random", seed=0)
    total, info, _ = play(env, random_agent, {"task": "find-non-living-thing", "variation": 0}, max_turns=12)
    assert not info["won"] and total < 1.0


def test_splits_are_disjoint_and_variations_outside_the_split_are_refused(env):
    splits = env.unwrapped.simulator.splits("lifespan-longest-lived")
    train, dev, test = (set(splits[k]) for k in ("train", "dev", "test"))
    assert train and dev and test and not (train & dev or train & test or dev & test)
    with pytest.raises(ValueError, match="not in the 'train' split"):
        env.reset(options={"task": "lifespan-longest-lived", "variation": min(test)})
    test_env = agora.make("text/ScienceWorld-v0", task="lifespan-longest-lived", split="test")
    test_env.unwrapped.simulator = env.unwrapped.simulator  # share the JVM: only the split differs
    for seed in range(2):
        assert test_env.reset(seed=seed)[1]["variation"] in test


def test_reset_rebuilds_the_world_and_a_seed_picks_the_same_episode(env):
    task = {"task": "power-component", "variation": 0}
    first, info = env.reset(seed=4, options=task)
    for action in gold_actions("power-component", 0)[:4]:
        env.step(action)
    again, info_again = env.reset(seed=4, options=task)
    assert again == first and info_again["score"] == 0 and info_again["moves"] == 0
    assert info_again["legal_actions"] == info["legal_actions"]
    drawn = [env.reset(seed=7)[1] for _ in range(2)]
    assert (drawn[0]["task"], drawn[0]["variation"]) == (drawn[1]["task"], drawn[1]["variation"])


def test_a_wrong_focus_fails_the_task_with_a_negative_reward(env):
    env.reset(options={"task": "lifespan-longest-lived", "variation": 0})
    _, reward, terminated, _, info = env.step("focus on air")
    assert terminated and info["lost"] and not info["won"] and info["score"] == -100 and reward == -1.0


def test_commands_are_one_line_of_printable_ascii():
    assert clean_command("go to\nkitchen\x00\udcff") == "go to kitchen"
    assert len(clean_command("x" * 10_000)) == 300


def test_close_stops_the_jvm():
    env = agora.make("text/ScienceWorld-v0", task="find-animal")
    env.reset(seed=0)
    process = env.unwrapped.simulator.upstream._gateway.java_process
    env.close()
    assert process.poll() is not None
    obs, reward, terminated, _, info = env.step("look around")
    assert "infra_error" in info and terminated and reward == 0.0
