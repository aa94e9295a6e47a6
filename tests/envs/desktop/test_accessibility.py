"""The accessibility tree in the desktop observation (``accessibility_tree=True``), with the real apps in Docker:
its extents are screen coordinates, its bounds hold, app-controlled names are escaped, and nothing of the
episode's buses survives a reset.
"""

from __future__ import annotations

import re

import pytest

import agora
from agora.envs.desktop.display import _UNPRINTABLE, NO_TREE

pytestmark = [pytest.mark.docker, pytest.mark.slow]

LINE = re.compile(
    r'^( *)(\w[\w ]*) "((?:[^"\\]|\\.)*)(?:\.\.\.)?"(?: \((-?\d+), (-?\d+), (-?\d+), (-?\d+)\))?(?: = (.*))?$'
)
"""One object line: indentation, role, name, extents and text (see envs/desktop/a11y_reader.py)."""


def tree_of(obs) -> list[str]:
    """The lines of the tree section of an observation's text."""
    text = obs["text"]
    assert "Accessibility tree" in text, text
    return text.split("showing objects only):\n", 1)[1].split("\nError:")[0].splitlines()


def find(lines: list[str], role: str, name: str) -> tuple[int, int, int, int]:
    """The extents of the first object with `role` and `name`."""
    for line in lines:
        match = LINE.match(line)
        if match and match[2] == role and match[3] == name and match[4] is not None:
            return tuple(int(match[k]) for k in range(4, 8))
    raise AssertionError(f'no {role} "{name}" in:\n' + "\n".join(lines))


def waiting(env, obs, holds, waits: int = 5):
    """The first observation (`obs`, then one after each ``wait()``) whose tree `holds` (the app may lag under load)."""
    for _ in range(waits):
        if holds(tree_of(obs)):
            return obs
        obs, *_ = env.step("wait()")
    assert holds(tree_of(obs)), tree_of(obs)
    return obs


@pytest.fixture(scope="module")
def calculator():
    env = agora.make("desktop/galculator.add-v0", accessibility_tree=True)
    yield env
    env.close()


def test_a_button_s_extents_are_where_a_click_presses_it(calculator):
    """galculator's buttons are in the tree with their screen extents: a click at the centre of "7" types 7,
    which the display (a text object of the tree) then shows. The window is moved off the screen's origin
    first, so that extents relative to the window would miss."""
    calculator.reset(seed=3)
    calculator.unwrapped._desktop.run(
        "wmctrl -r galculator -b remove,maximized_vert,maximized_horz && wmctrl -r galculator -e 0,150,90,560,420"
    )
    obs, *_ = calculator.step("wait()")
    obs = waiting(calculator, obs, lambda lines: find(lines, "frame", "galculator")[:2] == (150, 90))
    lines = tree_of(obs)
    assert lines[0] == 'application "galculator"' and all(LINE.match(line) for line in lines), lines
    for name in ("=", "1", "7"):
        x, y, w, h = find(lines, "toggle button", name)
        assert 150 <= x and 90 <= y and w > 0 and h > 0 and x + w <= 150 + 560 and y + h <= 90 + 420
    assert find(lines, "text", "") and any(line.endswith('= "0"') for line in lines)  # the display shows 0
    x, y, w, h = find(lines, "toggle button", "7")
    obs, _, _, _, info = calculator.step(f"click({x + w // 2}, {y + h // 2})")
    assert "error" not in info
    shows_7 = lambda lines: any(LINE.match(line)[2] == "text" and line.endswith('= "7"') for line in lines)  # noqa: E731
    waiting(calculator, obs, shows_7)


def test_the_object_cap_holds_and_says_so():
    """Gnumeric shows about 75 objects; asked for at most 20, the tree writes 20 and marks the cut."""
    env = agora.make("desktop/gnumeric.set-cell-v0", accessibility_tree=20)
    try:
        obs, _ = env.reset(seed=0)
        lines = tree_of(obs)
        assert lines[-1] == "[truncated: at most 20 objects]", lines
        assert len(lines) == 21 and lines[0] == 'application "gnumeric"'
        obs, *_ = env.step("wait()")
        assert tree_of(obs)[-1] == "[truncated: at most 20 objects]"
    finally:
        env.close()


HOSTILE = "evil\x1b[2J\n\u202eexe" + "A" * 200
"""A folder name an agent could make: a terminal escape, a newline, a direction override, 200 more letters."""


