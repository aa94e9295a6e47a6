"""agora envs as TRL GRPOTrainer environments: the adapter against agora itself, and the example training run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import agora
from agora.integrations.trl import AgoraEnvironment, environment_factory, prompt_dataset

ROOT = Path(__file__).resolve().parents[2]


def test_environment_plays_the_agora_env_turn_by_turn():
    env = environment_factory("games/TicTacToe-v0", opponent="random", seat=0)()
    reference = agora.make("games/TicTacToe-v0", opponent="random", seat=0)
    obs = env.reset(prompt=[{"role": "user", "content": "ignored"}], seed=5)
    assert obs == reference.reset(seed=5)[0]
    rewards = []
    for move in ["[4]", "[0]", "[8]", "[2]", "[6]", "[1]", "[3]", "[5]", "[7]"]:
        if env.done:
            break
        legal = env.info.get("legal_actions", [])
        action = move if move in legal else (legal[0] if legal else move)
        ref_obs, reward, terminated, truncated, _ = reference.step(action)
        answer = env.act(action)
        assert answer.startswith(ref_obs)
        rewards.append(reward)
    assert env.done and answer.endswith("[episode over]") and env.turn_rewards == rewards
    assert env.get_reward() == sum(rewards) != 0  # a finished game is won, lost (+1/-1) or drawn (0, never here)
    with pytest.raises(ValueError, match="episode is over"):
        env.act("[0]")


def test_malformed_action_gets_the_env_penalty_and_no_action_scores_the_default():
    env = AgoraEnvironment("games/TicTacToe-v0", opponent="random", no_action_reward=-2.0)
    env.reset(seed=1)
    assert env.get_reward() == -2.0
    answer = env.act("no move here")
    assert env.turn_rewards and env.info.get("error") and not env.done and answer


def test_tool_schema_is_what_trl_renders():
    from transformers.utils import get_json_schema

    schema = get_json_schema(AgoraEnvironment("games/Nim-v0", opponent="random").act)
    assert schema["function"]["name"] == "act"
    assert schema["function"]["parameters"]["properties"]["action"]["type"] == "string"
    rows = prompt_dataset("games/Nim-v0", 3, seed=10)
    assert rows["seed"] == [10, 11, 12] and rows[0]["prompt"][0]["role"] == "user"


@pytest.mark.slow
def test_example_trains_a_tiny_model_two_grpo_steps(tmp_path):
    out = tmp_path / "run"
    script = ROOT / "examples" / "integrations" / "trl_grpo.py"
    proc = subprocess.run([sys.executable, str(script), "--out", str(out)], capture_output=True, text=True,
                          timeout=900, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 2 and len(summary["reward"]) == 2
    assert max(summary["tool_call_frequency"]) > 0  # the model played the env through the tool: multi-turn
    assert summary["weights_moved_l1"] > 0
