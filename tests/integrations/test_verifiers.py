"""agora envs as verifiers environments: a real evaluation (verifiers 0.3.1 in .venv-verifiers, from
scripts/setup.d/45-verifiers.sh) against `agora serve-model` with a tiny random model, replayed in agora."""

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import agora
from agora.errors import MissingDependency, UnknownEnvError
from agora.integrations.verifiers import action_of, load_environment
from agora.tools import parse_tool_call, tool_spec

ROOT = Path(__file__).resolve().parents[2]
VF_PYTHON = ROOT / ".venv-verifiers" / "bin" / "python"


def test_missing_verifiers_names_the_extra_and_unknown_ids_fail_first():
    with pytest.raises(UnknownEnvError, match="Did you mean"):
        load_environment("games/NoSuch-v0")
    if importlib.util.find_spec("verifiers") is not None:
        pytest.skip("verifiers is installed in this venv")
    with pytest.raises(MissingDependency, match=r"agora\[verifiers\]"):
        load_environment("games/TicTacToe-v0", num_examples=2)


def test_action_of_reads_text_parts_and_tool_calls():
    assert action_of({"role": "assistant", "content": "I play [4]"}) == ("I play [4]", None)
    parts = {"role": "assistant", "content": [{"type": "text", "text": "[1"}, {"type": "text", "text": "]"}]}
    assert action_of(parts) == ("[1]", None)
    assert action_of({"role": "assistant", "content": None}) == ("", None)
    openai_call = {"id": "c7", "type": "function", "function": {"name": "add", "arguments": '{"a": 1, "b": 2}'}}
    action, call_id = action_of({"role": "assistant", "content": None, "tool_calls": [openai_call]})
    integer = {"type": "integer"}
    spec = tool_spec("add", "Adds.", {"type": "object", "properties": {"a": integer, "b": integer}})
    assert call_id == "c7" and parse_tool_call(action, [spec]).arguments == {"a": 1, "b": 2}
    flat_call = {"id": "c8", "name": "add", "arguments": "{not json"}  # verifiers' own ToolCall shape
    action, call_id = action_of({"role": "assistant", "tool_calls": [flat_call]})
    assert call_id == "c8" and isinstance(parse_tool_call(action, [spec]), str)  # the env's error message


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    pytest.importorskip("torch")
    from agora.agents.local_models import save_tiny_model

    path = save_tiny_model(tmp_path_factory.mktemp("tiny") / "model")
    agora_cli = str(Path(sys.executable).parent / "agora")
    proc = subprocess.Popen([agora_cli, "serve-model", str(path), "--port", "0", "--name", "tiny"],
                            stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        url = re.search(r"(http://\S+/v1)", proc.stdout.readline()).group(1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def replay(rollout: dict, make_kwargs: dict) -> list[float]:
    """Plays the rollout's played replies in a fresh agora env, checking what verifiers recorded; returns the rewards.

    A rollout verifiers stopped on an error ends with the reply that got no answer, or with an answered
    reply whose answer verifiers left out of the completion (the failed request's prompt): its
    ``turn_rewards`` say how many replies the env played.
    """
    env = agora.make("games/TicTacToe-v0", **make_kwargs)
    observation, info = env.reset(seed=rollout["seed"])
    assert rollout["prompt"] == [
        {"role": "system", "content": info["instructions"]},
        {"role": "user", "content": observation},
    ]
    messages = rollout["completion"]
    replies = [i for i, m in enumerate(messages) if m["role"] == "assistant"]
    played = len(rollout["turn_rewards"])
    assert played == len(replies) if rollout["error"] is None else played in (len(replies) - 1, len(replies))
    rewards, over = [], False
    for i in replies[:played]:
        assert not over
        observation, reward, terminated, truncated, _ = env.step(messages[i].get("content") or "")
        if i + 1 < len(messages):
            assert messages[i + 1] == {"role": "user", "content": observation}
        rewards.append(reward)
        over = terminated or truncated
    assert over == (rollout["error"] is None)  # an error-free rollout ran until agora's episode ended
    env.close()
    return rewards


@pytest.mark.slow
@pytest.mark.skipif(not VF_PYTHON.exists(), reason="no .venv-verifiers: run scripts/setup.d/45-verifiers.sh")
def test_example_evaluates_a_served_tiny_model_and_the_rewards_are_agoras(served, tmp_path):
    script = ROOT / "examples" / "integrations" / "verifiers_eval.py"
    args = ["--base-url", served, "--model", "tiny", "--env", "games/TicTacToe-v0", "--opponent", "random",
            "--max-turns", "3", "--num-examples", "2", "--rollouts-per-example", "2", "--max-tokens", "6",
            "--out", str(tmp_path)]  # fmt: skip
    proc = subprocess.run([str(VF_PYTHON), str(script), *args], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["verifiers"] == "0.3.1"
    rollouts = results["rollouts"]
    assert sorted(r["seed"] for r in rollouts) == [0, 0, 1, 1]
    finished = 0
    for rollout in rollouts:
        rewards = replay(rollout, {"opponent": "random", "max_turns": 3})
        assert rollout["turn_rewards"] == rewards
        assert rollout["reward"] == pytest.approx(sum(rewards))
        assert all(reward in (-1.0, 0.0, 1.0) for reward in rewards)
        if rollout["error"] is None:
            finished += 1
            assert rollout["stop_condition"] == "has_final_env_response" and len(rewards) >= 1
        else:  # verifiers' own model errors (a tiny random model may reply with nothing), never an env failure
            assert rollout["stop_condition"] == "has_error" and rollout["error"]["error"] != "InfraError"
    assert finished >= 1
    assert results["avg_error"] == pytest.approx(1 - finished / len(rollouts))
    assert results["avg_reward"] == pytest.approx(sum(r["reward"] for r in rollouts) / len(rollouts))


@pytest.mark.slow
@pytest.mark.skipif(not VF_PYTHON.exists(), reason="no .venv-verifiers: run scripts/setup.d/45-verifiers.sh")
def test_an_env_that_cannot_start_is_a_verifiers_infra_error_not_a_score():
    script = ROOT / "tests" / "integrations" / "verifiers_infra_script.py"
    proc = subprocess.run([str(VF_PYTHON), str(script)], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    rollouts = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    assert len(rollouts) == 2
    for rollout in rollouts:
        assert rollout["error"]["error"] == "InfraError" and rollout["stop"] == "has_error"
        assert "BrowserCrashed" in rollout["error"]["message"] and "agora[web]" in rollout["error"]["message"]
        assert rollout["turn_rewards"] == [] and rollout["completion"] == 0  # the model was never asked
        assert rollout["avg_error"] == 1.0
