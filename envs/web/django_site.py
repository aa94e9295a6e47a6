"""The Django glue behind the real web apps (``web/<app>.*``): settings, URLs, per-episode databases, serving.

This module runs in the apps' own venv (``.venv-webapps``: Django, the apps, waitress),
never in agora's: it imports nothing of agora. `agora.envs.web.webapp` starts it as one server process per
app (``python -I -c <boot> serve``, with this folder appended to ``sys.path``), and as ``migrate`` to build
an app's empty schema. The same module is the Django settings module (``DJANGO_SETTINGS_MODULE=django_site``);
the app comes from ``$AGORA_WEBAPP``.

Per-episode state: every request carries the cookie ``agora_episode`` (a 32-hex token the env sets at
reset); `EpisodeDatabase` points the request thread's database connection at that episode's copy of the
seeded SQLite file (``$AGORA_WEBAPP_EPISODES/<app>-<token>.sqlite3``) before any query, so concurrent
episodes never see each other's writes. A request without a live episode gets 410. `EpisodeUser` then logs
the request in as the app's seeded agent account (the persona every task is written for).
"""

from __future__ import annotations

import os
import re
import socket
import sys
import threading
from pathlib import Path

APP = os.environ.get("AGORA_WEBAPP", "helpdesk")
EPISODES = Path(os.environ.get("AGORA_WEBAPP_EPISODES", "/nonexistent"))
EPISODE_COOKIE = "agora_episode"
AGENT_USERNAME = "agent"
_TOKEN = re.compile(r"[0-9a-f]{32}")
_MAIN_PID = os.getpid()

SITE_MODULE = "site.py"
"""Each app's Django side lives in ``envs/web/<app>/site.py`` (loaded by path: the apps' own packages, e.g.
``helpdesk`` and ``wiki``, own those bare names in this venv). It defines ``INSTALLED_APPS`` (after the
contrib ones every app uses) and ``urlpatterns()``, and may define ``CONTEXT_PROCESSORS``, ``MIDDLEWARE``
(after the common ones), ``TEMPLATE_DIRS`` (template folders searched before the apps' own) and ``SETTINGS``
(more Django settings). Like this module, it imports nothing of agora."""


def _load_site(app: str):
    import importlib.util

    path = Path(__file__).resolve().parent / app / SITE_MODULE
    if not re.fullmatch(r"[a-z][a-z0-9_]*", app) or not path.is_file():
        raise KeyError(f"unknown web app {app!r}: no {path}")
    spec = importlib.util.spec_from_file_location(f"agora_webapp_site_{app}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SITE = _load_site(APP)


# ---------------------------------------------------------------------- settings (read by Django)
SECRET_KEY = "agora-local-webapps-not-secret"  # loopback-only servers of throwaway episode data
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "django_site"
SITE_ID = 1
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SESSION_COOKIE_NAME = f"{APP}_session"
CSRF_COOKIE_NAME = f"{APP}_csrftoken"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
"""No process-wide cache: what one episode writes must never be served to another."""
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGIN_URL = "/login/"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("AGORA_WEBAPP_DB", ":memory:"),
        "OPTIONS": {"timeout": 20},
    }
}
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    *SITE.INSTALLED_APPS,
]
MIDDLEWARE = [
    "django_site.EpisodeDatabase",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_site.EpisodeUser",
    "django.contrib.messages.middleware.MessageMiddleware",
    *getattr(SITE, "MIDDLEWARE", []),
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": list(getattr(SITE, "TEMPLATE_DIRS", [])),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                *getattr(SITE, "CONTEXT_PROCESSORS", []),
            ]
        },
    }
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": True}
globals().update(getattr(SITE, "SETTINGS", {}))


# ---------------------------------------------------------------------- middleware
class EpisodeDatabase:
    """Points this thread's database connection at the request's episode copy (410 without a live episode)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        """Serves `request` from its episode's database copy."""
        from django.db import connections
        from django.http import HttpResponse

        if request.path.startswith(STATIC_URL):
            return self.get_response(request)
        token = request.COOKIES.get(EPISODE_COOKIE, "")
        path = EPISODES / f"{APP}-{token}.sqlite3"
        if not _TOKEN.fullmatch(token) or not path.is_file():
            return HttpResponse("No live agora episode: this page belongs to an ended episode.", status=410)
        connection = connections["default"]
        if connection.settings_dict["NAME"] != str(path):
            connection.close()
            connection.settings_dict = {**connection.settings_dict, "NAME": str(path)}
        try:
            return self.get_response(request)
        finally:
            connection.close()


class EpisodeUser:
    """Logs every request in as the seeded agent account (the persona the tasks are written for)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        """Serves `request` as the agent account."""
        from django.contrib.auth import get_user_model
        from django.utils.functional import SimpleLazyObject

        if not request.path.startswith(STATIC_URL):
            model = get_user_model()
            request.user = SimpleLazyObject(lambda: model.objects.get(username=AGENT_USERNAME))
        return self.get_response(request)


# ---------------------------------------------------------------------- URLs
def _urlpatterns() -> list:
    from django.contrib.staticfiles.views import serve
    from django.urls import re_path

    def cached_static(request, path):  # the apps' own files never change while a server runs
        response = serve(request, path, insecure=True)
        response["Cache-Control"] = "max-age=86400, immutable"
        return response

    static = [re_path(r"^static/(?P<path>.*)$", cached_static)]
    return static + SITE.urlpatterns()


# ---------------------------------------------------------------------- commands
def serve(threads: int = 8) -> None:
    """Serves the app on 127.0.0.1 (a free port, printed as ``PORT <n>``) until stdin closes.

    ``$AGORA_WEBAPP_PROCESSES`` (default 1) processes serve the same listening socket: Django is set up once,
    then the process forks before any thread or database connection exists, and each process runs its own
    waitress server on the inherited socket (the kernel hands each new connection to one of them). Any process
    can serve any episode: the episode is named by the request's cookie and its database copy is a file.
    """
    import django
    from django.core.wsgi import get_wsgi_application
    from waitress import create_server

    processes = max(1, int(os.environ.get("AGORA_WEBAPP_PROCESSES", "1")))
    django.setup()
    application = get_wsgi_application()
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    listener.setblocking(False)
    for _ in range(processes - 1):
        if os.fork() == 0:
            break
    server = create_server(application, sockets=[listener], threads=threads, ident="agora")
    if os.getpid() == _MAIN_PID:
        print(f"PORT {listener.getsockname()[1]}", flush=True)

    def watch_parent() -> None:  # the env's process holds our stdin: its end (exit, crash) ends every server
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=watch_parent, daemon=True).start()
    server.run()


def migrate() -> None:
    """Creates the app's schema in ``$AGORA_WEBAPP_DB`` (an empty SQLite file), quietly."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def main(argv: list[str]) -> None:
    """``serve`` or ``migrate`` (the app and paths come from the environment)."""
    commands = {"serve": serve, "migrate": migrate}
    if len(argv) != 1 or argv[0] not in commands:
        raise SystemExit(f"usage: django_site.py {{{'|'.join(commands)}}}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "django_site"
    commands[argv[0]]()


def __getattr__(name: str) -> list:
    """``urlpatterns``, built when Django's resolver first asks (this module is the URLconf too)."""
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)
