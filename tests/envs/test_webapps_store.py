"""The shop (``web/store.*``, django-oscar): its seeded state and the database search engine of its site."""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
import urllib.request

from agora.envs.web.appserver import app_server, new_token, seeded_db
from agora.envs.web.store.seed import CUSTOMERS, ORDERS, PRODUCTS, wiki_product_titles


def _seeded() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{seeded_db('store')}?mode=ro", uri=True)


def test_the_seeded_shop_is_large_and_consistent():
    db = _seeded()
    try:
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        assert count("SELECT COUNT(*) FROM catalogue_product") == PRODUCTS
        assert count("SELECT COUNT(*) FROM partner_stockrecord") == PRODUCTS  # one stock record each
        assert count("SELECT COUNT(DISTINCT product_id) FROM catalogue_productcategory") == PRODUCTS
        assert count("SELECT COUNT(*) FROM order_order") == ORDERS
        assert count("SELECT COUNT(*) FROM auth_user WHERE id > 1") == CUSTOMERS
        assert count("SELECT COUNT(*) FROM reviews_productreview") > 4000
        # every order's total is the sum of its lines
        assert not db.execute(
            "SELECT o.id FROM order_order o JOIN order_line l ON l.order_id = o.id GROUP BY o.id"
            " HAVING ABS(SUM(CAST(l.line_price_incl_tax AS REAL)) - CAST(o.total_incl_tax AS REAL)) > 0.005"
        ).fetchall()
        # the cached rating is the mean of the approved reviews
        assert not db.execute(
            "SELECT p.id FROM catalogue_product p JOIN reviews_productreview r ON r.product_id = p.id"
            " WHERE r.status = 1 GROUP BY p.id HAVING ABS(AVG(r.score) - p.rating) > 1e-9"
        ).fetchall()
        # the customers are the help desk's submitters, the office products the wiki's
        emails = [e for (e,) in db.execute("SELECT email FROM auth_user WHERE id > 1")]
        assert all(re.fullmatch(r"[a-z]+\.[a-z]+@[a-z]+\.example", e) for e in emails)
        titles = [t for (t,) in db.execute("SELECT title FROM catalogue_product WHERE id <= 90 ORDER BY id")]
        assert titles == wiki_product_titles()
    finally:
        db.close()


def _page(path: str, token: str) -> str:
    server = app_server("store")
    request = urllib.request.Request(server.origin + path, headers={"Cookie": f"agora_episode={token}"})
    with urllib.request.urlopen(request) as response:
        return response.read().decode()


def _result_count(html: str) -> int:
    found = re.search(r"<strong>([0-9]+)</strong>\s*results?[ .]", html)
    assert found, html[:2000]
    return int(found.group(1))


def test_listings_and_search_run_on_the_episode_database():
    """Oscar lists through haystack: the site's engine must filter by category, search titles and sort."""
    db = _seeded()
    try:
        (jackets, path), *_ = db.execute("SELECT id, path FROM catalogue_category WHERE name = 'Jackets'")
        (clothing,) = db.execute("SELECT id FROM catalogue_category WHERE name = 'Clothing'").fetchone()
        in_jackets = db.execute("SELECT COUNT(*) FROM catalogue_productcategory WHERE category_id = ?", (jackets,))
        n_jackets = in_jackets.fetchone()[0]
        n_clothing = db.execute(
            "SELECT COUNT(*) FROM catalogue_productcategory pc JOIN catalogue_category c ON c.id = pc.category_id"
            " WHERE c.path LIKE ?",
            (path[:4] + "%",),
        ).fetchone()[0]
        cheapest = db.execute(
            "SELECT p.title FROM catalogue_product p JOIN partner_stockrecord s ON s.product_id = p.id"
            " JOIN catalogue_productcategory pc ON pc.product_id = p.id WHERE pc.category_id = ?"
            " ORDER BY CAST(s.price AS REAL) LIMIT 1",
            (jackets,),
        ).fetchone()[0]
    finally:
        db.close()
    server, token = app_server("store"), new_token()
    server.new_episode(token)
    try:
        assert _result_count(_page("/catalogue/", token)) == PRODUCTS
        assert _result_count(_page(f"/catalogue/category/clothing_{clothing}/", token)) == n_clothing
        listing = _page(f"/catalogue/category/clothing/jackets_{jackets}/?sort_by=price-asc", token)
        assert _result_count(listing) == n_jackets < n_clothing
        assert listing.index(cheapest) < listing.index("Page 1 of")
        found = _page("/search/?" + urllib.parse.urlencode({"q": "Desk Lamp A1"}), token)
        assert _result_count(found) == 1 and "Desk Lamp A1" in found
    finally:
        server.end_episode(token)


def test_a_change_in_one_episode_is_invisible_to_another_of_the_same_seed():
    """Two live episodes: a price written into one's database copy shows on its product page and in its
    search results (the listing engine reads the episode's copy), never in the other's."""
    server = app_server("store")
    changer, bystander = new_token(), new_token()
    for token in (changer, bystander):
        server.new_episode(token)
    try:
        db = sqlite3.connect(server.episode_db(changer))
        with db:
            db.execute("UPDATE partner_stockrecord SET price = '12345.67' WHERE product_id = 1")
        db.close()
        search = "/search/?" + urllib.parse.urlencode({"q": "Desk Lamp A1", "sort_by": "price-desc"})
        for path in ("/catalogue/desk-lamp-a1_1/", search):
            assert "$12,345.67" in _page(path, changer)
            assert "$12,345.67" not in _page(path, bystander)
    finally:
        for token in (changer, bystander):
            server.end_episode(token)
