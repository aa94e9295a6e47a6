"""Real web apps as local servers: the seeded database (built once, cached), one server per app, episode copies.

An app (django-helpdesk, ...) runs in its own venv (``.venv-webapps``, from ``locks/webapps.txt``;
``$AGORA_WEBAPPS_PYTHON`` names another interpreter) as one waitress server process per app and per agora
process, started on first use, shared by every episode of that app, and ended with the process (it also
exits when its stdin closes, so a killed env process leaves no server behind). See `django_site.py`.

**Seeded state.** The app's own migrations build the schema in an empty SQLite file, the app's ``seed``
module fills it (deterministic), and the result is cached under ``$AGORA_CACHE_DIR/webapps`` keyed by a
hash of the seeding code, the glue and the apps' lock, so a change rebuilds it.

**Per-episode state.** `AppServer.new_episode` copies the seeded file to ``<app>-<token>.sqlite3`` in the
server's episode folder (a few MB: milliseconds) and the env sets the cookie ``agora_episode=<token>``;
the server serves each request from the copy its cookie names. `end_episode` deletes the copy.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from agora.cache import cache_dir
from agora.errors import BrowserError
from agora.lazy import ProcessWide

WEB_DIR = Path(__file__).resolve().parent
GLUE = WEB_DIR / "django_site.py"
REPO_ROOT = WEB_DIR.parents[1]
LOCK = REPO_ROOT / "locks" / "webapps.txt"
BOOT = "import sys; sys.path.append(sys.argv[1]); import django_site; django_site.main(sys.argv[2:])"
"""Run with ``python -I -c``: the glue folder goes after site-packages, so no folder of agora shadows an app."""
START_TIMEOUT_S = 120.0
MAX_SERVER_PROCESSES = 4
_BUILD_LOCK = threading.Lock()


class WebAppsMissing(BrowserError):
    """The apps' venv is not installed (``scripts/setup.d/35-webapps.sh`` installs it)."""


def apps_python() -> str:
    """The interpreter of the apps' venv: ``$AGORA_WEBAPPS_PYTHON`` or the repo's ``.venv-webapps``."""
    explicit = os.environ.get("AGORA_WEBAPPS_PYTHON")
    path = Path(explicit) if explicit else REPO_ROOT / ".venv-webapps" / "bin" / "python"
    if not os.access(path, os.X_OK):
        raise WebAppsMissing(
            f"No web-apps interpreter at {path}. Install the apps' venv with `bash scripts/setup.d/35-webapps.sh` "
            "(from locks/webapps.txt) or set AGORA_WEBAPPS_PYTHON to a Python that has Django and the apps."
        )
    return str(path)


def server_processes() -> int:
    """Processes per app server: ``$AGORA_WEBAPP_PROCESSES``, else one per usable core (at most 4).

    One Python process renders one page at a time (the GIL), so with a single process the app server is the
    queue that concurrent resets wait in.
    """
    explicit = os.environ.get("AGORA_WEBAPP_PROCESSES")
    if explicit:
        return max(1, int(explicit))
    return max(1, min(MAX_SERVER_PROCESSES, len(os.sched_getaffinity(0))))


def _seed_module(app: str):
    return importlib.import_module(f"agora.envs.web.{app}.seed")


def seeded_key(app: str) -> str:
    """A hash of everything the seeded database depends on: seeding code, glue, the app's site and the lock.

    Also the files of any Django app of the app's own, in a subfolder (a CMS's page types and migrations).
    """
    digest = hashlib.sha256()
    own_django_apps = sorted(p for p in (WEB_DIR / app).glob("*/**/*") if p.suffix in (".py", ".html"))
    for path in (Path(_seed_module(app).__file__), GLUE, WEB_DIR / app / "site.py", LOCK, *own_django_apps):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


def seeded_db(app: str) -> Path:
    """The app's seeded SQLite file, built on first use (migrate + seed, about 15 s) and cached."""
    target = cache_dir("webapps") / f"{app}-{seeded_key(app)}.sqlite3"
    with _BUILD_LOCK:
        if not target.is_file():
            _build(app, target)
    return target


def _build(app: str, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    env = {**os.environ, "AGORA_WEBAPP": app, "AGORA_WEBAPP_DB": str(tmp)}
    result = subprocess.run(
        [apps_python(), "-I", "-c", BOOT, str(WEB_DIR), "migrate"], env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise BrowserError(f"migrating the {app} schema failed: {result.stderr[-2000:]}")
    db = sqlite3.connect(tmp)
    try:
        _seed_module(app).seed(db)
        db.execute("VACUUM")
    finally:
        db.close()
    os.replace(tmp, target)  # atomic: a concurrent builder in another process writes the same bytes


class AppServer:
    """One app's server process and its episode folder (see the module docs)."""

    def __init__(self, app: str):
        self.app = app
        self.seeded = seeded_db(app)
        self.episodes = Path(tempfile.mkdtemp(prefix=f"agora-{app}-"))
        env = {
            **os.environ,
            "AGORA_WEBAPP": app,
            "AGORA_WEBAPP_EPISODES": str(self.episodes),
            "AGORA_WEBAPP_PROCESSES": str(server_processes()),
        }
        self.process = subprocess.Popen(
            [apps_python(), "-I", "-c", BOOT, str(WEB_DIR), "serve"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.port = self._read_port()

    def _read_port(self) -> int:
        timer = threading.Timer(START_TIMEOUT_S, self.process.kill)
        timer.start()
        try:
            line = self.process.stdout.readline()
        finally:
            timer.cancel()
        if not line.startswith("PORT "):
            self.close()
            raise BrowserError(f"the {self.app} server did not start (exit code {self.process.poll()})")
        return int(line.split()[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        """Whether the server process still runs."""
        return self.process.poll() is None

    def episode_db(self, token: str) -> Path:
        """The path of an episode's copy of the database."""
        return self.episodes / f"{self.app}-{token}.sqlite3"

    def new_episode(self, token: str) -> Path:
        """Copies the seeded database for the episode `token`; returns the copy's path."""
        path = self.episode_db(token)
        shutil.copyfile(self.seeded, path)
        return path

    def end_episode(self, token: str) -> None:
        """Deletes the episode's copy (its pages then answer 410)."""
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.episode_db(token)}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        """Stops the server and removes the episode folder."""
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.episodes, ignore_errors=True)


_SERVERS: ProcessWide[AppServer] = ProcessWide(close=AppServer.close)


def app_server(app: str) -> AppServer:
    """The process-wide server of `app`, started on first use (and again if it died)."""
    server = _SERVERS.get(lambda: AppServer(app), key=app)
    if not server.alive():
        with _SERVERS.lock:
            server.close()
            server = _SERVERS._items[app] = AppServer(app)
    return server


def new_token() -> str:
    """A fresh episode token (32 hex digits)."""
    return secrets.token_hex(16)


if __name__ == "__main__":  # python -m agora.envs.web.appserver helpdesk ...: build the seeded databases
    for name in sys.argv[1:]:
        print(f"[webapps] {name}: {seeded_db(name)}")
