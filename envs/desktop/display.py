"""One desktop inside a sandbox: Xvfb, openbox and one application, driven with xdotool.

Everything runs in the `agora-sandbox-desktop` container through the command server (no VM, no KVM):
`start` launches the X server, the window manager and the application as processes kept across commands
(``keep_processes``); `act` runs one xdotool command line; `look` returns the screen and the window list
from one command (the framebuffer Xvfb keeps as an XWD file, gzip-compressed in the sandbox). The
sandbox's reset kills them all and empties the home directory, so each episode starts from nothing.
"""

from __future__ import annotations

import base64
import gzip
import shlex
from dataclasses import dataclass

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

    def summary(self) -> str:
        """The window list as text (title and geometry), the focused window marked."""
        if not self.windows:
            return "Windows: none"
        lines = ["Windows (x, y, width, height):"]
        for w in self.windows:
            mark = " [focused]" if w.title == self.active else ""
            lines.append(f'  "{w.title}" at ({w.x}, {w.y}, {w.width}, {w.height}){mark}')
        return "\n".join(lines)


def exports() -> str:
    """The shell line that sets the desktop's environment."""
    return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in ENVIRONMENT.items())


class Desktop:
    """The X session of one episode inside `box` (see the module docs)."""

    def __init__(self, box: Sandbox, settle_s: float = 0.05):
        self.box = box
        self.settle_s = settle_s

    def start(self, app_command: str, window_class: str, pointer: tuple[int, int] = (WIDTH // 2, HEIGHT // 2)) -> None:
        """Starts Xvfb, openbox and `app_command`; returns once a window of `window_class` is shown.

        The pointer rests at `pointer` from the start, before the app maps its window.
        """
        self.box.write_file("/tmp/openbox.xml", OPENBOX_CONFIG)
        self.box.write_file(f"{HOME}/.config/gtk-3.0/settings.ini", GTK_SETTINGS)
        cls = shlex.quote(window_class)
        # each stage waits for the one before (an app mapped while openbox starts waits seconds for it), and
        # the episode starts once the app has drawn: two framebuffer reads 100 ms apart are the same
        script = f"""{exports()}
cd {HOME}
setsid Xvfb {DISPLAY} -screen 0 {WIDTH}x{HEIGHT}x24 -fbdir /tmp -nolisten tcp -noreset >/dev/null 2>&1 &
for i in $(seq 1000); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.01; done
echo x-server-up
xdotool mousemove {int(pointer[0])} {int(pointer[1])}
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
            log = self.box.exec("tail -c 600 /tmp/app.log", keep_processes=True).stdout
            stages = " ".join(result.stdout.split())
            raise SandboxError(
                f"the desktop did not start {app_command!r} (exit {result.exit_code}, timed out: {result.timed_out},"
                f" stages: {stages or 'none'}): {log}"
            )

    def act(self, calls: list[str], timeout_s: float = 10.0) -> str:
        """Runs ``xdotool <args>`` for each of `calls`, stopping at a failure; returns the error output ('' if none)."""
        chain = " && ".join(f"xdotool {args}" for args in calls)
        result = self.box.exec(f"{exports()}; {chain}", timeout_s=timeout_s, keep_processes=True)
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
        return self.box.exec(f"{exports()}; {command}", timeout_s=timeout_s, keep_processes=True).stdout

    def look(self) -> Screen:
        """The screen after `settle_s`: pixels, windows (title and geometry) and the focused window's title."""
        return self.step([])[1]

    def step(self, calls: list[str]) -> tuple[str, Screen]:
        """Runs ``xdotool <args>`` for each of `calls` (stopping at a failure), then reads the screen, in one command.

        Returns the actions' error output ('' when they succeeded) and the screen after `settle_s`.
        """
        chain = " && ".join(f"xdotool {args}" for args in calls) or "true"
        command = (
            f"{exports()}; {{ {chain} ; }} 2>/tmp/action.err; echo $?; head -c 300 /tmp/action.err; echo;"
            f" echo {SEPARATOR}; sleep {self.settle_s}; wmctrl -lG | head -n {MAX_WINDOWS}; echo {SEPARATOR};"
            f" xdotool getactivewindow getwindowname 2>/dev/null; echo {SEPARATOR};"
            f" gzip -1 -c {FRAMEBUFFER} | base64 -w0"
        )
        result = self.box.exec(command, timeout_s=10.0, keep_processes=True)
        parts = result.stdout.split(SEPARATOR + "\n")
        if result.exit_code != 0 or result.truncated or len(parts) != 4:
            raise SandboxError(f"could not read the screen (exit {result.exit_code}): {result.stderr[-300:]}")
        outcome, windows, active, encoded = parts
        status, _, stderr = outcome.partition("\n")
        error = ""
        if status.strip() != "0" or "No such key name" in stderr:
            error = stderr.strip() or f"xdotool exit code {status.strip()}"
        image = decode_xwd(gzip.decompress(base64.b64decode(encoded)))
        return error, Screen(image, parse_windows(windows), active.strip())


def parse_windows(listing: str) -> tuple[Window, ...]:
    """Windows from ``wmctrl -lG`` lines (id, desktop, x, y, width, height, host, title); the desktop skipped."""
    windows = []
    for line in listing.splitlines()[:MAX_WINDOWS]:
        fields = line.split(None, 7)
        if len(fields) < 7 or fields[1] == "-1":  # -1: sticky desktop-wide windows (panels)
            continue
        try:
            x, y, width, height = (int(f) for f in fields[2:6])
        except ValueError:
            continue
        title = fields[7][:120] if len(fields) == 8 else ""
        windows.append(Window(title, x, y, width, height))
    return tuple(windows)
