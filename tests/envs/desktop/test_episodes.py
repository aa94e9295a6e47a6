"""Desktop episodes in the real image: oracles solve templates of every app, graders fail what is not done,
and nothing of one episode (files, settings, clipboard, processes) reaches the next.
"""

from __future__ import annotations

import pytest

import agora
from agora.envs.desktop.agents import DesktopOracle

pytestmark = [pytest.mark.docker, pytest.mark.slow]

CHANGE_SAMPLE = (
    "desktop/xterm.move-into-dir-v0",
    "desktop/mousepad.swap-lines-v0",
    "desktop/gnumeric.sum-formula-v0",
    "desktop/pcmanfm.rename-file-v0",
)
QUESTION_SAMPLE = ("desktop/galculator.parenthesized-v0",)


def _play_oracle(env) -> tuple[float, dict]:
    obs, info = env.reset(seed=7)
    assert obs["image"].shape == (600, 800, 3) and obs["image"].std() > 0  # the app is drawn
    policy = DesktopOracle(env.unwrapped.task)
    while True:
        obs, reward, terminated, truncated, info = env.step(policy.act(obs))
        assert "infra_error" not in info, info["infra_error"]
        if terminated or truncated:
            return reward, info


@pytest.mark.parametrize("env_id", CHANGE_SAMPLE + QUESTION_SAMPLE)
def test_the_oracle_solves_the_template_and_doing_nothing_fails(env_id):
    env = agora.make(env_id)
    try:
        reward, _ = _play_oracle(env)
        assert reward == 1.0
        env.reset(seed=7)
        _, reward, terminated, _, _ = env.step('answer("9999")')
        assert terminated and reward == 0.0
    finally:
        env.close()


def _run(env, command: str) -> str:
    return env.unwrapped._desktop.run(command)


def test_nothing_of_an_episode_reaches_the_next():
    env = agora.make("desktop/mousepad.append-line-v0")
    try:
        env.reset(seed=1)
        path = env.unwrapped.task.open_file
        original = _run(env, f"cat ~/{path}")
        for action in ('key("ctrl+a")', 'key("ctrl+c")', 'type("LEAKED")', 'key("ctrl+s")', "wait()"):
            env.step(action)
        _run(env, "mkdir -p ~/.config/leak && echo x > ~/.config/leak/setting && setsid sleep 777 >/dev/null 2>&1 &")
        assert "LEAKED" in _run(env, f"cat ~/{path}") and "sleep 777" in _run(env, "ps -eo args")
        env.reset(seed=1)  # the same task again, in the cleaned container
        assert _run(env, f"cat ~/{path}") == original
        assert "sleep 777" not in _run(env, "ps -eo args")
        assert _run(env, "ls -A ~/.config").split().count("leak") == 0
        for action in ('key("ctrl+End")', 'key("ctrl+v")', 'key("ctrl+s")', "wait()"):
            env.step(action)  # the clipboard of the last episode died with its X server: nothing is pasted
        assert _run(env, f"cat ~/{path}") == original
    finally:
        env.close()


def test_the_desktop_runs_without_network_or_root_inside_its_limits():
    env = agora.make("desktop/xterm.count-lines-v0")
    try:
        env.reset(seed=0)
        assert _run(env, "id -u").strip() == "1000"
        assert _run(env, "ls /sys/class/net").split() == ["lo"]
        assert (
            int(_run(env, "cat /sys/fs/cgroup/memory.max || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"))
            == 600 * 2**20
        )
        assert int(_run(env, "cat /sys/fs/cgroup/pids.max || cat /sys/fs/cgroup/pids/pids.max")) == 256
        assert "Read-only" in _run(env, "touch /usr/x 2>&1")
        obs, reward, terminated, _, info = env.step("click(9000, 1)")
        assert "outside" in info["error"] and reward == 0.0 and not terminated and "Error:" in obs["text"]
    finally:
        env.close()
