"""The shop's task templates: questions, changes in the store and its dashboard, and pages to reach.

Four templates span the help desk or the wiki (read there, answer or act here).

Every instance is drawn from the seeded database (`seed.py`); answers are computed from it, changes are
checked by querying the episode's own copy after the episode, navigation by the final URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from agora.envs.web.apptasks import Episode, Instance, Step, Template, goto_then_done, read_then_answer
from agora.envs.web.store.seed import CATEGORIES, ORDER_STATUSES, REVIEW_TITLES

APP = "store"
MAX_INSTANCES = 60
"""Instances kept per template (spread over the seeded rows by a fixed stride): enough for variety."""
PIPELINE = {
    "Pending": ("Being processed", "Cancelled"),
    "Being processed": ("Shipped", "Cancelled"),
    "Shipped": ("Complete", "Returned"),
    "Complete": ("Returned",),
}
"""The status moves the dashboard offers (``site.ORDER_STATUS_PIPELINE``, which this module cannot import)."""
MONTHS = ("January", "February", "March", "April", "May")
START = "/"
Dbs = dict[str, sqlite3.Connection]


def _rows(dbs: Dbs, sql: str, *args: object) -> list[tuple]:
    return dbs[APP].execute(sql, args).fetchall()


def _spread(rows: list, n: int = MAX_INSTANCES) -> list:
    """At most `n` of `rows`, evenly spread (a fixed stride keeps the choice deterministic)."""
    if len(rows) <= n:
        return list(rows)
    step = len(rows) / n
    return [rows[int(k * step)] for k in range(n)]


PRODUCT_SQL = (
    "SELECT p.id, p.title, p.slug, s.price, s.num_in_stock, pa.name, s.partner_sku, p.upc, c.name,"
    " (SELECT COUNT(*) FROM reviews_productreview r WHERE r.product_id = p.id AND r.status = 1),"
    " (SELECT value_text FROM catalogue_productattributevalue v WHERE v.product_id = p.id AND v.attribute_id = 1),"
    " (SELECT value_integer FROM catalogue_productattributevalue v WHERE v.product_id = p.id AND v.attribute_id = 3)"
    " FROM catalogue_product p JOIN partner_stockrecord s ON s.product_id = p.id"
    " JOIN partner_partner pa ON pa.id = s.partner_id JOIN catalogue_productcategory pc ON pc.product_id = p.id"
    " JOIN catalogue_category c ON c.id = pc.category_id"
)
PRODUCT_FIELDS = ("id", "title", "slug", "price", "stock", "partner", "sku", "upc", "category", "reviews")
PRODUCT_FIELDS += ("colour", "weight")


def _products(dbs: Dbs, where: str = "1", n: int = MAX_INSTANCES) -> list[dict]:
    rows = _rows(dbs, f"{PRODUCT_SQL} WHERE {where} ORDER BY p.id")
    return [dict(zip(PRODUCT_FIELDS, row, strict=True)) for row in _spread(rows, n)]


def _money(value: object) -> str:
    return f"{Decimal(str(value)):.2f}"


def _product_path(p: dict) -> str:
    return f"/catalogue/{p['slug']}_{p['id']}/"


def _dashboard_product(p: dict) -> str:
    return f"/dashboard/catalogue/products/{p['id']}/"


def _order_path(number: str) -> str:
    return f"/dashboard/orders/{number}/"


def _orders(dbs: Dbs, where: str = "1", n: int = MAX_INSTANCES) -> list[tuple]:
    """(number, status, total, user id, e-mail, name, city, units) of orders, spread over the seeded ones."""
    rows = _rows(
        dbs,
        "SELECT o.number, o.status, o.total_incl_tax, o.user_id, u.email, u.first_name || ' ' || u.last_name,"
        " a.line4, (SELECT SUM(quantity) FROM order_line l WHERE l.order_id = o.id) FROM order_order o"
        f" JOIN auth_user u ON u.id = o.user_id JOIN order_shippingaddress a ON a.id = o.shipping_address_id"
        f" WHERE {where} ORDER BY o.id",
    )
    return _spread(rows, n)


def _categories(dbs: Dbs) -> list[dict]:
    """Every category: id, name, slug path, URL path, depth."""
    rows = _rows(dbs, "SELECT id, name, slug, path, depth FROM catalogue_category ORDER BY path")
    slug_of = {path: slug for _, _, slug, path, _ in rows}
    found = []
    for cid, name, _, path, depth in rows:
        full = "/".join(slug_of[path[: 4 * k]] for k in range(1, depth + 1))
        found.append(
            {"id": cid, "name": name, "path": path, "depth": depth, "url": f"/catalogue/category/{full}_{cid}/"}
        )
    return found


def _at_product(inst: Instance) -> str:
    return inst.params["path"]


def _at_dashboard_product(inst: Instance) -> str:
    return f"/dashboard/catalogue/products/{inst.params['id']}/"


def _at_order(inst: Instance) -> str:
    return _order_path(inst.params["number"])


def _product_instances(
    where: str, text: Callable[[dict], str], answers: Callable[[dict], tuple[str, ...]]
) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        return [
            Instance(text(p), {"id": p["id"], "path": _product_path(p), "title": p["title"]}, answers(p))
            for p in _products(dbs, where)
        ]

    return instances


# ---------------------------------------------------------------------- questions
def _cheapest(dbs: Dbs) -> list[Instance]:
    found = []
    for c in _categories(dbs):
        if c["depth"] != 2:
            continue
        rows = _rows(
            dbs,
            "SELECT p.title, s.price FROM catalogue_product p JOIN partner_stockrecord s ON s.product_id = p.id"
            " JOIN catalogue_productcategory pc ON pc.product_id = p.id WHERE pc.category_id = ?"
            " ORDER BY CAST(s.price AS REAL), p.id LIMIT 2",
            c["id"],
        )
        if len(rows) == 2 and Decimal(str(rows[0][1])) != Decimal(str(rows[1][1])):
            text = f"Which product is the cheapest in the {c['name']} category? Give its name."
            found.append(Instance(text, {"url": c["url"]}, (rows[0][0],)))
    return found


def _category_count(dbs: Dbs) -> list[Instance]:
    found = []
    for c in _categories(dbs):
        (n,) = _rows(
            dbs,
            "SELECT COUNT(DISTINCT pc.product_id) FROM catalogue_productcategory pc"
            " JOIN catalogue_category c ON c.id = pc.category_id WHERE c.path LIKE ?",
            c["path"] + "%",
        )[0]
        text = f"How many products does the shop list in the {c['name']} category (its subcategories included)?"
        found.append(Instance(text, {"url": c["url"]}, (str(n),)))
    return found


def _order_question(text: str, answers: Callable[[tuple], tuple[str, ...]], where: str = "1"):
    def instances(dbs: Dbs) -> list[Instance]:
        return [Instance(text.format(number=o[0]), {"number": o[0]}, answers(o)) for o in _orders(dbs, where)]

    return instances


def _customer_orders(dbs: Dbs) -> list[Instance]:
    rows = _rows(
        dbs,
        "SELECT u.id, u.first_name || ' ' || u.last_name, u.email, COUNT(o.id) FROM auth_user u"
        " JOIN order_order o ON o.user_id = u.id GROUP BY u.id ORDER BY u.id",
    )
    return [
        Instance(f"How many orders has the customer {name} ({email}) placed?", {"user": uid}, (str(n),))
        for uid, name, email, n in _spread(rows)
    ]


def _status_month_count(dbs: Dbs) -> list[Instance]:
    counts = dict(
        ((s, int(m)), n)
        for s, m, n in _rows(dbs, "SELECT status, substr(date_placed, 6, 2), COUNT(*) FROM order_order GROUP BY 1, 2")
    )
    found = []
    for month, name in enumerate(MONTHS, start=1):
        for status, _ in ORDER_STATUSES:
            text = f"How many orders placed in {name} 2024 have the status {status} now?"
            last = (date(2024, month + 1, 1) - timedelta(days=1)).isoformat()
            params = {"status": status, "from": f"2024-{month:02d}-01", "to": last}
            found.append(Instance(text, params, (str(counts.get((status, month), 0)),)))
    return found


def _status_month_path(inst: Instance) -> str:
    p = inst.params
    return f"/dashboard/orders/?status={p['status'].replace(' ', '+')}&date_from={p['from']}&date_to={p['to']}"


def _review_score(dbs: Dbs) -> list[Instance]:
    rows = _rows(
        dbs,
        "SELECT p.id, p.title, p.slug, u.first_name || ' ' || u.last_name, r.score FROM reviews_productreview r"
        " JOIN catalogue_product p ON p.id = r.product_id JOIN auth_user u ON u.id = r.user_id WHERE r.status = 1"
        " AND (SELECT COUNT(*) FROM reviews_productreview r2 JOIN auth_user u2 ON u2.id = r2.user_id"
        " WHERE r2.product_id = r.product_id AND u2.first_name = u.first_name AND u2.last_name = u.last_name) = 1"
        " ORDER BY r.id",
    )
    return [
        Instance(
            f'How many stars (1 to 5) did {name} give "{title}" in their review?',
            {"path": f"/catalogue/{slug}_{pid}/reviews/"},
            (str(score),),
        )
        for pid, title, slug, name, score in _spread(rows)
    ]


# ---------------------------------------------------------------------- questions spanning the other apps
def _ticket_customers(dbs: Dbs) -> list[tuple[int, int, str]]:
    """(ticket, customer id, e-mail) for help-desk tickets whose submitter is a customer of the shop."""
    customers = dict(_rows(dbs, "SELECT email, id FROM auth_user WHERE id > 1"))
    tickets = dbs["helpdesk"].execute("SELECT id, submitter_email FROM helpdesk_ticket ORDER BY id").fetchall()
    return [(t, customers[e], e) for t, e in tickets if e in customers]


def _ticket_order_count(dbs: Dbs) -> list[Instance]:
    counts = dict(_rows(dbs, "SELECT user_id, COUNT(*) FROM order_order GROUP BY 1"))
    text = (
        "Help-desk ticket #{t} (see the help desk at <helpdesk>) was submitted by a customer of this shop."
        " How many orders has that customer placed in the shop?"
    )
    return [
        Instance(text.format(t=t), {"ticket": t, "user": u}, (str(counts[u]),))
        for t, u, _ in _spread([row for row in _ticket_customers(dbs) if row[1] in counts])
    ]


def _wiki_prices(dbs: Dbs) -> dict[str, int]:
    """The wiki's current price of each product article, by title."""
    from agora.envs.web.wiki.tasks import articles, fact

    found = {}
    for article in articles(dbs["wiki"], "products"):
        price = fact(article["content"], "Price")
        if price:
            found[article["title"]] = int(price.lstrip("$"))
    return found


