"""xterm (``desktop/xterm.<template>-v0``): a real bash shell in xterm under Xvfb, in a Docker sandbox.

The agent types shell commands into the terminal (``type("ls")`` then ``key("Enter")``) and ends with
``answer("...")``: the answer to a question task, or ``answer("")`` after a change, which the grader checks
in the home directory (files made, moved, renamed, their contents, permissions). Reward 1 when the goal is
met, else 0; malformed actions earn 0 and an error observation. See `agora.envs.desktop.base` for the
observation and actions.

Option: ``accessibility_tree=True`` (or the most objects to show, 1 to 400) adds the accessibility tree
(AT-SPI) to the observation text, one showing object a line as ``role "name" (x, y, width, height)`` in screen
pixels; here xterm exposes no tree (it is not a GTK app), so the section reads ``(none exposed)``. It is off
by default: it adds up to about 0.3 s to a step (see docs/guides/desktop.md, "Accessibility tree").
"""

from __future__ import annotations

from agora.envs.desktop.base import DesktopEnv
from agora.envs.desktop.xterm.tasks import TEMPLATES


class XtermEnv(DesktopEnv):
    """Shell tasks in xterm (see the module docs)."""

    app = "xterm"
    templates = {t.name: t for t in TEMPLATES}
