"""A small online shop in a real browser (``web/shop.<task>-v0``): search, filter, buy, check out.

The site is written for agora and served on 127.0.0.1: a home page with a search form (words,
category, colour, price limit, sort), result pages, product pages with a quantity field and
"Add to cart", a cart with "Remove" links, and a checkout form (name, city, shipping). The seed
draws the catalogue (48 products) and the goal.

**Tasks** (one id each): ``buy`` (a colour, category and brand under a price), ``buy-many`` (n of a
kind under a price each), ``cheapest`` (the cheapest of a colour and category), ``checkout`` (express
shipping to a named person), ``fix-cart`` (the cart starts with an unwanted item), ``price-check``
(a question: answer with ``answer("$12.34")``).

**Observation.** ``Task: ...``, ``Page: <path>``, then the page as an accessibility tree
(``[id] role "name" attributes``) and ``Error: ...`` after a failed action.

**Actions.** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``goto("/cart")`` (this shop only), ``answer("...")`` (question tasks), ``noop()``;
or JSON tool calls with the specs in ``info["tools"]``.

**Reward.** Given once, when the order is placed (the episode then ends): the fraction of the
goal's attributes the order satisfies, WebShop-style (``buy`` checks six: category, colour,
brand, price limit, quantity and "nothing else"; the right item plus an unwanted extra one scores
5/6). A question task scores 1 for the right amount in
``answer(...)``, 0 otherwise (placing an order there scores 0). Malformed actions earn 0.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import numpy as np

from agora.envs.web.base import BrowserEnv
from agora.envs.web.browser import Tab
from agora.envs.web.server import get_server
from agora.envs.web.shop.app import ShopApp, ShopSession
from agora.envs.web.shop.catalog import make_catalogue
from agora.envs.web.shop.tasks import TEMPLATES, score_answer, score_order
from agora.lazy import ProcessWide

_APP: ProcessWide[ShopApp] = ProcessWide()


def _mounted_app() -> ShopApp:
    app = ShopApp()
    get_server().mount_app("shop", app)
    return app


def shop_app() -> ShopApp:
    """The process-wide shop app, mounted at ``/shop`` on the local server (made once, under a lock)."""
    return _APP.get(_mounted_app)


class ShopEnv(BrowserEnv):
    """One shop task template (`task`: one of `TEMPLATES`)."""

    snapshot_skip = ()
    default_viewport = (800, 600)

    def __init__(
        self,
        task: str = "buy",
        mode: str = "text",
        viewport: tuple[int, int] | None = None,
        render_mode: str | None = None,
    ):
        if task not in TEMPLATES:
            raise ValueError(f"unknown shop task {task!r}; choose one of {', '.join(TEMPLATES)}")
        super().__init__(mode=mode, viewport=viewport, render_mode=render_mode)
        self.task_name = task
        self.session: ShopSession | None = None

    def _new_session(self, seed: int) -> ShopSession:
        rng = np.random.default_rng(seed)
        catalogue = make_catalogue(rng)
        session = ShopSession(catalogue, TEMPLATES[self.task_name](catalogue, rng))
        app = shop_app()
        if self.session is not None:
            app.remove(self.session.id)
        app.add(session)
        self.session = session
        return session

    @property
    def base_url(self) -> str:
        """The root URL of this episode's shop."""
        return f"{get_server().origin}/shop/{self.session.id}/"

    async def _astart(self, tab: Tab, seed: int) -> str:
        session = self._new_session(seed)
        await tab.new_episode(self.base_url)
        return session.goal.instruction

    def _outcome(self, state: Any) -> tuple[float, bool]:
        session = self.session
        if session.order is None:
            return 0.0, False
        if session.goal.answer is not None:
            return 0.0, True
        return score_order(session.goal, session.order, session.catalogue), True

    def _answer(self, text: str) -> tuple[float, bool] | str:
        if self.session.goal.answer is None:
            return "this task is done by placing an order, not with answer()"
        return score_answer(self.session.goal, text), True

    def allowed_url(self, url: str) -> str | None:
        """Paths are taken inside this shop (``/cart`` is the cart); other sites are refused.

        The URL is resolved and normalised the way the browser will see it before the check: dot
        segments (also percent-encoded), backslashes and control characters cannot step outside the shop.
        """
        base = self.base_url
        if "\\" in url or any(ord(c) < 0x20 for c in url):
            return None  # Chromium reads a backslash as a slash in http URLs
        target = urljoin(base, url.lstrip("/")) if url.startswith("/") else urljoin(self._tab.page.url, url)
        parts = urlsplit(target)
        segments = unquote(parts.path).split("/")
        if parts.scheme != "http" or "." in segments or ".." in segments:
            return None
        return target if target.startswith(base) else None

    def _page_label(self, page: Any) -> str | None:
        url = page.url
        base = self.base_url
        return "Page: /" + url[len(base) :] if url.startswith(base) else f"Page: {url}"

    def close(self) -> None:
        """Ends the shop session and releases the browser context."""
        if self.session is not None:
            shop_app().remove(self.session.id)
        super().close()

    def __repr__(self) -> str:
        return f"<ShopEnv {self.task_name} mode={self.mode}>"
