"""The web app of `agora view`: Starlette routes over `Viewer`'s pages, served by uvicorn.

Pages run no JavaScript; every response forbids scripts and loads nothing from elsewhere
(``Content-Security-Policy``). Source ids and episode numbers are looked up, never joined into paths,
and the one static file served comes from the package.
"""

from __future__ import annotations

import threading
import time
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from agora.view.pages import Links, NotFound, Viewer

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self' data:; style-src 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MAX_QUERY_CHARS = 4000


def create_app(viewer: Viewer) -> Starlette:
    """The Starlette app serving `viewer`'s pages."""
    links = Links()

    def page(render: Any) -> Any:
        def endpoint(request: Request) -> Response:
            if len(request.url.query) > MAX_QUERY_CHARS:
                return _html(viewer.render("error.html", links, message="The query string is too long."), 414)
            try:
                return _html(render(request))
            except NotFound as e:
                return _html(viewer.render("error.html", links, message=str(e)), 404)

        return endpoint

    def stylesheet(request: Request) -> Response:
        css = resources.files("agora.view.static").joinpath("style.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css", headers=SECURITY_HEADERS)

    routes = [
        Route("/", page(lambda r: viewer.runs_page(links))),
        Route("/s/{sid}/episodes", page(lambda r: viewer.episodes_page(links, _sid(r), r.query_params))),
        Route("/s/{sid}/e/{n:int}", page(lambda r: viewer.episode_page(links, _sid(r), r.path_params["n"]))),
        Route("/s/{sid}/tournament", page(lambda r: viewer.tournament_page(links, _sid(r)))),
        Route("/s/{sid}/training", page(lambda r: viewer.training_page(links, _sid(r), r.query_params))),
        Route("/compare", page(lambda r: viewer.compare_page(links, r.query_params))),
        Route("/static/style.css", stylesheet),
    ]
    return Starlette(routes=routes)


def _sid(request: Request) -> str:
    return str(request.path_params["sid"])[:64]


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers=SECURITY_HEADERS)


def serve(viewer: Viewer, host: str = "127.0.0.1", port: int = 8000, on_ready: Any = None) -> None:
    """Serves the app until interrupted (uvicorn); `on_ready(url)` is called once it listens."""
    import uvicorn

    config = uvicorn.Config(create_app(viewer), host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    if on_ready is not None:
        original = server.startup

        async def startup(sockets: Any = None) -> None:
            await original(sockets=sockets)
            bound = server.servers[0].sockets[0].getsockname() if server.servers else (host, port)
            on_ready(f"http://{bound[0]}:{bound[1]}/")

        server.startup = startup  # type: ignore[method-assign]
    server.run()


class BackgroundServer:
    """The app served by uvicorn in a thread (tests, benchmarks): ``with BackgroundServer(viewer) as url: ...``."""

    def __init__(self, viewer: Viewer, host: str = "127.0.0.1", port: int = 0):
        import uvicorn

        config = uvicorn.Config(create_app(viewer), host=host, port=port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="agora-view", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the viewer's server did not start")
            time.sleep(0.02)
        host, port = self.server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
