"""The forum's Django side (django-machina), loaded by ``envs/web/django_site.py`` in the apps' venv.

Search runs on haystack with `machina_glue.py`'s backend, which queries the forum's database directly
(offline, no index to build or to keep in step with an episode's writes); machina's permission middleware
runs through `machina_glue.ForumPermissions`. Permissions are seeded rows (``seed.py``).
"""

import importlib.util
import os
import sys

_MACHINA = os.path.dirname(importlib.util.find_spec("machina").origin)
GLUE_MODULE = "agora_webapp_forum_glue"


def _register_glue_module() -> None:
    """Makes `machina_glue.py` importable by name (settings name its classes), run on first use (after setup)."""
    path = os.path.join(os.path.dirname(__file__), "machina_glue.py")
    spec = importlib.util.spec_from_file_location(GLUE_MODULE, path)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[GLUE_MODULE] = module
    spec.loader.exec_module(module)


_register_glue_module()

INSTALLED_APPS = [
    "django.contrib.humanize",
    "mptt",
    "haystack",
    "widget_tweaks",
    "machina",
    "machina.apps.forum",
    "machina.apps.forum_conversation",
    "machina.apps.forum_conversation.forum_attachments",
    "machina.apps.forum_conversation.forum_polls",
    "machina.apps.forum_feeds",
    "machina.apps.forum_moderation",
    "machina.apps.forum_search",
    "machina.apps.forum_tracking",
    "machina.apps.forum_member",
    "machina.apps.forum_permission",
]
MIDDLEWARE = [f"{GLUE_MODULE}.ForumPermissions"]
CONTEXT_PROCESSORS = ["machina.core.context_processors.metadata"]
TEMPLATE_DIRS = [os.path.join(_MACHINA, "templates", "machina")]
SETTINGS = {
    "STATICFILES_DIRS": [os.path.join(_MACHINA, "static", "machina", "build")],
    "CACHES": {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "machina_attachments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    },
    "HAYSTACK_CONNECTIONS": {"default": {"ENGINE": f"{GLUE_MODULE}.DatabaseSearchEngine"}},
    "MACHINA_FORUM_NAME": "Agora Community Forum",
}


def urlpatterns() -> list:
    """The forum at the root (machina's board: forums, topics, members, moderation, search, tracking)."""
    from django.urls import include, path
    from machina import urls as machina_urls

    return [path("", include(machina_urls))]
