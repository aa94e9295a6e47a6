"""The help desk's Django side (django-helpdesk), loaded by ``envs/web/django_site.py`` in the apps' venv."""

INSTALLED_APPS = ["django.contrib.humanize", "rest_framework", "helpdesk"]
SETTINGS = {
    "HELPDESK_USE_CDN": False,
    "HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT": True,
    "HELPDESK_KB_ENABLED": True,
    "HELPDESK_ENABLE_DEPENDENCIES_ON_TICKET": False,
    "HELPDESK_TEAMS_MODE_ENABLED": False,
}


def urlpatterns() -> list:
    """The help desk under /helpdesk/, and / redirecting to its dashboard."""
    from django.urls import include, path
    from django.views.generic import RedirectView

    return [
        path("", RedirectView.as_view(url="/helpdesk/dashboard/", permanent=False)),
        path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
    ]
