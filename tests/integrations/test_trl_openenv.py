"""TRL's OpenEnv path: `AgoraEnvironment` played through OpenEnv's generic client against `agora serve`."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import agora
from agora.integrations.trl import environment_factory
from agora.server.app import ServerThread

pytestmark = pytest.mark.slow  # importing openenv-core loads fastapi and gradio (5 to 20 s here)
pytest.importorskip("openenv.core", reason="needs pip install 'agora[openenv]'")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server_url():
    with ServerThread() as running:
        yield f"http://127.0.0.1:{running.server.bound_port}"


@pytest.mark.parametrize(
    ("env_id", "kwargs", "opening"),  # illegal and malformed moves first: the env's penalty, the same on both sides
    [("games/TicTacToe-v0", {"opponent": "random", "seat": 0}, ["[4]", "[4]", "oops"]),
     ("drills/GuessNumber-v0", {}, ["[99]", "two"])],
)  # fmt: skip
def test_openenv_environment_plays_as_the_in_process_one(server_url, env_id, kwargs, opening):
    remote = environment_factory(env_id, openenv_url=server_url, **kwargs)()
    local = environment_factory(env_id, **kwargs)()
    for seed in (3, 4):
        assert remote.reset(prompt=[{"role": "user", "content": "ignored"}], seed=seed) == local.reset(seed=seed)
        assert remote.info == json.loads(json.dumps(local.info))  # the endpoint sends info as JSON
        for turn in range(30):
            if local.done:
                break
            legal = local.info["legal_actions"]
            move = opening[turn] if turn < len(opening) else legal[turn % len(legal)]
            assert remote.act(move) == local.act(move)
            assert remote.info == json.loads(json.dumps(local.info))
        assert local.done and remote.done and remote.turn_rewards == local.turn_rewards
        assert remote.get_reward() == local.get_reward()
        assert remote.env.state() == {"episode_id": None, "step_count": len(local.actions), "env_id": env_id}
        with pytest.raises(ValueError, match="episode is over"):
            remote.act("[0]")
    remote.env.close()


def test_unknown_id_is_reported_by_the_server(server_url):
    env = environment_factory("games/NoSuchGame-v0", openenv_url=server_url)()
    with pytest.raises(RuntimeError, match="No env is registered"):
        env.reset(seed=0)
    env.env.close()


def test_example_trains_two_grpo_steps_through_the_openenv_endpoint(tmp_path):
    out = tmp_path / "run"
    script = ROOT / "examples" / "integrations" / "trl_grpo.py"
    proc = subprocess.run([sys.executable, str(script), "--openenv", "--out", str(out)], capture_output=True,
                          text=True, timeout=900, cwd=ROOT)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 2 and len(summary["reward"]) == 2
    assert max(summary["tool_call_frequency"]) > 0  # the model played the env through the tool: multi-turn
    assert summary["weights_moved_l1"] > 0
    report = summary["openenv"]
    episodes = report["episodes"]
    assert report["server_sessions"] == len(episodes) >= 4  # every environment TRL built held its own session
    played = [e for e in episodes if e["actions"]]
    assert played
    for episode in played:  # the server stepped each action, and agora in this process scores them the same
        assert episode["server_state"] == {"episode_id": None, "step_count": len(episode["actions"]),
                                           "env_id": summary["env"]}  # fmt: skip
        env = agora.make(summary["env"])
        env.reset(seed=episode["seed"])
        assert [env.step(action)[1] for action in episode["actions"]] == episode["turn_rewards"]
