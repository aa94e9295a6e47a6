"""Task templates of the desktop family: from a seed, each draws the files, goal, grader and an oracle plan.

A `Template` belongs to one application (`APPS`); `Template.make(seed)` returns a `Task`. A question task
has an exact `answer`; a change task has a `check` that reads the state the episode left (files in the home
directory, application settings) through a `State` and returns a score in [0, 1]. `oracle` is a list of
the env's own actions that solves the task (the oracle agent replays it), proving each template solvable.
"""

from __future__ import annotations

import random
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from agora.envs.desktop.display import HOME

SETTINGS_KEYFILE = ".config/glib-2.0/settings/keyfile"
"""Where GTK applications keep their settings in the fresh home (GSettings' keyfile backend)."""
INSTANCES_PER_TEMPLATE = 10
"""Seeds per template counted as its instances in the catalogue (seeds 0..9; any other seed works too)."""


@dataclass(frozen=True)
class App:
    """A real application of the image: how to start it (``{file}`` is the file it opens) and its X window class."""

    name: str
    command: str
    window_class: str
    description: str
    pointer: tuple[int, int] = (400, 300)
    """Where the pointer rests when the episode starts: a spot of the app's maximized window with no tooltip
    (a tooltip shows after the pointer rests half a second on a widget that has one, so a start under it
    would show it or not depending on timing)."""

    @property
    def process(self) -> str:
        """The name of the app's process (the command's program)."""
        return self.command.split()[0]


APPS: dict[str, App] = {
    a.name: a
    for a in (
        App("xterm", "xterm -geometry 96x32+0+0 -fa 'DejaVu Sans Mono' -fs 10", "xterm", "the xterm terminal (bash)"),
        App("mousepad", "mousepad {file}", "mousepad", "the Mousepad text editor"),
        App("gnumeric", "gnumeric {file}", "gnumeric", "the Gnumeric spreadsheet"),
        App("galculator", "galculator", "galculator", "the galculator calculator", pointer=(200, 60)),
        App("pcmanfm", "pcmanfm {file}", "pcmanfm", "the PCManFM file manager"),
    )
}


class State:
    """What a grader may read after an episode: files under the home directory and command output."""

    def __init__(self, read: Callable[[str], bytes | None], run: Callable[[str], str]):
        self._read, self._run = read, run

    def text(self, path: str, follow_links: bool = False) -> str | None:
        """The text of ``~/path`` (UTF-8), or None when it does not exist.

        Unless `follow_links`, only a file of its own counts: None when the path or a folder on it is a
        symbolic link, or when the file is a hard link (more than one name), so that a link to a file that
        already holds the expected text is not taken for the copy, rename or new file a task asks for.
        """
        if not follow_links and not self.own_file(path):
            return None
        data = self._read(f"{HOME}/{path}")
        return None if data is None else data.decode("utf-8", "replace")

    def own_file(self, path: str) -> bool:
        """Whether ``~/path`` is a regular file reached through no symbolic link and with no other name."""
        f = shlex.quote(f"{HOME}/{path}")
        own = f'[ -f {f} ] && [ "$(realpath -e -- {f})" = {f} ] && [ "$(stat -c %h -- {f})" = 1 ]'
        return self._run(f"{own} && echo yes").strip() == "yes"

    def exists(self, path: str, kind: str = "e") -> bool:
        """Whether ``~/path`` exists (`kind`: "e" anything, "f" a file, "d" a directory, "L" a link, "x" executable)."""
        return self._run(f"test -{kind} {shlex.quote(f'{HOME}/{path}')} && echo yes").strip() == "yes"

    def run(self, command: str) -> str:
        """The output of a shell command in the sandbox (graders only)."""
        return self._run(command)

    def setting(self, group: str, key: str) -> str | None:
        """A GSettings value the applications saved (``GSETTINGS_BACKEND=keyfile``), as written, or None."""
        return self.ini(SETTINGS_KEYFILE, group, key)

    def ini(self, path: str, group: str, key: str) -> str | None:
        """The value of `key` in ``[group]`` of the INI-style file ``~/path`` (as written, stripped), or None."""
        return ini_value(self.text(path) or "", group, key)


def ini_value(text: str, group: str, key: str) -> str | None:
    """The last value of `key` in ``[group]`` of an INI-style text (GLib key files, most apps' configs), or None."""
    current, value = None, None
    for line in text.splitlines()[:10_000]:
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == group and line.partition("=")[0].strip() == key:
            value = line.partition("=")[2].strip()
    return value


Check = Callable[[State], float]


@dataclass(frozen=True)
class Task:
    """One drawn instance: files (home-relative path -> bytes), what the app opens, the goal and how it is graded."""

    instruction: str
    files: dict[str, bytes]
    oracle: tuple[str, ...]
    answer: str | None = None
    check: Check | None = None
    open_file: str = ""
    close_app: bool = False
    """Whether the grader first closes the application as a user would (its window's close button) and waits
    for it to exit: apps that write their settings when they quit (galculator, PCManFM) then write the state
    they hold, over anything else that was written to their config file during the episode."""


@dataclass(frozen=True)
class Template:
    """A task template of one app: `draw(rng)` makes a `Task`."""

    app: str
    name: str
    draw: Callable[[random.Random], Task]

    def make(self, seed: int) -> Task:
        """The task of this template for `seed` (the same seed, the same task)."""
        return self.draw(random.Random(f"{self.app}.{self.name}.{seed}"))


def quote(text: str) -> str:
    """A string literal for an action line: ``type("...")`` with quotes and backslashes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def type_(text: str) -> str:
    """The action that types `text`."""
    return f"type({quote(text)})"


def key(keys: str) -> str:
    """The action that presses `keys`."""
    return f"key({quote(keys)})"


def answer(text: str = "") -> str:
    """The action that ends the episode with `text`."""
    return f"answer({quote(text)})"


def same_text(expected: str) -> Callable[[str | None], float]:
    """1 when a file's text equals `expected` up to trailing whitespace at the end, else 0."""
    return lambda actual: float(actual is not None and actual.rstrip() == expected.rstrip())