def _wiki_paths(dbs: Dbs) -> dict[str, str]:
    from agora.envs.web.wiki.tasks import articles

    return {a["title"]: a["path"] for a in articles(dbs["wiki"], "products")}


def _wiki_price_gap(dbs: Dbs) -> list[Instance]:
    prices, paths = _wiki_prices(dbs), _wiki_paths(dbs)
    found = []
    for p in _products(dbs, "p.id <= 90", 90):
        if p["title"] in prices:
            gap = Decimal(str(p["price"])) - prices[p["title"]]
            text = (
                f'How much more does "{p["title"]}" cost in this shop than the price the company wiki (at <wiki>)'
                " lists for it? Give the shop price minus the wiki price in dollars (negative when it is cheaper)."
            )
            params = {"path": _product_path(p), "wiki": paths[p["title"]]}
            found.append(Instance(text, params, (f"{gap:.2f}",)))
    return _spread(found)


def _wiki_gap_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["wiki"], app="wiki"),
        Step("goto", value=inst.params["path"], app=APP),
        Step("answer", value=inst.answers[0]),
    ]


def _ticket_count_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/helpdesk/tickets/{inst.params['ticket']}/", app="helpdesk"),
        Step("goto", value=f"/dashboard/users/{inst.params['user']}/", app=APP),
        Step("answer", value=inst.answers[0]),
    ]