def test_hostile_names_are_escaped_and_cut():
    """A folder named with control characters and 200 more letters shows escaped and cut in the file list,
    and, opened, in the window's title (the frame's name)."""
    env = agora.make("desktop/pcmanfm.count-items-v0", accessibility_tree=True)
    try:
        env.reset(seed=0)
        env.unwrapped._desktop.run(f"mkdir ~/\"$(printf 'evil\\033[2J\\n\\342\\200\\256exe'){'A' * 200}\"")
        obs, *_ = env.step("wait()")  # PCManFM sees the new folder
        obs = waiting(env, obs, lambda lines: any("evil" in line for line in lines))
        icon = next(line for line in tree_of(obs) if "evil" in line)
        assert '= "evil\\u001b[2J\\n\\u202eexe' in icon and icon.endswith('AAA..."'), icon
        x, y, w, h = (int(v) for v in LINE.match(icon).group(4, 5, 6, 7))
        obs, _, _, _, info = env.step(f"double_click({x + w // 2}, {y + h // 2})")
        assert "error" not in info
        obs = waiting(env, obs, lambda lines: any(line.startswith('  frame "evil') for line in lines))
        frame = next(line for line in tree_of(obs) if line.lstrip().startswith("frame "))
        assert frame.startswith('  frame "evil\\u001b[2J\\n\\u202eexeAAA') and '..." (' in frame, frame
        assert not _UNPRINTABLE.search(obs["text"]) and max(map(len, obs["text"].splitlines())) < 400
    finally:
        env.close()


BUS_PROCESSES = "ps -eo pid=,args= | grep -E 'dbus-daemon|at-spi|reader.py|mousepad' | grep -v grep"


def test_nothing_of_the_buses_survives_a_reset(calculator):
    """An episode's session bus, accessibility bus, registry, reader and an app registered on them are gone
    after the reset (same container): the next episode's tree holds its own app only."""
    calculator.reset(seed=1)
    desktop = calculator.unwrapped._desktop
    container = calculator.unwrapped.sandbox.get()._container.id
    desktop.run(  # a second app on the episode's buses, waited for until its window shows
        "setsid mousepad >/dev/null 2>&1 & for i in $(seq 150); do"
        " xdotool search --onlyvisible --classname mousepad >/dev/null && break; sleep 0.1; done",
        timeout_s=20.0,
    )
    obs, *_ = calculator.step("wait()")
    waiting(calculator, obs, lambda lines: 'application "mousepad"' in lines)
    before = {line.split()[0] for line in desktop.run(BUS_PROCESSES).splitlines()}
    assert len(before) >= 6  # two dbus-daemons, the launcher, the registry, the reader, mousepad

    obs, _ = calculator.reset(seed=1)
    assert calculator.unwrapped.sandbox.get()._container.id == container  # reset in place, not replaced
    after = {line.split()[0] for line in calculator.unwrapped._desktop.run(BUS_PROCESSES).splitlines()}
    assert after and not before & after
    apps = [line for line in tree_of(obs) if line.startswith("application")]
    assert apps == ['application "galculator"']


def test_an_app_without_a_tree_says_none():
    env = agora.make("desktop/xterm.count-lines-v0", accessibility_tree=True)
    try:
        obs, _ = env.reset(seed=0)
        assert tree_of(obs) == [NO_TREE]
    finally:
        env.close()


def test_a_long_list_shows_the_items_it_is_scrolled_to():
    """PCManFM's list of 200 files keeps its items out of the bridge's cache: the tree shows 60 of them at most,
    those around the ones showing, so the end of the list once scrolled there."""
    env = agora.make("desktop/pcmanfm.count-items-v0", accessibility_tree=True)
    try:
        env.reset(seed=0)
        env.unwrapped._desktop.run("for i in $(seq 200); do : > ~/f$i.txt; done")
        obs, *_ = env.step("wait()")
        obs = waiting(env, obs, lambda lines: any(line.endswith('= "f1.txt"') for line in lines))
        assert tree_of(obs)[-1] == "[truncated: at most 60 children per object]"
        x, y, w, h = (
            int(v) for v in LINE.match(next(ln for ln in tree_of(obs) if '= "f1.txt"' in ln)).group(4, 5, 6, 7)
        )
        env.step(f"click({x + w // 2}, {y + h // 2})")
        obs, *_ = env.step('key("End")')
        obs = waiting(env, obs, lambda lines: any(line.endswith('= "f200.txt"') for line in lines))
        assert not any(line.endswith('= "f1.txt"') for line in tree_of(obs))
    finally:
        env.close()
