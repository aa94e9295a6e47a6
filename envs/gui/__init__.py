"""GUI environments: the agent sees screenshots and acts with pixel coordinates.

Ids: ``gui/canvas.<task>-v0`` (widgets drawn on a canvas: only pixels say where they are) and
``gui/miniwob.<task>-v0`` (visual MiniWoB++ tasks in pixel mode). Every ``web/`` env also takes
``mode="pixel"``. Needs ``pip install 'agora[web]'`` and Debian's ``chromium``.
"""

from __future__ import annotations

from agora.registry import EnvEntry, register_all

CANVAS_TURNS = 10
PIXEL_MINIWOB_TASKS = (
    "click-button",
    "click-checkboxes",
    "click-color",
    "click-dialog",
    "click-pie",
    "click-shape",
    "count-shape",
    "drag-box",
    "enter-text",
    "grid-coordinate",
    "identify-shape",
    "use-slider",
)
"""MiniWoB++ tasks registered in pixel mode: ones whose content is visual (shapes, colours, positions)."""


def envs() -> dict[str, EnvEntry]:
    """The family's table ``{id: (entry point, max_turns, defaults)}``: canvas tasks and pixel-mode MiniWoB tasks."""
    from agora.envs.gui.canvas.tasks import TASKS
    from agora.envs.web import miniwob_max_turns
    from agora.envs.web.assets import miniwob_tasks

    table: dict[str, EnvEntry] = {
        f"gui/canvas.{task}-v0": ("agora.envs.gui.canvas.env:CanvasEnv", CANVAS_TURNS, {"task": task}) for task in TASKS
    }
    shipped = set(miniwob_tasks())
    for task in PIXEL_MINIWOB_TASKS:
        if task in shipped:
            entry = ("agora.envs.web.miniwob.env:MiniWoBEnv", miniwob_max_turns(task), {"task": task, "mode": "pixel"})
            table[f"gui/miniwob.{task}-v0"] = entry
    return table


def register_envs() -> None:
    """Registers every id of `envs()` (called through the `agora.envs` entry point)."""
    register_all(envs())