# ---------------------------------------------------------------------- changes: the store front
def _basket_quantity(ep: Episode, product: int) -> int:
    rows = ep.query(
        APP,
        "SELECT COALESCE(SUM(l.quantity), 0) FROM basket_line l JOIN basket_basket b ON b.id = l.basket_id"
        " WHERE b.owner_id = 1 AND b.status = 'Open' AND l.product_id = ?",
        product,
    )
    return rows[0][0]


def _add_to_basket(dbs: Dbs) -> list[Instance]:
    found = []
    for k, p in enumerate(_products(dbs, "s.num_in_stock >= 5")):
        q = 1 + k % 3
        what = f'one "{p["title"]}"' if q == 1 else f'{q} units of "{p["title"]}"'
        found.append(Instance(f"Put {what} in your shopping cart.", {"id": p["id"], "path": _product_path(p), "q": q}))
    return found


def _add_to_basket_plan(inst: Instance) -> list[Step]:
    clicks = [Step("click", 'button "Add to cart"') for _ in range(inst.params["q"])]
    return [Step("goto", value=inst.params["path"]), *clicks, Step("answer")]


AGENT_CITIES = ("Portland", "Austin", "Denver")
"""The cities of the agent's three saved addresses, in the order checkout lists them."""


def _checkout(dbs: Dbs) -> list[Instance]:
    found = []
    for k, p in enumerate(_products(dbs, "s.num_in_stock >= 3")):
        city = AGENT_CITIES[k % len(AGENT_CITIES)]
        text = f'Buy one "{p["title"]}" and have it shipped to your saved address in {city}.'
        found.append(Instance(text, {"id": p["id"], "path": _product_path(p), "city": city}))
    return found


