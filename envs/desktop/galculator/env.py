"""galculator (``desktop/galculator.<template>-v0``): a GTK calculator under Xvfb, in a Docker sandbox.

Arithmetic questions with seeded numbers (sums, products, exact quotients, percentages, averages); the agent
operates the calculator with clicks or the keyboard and ends with ``answer("<number>")``, graded by value.
A settings task (scientific mode with a number base and angle unit) ends with ``answer("")`` and is graded
by ``galculator.conf`` as galculator writes it when the grader closes it.
Reward 1 or 0; malformed actions earn 0 and an error observation. See `agora.envs.desktop.base`.

Option: ``accessibility_tree=True`` (or the most objects to show, 1 to 400) adds the accessibility tree
(AT-SPI) to the observation text, one showing object a line as ``role "name" (x, y, width, height)`` in screen
pixels; here the buttons (toggle buttons named "7", "+", "=") and the display's text. It is off by default: it
adds up to about 0.3 s to a step (see docs/guides/desktop.md, "Accessibility tree").
"""

from __future__ import annotations

from agora.envs.desktop.base import DesktopEnv
from agora.envs.desktop.galculator.tasks import TEMPLATES


class GalculatorEnv(DesktopEnv):
    """Calculator tasks in galculator (see the module docs)."""

    app = "galculator"
    templates = {t.name: t for t in TEMPLATES}
