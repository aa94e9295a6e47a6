"""The CMS's Django side (Wagtail), loaded by ``envs/web/django_site.py`` in the apps' venv.

Wagtail sites define their own page types: ``agora_cms`` (this folder) is that small Django app (home,
section, standard, blog index and blog post pages, blog authors, post tags), with its migrations and
templates. Search uses Wagtail's database fallback backend (plain queries, no index to build), so the seeded
rows are searchable as written.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.append(_HERE)  # after site-packages: the page app ``agora_cms`` shadows nothing

INSTALLED_APPS = [
    "agora_cms",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
SETTINGS = {
    "WAGTAIL_SITE_NAME": "Northwind Journal",
    "WAGTAILADMIN_BASE_URL": "http://127.0.0.1",
    "WAGTAILSEARCH_BACKENDS": {"default": {"BACKEND": "wagtail.search.backends.database.fallback"}},
    "WAGTAIL_WORKFLOW_ENABLED": False,
    "WAGTAILADMIN_COMMENTS_ENABLED": False,
    "WAGTAIL_ENABLE_UPDATE_CHECK": False,
    "WAGTAIL_ENABLE_WHATS_NEW_BANNER": False,
    "WAGTAIL_I18N_ENABLED": False,
    "WAGTAILDOCS_SERVE_METHOD": "serve_view",
    "TAGGIT_CASE_INSENSITIVE": True,
}


def urlpatterns() -> list:
    """The Wagtail admin under /admin/, the site search at /search/, and the page tree at the root."""
    from agora_cms.views import search
    from django.urls import include, path
    from wagtail import urls as wagtail_urls
    from wagtail.admin import urls as wagtailadmin_urls
    from wagtail.documents import urls as wagtaildocs_urls

    return [
        path("admin/", include(wagtailadmin_urls)),
        path("documents/", include(wagtaildocs_urls)),
        path("search/", search, name="search"),
        path("", include(wagtail_urls)),
    ]
