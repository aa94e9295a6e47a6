"""Gnumeric (``desktop/gnumeric.<template>-v0``): the GNOME spreadsheet under Xvfb, in a Docker sandbox.

A seeded CSV table (name, score, hours) is open. Change tasks (set a cell, add a row, a formula, a computed
column) ask for the workbook to be saved as ``~/<name>.gnumeric``; the grader converts it with Gnumeric's
``ssconvert`` in the sandbox and checks the computed cell values. Question tasks are graded by the exact
answer. Reward 1 or 0; malformed actions earn 0 and an error observation. See `agora.envs.desktop.base`.

Option: ``accessibility_tree=True`` (or the most objects to show, 1 to 400) adds the accessibility tree
(AT-SPI) to the observation text, one showing object a line as ``role "name" (x, y, width, height)`` in screen
pixels; here the menus, toolbars, cell reference and formula entries (the sheet's cells are not exposed). It
is off by default: it adds up to about 0.3 s to a step (see docs/guides/desktop.md, "Accessibility tree").
"""

from __future__ import annotations

from agora.envs.desktop.base import DesktopEnv
from agora.envs.desktop.gnumeric.tasks import TEMPLATES


class GnumericEnv(DesktopEnv):
    """Spreadsheet tasks in Gnumeric (see the module docs)."""

    app = "gnumeric"
    templates = {t.name: t for t in TEMPLATES}
