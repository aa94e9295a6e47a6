"""One desktop inside a sandbox: Xvfb, openbox and one application, driven with xdotool.

Everything runs in the `agora-sandbox-desktop` container through the command server (no VM, no KVM):
`start` launches the X server, the window manager and the application as processes kept across commands
(``keep_processes``); `act` runs one xdotool command line; `look` returns the screen and the window list
from one command (the framebuffer Xvfb keeps as an XWD file, gzip-compressed in the sandbox). The
sandbox's reset kills them all and empties the home directory, so each episode starts from nothing.

With ``tree_objects`` the episode also gets its own D-Bus session bus under `A11Y_DIR` (GTK applications
then register with the AT-SPI accessibility bus that it starts) and the tree reader (`a11y_reader.py`,
copied in and started with the desktop), and each look asks the reader for the accessibility tree in the
same command as the screenshot.
"""

from __future__ import annotations

import base64
import gzip
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agora.envs.desktop.xwd import decode_xwd
from agora.errors import SandboxError
from agora.sandbox.base import Sandbox

WIDTH, HEIGHT = 800, 600
DISPLAY = ":1"
HOME = "/work"
FRAMEBUFFER = "/tmp/Xvfb_screen0"
ENVIRONMENT = {
    "DISPLAY": DISPLAY,
    "HOME": HOME,
    "NO_AT_BRIDGE": "1",  # no accessibility bus: GTK would wait 25 s for one
    "GSETTINGS_BACKEND": "keyfile",  # settings land in ~/.config/glib-2.0/settings/keyfile, where graders read them
    "LANG": "C.UTF-8",
}
OPENBOX_CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <applications>
    <application class="*" type="normal"><maximized>yes</maximized><decor>no</decor></application>
  </applications>
</openbox_config>
"""
"""Every application window maximized without decorations: one known layout per app, for agents and oracles."""
GTK_SETTINGS = "[Settings]\ngtk-cursor-blink=false\n"
"""No blinking text cursor: the same seed and actions give the same pixels."""
A11Y_DIR = "/tmp/agora-a11y"
"""The episode's session bus socket, the accessibility bus's runtime directory, the tree reader and its FIFOs."""
A11Y_ENVIRONMENT = {
    "DBUS_SESSION_BUS_ADDRESS": f"unix:path={A11Y_DIR}/bus",
    "XDG_RUNTIME_DIR": f"{A11Y_DIR}/run",  # the accessibility bus's socket: in /tmp, not the agent's home
    "GTK_MODULES": "gail:atk-bridge",  # GTK 2 apps (PCManFM) load the AT-SPI bridge as a module
}
"""What the desktop's environment becomes with the tree (in place of ``NO_AT_BRIDGE``)."""
READER = Path(__file__).with_name("a11y_reader.py")
TREE_MAX_OBJECTS = 400
"""The most objects one look writes (the reader's own bound); `accessibility_tree=N` asks for fewer."""
TREE_MAX_CHARS = 17_000
"""The most characters of tree text the host keeps (the reader writes at most 16,000 and a truncation line)."""
TREE_WAIT_S = 2.5
"""How long a look waits for the tree (the reader's walk stops at 1 s and writes what it has)."""
NO_TREE = "(none exposed)"
_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
SEPARATOR = "@@agora-screen@@"
MAX_WINDOWS = 20
START_TIMEOUT_S = 45.0
"""How long a desktop may take to start (X server, window manager, the app drawn): about 1-2 s on a quiet
machine; 20 s was not enough on the shared 2-core machine at a load average near 60."""


