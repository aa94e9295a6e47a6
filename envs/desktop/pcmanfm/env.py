"""PCManFM (``desktop/pcmanfm.<template>-v0``): the LXDE file manager under Xvfb, in a Docker sandbox.

The file manager shows the home directory with seeded files and folders. Change tasks (rename, new folder,
move, copy, trash) are graded by the home directory the episode left (names, contents, the trash under
``~/.local/share/Trash``); settings tasks (hidden files, status bar) by ``pcmanfm.conf`` as PCManFM writes
it when the grader closes it; question tasks (how many items, which folder, a file's size) by the exact
answer. Reward 1 or 0; malformed actions earn 0 and an error observation. See `agora.envs.desktop.base`.

Option: ``accessibility_tree=True`` (or the most objects to show, 1 to 400) adds the accessibility tree
(AT-SPI) to the observation text, one showing object a line as ``role "name" (x, y, width, height)`` in screen
pixels; here the toolbar, the location entry, the places and the folder's items with their names. It is off by
default: it adds up to about 0.3 s to a step (see docs/guides/desktop.md, "Accessibility tree").
"""

from __future__ import annotations

from agora.envs.desktop.base import DesktopEnv
from agora.envs.desktop.pcmanfm.tasks import TEMPLATES


class PcmanfmEnv(DesktopEnv):
    """File-manager tasks in PCManFM (see the module docs)."""

    app = "pcmanfm"
    templates = {t.name: t for t in TEMPLATES}
