"""The wiki's Django side (django-wiki), loaded by ``envs/web/django_site.py`` in the apps' venv."""

INSTALLED_APPS = ["django.contrib.humanize", "django_nyt", "mptt", "sekizai", "sorl.thumbnail", "wiki"]
CONTEXT_PROCESSORS = ["sekizai.context_processors.sekizai"]
SETTINGS = {"WIKI_ACCOUNT_HANDLING": False, "WIKI_ACCOUNT_SIGNUP_ALLOWED": False, "WIKI_ANONYMOUS": True}


def urlpatterns() -> list:
    """The wiki at the root, with django-nyt's notification URLs it links to."""
    from django.urls import include, path

    return [path("notifications/", include("django_nyt.urls")), path("", include("wiki.urls"))]