@dataclass(frozen=True)
class Window:
    """A top-level window: its title and geometry in screen pixels."""

    title: str
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class Screen:
    """What the desktop shows: the pixels, the windows and the title of the focused one."""

    image: np.ndarray
    windows: tuple[Window, ...]
    active: str
    tree: str | None = None
    """The accessibility tree as text (`NO_TREE` when no app exposes one), or None when the desktop has none."""

    def summary(self) -> str:
        """The window list as text (title and geometry), the focused window marked, then the tree if any."""
        lines = ["Windows: none"] if not self.windows else ["Windows (x, y, width, height):"]
        for w in self.windows:
            mark = " [focused]" if w.title == self.active else ""
            lines.append(f'  "{w.title}" at ({w.x}, {w.y}, {w.width}, {w.height}){mark}')
        if self.tree is not None:
            lines.append('Accessibility tree (role "name" (x, y, width, height), showing objects only):')
            lines.append(self.tree)
        return "\n".join(lines)


def exports(accessibility: bool = False) -> str:
    """The shell line that sets the desktop's environment (with the accessibility bus, or without any bus)."""
    env = {k: v for k, v in ENVIRONMENT.items() if not (accessibility and k == "NO_AT_BRIDGE")}
    env.update(A11Y_ENVIRONMENT if accessibility else {})
    return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())


def tree_text(raw: str) -> str:
    """The reader's answer as it goes into the observation (`NO_TREE` when empty).

    At most `TREE_MAX_CHARS` characters and `TREE_MAX_OBJECTS` + 2 lines, control and direction-changing
    characters replaced: the reader escapes them, and this holds even if the agent replaced the reader.
    """
    lines = _UNPRINTABLE.sub("?", raw[:TREE_MAX_CHARS]).split("\n")  # before splitting: \x85 ends a line too
    text = "\n".join(line.rstrip() for line in lines[: TREE_MAX_OBJECTS + 2]).strip("\n")
    return text if text.strip() else NO_TREE


