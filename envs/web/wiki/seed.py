"""The wiki's seeded content: a company wiki of sections and articles, each with a revision history.

The rows are written with the standard library's sqlite3 into the schema that django-wiki's own migrations
built: users, articles, revisions (1 to 5 per article: later ones change a fact, so history matters), URL
paths (django-mptt's nested-set columns computed here) and the article-to-path links. One fixed
`random.Random(SEED)` draws everything, so every build gives the same rows.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import datetime, timedelta, timezone

from agora.envs.web.helpdesk.seed import CITIES, STAFF

SEED = 20240316
ADJECTIVES = ("Amber", "Blue", "Crimson", "Silent", "Rapid", "Golden", "Iron", "Quiet", "Bright", "Northern", "Hidden")
NOUNS = ("Falcon", "Harbor", "Lantern", "Meadow", "Orbit", "Pine", "Quartz", "River", "Summit", "Tundra", "Willow")
STATUSES = ("planning", "active", "paused", "shipped", "cancelled")
PRODUCTS = ("Desk Lamp", "Standing Desk", "Monitor Arm", "Headset", "Webcam", "Dock", "Keyboard", "Mouse", "Chair")
SECTIONS = (("projects", "Projects"), ("offices", "Offices"), ("products", "Products"), ("handbook", "Handbook"))
HANDBOOK = ("Expenses", "Travel", "Security", "Onboarding", "Holidays", "Equipment", "Remote work", "Code review")
START = datetime(2023, 2, 1, 9, 0, tzinfo=timezone.utc)
EDITORS = tuple(range(2, len(STAFF) + 1))
"""Wiki users are the help desk's staff (same usernames and names): user ids 1 (agent) to 12."""


def _ts(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def project_text(lead: str, budget: int, status: str, city: str) -> str:
    """The Markdown of a project article (one fact a line, so questions can name each)."""
    return f"Project lead: {lead}\n\nBudget: ${budget:,}\n\nStatus: {status}\n\nHome office: {city}\n"


def office_text(opens: str, desks: int, manager: str) -> str:
    """The Markdown of an office article."""
    return f"Opening time: {opens}\n\nDesks: {desks}\n\nOffice manager: {manager}\n"


def product_text(price: int, sku: str) -> str:
    """The Markdown of a product article."""
    return f"Price: ${price}\n\nSKU: {sku}\n"


def _articles(rng: random.Random) -> list[tuple[str, str, str, list[str]]]:
    """(section slug, article slug, title, contents of each revision in order) for every article."""
    names = lambda k: " ".join(STAFF[k][1:])  # noqa: E731
    found = []
    projects = [f"{a} {n}" for a in ADJECTIVES for n in NOUNS]
    for title in rng.sample(projects, 100):
        lead, budget, status, city = rng.choice(EDITORS) - 1, rng.randrange(10, 500) * 1000, 0, rng.choice(CITIES)
        status = rng.choice(STATUSES[:2])
        revisions = [project_text(names(lead), budget, status, city)]
        for _ in range(rng.randrange(0, 4)):
            budget = budget + rng.randrange(-5, 20) * 1000
            status = rng.choice(STATUSES)
            revisions.append(project_text(names(lead), budget, status, city))
        found.append(("projects", title.lower().replace(" ", "-"), title, revisions))
    for city in CITIES:
        opens = f"{rng.randrange(7, 10):02d}:{rng.choice(('00', '15', '30', '45'))}"
        revisions = [office_text(opens, rng.randrange(20, 300), names(rng.choice(EDITORS) - 1))]
        found.append(("offices", city.lower(), f"{city} office", revisions))
    for k in range(90):
        title = f"{PRODUCTS[k % len(PRODUCTS)]} {chr(65 + k // len(PRODUCTS))}{k % 7 + 1}"
        price = rng.randrange(15, 900)
        revisions = [product_text(price, f"SKU-{10000 + k}")]
        if rng.random() < 0.4:
            revisions.append(product_text(price + rng.randrange(-10, 40), f"SKU-{10000 + k}"))
        found.append(("products", title.lower().replace(" ", "-"), title, revisions))
    for title in HANDBOOK:
        text = f"How we handle {title.lower()} at the company. Ask the help desk when in doubt.\n"
        found.append(("handbook", title.lower().replace(" ", "-"), title, [text]))
    return found


def seed(db: sqlite3.Connection) -> None:
    """Fills the migrated, empty wiki database `db` with the seeded content (one transaction)."""
    rng = random.Random(SEED)
    with db:
        _users(db)
        _tree(db, rng)


def _users(db: sqlite3.Connection) -> None:
    joined = _ts(START - timedelta(days=30))
    db.executemany(
        "INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email, is_staff,"
        " is_active, date_joined, first_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (k + 1, "!", None, int(k == 0), user, last, f"{user}@wiki.example", int(k == 0), 1, joined, first)
            for k, (user, first, last) in enumerate(STAFF)
        ],
    )
    db.execute("UPDATE django_site SET domain = '127.0.0.1', name = 'Company wiki' WHERE id = 1")