def _last_of(pattern: str, following: int) -> str:
    """A pattern for the element matching `pattern` that has exactly `following` more matches after it."""
    return rf"{pattern}(?=(?:[\s\S]*?{pattern}){{{following}}}(?![\s\S]*?{pattern}))"


def _checkout_plan(inst: Instance) -> list[Step]:
    following = len(AGENT_CITIES) - 1 - AGENT_CITIES.index(inst.params["city"])
    return [
        Step("goto", value=inst.params["path"]),
        Step("click", 'button "Add to cart"'),
        Step("goto", value="/checkout/"),
        Step("click", _last_of('button "Ship to (?:your default shipping|this) address"', following)),
        Step("click", 'link "Continue"'),
        Step("click", 'button "Place order"'),
        Step("answer"),
    ]


def _checked_out(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(
        APP,
        "SELECT a.line4, l.quantity FROM order_order o JOIN order_line l ON l.order_id = o.id"
        " JOIN order_shippingaddress a ON a.id = o.shipping_address_id WHERE o.user_id = 1 AND l.product_id = ?",
        inst.params["id"],
    )
    return rows == [(inst.params["city"], 1)]


REVIEW_BODIES = ("Arrived quickly and works as described.", "Good value for the money.", "Would buy again.")


def _write_review(dbs: Dbs) -> list[Instance]:
    found = []
    for k, p in enumerate(_products(dbs)):
        score = 1 + (k * 3) % 5
        title = f"{REVIEW_TITLES[score][k % 3]} ({p['id']})"
        body = REVIEW_BODIES[k % len(REVIEW_BODIES)]
        text = f'Review "{p["title"]}": {score} stars, the title "{title}" and the text "{body}".'
        params = {"id": p["id"], "path": _product_path(p), "score": score, "title": title, "body": body}
        found.append(Instance(text, params))
    return found


def _review_plan(inst: Instance) -> list[Step]:
    p = inst.params
    star = r"clickable class=fas fa-star(?=(?:\n\s*\[\d+\] clickable class=fas fa-star){%d}\n\s*\[\d+\] label \"Body\")"
    star %= 5 - p["score"]
    return [
        Step("goto", value=p["path"] + "reviews/add/"),
        Step("type", 'textbox "Title"', p["title"]),
        Step("click", star),
        Step("type", 'textbox "Body"', p["body"]),
        Step("click", 'button "Save review"'),
        Step("answer"),
    ]


def _reviewed(ep: Episode, inst: Instance) -> bool:
    p = inst.params
    rows = ep.query(
        APP,
        "SELECT score, title, body FROM reviews_productreview WHERE product_id = ? AND user_id = 1",
        p["id"],
    )
    return rows == [(p["score"], p["title"], p["body"])]


def _wishlist(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Add "{p["title"]}" to your wish list.', {"id": p["id"], "path": _product_path(p)})
        for p in _products(dbs)
    ]


def _wishlisted(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(
        APP,
        "SELECT COUNT(*) FROM wishlists_line l JOIN wishlists_wishlist w ON w.id = l.wishlist_id"
        " WHERE w.owner_id = 1 AND l.product_id = ?",
        inst.params["id"],
    )
    return rows[0][0] >= 1


# ---------------------------------------------------------------------- changes: the dashboard
def _status_of(ep: Episode, number: str) -> str | None:
    rows = ep.query(APP, "SELECT status FROM order_order WHERE number = ?", number)
    return rows[0][0] if rows else None


def _set_status(dbs: Dbs) -> list[Instance]:
    found = []
    for k, o in enumerate(_orders(dbs, "o.status IN ('Pending', 'Being processed', 'Shipped', 'Complete')")):
        moves = PIPELINE[o[1]]
        to = moves[k % len(moves)]
        found.append(Instance(f'Change the status of order #{o[0]} to "{to}".', {"number": o[0], "status": to}))
    return found


def _status_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=_order_path(inst.params["number"]), app=APP),
        Step("click", r'combobox\n\s*\[\d+\] textbox "(?!-- choose)[^"]*"\n'),
        Step("click", f'option "{inst.params["status"]}"'),
        Step("click", 'button "Change status"'),
        Step("answer"),
    ]


NOTES = ("Customer called about delivery.", "Gift wrap requested.", "Address confirmed by phone.")


def _order_note(dbs: Dbs) -> list[Instance]:
    found = []
    for o in _orders(dbs):
        note = f"{NOTES[int(o[0]) % len(NOTES)]} (ref {o[0]})"
        found.append(Instance(f'Add the note "{note}" to order #{o[0]}.', {"number": o[0], "note": note}))
    return found


