"""A real shop, django-oscar 4.2 on Django 5.2 (``web/store.<template>-v0``): store front and dashboard."""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class StoreEnv(WebAppEnv):
    """One template of the shop (see the module docs)."""

    app = "store"
