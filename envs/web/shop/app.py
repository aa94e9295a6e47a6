"""The shop web app: server-rendered HTML pages over one session's state (catalogue, cart, order).

Pages (below ``/shop/<session>/``): ``/`` home with the search form, ``/search`` results with
filters, sorting and pages, ``/product/<id>``, ``/cart`` (``/cart/add``, ``/cart/remove``),
``/checkout`` and ``/order/place``. Plain HTML forms and links, no JavaScript, so a text agent and
a person see the same thing. Every session lives in `ShopApp`, served by the local HTTP server.
"""

from __future__ import annotations

import html
import threading
import uuid
from urllib.parse import urlencode

from agora.envs.web.shop.catalog import CATEGORIES, COLORS, Product
from agora.envs.web.shop.tasks import Goal, Order

PAGE_SIZE = 8
SHIPPING = {"standard": "Standard (free, 5 days)", "express": "Express ($9.99, next day)"}
Response = tuple[int, str, bytes]


class ShopSession:
    """One shopper's state: the catalogue, the goal, the cart and (once placed) the order."""

    def __init__(self, catalogue: list[Product], goal: Goal):
        self.id = uuid.uuid4().hex[:12]
        self.catalogue = catalogue
        self.by_id = {p.id: p for p in catalogue}
        self.goal = goal
        self.cart: dict[int, int] = dict(goal.cart)
        self.order: Order | None = None

    def search(self, q: str, category: str, color: str, max_price: str, sort: str) -> list[Product]:
        """Products whose name, brand, colour or category contain every word of `q`, filtered."""
        words = q.lower().split()
        limit = _dollars_to_cents(max_price)
        found = [
            p
            for p in self.catalogue
            if all(w in f"{p.name} {p.color} {p.category} {p.brand}".lower() for w in words)
            and (not category or p.category == category)
            and (not color or p.color == color)
            and (limit is None or p.price_cents <= limit)
        ]
        if sort == "price":
            found.sort(key=lambda p: (p.price_cents, p.id))
        return found


def _dollars_to_cents(text: str) -> int | None:
    try:
        return round(float(text.strip().lstrip("$")) * 100) if text.strip() else None
    except ValueError:
        return None


def _page(title: str, body: str, cart_count: int, base: str) -> Response:
    doc = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><base href='{base}'>"
        f"<title>{html.escape(title)} - Agora Shop</title>"
        "<style>body{font:14px sans-serif;margin:12px}nav a{margin-right:12px}li{margin:4px 0}"
        "table td{padding:2px 8px}</style></head><body>"
        f"<nav><a href='./'>Home</a><a href='cart'>Cart ({cart_count})</a></nav>"
        f"<h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return 200, "text/html", doc.encode()


def _plural(word: str) -> str:
    return {"scarf": "scarves", "headphones": "headphones"}.get(word, word + "s")


def _redirect(location: str) -> Response:
    return 303, "redirect", location.encode()


def _options(values: list[tuple[str, str]], chosen: str) -> str:
    return "".join(
        f"<option value='{html.escape(v)}'{' selected' if v == chosen else ''}>{html.escape(label)}</option>"
        for v, label in values
    )


def _search_form(q: str = "", category: str = "", color: str = "", max_price: str = "", sort: str = "") -> str:
    cats = [("", "All categories")] + [(c, c) for c in CATEGORIES]
    cols = [("", "Any colour")] + [(c, c) for c in COLORS]
    sorts = [("", "Relevance"), ("price", "Price: low to high")]
    return (
        "<form action='search' method='get'>"
        f"<label>Search <input name='q' value='{html.escape(q)}'></label> "
        f"<label>Category <select name='category'>{_options(cats, category)}</select></label> "
        f"<label>Colour <select name='color'>{_options(cols, color)}</select></label> "
        f"<label>Max price <input name='max_price' value='{html.escape(max_price)}' size='6'></label> "
        f"<label>Sort <select name='sort'>{_options(sorts, sort)}</select></label> "
        "<button type='submit'>Search</button></form>"
    )