class Desktop:
    """The X session of one episode inside `box` (see the module docs)."""

    def __init__(self, box: Sandbox, settle_s: float = 0.05, tree_objects: int = 0):
        self.box = box
        self.settle_s = settle_s
        self.tree_objects = min(max(0, tree_objects), TREE_MAX_OBJECTS)
        """The most objects of the accessibility tree a look writes; 0: no tree, and no bus at all."""

    def start(self, app_command: str, window_class: str, pointer: tuple[int, int] = (WIDTH // 2, HEIGHT // 2)) -> None:
        """Starts Xvfb, openbox and `app_command`; returns once a window of `window_class` is shown.

        The pointer rests at `pointer` from the start, before the app maps its window.
        """
        self.box.write_file("/tmp/openbox.xml", OPENBOX_CONFIG)
        self.box.write_file(f"{HOME}/.config/gtk-3.0/settings.ini", GTK_SETTINGS)
        if self.tree_objects:
            self.box.write_file(f"{A11Y_DIR}/reader.py", READER.read_bytes())
        cls = shlex.quote(window_class)
        # each stage waits for the one before (an app mapped while openbox starts waits seconds for it), and
        # the episode starts once the app has drawn: two framebuffer reads 100 ms apart are the same
        script = f"""{exports(bool(self.tree_objects))}
cd {HOME}
{self._bus_script()}
setsid Xvfb {DISPLAY} -screen 0 {WIDTH}x{HEIGHT}x24 -fbdir /tmp -nolisten tcp -noreset >/dev/null 2>&1 &
for i in $(seq 1000); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.01; done
echo x-server-up
xdotool mousemove {int(pointer[0])} {int(pointer[1])}
{self._reader_script()}
setsid openbox --config-file /tmp/openbox.xml >/dev/null 2>&1 &
for i in $(seq 1000); do wmctrl -m >/dev/null 2>&1 && break; sleep 0.01; done
echo window-manager-up
setsid {app_command} >/tmp/app.log 2>&1 &
for i in $(seq 1000); do xdotool search --onlyvisible --classname {cls} >/dev/null 2>&1 && break; sleep 0.02; done
xdotool search --onlyvisible --classname {cls} >/dev/null 2>&1 || exit 1
echo app-mapped
last=""
for i in $(seq 50); do now=$(md5sum < {FRAMEBUFFER}); [ "$now" = "$last" ] && exit 0; last=$now; sleep 0.1; done
"""
        result = self.box.exec(script, timeout_s=START_TIMEOUT_S, keep_processes=True)
        if not result.succeeded:
            logs = "/tmp/app.log" + (f" {A11Y_DIR}/reader.log" if self.tree_objects else "")  # an image without gi?
            log = self.box.exec(f"tail -q -c 600 {logs}", keep_processes=True).stdout
            stages = " ".join(result.stdout.split())
            raise SandboxError(
                f"the desktop did not start {app_command!r} (exit {result.exit_code}, timed out: {result.timed_out},"
                f" stages: {stages or 'none'}): {log}"
            )

    def _bus_script(self) -> str:
        """The shell lines that start the episode's session bus (none without the tree).

        The services it starts (the accessibility bus launcher) keep their settings in memory, out of the home.
        """
        if not self.tree_objects:
            return ""
        return (
            f"mkdir -p -m 700 {A11Y_DIR}/run && GSETTINGS_BACKEND=memory dbus-daemon --session --fork --nopidfile"
            f" --address=unix:path={A11Y_DIR}/bus >/dev/null 2>&1 || exit 2\necho session-bus-up"
        )

    def _reader_script(self) -> str:
        """The shell lines that start the tree reader and wait until it serves (none without the tree).

        It starts after the X server (the accessibility bus publishes itself on the root window) and before
        the app, so that the app finds the reader's listener registered when it starts.
        """
        if not self.tree_objects:
            return ""
        return (
            f"setsid python3 -I {A11Y_DIR}/reader.py {A11Y_DIR} {self.tree_objects} {WIDTH} {HEIGHT}"
            f" >{A11Y_DIR}/reader.log 2>&1 &\nreader=$!\n"
            f"for i in $(seq 1000); do [ -p {A11Y_DIR}/request ] && break; kill -0 $reader || break; sleep 0.02; done\n"
            f"[ -p {A11Y_DIR}/request ] || exit 3\necho tree-reader-up"
        )

    def act(self, calls: list[str], timeout_s: float = 10.0) -> str:
        """Runs ``xdotool <args>`` for each of `calls`, stopping at a failure; returns the error output ('' if none)."""
        chain = " && ".join(f"xdotool {args}" for args in calls)
        result = self.box.exec(f"{self._exports()}; {chain}", timeout_s=timeout_s, keep_processes=True)
        if result.timed_out:
            return "the action took too long and was stopped"
        if result.exit_code != 0 or "No such key name" in result.stderr:
            return (result.stderr.strip() or f"xdotool exit code {result.exit_code}")[:300]
        return ""

    def close_app(self, window_class: str, process: str, wait_s: float = 15.0) -> None:
        """Closes the app as a user would and waits until its process `process` has exited (at most `wait_s`).

        Open menus and dialogs are dismissed with Escape first, then the window manager asks each window of
        `window_class` to close (``WM_DELETE_WINDOW``, the close button's message), again every second, so the
        app runs its own quit path and saves what it saves on quitting. An app that does not quit in time
        (an agent may leave a dialog that holds it) is graded on what it saved so far.
        """
        cls, name = shlex.quote(window_class), shlex.quote(process)
        script = (
            "xdotool key Escape key Escape 2>/dev/null;"
            f" for i in $(seq {int(wait_s * 10)}); do ps -C {name} -o stat= | grep -qv Z || exit 0;"
            f" [ $((i % 10)) = 1 ] && wmctrl -x -c {cls} 2>/dev/null; sleep 0.1; done"
        )
        self.run(script, timeout_s=wait_s + 10.0)

    def run(self, command: str, timeout_s: float = 10.0) -> str:
        """Runs a shell command in the desktop's environment (for the env and graders, never the agent)."""
        return self.box.exec(f"{self._exports()}; {command}", timeout_s=timeout_s, keep_processes=True).stdout

    def look(self) -> Screen:
        """The screen after `settle_s`: pixels, windows (title and geometry) and the focused window's title."""
        return self.step([])[1]

    def step(self, calls: list[str]) -> tuple[str, Screen]:
        """Runs ``xdotool <args>`` for each of `calls` (stopping at a failure), then reads the screen, in one command.

        Returns the actions' error output ('' when they succeeded) and the screen after `settle_s`.
        """
        chain = " && ".join(f"xdotool {args}" for args in calls) or "true"
        command = (
            f"{self._exports()}; {{ {chain} ; }} 2>/tmp/action.err; echo $?; head -c 300 /tmp/action.err; echo;"
            f" echo {SEPARATOR}; sleep {self.settle_s}; {self._ask_tree()} wmctrl -lG | head -n {MAX_WINDOWS};"
            f" echo {SEPARATOR}; xdotool getactivewindow getwindowname 2>/dev/null; echo {SEPARATOR};"
            f" gzip -1 -c {FRAMEBUFFER} | base64 -w0{self._read_tree()}"
        )
        result = self.box.exec(command, timeout_s=10.0, keep_processes=True)
        parts = result.stdout.split(SEPARATOR + "\n", 4)  # the tree comes last: a separator in it stays in it
        if result.exit_code != 0 or result.truncated or len(parts) != (5 if self.tree_objects else 4):
            raise SandboxError(f"could not read the screen (exit {result.exit_code}): {result.stderr[-300:]}")
        outcome, windows, active, encoded = parts[:4]
        status, _, stderr = outcome.partition("\n")
        error = ""
        if status.strip() != "0" or "No such key name" in stderr:
            error = stderr.strip() or f"xdotool exit code {status.strip()}"
        image = decode_xwd(gzip.decompress(base64.b64decode(encoded)))
        tree = tree_text(parts[4]) if self.tree_objects else None
        return error, Screen(image, parse_windows(windows), active.strip(), tree)

    def _exports(self) -> str:
        return exports(bool(self.tree_objects))

    def _ask_tree(self) -> str:
        """Shell that asks the reader for the tree in the background, into a file `_read_tree` prints ('' without).

        The request names a FIFO of this command's own; the reader writes the walk into it. A reader that is
        gone or stuck costs at most `TREE_WAIT_S`, and the look says the tree is unavailable.
        """
        if not self.tree_objects:
            return ""
        fifo = f"{A11Y_DIR}/reply.$$"
        ask = f"[ -p {A11Y_DIR}/request ] && echo $0 > {A11Y_DIR}/request && exec cat $0"
        return (
            f"mkfifo -m 600 {fifo}; {{ timeout -k 1 {TREE_WAIT_S} sh -c '{ask}' {fifo} > {fifo}.txt 2>/dev/null"
            f" || echo '[unavailable: the tree reader did not answer]' >> {fifo}.txt; }} &"
        )

    def _read_tree(self) -> str:
        """Shell that waits for the background request of `_ask_tree` and prints its answer after a separator."""
        if not self.tree_objects:
            return ""
        fifo = f"{A11Y_DIR}/reply.$$"
        return f"; echo; echo {SEPARATOR}; wait; head -c {TREE_MAX_CHARS} {fifo}.txt; rm -f {fifo} {fifo}.txt"


def parse_windows(listing: str) -> tuple[Window, ...]:
    """Windows from ``wmctrl -lG`` lines (id, desktop, x, y, width, height, host, title); the desktop skipped."""
    windows = []
    for line in listing.split("\n")[:MAX_WINDOWS]:  # not splitlines: \x85 in a title ends no line
        fields = line.split(None, 7)
        if len(fields) < 7 or fields[1] == "-1":  # -1: sticky desktop-wide windows (panels)
            continue
        try:
            x, y, width, height = (int(f) for f in fields[2:6])
        except ValueError:
            continue
        title = _UNPRINTABLE.sub("?", fields[7][:120]) if len(fields) == 8 else ""
        windows.append(Window(title, x, y, width, height))
    return tuple(windows)
