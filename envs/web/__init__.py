"""Web environments in a real headless Chromium: MiniWoB++ tasks, a local shop and real web apps, in text mode.

Ids: ``web/miniwob.<task>-v0`` (every task the ``miniwob`` package ships), ``web/shop.<task>-v0``, and
``web/<app>.<template>-v0`` for the real web apps of `WEB_APPS` (django-helpdesk, django-wiki,
django-machina, Wagtail, django-oscar: see envs/web/webapp.py; they run from ``.venv-webapps``). Each accepts
``mode="pixel"`` for screenshots and coordinate actions (the ``gui/`` family registers those variants).
Needs ``pip install 'agora[web]'`` and Debian's ``chromium``.
"""

from __future__ import annotations

from agora.registry import EnvEntry, register_all

SHOP_TURNS = 30
APP_TURNS = 30
WEB_APPS = {"helpdesk": "HelpdeskEnv", "wiki": "WikiEnv", "forum": "ForumEnv", "cms": "CmsEnv", "store": "StoreEnv"}
"""The real web apps (``web/<app>.<template>-v0``) and their env classes (see envs/web/webapp.py)."""
APP_TEMPLATES_FILE = "app_templates.json"
"""Each app's template names, in the order of its ``tasks.TEMPLATES``."""
MINIWOB_DEFAULT_TURNS = 15
MINIWOB_LONG_TURNS = 40
MINIWOB_LONG_TASKS = frozenset(
    {
        "book-flight",
        "book-flight-nodelay",
        "email-inbox",
        "email-inbox-delete",
        "email-inbox-forward",
        "email-inbox-forward-nl",
        "email-inbox-forward-nl-turk",
        "email-inbox-important",
        "email-inbox-nl-turk",
        "email-inbox-noscroll",
        "email-inbox-reply",
        "email-inbox-star-reply",
        "social-media",
        "social-media-all",
        "social-media-some",
        "click-checkboxes-large",
        "form-sequence",
        "form-sequence-2",
        "form-sequence-3",
        "order-food",
        "search-engine",
        "phone-book",
        "text-editor",
        "terminal",
        "tic-tac-toe",
        "drag-sort-numbers",
        "drag-items",
        "drag-items-grid",
        "multi-layouts",
        "multi-orderings",
        "navigate-tree",
        "stock-market",
        "use-autocomplete",
        "use-autocomplete-nodelay",
        "daily-calendar",
        "simon-says",
        "guess-number",
    }
)


def miniwob_max_turns(task: str) -> int:
    """The turn limit of a MiniWoB task: longer for multi-page and many-field tasks."""
    return MINIWOB_LONG_TURNS if task in MINIWOB_LONG_TASKS else MINIWOB_DEFAULT_TURNS


def envs() -> dict[str, EnvEntry]:
    """The family's table ``{id: (entry point, max_turns, defaults)}``: MiniWoB and shop tasks, web-app templates."""
    import json
    from pathlib import Path

    from agora.envs.web.assets import miniwob_tasks
    from agora.envs.web.shop.tasks import TEMPLATES

    table: dict[str, EnvEntry] = {
        f"web/miniwob.{task}-v0": ("agora.envs.web.miniwob.env:MiniWoBEnv", miniwob_max_turns(task), {"task": task})
        for task in miniwob_tasks()
    }
    for task in TEMPLATES:
        table[f"web/shop.{task}-v0"] = ("agora.envs.web.shop.env:ShopEnv", SHOP_TURNS, {"task": task})
    # The template names come from a data file, not from the apps' task modules: importing those at
    # registration would make `import agora` load 7 more modules (tests/test_import_graph.py counts them).
    # tests/envs/test_webapps.py checks that the file names exactly each app's TEMPLATES.
    templates = json.loads((Path(__file__).parent / APP_TEMPLATES_FILE).read_text(encoding="utf-8"))
    for app, env_class in WEB_APPS.items():
        for template in templates[app]:
            table[f"web/{app}.{template}-v0"] = (
                f"agora.envs.web.{app}.env:{env_class}",
                APP_TURNS,
                {"template": template, "turn_limit": APP_TURNS},
            )
    return table


def register_envs() -> None:
    """Registers every id of `envs()` (called through the `agora.envs` entry point)."""
    register_all(envs())