def _tree(db: sqlite3.Connection, rng: random.Random) -> None:
    """Articles, revisions and the URL tree: root, one path per section, the articles below them."""
    content_type = db.execute(
        "SELECT id FROM django_content_type WHERE app_label='wiki' AND model='urlpath'"
    ).fetchone()
    nodes: list[tuple[str | None, str, list[str], str | None]] = [
        (None, "Company wiki", ["Welcome to the company wiki.\n"], None)
    ]
    for slug, title in SECTIONS:
        nodes.append((slug, title, [f"All {title.lower()} of the company.\n"], ""))
    for section, slug, title, revisions in _articles(rng):
        nodes.append((slug, title, revisions, section))
    articles, revisions, paths, links = [], [], [], []
    revision_id, moment = 0, START
    for article_id, (_, title, texts, _) in enumerate(nodes, start=1):
        created = moment = moment + timedelta(minutes=rng.randrange(60, 1500))
        previous = None
        for number, text in enumerate(texts, start=1):
            revision_id += 1
            moment = moment + timedelta(minutes=rng.randrange(30, 3000)) if number > 1 else moment
            user = 1 if article_id == 1 else rng.choice(EDITORS)
            message = (
                "" if number == 1 else rng.choice(("Updated figures", "New status", "Fixed a typo", "Budget review"))
            )
            revisions.append(
                (
                    revision_id,
                    number,
                    message,
                    "",
                    None,
                    _ts(moment),
                    _ts(moment),
                    0,
                    0,
                    text,
                    title,
                    article_id,
                    previous,
                    user,
                )
            )
            previous = revision_id
        articles.append((article_id, _ts(created), _ts(moment), 1, 1, 1, 0, revision_id, None, 1))
    # nested sets: root (1) > sections (2..) > articles of each section, in node order
    section_id = {slug: k + 2 for k, (slug, _) in enumerate(SECTIONS)}
    children: dict[int, list[int]] = {1: [section_id[s] for s, _ in SECTIONS]}
    for article_id, (_, _, _, section) in enumerate(nodes, start=1):
        if section:
            children.setdefault(section_id[section], []).append(article_id)
    bounds: dict[int, tuple[int, int, int]] = {}
    counter = 0

    def visit(node: int, level: int) -> None:
        nonlocal counter
        counter += 1
        left = counter
        for child in children.get(node, []):
            visit(child, level + 1)
        counter += 1
        bounds[node] = (left, counter, level)

    visit(1, 0)
    parent = {child: node for node, kids in children.items() for child in kids}
    for article_id, (slug, *_rest) in enumerate(nodes, start=1):
        left, right, level = bounds[article_id]
        paths.append((article_id, slug, left, 1, level, article_id, 1, right, parent.get(article_id), None))
        links.append((article_id, article_id, 1, article_id, content_type[0]))
    db.executemany(
        "INSERT INTO wiki_articlerevision (id, revision_number, user_message, automatic_log, ip_address, modified,"
        " created, deleted, locked, content, title, article_id, previous_revision_id, user_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        revisions,
    )
    db.executemany(
        "INSERT INTO wiki_article (id, created, modified, group_read, group_write, other_read, other_write,"
        " current_revision_id, group_id, owner_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        articles,
    )
    db.executemany(
        "INSERT INTO wiki_urlpath (id, slug, lft, tree_id, level, article_id, site_id, rght, parent_id, moved_to_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)",
        paths,
    )
    db.executemany(
        "INSERT INTO wiki_articleforobject (id, object_id, is_mptt, article_id, content_type_id) VALUES (?,?,?,?,?)",
        links,
    )