def _note_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=_order_path(inst.params["number"]) + "#order_notes"),
        Step("click", 'link "Notes"'),
        Step("type", 'textbox "Message"', inst.params["note"]),
        Step("click", 'button "Save note"'),
        Step("answer"),
    ]


def _noted(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(
        APP,
        "SELECT n.message FROM order_ordernote n JOIN order_order o ON o.id = n.order_id WHERE o.number = ?",
        inst.params["number"],
    )
    return any(m.strip() == inst.params["note"] for (m,) in rows)


def _stock_record(ep: Episode, product: int, column: str) -> object:
    rows = ep.query(APP, f"SELECT {column} FROM partner_stockrecord WHERE product_id = ?", product)
    return rows[0][0] if len(rows) == 1 else None


def _set_stock(dbs: Dbs) -> list[Instance]:
    found = []
    for p in _products(dbs):
        to = (p["id"] * 7) % 90 + 5
        if to != p["stock"]:
            found.append(Instance(f'Set the stock of "{p["title"]}" to {to} units.', {"id": p["id"], "value": to}))
    return found


def _set_price(dbs: Dbs) -> list[Instance]:
    found = []
    for p in _products(dbs):
        to = _money(Decimal(str(p["price"])) + Decimal(p["id"] % 17 + 1) - Decimal("0.50"))
        found.append(Instance(f'Change the price of "{p["title"]}" to ${to}.', {"id": p["id"], "value": to}))
    return found


def _stock_plan(field: str) -> Callable[[Instance], list[Step]]:
    def plan(inst: Instance) -> list[Step]:
        return [
            Step("goto", value=_at_dashboard_product(inst), app=APP),
            Step("click", 'link "Stock and pricing"'),
            Step("type", f'spinbutton "stockrecords-0-{field}"', str(inst.params["value"])),
            Step("click", 'button "Save"'),
            Step("answer"),
        ]

    return plan


def _price_is(ep: Episode, inst: Instance) -> bool:
    value = _stock_record(ep, inst.params["id"], "price")
    return value is not None and Decimal(str(value)) == Decimal(str(inst.params["value"]))


NEW_NAMES = ("Edition", "Plus", "Series 2", "Limited")


def _rename(dbs: Dbs) -> list[Instance]:
    found = []
    for p in _products(dbs):
        new = f"{p['title']} {NEW_NAMES[p['id'] % len(NEW_NAMES)]}"
        found.append(Instance(f'Rename the product "{p["title"]}" to "{new}".', {"id": p["id"], "value": new}))
    return found


def _product_field(ep: Episode, product: int, column: str) -> object:
    rows = ep.query(APP, f"SELECT {column} FROM catalogue_product WHERE id = ?", product)
    return rows[0][0] if rows else None


def _rename_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=_at_dashboard_product(inst)),
        Step("type", 'textbox "Title"', inst.params["value"]),
        Step("click", 'button "Save"'),
        Step("answer"),
    ]


def _hide(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Take "{p["title"]}" off the store front: make the product not public.', {"id": p["id"]})
        for p in _products(dbs)
    ]


def _hide_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=_at_dashboard_product(inst)),
        Step("click", 'checkbox "Is public" checked'),
        Step("click", 'button "Save"'),
        Step("answer"),
    ]


PARTNER_WORDS = ("Granite", "Willow", "Meridian", "Copper", "Lantern", "Orchard", "Beacon", "Tidewater")
PARTNER_KINDS = ("Supply Co", "Traders", "Wholesale", "Goods")


def _create_partner(dbs: Dbs) -> list[Instance]:
    names = [f"{w} {k}" for w in PARTNER_WORDS for k in PARTNER_KINDS]
    return [Instance(f'Create a new partner (supplier) named "{n}".', {"name": n}) for n in names]


def _create_partner_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value="/dashboard/partners/create/"),
        Step("type", 'textbox "Name"', inst.params["name"]),
        Step("click", 'button "Save"'),
        Step("answer"),
    ]


CATEGORY_WORDS = ("Garden", "Pets", "Toys", "Bicycles", "Stationery", "Lighting", "Bath", "Travel")
CATEGORY_KINDS = ("Essentials", "Gear", "Deals", "Favourites")


def _create_category(dbs: Dbs) -> list[Instance]:
    names = [f"{w} {k}" for w in CATEGORY_WORDS for k in CATEGORY_KINDS]
    return [Instance(f'Create a new top-level category named "{n}".', {"name": n}) for n in names]


def _create_category_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value="/dashboard/catalogue/categories/create/"),
        Step("type", 'textbox "Name"', inst.params["name"]),
        Step("click", 'button "Save"'),
        Step("answer"),
    ]


