"""xterm (``desktop/xterm.<template>-v0``): a real bash shell in xterm under Xvfb, in a Docker sandbox.

The agent types shell commands into the terminal (``type("ls")`` then ``key("Enter")``) and ends with
``answer("...")``: the answer to a question task, or ``answer("")`` after a change, which the grader checks
in the home directory (files made, moved, renamed, their contents, permissions). Reward 1 when the goal is
met, else 0; malformed actions earn 0 and an error observation. See `agora.envs.desktop.base` for the
observation and actions.
"""

from __future__ import annotations

from agora.envs.desktop.base import DesktopEnv
from agora.envs.desktop.xterm.tasks import TEMPLATES


class XtermEnv(DesktopEnv):
    """Shell tasks in xterm (see the module docs)."""

    app = "xterm"
    templates = {t.name: t for t in TEMPLATES}
