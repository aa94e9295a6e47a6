"""A real shop, django-oscar 4.2 on Django 5.2 (``web/store.<template>-v0``): store front and dashboard.

The app is the unmodified django-oscar from PyPI, served on 127.0.0.1 by waitress from its own venv
(``.venv-webapps``) with a SQLite database; product listings and search run on a database-backed haystack
engine (``store/site.py``). The seeded state (built once, cached, deterministic): a tree of 6 categories
and 20 subcategories, 2,000 products (price, stock, partner and SKU, UPC, colour, material and weight),
5 partners, 320 customers with addresses (the help desk's submitters), about 4,200 reviews, 720 orders with
1,500 lines in six statuses. The agent is logged in as "Alex Agent" (username ``agent``, a superuser with
three saved addresses), so both the store front and the dashboard (``/dashboard/``) are open to it.
Every episode works on its own copy of the database, so concurrent episodes never see each other's changes.

**Templates** (one id each; the seed picks the instance, e.g. which product or order): questions
(``product-price``, ``product-stock``, ``product-upc``, ``product-colour``, ``product-weight``,
``product-review-count``, ``product-category``, ``product-supplier``, ``review-score``,
``cheapest-in-category``, ``category-product-count``, ``order-status``, ``order-total``, ``order-customer``,
``order-units``, ``order-city``, ``customer-order-count``, ``status-month-count``, and two that span apps:
``ticket-customer-orders`` reads the help desk, ``wiki-price-gap`` the wiki), changes (``add-to-cart``,
``checkout``, ``write-review``, ``add-to-wishlist``, ``set-order-status``, ``add-order-note``,
``set-stock``, ``set-price``, ``rename-product``, ``hide-product``, ``create-partner``, ``create-category``,
and ``wiki-price-sync`` and ``cancel-ticket-order``, which read the wiki or the help desk and act here) and
navigation (``open-product``, ``open-product-reviews``, ``sorted-category``, ``search-products``,
``open-order``, ``open-customer``). ``info["task_kind"]`` says ``answer``, ``change`` or ``navigate``.

**Observation.** ``Task: ...``, ``Page: <path>``, then the page as an accessibility tree
(``[id] role "name" attributes``), and ``Error: ...`` after a failed action; ``mode="pixel"`` gives
screenshots and coordinate actions instead.

**Actions.** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``goto("/catalogue/")`` (the apps of the task only), ``answer("...")``, ``noop()``; or
JSON tool calls with the specs in ``info["tools"]``.

**Reward.** The episode ends with ``answer(...)`` (give ``answer("")`` when a change or navigation task is
done): 1 when a question's answer equals the value computed from the seeded state (after normalising case,
spaces, numbers and dates), when the episode's database shows the asked change, or when the final page is
the asked one; else 0. At the turn limit (30 steps) the episode is graded the same way and ends (a question
without an answer scores 0). Malformed actions earn 0. The scripted ``oracle`` agent solves every template.
"""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class StoreEnv(WebAppEnv):
    """One template of the shop (see the module docs)."""

    app = "store"
