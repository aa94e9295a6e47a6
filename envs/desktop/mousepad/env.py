"""Mousepad (``desktop/mousepad.<template>-v0``): the Xfce text editor under Xvfb, in a Docker sandbox.

A seeded text file from the home directory is open. Change tasks (edit lines, replace words, sort, fix a
typo) are graded by the text of the file the agent saved (ctrl+s), compared line by line up to trailing
whitespace at the end; question tasks by the exact answer. Reward 1 or 0; malformed actions earn 0 and an
error observation. See `agora.envs.desktop.base` for the observation and actions.

Option: ``accessibility_tree=True`` (or the most objects to show, 1 to 400) adds the accessibility tree
(AT-SPI) to the observation text, one showing object a line as ``role "name" (x, y, width, height)`` in screen
pixels; here the menus and the document, whose first 120 characters show as its text. It is off by default: it
adds up to about 0.3 s to a step (see docs/guides/desktop.md, "Accessibility tree").
"""

from __future__ import annotations

from agora.envs.desktop.base import DesktopEnv
from agora.envs.desktop.mousepad.tasks import TEMPLATES


class MousepadEnv(DesktopEnv):
    """Editing tasks in Mousepad (see the module docs)."""

    app = "mousepad"
    templates = {t.name: t for t in TEMPLATES}