# ---------------------------------------------------------------------- changes spanning the other apps
def _wiki_price_sync(dbs: Dbs) -> list[Instance]:
    prices, paths = _wiki_prices(dbs), _wiki_paths(dbs)
    found = []
    for p in _products(dbs, "p.id <= 90", 90):
        wiki = prices.get(p["title"])
        if wiki is not None and Decimal(str(p["price"])) != wiki:
            text = (
                f'Set the shop price of "{p["title"]}" to the price its article on the company wiki (at <wiki>) gives.'
            )
            found.append(Instance(text, {"id": p["id"], "value": f"{wiki}.00", "wiki": paths[p["title"]]}))
    return _spread(found)


def _wiki_sync_plan(inst: Instance) -> list[Step]:
    return [Step("goto", value=inst.params["wiki"], app="wiki"), *_stock_plan("price")(inst)]


def _cancel_for_ticket(dbs: Dbs) -> list[Instance]:
    latest = {
        u: (number, status)
        for u, number, status in _rows(dbs, "SELECT user_id, number, status FROM order_order ORDER BY date_placed, id")
    }
    found = []
    for t, u, _ in _ticket_customers(dbs):
        number, status = latest.get(u, (None, None))
        if status in ("Pending", "Being processed"):
            text = (
                f"The customer who submitted help-desk ticket #{t} (see the help desk at <helpdesk>) asks to cancel"
                " their most recent order in this shop. Cancel it: set its status to Cancelled."
            )
            found.append(Instance(text, {"ticket": t, "user": u, "number": number, "status": "Cancelled"}))
    return _spread(found)


def _cancel_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/helpdesk/tickets/{inst.params['ticket']}/", app="helpdesk"),
        Step("goto", value=f"/dashboard/users/{inst.params['user']}/", app=APP),
        *_status_plan(inst),
    ]


# ---------------------------------------------------------------------- navigation
def _at(path: Callable[[Instance], str]) -> Callable[[Episode, Instance], bool]:
    def check(ep: Episode, inst: Instance) -> bool:
        app, where, _ = ep.location()
        return app == APP and where == path(inst)

    return check


def _open_product(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Open the store page of the product "{p["title"]}".', {"path": _product_path(p)})
        for p in _products(dbs)
    ]


def _open_reviews(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Open the page that lists all customer reviews of "{p["title"]}".', {"path": _product_path(p)})
        for p in _products(dbs, "p.id IN (SELECT product_id FROM reviews_productreview WHERE status = 1)")
    ]


def _sorted_category(dbs: Dbs) -> list[Instance]:
    sorts = (("price-asc", "by price, lowest first"), ("price-desc", "by price, highest first"))
    sorts += (("rating", "by customer rating"), ("title-asc", "by title, A to Z"))
    found = []
    for c in _categories(dbs):
        for key, words in sorts:
            text = f"Show the products of the {c['name']} category sorted {words}."
            found.append(Instance(text, {"url": c["url"], "sort": key}))
    return _spread(found)


def _sorted_ok(ep: Episode, inst: Instance) -> bool:
    app, where, query = ep.location()
    return app == APP and where == inst.params["url"] and query.get("sort_by") == inst.params["sort"]


SEARCH_TERMS = tuple(noun for subs in CATEGORIES.values() for nouns in subs.values() for noun in nouns)


def _search(dbs: Dbs) -> list[Instance]:
    return [Instance(f'Search the store for "{t}".', {"q": t}) for t in _spread(list(SEARCH_TERMS))]


def _searched(ep: Episode, inst: Instance) -> bool:
    app, where, query = ep.location()
    return (
        app == APP and where == "/search/" and " ".join(query.get("q", "").split()).lower() == inst.params["q"].lower()
    )


def _search_plan(inst: Instance) -> list[Step]:
    return [
        Step("type", 'textbox "Search"', inst.params["q"]),
        Step("click", 'button "Search"'),
        Step("answer"),
    ]


def _open_order(dbs: Dbs) -> list[Instance]:
    return [Instance(f"Open the dashboard page of order #{o[0]}.", {"number": o[0]}) for o in _orders(dbs)]


def _open_customer(dbs: Dbs) -> list[Instance]:
    rows = _rows(dbs, "SELECT id, first_name || ' ' || last_name, email FROM auth_user WHERE id > 1 ORDER BY id")
    return [
        Instance(f"Open the dashboard page of the customer {name} ({email}).", {"user": uid})
        for uid, name, email in _spread(rows)
    ]


def _goto_then_click(pattern: str) -> Callable[[Instance], list[Step]]:
    return lambda inst: [Step("goto", value=inst.params["path"]), Step("click", pattern), Step("answer")]


def _t(name: str, kind: str, instances, plan, check=None, description: str = "") -> Template:
    return Template(name, kind, (APP,), START, instances, plan, check, description)


