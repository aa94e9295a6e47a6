"""The shop's seeded content: a category tree, 2,000 products with stock and reviews, customers, orders.

The rows are written into the schema that django-oscar's own migrations built (bulk inserts with the
standard library's sqlite3; `_insert` fills the NOT NULL columns a row does not name with the column's empty
value, as Django's field defaults would).

Everything is drawn from one fixed `random.Random(SEED)`, so every build gives the same rows (same ids,
prices, dates). The agent account (``agent``, a superuser: the dashboard is open to it) is the persona every
task speaks to. The customers are the help desk's submitters (``first.last@team.example``, the pattern of
``helpdesk/seed.py``), so a ticket leads to a customer's orders; the office products are the wiki's
(``wiki/seed.py``: same titles, the wiki's SKU as the partner SKU), so a wiki article leads to a product.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from agora.envs.web.helpdesk.seed import FIRST, LAST, TEAMS
from agora.envs.web.wiki.seed import PRODUCTS as WIKI_PRODUCTS

SEED = 20240611
CATEGORIES = {
    "Clothing": {
        "Jackets": ("Parka", "Rain Jacket", "Fleece", "Windbreaker"),
        "Shirts": ("Oxford Shirt", "Polo", "Flannel Shirt", "Linen Shirt"),
        "Trousers": ("Chinos", "Cargo Pants", "Jeans", "Joggers"),
        "Knitwear": ("Cardigan", "Sweater", "Hoodie", "Turtleneck"),
    },
    "Footwear": {
        "Running Shoes": ("Trail Runner", "Road Runner", "Racing Flat", "Cushioned Runner"),
        "Boots": ("Hiking Boot", "Chelsea Boot", "Work Boot", "Snow Boot"),
        "Sandals": ("Slide", "Sport Sandal", "Flip Flop", "Clog"),
    },
    "Outdoor": {
        "Tents": ("Dome Tent", "Tunnel Tent", "Bivy", "Tarp Shelter"),
        "Backpacks": ("Daypack", "Trekking Pack", "Hydration Pack", "Travel Pack"),
        "Camp Kitchen": ("Camp Stove", "Cook Set", "Water Filter", "Insulated Mug"),
        "Sleeping": ("Sleeping Bag", "Sleeping Pad", "Camp Pillow", "Hammock"),
    },
    "Kitchen": {
        "Cookware": ("Frying Pan", "Saucepan", "Dutch Oven", "Wok"),
        "Knives": ("Chef Knife", "Paring Knife", "Bread Knife", "Knife Block"),
        "Coffee": ("French Press", "Pour-Over Kit", "Burr Grinder", "Espresso Maker"),
        "Storage": ("Food Container", "Spice Rack", "Bread Bin", "Lunch Box"),
    },
    "Electronics": {
        "Audio": ("Earbuds", "Bluetooth Speaker", "Soundbar", "Turntable"),
        "Cameras": ("Action Camera", "Instant Camera", "Tripod", "Camera Bag"),
        "Accessories": ("Power Bank", "USB Charger", "Cable Kit", "Phone Stand"),
        "Smart Home": ("Smart Plug", "Smart Bulb", "Door Sensor", "Thermostat"),
    },
    "Office": {"Office Equipment": ()},
}
"""Top-level categories, their subcategories and the product nouns of each (Office Equipment: the wiki's)."""
BRANDS = ("Alder", "Brisk", "Cobalt", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Ionic", "Juniper", "Kestrel")
ADJECTIVES = ("Classic", "Compact", "Deluxe", "Essential", "Field", "Light", "Pro", "Rugged", "Urban", "Venture")
COLOURS = ("Black", "Navy", "Olive", "Grey", "Red", "Sand", "White", "Teal")
MATERIALS = ("Cotton", "Wool", "Nylon", "Polyester", "Steel", "Aluminium", "Bamboo", "Leather", "Plastic")
PARTNERS = ("Northwind Supply", "Blue Ridge Goods", "Coastal Traders", "Summit Wholesale", "Prairie Makers")
PRODUCTS = 2000
CUSTOMERS = 320
ORDERS = 720
REVIEWS = 4200
ORDER_STATUSES = (("Pending", 20), ("Being processed", 15), ("Shipped", 25), ("Complete", 30), ("Cancelled", 6))
ORDER_STATUSES += (("Returned", 4),)
CITIES = (
    ("Portland", "OR"),
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Boston", "MA"),
    ("Tucson", "AZ"),
    ("Madison", "WI"),
    ("Raleigh", "NC"),
    ("Boise", "ID"),
    ("Omaha", "NE"),
    ("Savannah", "GA"),
)
STREETS = ("Oak St", "Maple Ave", "Pine Rd", "Cedar Ln", "Elm St", "Birch Way", "Lake Dr", "Hill Rd")
REVIEW_TITLES = {
    1: ("Broke quickly", "Not as described", "Disappointed"),
    2: ("Below expectations", "Meh", "Could be better"),
    3: ("Does the job", "Average", "Okay for the price"),
    4: ("Very good", "Happy with it", "Solid choice"),
    5: ("Excellent", "Love it", "Best purchase this year"),
}
AGENT = ("agent", "Alex", "Agent", "agent@shop.example")
AGENT_ADDRESSES = (
    ("12 Harbor View", "Portland", "OR", "97201"),
    ("400 Market St", "Austin", "TX", "73301"),
    ("9 Alpine Ct", "Denver", "CO", "80202"),
)
START = datetime(2024, 1, 3, 9, 0, tzinfo=timezone.utc)
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def _ts(moment: datetime) -> str:
    """A datetime as Django's SQLite backend stores it."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _empty(sql_type: str) -> object:
    kind = sql_type.lower()
    return 0 if any(t in kind for t in ("int", "bool", "decimal", "real")) else ""


def _insert(db: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    """Inserts `rows` (dicts); NOT NULL columns a row leaves out get their type's empty value."""
    if not rows:
        return
    columns = [
        (name, sql_type, notnull) for _, name, sql_type, notnull, *_ in db.execute(f"PRAGMA table_info({table})")
    ]
    names = [c for c, *_ in columns]
    defaults = {c: _empty(t) for c, t, nn in columns if nn and c != "id"}
    unknown = set(rows[0]) - set(names)
    if unknown:
        raise KeyError(f"{table} has no columns {sorted(unknown)}")
    values = [tuple(row.get(c, defaults.get(c)) for c in names) for row in rows]
    if "id" not in rows[0]:
        names_sql = [c for c in names if c != "id"]
        values = [tuple(row.get(c, defaults.get(c)) for c in names_sql) for row in rows]
    else:
        names_sql = names
    db.executemany(f"INSERT INTO {table} ({','.join(names_sql)}) VALUES ({','.join('?' * len(names_sql))})", values)


def slugify(text: str) -> str:
    """A URL slug as Django's ``slugify`` makes it for these ASCII titles."""
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in out.split("-") if part)


def wiki_product_titles() -> list[str]:
    """The titles of the wiki's 90 product articles (the formula of ``wiki/seed.py``), in SKU order."""
    n = len(WIKI_PRODUCTS)
    return [f"{WIKI_PRODUCTS[k % n]} {chr(65 + k // n)}{k % 7 + 1}" for k in range(90)]


def seed(db: sqlite3.Connection) -> None:
    """Fills the migrated, empty shop database `db` with the seeded content (one transaction)."""
    rng = random.Random(SEED)
    with db:
        db.execute("UPDATE django_site SET domain = '127.0.0.1', name = 'Agora Outfitters' WHERE id = 1")
        _countries(db)
        customers = _users(db, rng)
        leaves = _categories(db)
        products = _products(db, rng, leaves)
        _reviews(db, rng, products, customers)
        _orders(db, rng, products, customers)


def _countries(db: sqlite3.Connection) -> None:
    rows = [
        ("US", "USA", "840", "United States of America", 1, 1, "United States"),
        ("CA", "CAN", "124", "Canada", 0, 0, "Canada"),
        ("GB", "GBR", "826", "United Kingdom of Great Britain and Northern Ireland", 0, 0, "United Kingdom"),
    ]
    keys = ("iso_3166_1_a2", "iso_3166_1_a3", "iso_3166_1_numeric", "name")
    keys += ("display_order", "is_shipping_country", "printable_name")
    _insert(db, "address_country", [dict(zip(keys, row, strict=True)) for row in rows])


def _address(user: int, first: str, last: str, line1: str, city: str, state: str, postcode: str, **more) -> dict:
    return {
        "title": "",
        "first_name": first,
        "last_name": last,
        "line1": line1,
        "line4": city,
        "state": state,
        "postcode": postcode,
        "country_id": "US",
        "search_text": f"{first} {last} {line1} {city} {state} {postcode} United States",
        **({"user_id": user} if user else {}),
        **more,
    }


def _users(db: sqlite3.Connection, rng: random.Random) -> list[dict]:
    """The agent (id 1) and the customers (ids 2...); returns the customers with their address."""
    combos = [(f, la, t) for f in FIRST for la in LAST for t in TEAMS]
    picked = rng.sample(combos, CUSTOMERS)
    joined = START - timedelta(days=60)
    users = [_user(1, AGENT[0], AGENT[1], AGENT[2], AGENT[3], joined) | {"is_superuser": 1, "is_staff": 1}]
    addresses = [
        _address(1, AGENT[1], AGENT[2], line1, city, state, postcode, **_book_entry(f"agent-{k}", joined, k == 0))
        for k, (line1, city, state, postcode) in enumerate(AGENT_ADDRESSES)
    ]
    customers = []
    for n, (first, last, team) in enumerate(picked, start=2):
        email = f"{first.lower()}.{last.lower()}@{team.lower()}.example"
        city, state = rng.choice(CITIES)
        line1 = f"{rng.randrange(1, 999)} {rng.choice(STREETS)}"
        postcode = f"{rng.randrange(10000, 99999)}"
        since = joined + timedelta(hours=n)
        users.append(_user(n, f"customer{n}", first, last, email, since))
        customer = {"id": n, "first": first, "last": last, "email": email}
        customer.update(line1=line1, city=city, state=state, postcode=postcode)
        customers.append(customer)
        addresses.append(
            _address(n, first, last, line1, city, state, postcode, **_book_entry(f"customer-{n}", since, True))
        )
    _insert(db, "auth_user", users)
    _insert(db, "address_useraddress", addresses)
    return customers


def _user(n: int, username: str, first: str, last: str, email: str, joined: datetime) -> dict:
    return {
        "id": n,
        "password": "!",
        "username": username,
        "first_name": first,
        "last_name": last,
        "email": email,
        "is_active": 1,
        "date_joined": _ts(joined),
    }


def _book_entry(key: str, created: datetime, default: bool) -> dict:
    """The address-book columns of a user's address."""
    return {
        "is_default_for_shipping": int(default),
        "is_default_for_billing": int(default),
        "hash": key,
        "date_created": _ts(created),
    }


def _categories(db: sqlite3.Connection) -> list[tuple[int, str, tuple[str, ...]]]:
    """The category tree (treebeard materialised paths); returns the leaves (id, name, nouns)."""
    rows, leaves, next_id = [], [], 1
    for t, (top, subs) in enumerate(CATEGORIES.items(), start=1):
        top_path = f"{t:04d}"
        rows.append(
            {
                "id": next_id,
                "path": top_path,
                "depth": 1,
                "numchild": len(subs),
                "name": top,
                "slug": slugify(top),
                "description": f"<p>Everything in {top.lower()}.</p>",
                "ancestors_are_public": 1,
                "is_public": 1,
            }
        )
        next_id += 1
        for s, (sub, nouns) in enumerate(subs.items(), start=1):
            rows.append(
                {
                    "id": next_id,
                    "path": f"{top_path}{s:04d}",
                    "depth": 2,
                    "numchild": 0,
                    "name": sub,
                    "slug": slugify(sub),
                    "description": f"<p>{sub} from our {top.lower()} range.</p>",
                    "ancestors_are_public": 1,
                    "is_public": 1,
                }
            )
            leaves.append((next_id, sub, nouns))
            next_id += 1
    _insert(db, "catalogue_category", rows)
    return leaves


def _products(db: sqlite3.Connection, rng: random.Random, leaves: list) -> list[dict]:
    """Products (one product class, three attributes), each in one leaf category with one stock record."""
    _catalogue_setup(db)
    titles: list[tuple[str, int]] = [(t, leaves[-1][0]) for t in wiki_product_titles()]
    shop_leaves = [leaf for leaf in leaves if leaf[2]]
    per_leaf = (PRODUCTS - len(titles)) // len(shop_leaves) + 1
    for leaf_id, _, nouns in shop_leaves:
        combos = [f"{b} {a} {n}" for b in BRANDS for a in ADJECTIVES for n in nouns]
        titles += [(t, leaf_id) for t in rng.sample(combos, per_leaf)]
    products, links, values, stock = [], [], [], []
    for pid, (title, leaf_id) in enumerate(titles[:PRODUCTS], start=1):
        product, record = _product(rng, pid, title)
        products.append(product)
        links.append({"category_id": leaf_id, "product_id": pid})
        colour, material, weight = rng.choice(COLOURS), rng.choice(MATERIALS), rng.randrange(50, 4000)
        values += [
            {"attribute_id": 1, "product_id": pid, "value_text": colour},
            {"attribute_id": 2, "product_id": pid, "value_text": material},
            {"attribute_id": 3, "product_id": pid, "value_integer": weight},
        ]
        stock.append(record)
        product.update(category=leaf_id, price=Decimal(record["price"]), stock=record["num_in_stock"])
        product.update(partner=record["partner_id"], sku=record["partner_sku"])
        product.update(colour=colour, material=material, weight=weight)
    _insert(db, "catalogue_product", [{k: v for k, v in p.items() if k not in _EXTRA} for p in products])
    _insert(db, "catalogue_productcategory", links)
    _insert(db, "catalogue_productattributevalue", values)
    _insert(db, "partner_stockrecord", stock)
    return products


def _catalogue_setup(db: sqlite3.Connection) -> None:
    """The product class, its attributes and the partners."""
    _insert(db, "catalogue_productclass", [{"id": 1, "name": "Goods", "slug": "goods", "requires_shipping": 1}])
    db.execute("UPDATE catalogue_productclass SET track_stock = 1")
    attributes = (("Colour", "colour", "text"), ("Material", "material", "text"), ("Weight (g)", "weight", "integer"))
    _insert(
        db,
        "catalogue_productattribute",
        [
            {"id": k, "name": n, "code": c, "type": t, "required": 0, "product_class_id": 1}
            for k, (n, c, t) in enumerate(attributes, start=1)
        ],
    )
    _insert(db, "partner_partner", [{"id": k, "code": slugify(p), "name": p} for k, p in enumerate(PARTNERS, start=1)])


def _product(rng: random.Random, pid: int, title: str) -> tuple[dict, dict]:
    """One product's row and its stock record's (the office products carry the wiki's SKU)."""
    price = Decimal(rng.randrange(499, 39999)) / 100
    in_stock = rng.choice((0, 0, 3, 5, 8, 12, 20, 35, 50, 75, 120)) if rng.random() < 0.95 else 0
    partner = rng.randrange(1, len(PARTNERS) + 1)
    when = _ts(START - timedelta(days=30) + timedelta(minutes=pid * 7))
    product = {
        "id": pid,
        "structure": "standalone",
        "upc": f"{40000000 + pid * 37:08d}{pid % 10}",
        "title": title,
        "slug": slugify(title),
        "description": f"<p>The {title}: {rng.choice(MATERIALS).lower()} build, made to last.</p>",
        "date_created": when,
        "date_updated": when,
        "is_discountable": 1,
        "product_class_id": 1,
        "is_public": 1,
    }
    sku = f"SKU-{10000 + pid - 1}" if pid <= 90 else f"{slugify(PARTNERS[partner - 1])[:3].upper()}-{pid:05d}"
    record = {
        "id": pid,
        "partner_sku": sku,
        "price": str(price),
        "price_currency": "USD",
        "num_in_stock": in_stock,
        "num_allocated": 0,
        "low_stock_threshold": 5,
        "date_created": when,
        "date_updated": when,
        "partner_id": partner,
        "product_id": pid,
    }
    return product, record


_EXTRA = {"category", "price", "stock", "partner", "sku", "colour", "material", "weight"}


def _reviews(db: sqlite3.Connection, rng: random.Random, products: list[dict], customers: list[dict]) -> None:
    """Approved reviews (a few awaiting moderation) by customers; each product's cached rating."""
    rows, scores, seen = [], {}, set()
    for k in range(REVIEWS):
        product = rng.choice(products[: PRODUCTS // 2]) if k % 3 else rng.choice(products)
        customer = rng.choice(customers)
        if (product["id"], customer["id"]) in seen:  # one review per customer and product (Oscar's rule)
            continue
        seen.add((product["id"], customer["id"]))
        score = rng.choices((1, 2, 3, 4, 5), (1, 2, 3, 5, 6))[0]
        status = 0 if rng.random() < 0.04 else 1
        rows.append(
            {
                "score": score,
                "title": rng.choice(REVIEW_TITLES[score]),
                "body": f"I bought the {product['title']} {rng.randrange(2, 30)} days ago. {'*' * score}",
                "status": status,
                "date_created": _ts(START + timedelta(minutes=rng.randrange(200_000))),
                "product_id": product["id"],
                "user_id": customer["id"],
            }
        )
        if status == 1:
            scores.setdefault(product["id"], []).append(score)
    _insert(db, "reviews_productreview", rows)
    db.executemany(
        "UPDATE catalogue_product SET rating = ? WHERE id = ?",
        [(sum(s) / len(s), pid) for pid, s in sorted(scores.items())],
    )


def _orders(db: sqlite3.Connection, rng: random.Random, products: list[dict], customers: list[dict]) -> None:
    """Orders by customers: lines, a shipping and billing address each, a status from the pipeline."""
    statuses, weights = zip(*ORDER_STATUSES, strict=True)
    orders, lines, shipping, billing = [], [], [], []
    moments = sorted(START + timedelta(minutes=rng.randrange(210_000)) for _ in range(ORDERS))
    for n, placed in enumerate(moments, start=1):
        c = rng.choice(customers[: CUSTOMERS * 3 // 4]) if n % 4 else rng.choice(customers)
        status = rng.choices(statuses, weights)[0]
        total = Decimal(0)
        for product in rng.sample(products, rng.choice((1, 1, 2, 2, 3, 4))):
            line = _order_line(n, product, rng.choice((1, 1, 1, 2, 3)), status)
            total += Decimal(line["line_price_incl_tax"])
            lines.append(line)
        shipping.append(
            {"id": n, **_address(0, c["first"], c["last"], c["line1"], c["city"], c["state"], c["postcode"])}
        )
        billing.append(
            {"id": n, **_address(0, c["first"], c["last"], c["line1"], c["city"], c["state"], c["postcode"])}
        )
        orders.append(
            {
                "id": n,
                "number": str(100000 + n),
                "currency": "USD",
                "total_incl_tax": str(total),
                "total_excl_tax": str(total),
                "shipping_method": "Free shipping",
                "shipping_code": "free-shipping",
                "status": status,
                "date_placed": _ts(placed),
                "basket_id": n,
                "billing_address_id": n,
                "shipping_address_id": n,
                "site_id": 1,
                "user_id": c["id"],
                "analytics_tracked": 1,
            }
        )
    # Each order comes from a submitted basket of its customer (Oscar numbers a new order 100000 + its
    # basket's id, so the agent's own orders continue after the seeded numbers).
    baskets = [
        {"id": o["id"], "status": "Submitted", "date_created": o["date_placed"], "date_submitted": o["date_placed"]}
        | {"owner_id": o["user_id"]}
        for o in orders
    ]
    _insert(db, "basket_basket", baskets)
    _insert(db, "order_shippingaddress", shipping)
    _insert(db, "order_billingaddress", billing)
    _insert(db, "order_order", orders)
    _insert(db, "order_line", lines)


def _order_line(order: int, product: dict, quantity: int, status: str) -> dict:
    line_total = str(product["price"] * quantity)
    return {
        "order_id": order,
        "partner_id": product["partner"],
        "partner_name": PARTNERS[product["partner"] - 1],
        "partner_sku": product["sku"],
        "title": product["title"],
        "upc": product["upc"],
        "quantity": quantity,
        "line_price_incl_tax": line_total,
        "line_price_excl_tax": line_total,
        "line_price_before_discounts_incl_tax": line_total,
        "line_price_before_discounts_excl_tax": line_total,
        "unit_price_incl_tax": str(product["price"]),
        "unit_price_excl_tax": str(product["price"]),
        "status": status,
        "product_id": product["id"],
        "stockrecord_id": product["id"],
    }
