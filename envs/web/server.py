"""The local HTTP server behind web/GUI envs: loopback only, one per process, started on first use.

It serves static folders (MiniWoB++'s HTML from the `miniwob` wheel, the GUI tasks' pages) under a
URL prefix each, and dynamic apps (the shop) through a handler object per prefix. Nothing here
reaches the internet; pages load from ``http://127.0.0.1:<port>/``.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from agora.lazy import ProcessWide

AppHandler = Callable[[str, dict[str, str]], tuple[int, str, bytes]]
"""An app gets (path below its prefix, query parameters) and returns (status, content type, body);
the content type ``"redirect"`` sends the body as the Location of a redirect."""


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with static mounts and app mounts by URL prefix."""

    def __init__(self) -> None:
        self._static: dict[str, Path] = {}
        self._apps: dict[str, AppHandler] = {}
        self._cache: dict[Path, bytes] = {}
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="agora-http", daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def mount_static(self, prefix: str, folder: Path) -> None:
        """Serves the files under `folder` at ``/<prefix>/...``."""
        self._static[prefix.strip("/")] = Path(folder)

    def mount_app(self, prefix: str, app: AppHandler) -> None:
        """Routes ``/<prefix>/...`` to `app`."""
        self._apps[prefix.strip("/")] = app

    def close(self) -> None:
        """Stops serving."""
        self._httpd.shutdown()
        self._httpd.server_close()

    def respond(self, raw_path: str) -> tuple[int, str, bytes]:
        """The (status, content type, body) for a request path (used by the handler)."""
        parts = urlsplit(raw_path)
        prefix, _, rest = parts.path.lstrip("/").partition("/")
        if prefix in self._apps:
            query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            return self._apps[prefix]("/" + rest, query)
        if prefix in self._static:
            return self._file(self._static[prefix], rest)
        return 404, "text/plain", f"no app at /{prefix}".encode()

    def _file(self, root: Path, rest: str) -> tuple[int, str, bytes]:
        path = (root / rest).resolve()
        if root.resolve() not in path.parents or not path.is_file():
            return 404, "text/plain", b"not found"
        if path not in self._cache:
            self._cache[path] = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return 200, kind, self._cache[path]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the http.server hook name)
                try:
                    status, kind, body = server.respond(self.path)
                except Exception as e:  # an app bug becomes a 500 page, never a dead server
                    status, kind, body = 500, "text/plain", f"server error: {type(e).__name__}: {e}".encode()
                self.send_response(status)
                if kind == "redirect":
                    self.send_header("Location", body.decode())
                    kind, body = "text/plain", b""
                self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text") else ""))
                self.send_header("Content-Length", str(len(body)))
                static = not any(self.path.startswith(f"/{p}/") for p in server._apps)
                self.send_header("Cache-Control", "max-age=86400, immutable" if static else "no-store")
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the page navigated away mid-response
                    pass

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

        return Handler


_SERVER: ProcessWide[LocalServer] = ProcessWide(close=LocalServer.close)


def get_server() -> LocalServer:
    """The process-wide local server, started on first use and closed at interpreter exit."""
    return _SERVER.get(LocalServer)
