"""Desktop environments: real Debian applications under Xvfb in a Docker sandbox (no VM, no KVM).

Ids: ``desktop/<app>.<template>-v0`` for the apps xterm, mousepad, gnumeric, galculator and pcmanfm. The
agent sees a screenshot plus a text list of the windows and acts with pixel coordinates and the keyboard;
each template draws its files and goal from the seed, and a program grades the state the episode left
(files, settings) or the exact answer. ``agora.make(id, accessibility_tree=True)`` adds the accessibility
tree (AT-SPI) to the text: role, name and screen extents of each object the apps show. Needs
``pip install 'agora[sandbox]'``, a Docker engine and the image from ``agora containers build --offline``.
"""

from __future__ import annotations

from agora.registry import EnvEntry, register_all

DESKTOP_TURNS = 30
APP_MODULES = ("xterm", "mousepad", "gnumeric", "galculator", "pcmanfm")
"""The apps whose envs live in ``envs/desktop/<app>/`` (env.py: the env class, tasks.py: its TEMPLATES)."""
TEMPLATE_NAMES_FILE = "template_names.json"
"""Each app's template names, read at registration so that `import agora` imports no task module
(tests/test_import_graph.py counts them); tests/envs/desktop/test_parts.py checks it against `app_templates`."""


def app_templates() -> dict[str, list]:
    """Each app's templates, by app name."""
    from importlib import import_module

    return {app: import_module(f"agora.envs.desktop.{app}.tasks").TEMPLATES for app in APP_MODULES}


def envs() -> dict[str, EnvEntry]:
    """The family's table ``{id: (entry point, max_turns, defaults)}``: one id per app template."""
    import json
    from pathlib import Path

    names = json.loads((Path(__file__).parent / TEMPLATE_NAMES_FILE).read_text(encoding="utf-8"))
    table: dict[str, EnvEntry] = {}
    for app in APP_MODULES:
        entry = f"agora.envs.desktop.{app}.env:{app.capitalize()}Env"
        for name in names[app]:
            table[f"desktop/{app}.{name}-v0"] = (entry, DESKTOP_TURNS, {"template": name})
    return table


def register_envs() -> None:
    """Registers every id of `envs()` (called through the `agora.envs` entry point)."""
    register_all(envs())