def _leaf_answers(p: dict) -> tuple[str, ...]:
    return (p["category"],)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _t(
            "product-price",
            "answer",
            _product_instances("1", lambda p: f'How much does "{p["title"]}" cost?', lambda p: (_money(p["price"]),)),
            read_then_answer(_at_product),
            description="a product's price (the product page)",
        ),
        _t(
            "product-stock",
            "answer",
            _product_instances(
                "s.num_in_stock > 0",
                lambda p: f'How many units of "{p["title"]}" are available?',
                lambda p: (str(p["stock"]),),
            ),
            read_then_answer(_at_product),
            description="units in stock (the product page's availability)",
        ),
        _t(
            "product-upc",
            "answer",
            _product_instances("1", lambda p: f'What is the UPC of "{p["title"]}"?', lambda p: (p["upc"],)),
            read_then_answer(_at_product),
            description="a product's UPC",
        ),
        _t(
            "product-colour",
            "answer",
            _product_instances("1", lambda p: f'What colour is "{p["title"]}"?', lambda p: (p["colour"],)),
            read_then_answer(_at_product),
            description="a product attribute (colour)",
        ),
        _t(
            "product-weight",
            "answer",
            _product_instances(
                "1", lambda p: f'How much does "{p["title"]}" weigh, in grams?', lambda p: (str(p["weight"]),)
            ),
            read_then_answer(_at_product),
            description="a product attribute (weight in grams)",
        ),
        _t(
            "product-review-count",
            "answer",
            _product_instances(
                "p.id IN (SELECT product_id FROM reviews_productreview)",
                lambda p: f'How many customer reviews does "{p["title"]}" have?',
                lambda p: (str(p["reviews"]),),
            ),
            read_then_answer(_at_product),
            description="approved reviews of a product",
        ),
        _t(
            "product-category",
            "answer",
            _product_instances("p.id > 90", lambda p: f'In which category is "{p["title"]}" listed?', _leaf_answers),
            read_then_answer(_at_product),
            description="a product's (sub)category",
        ),
        _t(
            "product-supplier",
            "answer",
            _product_instances("1", lambda p: f'Which partner supplies "{p["title"]}"?', lambda p: (p["partner"],)),
            read_then_answer(_at_dashboard_product),
            description="the partner of a product's stock record (dashboard)",
        ),
        _t(
            "review-score",
            "answer",
            _review_score,
            read_then_answer(lambda i: i.params["path"]),
            description="the stars one customer gave one product",
        ),
        _t(
            "cheapest-in-category",
            "answer",
            _cheapest,
            read_then_answer(lambda i: i.params["url"] + "?sort_by=price-asc"),
            description="the cheapest product of a subcategory (listing sorted by price)",
        ),
        _t(
            "category-product-count",
            "answer",
            _category_count,
            read_then_answer(lambda i: i.params["url"]),
            description="products listed in a category and its subcategories",
        ),
        _t(
            "order-status",
            "answer",
            _order_question("What is the status of order #{number}?", lambda o: (o[1],)),
            read_then_answer(_at_order),
            description="an order's status (dashboard)",
        ),
        _t(
            "order-total",
            "answer",
            _order_question("What was the order total of order #{number}?", lambda o: (_money(o[2]),)),
            read_then_answer(_at_order),
            description="an order's total",
        ),
        _t(
            "order-customer",
            "answer",
            _order_question("Which customer placed order #{number}? Give their e-mail address.", lambda o: (o[4],)),
            read_then_answer(_at_order),
            description="the e-mail of an order's customer",
        ),
        _t(
            "order-units",
            "answer",
            _order_question(
                "How many items (units, all lines together) does order #{number} contain?", lambda o: (str(o[7]),)
            ),
            read_then_answer(_at_order),
            description="units in an order",
        ),
        _t(
            "order-city",
            "answer",
            _order_question("To which city was order #{number} shipped?", lambda o: (o[6],)),
            read_then_answer(_at_order),
            description="an order's shipping city",
        ),
        _t(
            "customer-order-count",
            "answer",
            _customer_orders,
            read_then_answer(lambda i: f"/dashboard/users/{i.params['user']}/"),
            description="orders of one customer",
        ),
        _t(
            "status-month-count",
            "answer",
            _status_month_count,
            read_then_answer(_status_month_path),
            description="orders of one month that have one status",
        ),
        Template(
            "ticket-customer-orders",
            "answer",
            (APP, "helpdesk"),
            START,
            _ticket_order_count,
            _ticket_count_plan,
            description="spans the help desk: orders of the customer who submitted a ticket",
        ),
        Template(
            "wiki-price-gap",
            "answer",
            (APP, "wiki"),
            START,
            _wiki_price_gap,
            _wiki_gap_plan,
            description="spans the wiki: shop price minus the wiki's price of a product",
        ),
        _t(
            "add-to-cart",
            "change",
            _add_to_basket,
            _add_to_basket_plan,
            lambda ep, i: _basket_quantity(ep, i.params["id"]) == i.params["q"],
            "the agent's open basket holds exactly the asked quantity of the product",
        ),
        _t(
            "checkout",
            "change",
            _checkout,
            _checkout_plan,
            _checked_out,
            "one order of the agent with one unit of the product, shipped to the named city",
        ),
        _t(
            "write-review",
            "change",
            _write_review,
            _review_plan,
            _reviewed,
            "the agent's one review of the product has exactly the score, title and text",
        ),
        _t(
            "add-to-wishlist",
            "change",
            _wishlist,
            _goto_then_click('button "Add to wish list"'),
            _wishlisted,
            "the product is on a wish list of the agent",
        ),
        _t(
            "set-order-status",
            "change",
            _set_status,
            _status_plan,
            lambda ep, i: _status_of(ep, i.params["number"]) == i.params["status"],
            "the order's status",
        ),
        _t(
            "add-order-note",
            "change",
            _order_note,
            _note_plan,
            _noted,
            "a note on the order with exactly the text",
        ),
        _t(
            "set-stock",
            "change",
            _set_stock,
            _stock_plan("num_in_stock"),
            lambda ep, i: _stock_record(ep, i.params["id"], "num_in_stock") == i.params["value"],
            "the product's one stock record has the number in stock",
        ),
        _t(
            "set-price",
            "change",
            _set_price,
            _stock_plan("price"),
            _price_is,
            "the product's one stock record has the price",
        ),
        _t(
            "rename-product",
            "change",
            _rename,
            _rename_plan,
            lambda ep, i: _product_field(ep, i.params["id"], "title") == i.params["value"],
            "the product's title, exactly",
        ),
        _t(
            "hide-product",
            "change",
            _hide,
            _hide_plan,
            lambda ep, i: _product_field(ep, i.params["id"], "is_public") == 0,
            "the product is not public",
        ),
        _t(
            "create-partner",
            "change",
            _create_partner,
            _create_partner_plan,
            lambda ep, i: (
                ep.query(APP, "SELECT COUNT(*) FROM partner_partner WHERE name = ?", i.params["name"]) == [(1,)]
            ),
            "exactly one partner with the name",
        ),
        _t(
            "create-category",
            "change",
            _create_category,
            _create_category_plan,
            lambda ep, i: (
                ep.query(APP, "SELECT depth FROM catalogue_category WHERE name = ?", i.params["name"]) == [(1,)]
            ),
            "exactly one category with the name, at the top level",
        ),
        Template(
            "wiki-price-sync",
            "change",
            (APP, "wiki"),
            START,
            _wiki_price_sync,
            _wiki_sync_plan,
            _price_is,
            "spans the wiki: the product's price is the one its wiki article gives",
        ),
        Template(
            "cancel-ticket-order",
            "change",
            (APP, "helpdesk"),
            START,
            _cancel_for_ticket,
            _cancel_plan,
            lambda ep, i: _status_of(ep, i.params["number"]) == "Cancelled",
            "spans the help desk: the latest order of the ticket's submitter is Cancelled",
        ),
        _t(
            "open-product",
            "navigate",
            _open_product,
            goto_then_done(lambda i: i.params["path"]),
            _at(lambda i: i.params["path"]),
            "the final page is the product's page",
        ),
        _t(
            "open-product-reviews",
            "navigate",
            _open_reviews,
            goto_then_done(lambda i: i.params["path"] + "reviews/"),
            _at(lambda i: i.params["path"] + "reviews/"),
            "the final page is the product's review list",
        ),
        _t(
            "sorted-category",
            "navigate",
            _sorted_category,
            goto_then_done(lambda i: f"{i.params['url']}?sort_by={i.params['sort']}"),
            _sorted_ok,
            "the final page is the category's listing with the sort order",
        ),
        _t(
            "search-products",
            "navigate",
            _search,
            _search_plan,
            _searched,
            "the final page is the search results for the term",
        ),
        _t(
            "open-order",
            "navigate",
            _open_order,
            goto_then_done(_at_order),
            _at(_at_order),
            "the final page is the order's dashboard page",
        ),
        _t(
            "open-customer",
            "navigate",
            _open_customer,
            goto_then_done(lambda i: f"/dashboard/users/{i.params['user']}/"),
            _at(lambda i: f"/dashboard/users/{i.params['user']}/"),
            "the final page is the customer's dashboard page",
        ),
    )
}
