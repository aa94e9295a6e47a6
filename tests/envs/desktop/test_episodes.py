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


SELECTION_OWNERS = (
    "python3 -c \"import ctypes as c; x = c.CDLL('libX11.so.6'); x.XOpenDisplay.restype = c.c_void_p;"
    " x.XInternAtom.argtypes = [c.c_void_p, c.c_char_p, c.c_int]; x.XInternAtom.restype = c.c_ulong;"
    " x.XGetSelectionOwner.argtypes = [c.c_void_p, c.c_ulong]; x.XGetSelectionOwner.restype = c.c_ulong;"
    " d = x.XOpenDisplay(b':1');"
    " print(*[x.XGetSelectionOwner(d, x.XInternAtom(d, n, 0)) for n in (b'CLIPBOARD', b'PRIMARY')])\""
)
"""Prints the X windows owning the CLIPBOARD and PRIMARY selections (0: none), through Xlib from the image's Python."""
LEFT_BEHIND = (
    "ls -d ~/leak-home.txt ~/leak-notes.txt /tmp/leak-tmp.txt 2>/dev/null;"
    " ps -eo args | grep -E '^(sleep 777|mousepad|pcmanfm)'"
)


def test_nothing_of_an_episode_reaches_the_next():
    """An agent in xterm writes files in home and /tmp, starts a background process, changes PCManFM's and
    Mousepad's settings through the apps and copies text to the clipboard; the next episode of the same
    container sees none of it."""
    env = agora.make("desktop/xterm.count-lines-v0")
    try:
        env.reset(seed=1)
        container = env.unwrapped.sandbox.get()._container.id
        seeded = _run(env, "cat ~/*.txt")
        episode = [
            'type("pcmanfm ~ &\\n")', "wait()", "wait()", 'key("ctrl+h")', "wait()", 'key("ctrl+q")', "wait()",
            'type("echo leak | tee -a ~/*.txt > ~/leak-home.txt; echo leak > /tmp/leak-tmp.txt;'
            ' setsid sleep 777 & mousepad ~/leak-notes.txt &\\n")', "wait()", "wait()",
            "click(163, 12)", "wait()", "click(213, 88)", "wait()",  # Mousepad: View > Line Numbers
            'type("clip-secret")', 'key("ctrl+a")', 'key("ctrl+c")', "wait()",
        ]  # fmt: skip
        for action in episode:
            _, _, terminated, _, info = env.step(action)
            assert not terminated and "error" not in info, (action, info)
        assert len(_run(env, LEFT_BEHIND).splitlines()) == 4  # two files, `sleep 777` and Mousepad
        assert "show_hidden=1" in _run(env, "cat ~/.config/pcmanfm/default/pcmanfm.conf")
        assert "show-line-numbers=true" in _run(env, "cat ~/.config/glib-2.0/settings/keyfile")
        assert "leak" in _run(env, "cat ~/*.txt") and "0" not in _run(env, SELECTION_OWNERS).split()

        env.reset(seed=1)  # the same task again, in the same container, cleaned
        assert env.unwrapped.sandbox.get()._container.id == container  # reset in place, not replaced
        assert _run(env, LEFT_BEHIND) == "" and _run(env, "cat ~/*.txt") == seeded
        assert _run(env, "ls -A ~/.config; cat ~/.config/pcmanfm/default/pcmanfm.conf 2>/dev/null").split() == [
            "gtk-3.0"
        ]
        assert _run(env, SELECTION_OWNERS).split() == ["0", "0"]  # nobody owns the clipboard or the primary selection
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


def test_a_config_file_written_behind_the_app_s_back_scores_0():
    """The task asks PCManFM to show hidden files. The agent opens a terminal from it (Tools > Open Current
    Folder in Terminal, F4) and writes the graded key into PCManFM's config file itself: the grader closes
    PCManFM, which writes the setting it really holds over the forged file, and the episode scores 0."""
    env = agora.make("desktop/pcmanfm.show-hidden-v0")
    config = "~/.config/pcmanfm/default/pcmanfm.conf"
    try:
        env.reset(seed=2)
        for action in ('key("F4")', "wait()", f'type("sed -i s/show_hidden=0/show_hidden=1/ {config}\\n")', "wait()"):
            _, _, terminated, _, info = env.step(action)
            assert not terminated and "error" not in info, (action, info)
        assert "show_hidden=1" in _run(env, f"cat {config}")  # the forgery is in place before grading
        _, reward, terminated, _, info = env.step('answer("")')
        assert terminated and reward == 0.0 and "infra_error" not in info
        assert "show_hidden=0" in _run(env, f"cat {config}")  # PCManFM wrote back what it held on closing
    finally:
        env.close()


def _play(env, actions) -> float:
    for action in actions:
        _, reward, terminated, _, info = env.step(action)
        assert "infra_error" not in info, info["infra_error"]
        if terminated:
            return reward
    raise AssertionError("the plan did not end the episode")


def test_a_link_to_the_original_is_not_a_copy():
    """Asked for a copy, an agent that makes a symbolic link (whose text reads the same) scores 0; a copy, 1."""
    env = agora.make("desktop/xterm.copy-file-v0")
    try:
        env.reset(seed=4)
        plan = env.unwrapped.task.oracle  # type("cp SRC DST\n"), wait(), answer("")
        assert plan[0].startswith('type("cp ')
        assert _play(env, [plan[0].replace("cp ", "ln -s ", 1), *plan[1:]]) == 0.0
        env.reset(seed=4)
        assert _play(env, plan) == 1.0
    finally:
        env.close()
