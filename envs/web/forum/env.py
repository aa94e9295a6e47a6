"""A real forum, django-machina 1.3 on Django 5.2 (``web/forum.<template>-v0``). Docs follow."""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class ForumEnv(WebAppEnv):
    """One template of the forum (see the module docs)."""

    app = "forum"