class ShopPages:
    """Renders the pages of one session and applies the requests that change it."""

    def __init__(self, session: ShopSession):
        self.s = session

    def __call__(self, path: str, query: dict[str, str]) -> Response:
        """The response to a request for `path` (below the session's root) with `query`."""
        s = self.s
        if s.order is not None and path != "/order/done":
            return _redirect("/shop/" + s.id + "/order/done")
        routes = {
            "/": self._home,
            "/search": self._search,
            "/cart": self._cart,
            "/cart/add": self._cart_add,
            "/cart/remove": self._cart_remove,
            "/checkout": self._checkout,
            "/order/place": self._place,
            "/order/done": self._done,
        }
        if path.startswith("/product/"):
            return self._product(path.removeprefix("/product/"))
        handler = routes.get(path)
        return handler(query) if handler else self._render("Not found", "<p>There is no such page.</p>")

    def _render(self, title: str, body: str) -> Response:
        return _page(title, body, sum(self.s.cart.values()), f"/shop/{self.s.id}/")

    def _home(self, query: dict[str, str]) -> Response:
        cats = "".join(
            f"<li><a href='search?{urlencode({'category': c})}'>{_plural(c).title()}</a></li>" for c in CATEGORIES
        )
        return self._render("Agora Shop", _search_form() + f"<h2>Categories</h2><ul>{cats}</ul>")

    def _search(self, query: dict[str, str]) -> Response:
        keys = ("q", "category", "color", "max_price", "sort")
        args = {k: query.get(k, "") for k in keys}
        found = self.s.search(**args)
        page = max(1, int(query["page"])) if query.get("page", "").isdigit() else 1
        shown = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        items = "".join(
            f"<li><a href='product/{p.id}'>{html.escape(p.name)}</a> {p.color}, {p.price}</li>" for p in shown
        )
        pages = (len(found) + PAGE_SIZE - 1) // PAGE_SIZE
        nav = ""
        if page > 1:
            nav += f"<a href='search?{urlencode({**args, 'page': page - 1})}'>Previous page</a> "
        if page < pages:
            nav += f"<a href='search?{urlencode({**args, 'page': page + 1})}'>Next page</a>"
        summary = f"<p>{len(found)} results, page {page} of {max(pages, 1)}</p>"
        return self._render("Search results", _search_form(**args) + summary + f"<ul>{items}</ul>{nav}")

    def _product(self, pid: str) -> Response:
        p = self.s.by_id.get(int(pid)) if pid.isdigit() else None
        if p is None:
            return self._render("Not found", "<p>No such product.</p>")
        body = (
            f"<p>Price: {p.price}</p><p>Colour: {p.color}</p><p>Brand: {p.brand}</p>"
            f"<p>Category: {p.category}</p><p>Rating: {p.rating} of 5</p>"
            f"<form action='cart/add' method='get'><input type='hidden' name='id' value='{p.id}'>"
            "<label>Quantity <input name='qty' type='number' value='1' min='1' max='9'></label> "
            "<button type='submit'>Add to cart</button></form>"
        )
        return self._render(p.name, body)

    def _cart(self, query: dict[str, str]) -> Response:
        rows, total = "", 0
        for pid, qty in self.s.cart.items():
            p = self.s.by_id[pid]
            total += qty * p.price_cents
            rows += (
                f"<tr><td>{html.escape(p.name)} ({p.color})</td><td>Quantity: {qty}</td>"
                f"<td>{p.price} each</td>"
                f"<td><a href='cart/remove?id={pid}'>Remove {html.escape(p.name)}</a></td></tr>"
            )
        if not rows:
            return self._render("Your cart", "<p>Your cart is empty.</p>")
        body = f"<table>{rows}</table><p>Total: ${total / 100:.2f}</p><p><a href='checkout'>Proceed to checkout</a></p>"
        return self._render("Your cart", body)

    def _cart_add(self, query: dict[str, str]) -> Response:
        pid, qty = query.get("id", ""), query.get("qty", "1")
        if pid.isdigit() and int(pid) in self.s.by_id and qty.isdigit() and 1 <= int(qty) <= 9:
            self.s.cart[int(pid)] = self.s.cart.get(int(pid), 0) + int(qty)
        return _redirect("/shop/" + self.s.id + "/cart")

    def _cart_remove(self, query: dict[str, str]) -> Response:
        pid = query.get("id", "")
        if pid.isdigit():
            self.s.cart.pop(int(pid), None)
        return _redirect("/shop/" + self.s.id + "/cart")

    def _checkout(self, query: dict[str, str]) -> Response:
        if not self.s.cart:
            return self._render("Checkout", "<p>Your cart is empty.</p>")
        ship = _options(list(SHIPPING.items()), "standard")
        body = (
            "<form action='order/place' method='get'>"
            "<p><label>Full name <input name='name'></label></p>"
            "<p><label>City <input name='city'></label></p>"
            f"<p><label>Shipping <select name='shipping'>{ship}</select></label></p>"
            "<button type='submit'>Place order</button></form>"
        )
        return self._render("Checkout", body)

    def _place(self, query: dict[str, str]) -> Response:
        if not self.s.cart:
            return _redirect("/shop/" + self.s.id + "/cart")
        self.s.order = Order(dict(self.s.cart), query.get("name", ""), query.get("city", ""), query.get("shipping", ""))
        return _redirect("/shop/" + self.s.id + "/order/done")

    def _done(self, query: dict[str, str]) -> Response:
        if self.s.order is None:
            return _redirect("/shop/" + self.s.id + "/")
        return self._render("Thank you", "<p>Your order has been placed.</p>")


class ShopApp:
    """Routes ``/shop/<session id>/...`` to that session's pages (mounted on the local server)."""

    def __init__(self) -> None:
        self._sessions: dict[str, ShopPages] = {}
        self._lock = threading.Lock()

    def add(self, session: ShopSession) -> None:
        """Serves `session` at ``/shop/<session.id>/``."""
        with self._lock:
            self._sessions[session.id] = ShopPages(session)

    def remove(self, session_id: str) -> None:
        """Stops serving a session."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def __call__(self, path: str, query: dict[str, str]) -> Response:
        """Dispatches ``/<session id>/<page>`` to that session's pages (404 for an ended session)."""
        sid, _, rest = path.lstrip("/").partition("/")
        pages = self._sessions.get(sid)
        if pages is None:
            return 404, "text/plain", b"this shop session has ended"
        return pages("/" + rest, query)
