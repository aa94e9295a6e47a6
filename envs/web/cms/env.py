"""A real CMS, Wagtail 8.0 on Django 5.2 (``web/cms.<template>-v0``), with a seeded site and blog.

(Documentation filled in below.)
"""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class CmsEnv(WebAppEnv):
    """One template of the CMS (see the module docs)."""

    app = "cms"
