"""The CMS's seeded content: a Wagtail site of sections, standard pages and a blog of 450 posts, with history.

The rows are written with the standard library's sqlite3 into the schema that Wagtail's and the page app's
own migrations built (``agora_cms``: see site.py): users (the help desk's staff, the agent a superuser in the
Editors and Moderators groups), blog authors, tags, the page tree (treebeard's materialised paths computed
here), and each page's revisions (1 to 4, by different editors on increasing dates; earlier ones carry an
earlier title or summary) with the matching history log entries. About 6% of the posts are unpublished
drafts. One fixed `random.Random(SEED)` draws everything, so every build gives the same rows.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from agora.envs.web.helpdesk.seed import STAFF

SEED = 20240317
POSTS = 450
PAGES_PER_SECTION = 24
SECTIONS = (
    ("About", "about"),
    ("Products", "products"),
    ("Services", "services"),
    ("Support", "support"),
    ("Careers", "careers"),
    ("Research", "research"),
    ("Partners", "partners"),
    ("Press", "press"),
)
GUEST_AUTHORS = ("Marta Lind", "Gideon Achebe", "Sofia Petrova", "Arjun Mehta", "Chloe Dubois", "Tomas Novak")
AUTHORS = tuple(f"{first} {last}" for _, first, last in STAFF[1:]) + GUEST_AUTHORS
"""Blog authors: the staff (but the agent) and six guest writers, in id order."""
TAGS = (
    "security",
    "release",
    "design",
    "hiring",
    "events",
    "research",
    "customers",
    "open-source",
    "cloud",
    "mobile",
    "data",
    "culture",
    "partners",
    "sustainability",
    "support",
    "performance",
    "accessibility",
    "privacy",
    "ai",
    "hardware",
    "pricing",
    "tutorial",
    "interview",
    "roadmap",
)
TOPICS = (
    "Aurora Gateway",
    "Cobalt Ledger",
    "Harbor Sync",
    "Lantern Analytics",
    "Meadow Mail",
    "Orbit Mobile",
    "Pine Storage",
    "Quartz Search",
    "River Payments",
    "Summit CRM",
    "Tundra Backup",
    "Willow Chat",
    "Falcon Edge",
    "Ember Forms",
    "Juniper Maps",
)
ANGLES = (
    "what is new this spring",
    "a look behind the scenes",
    "lessons from the field",
    "five tips for teams",
    "the road to version 3",
    "a customer story",
    "how we test it",
    "questions from the community",
    "our security review",
    "a year in numbers",
    "faster than ever",
    "notes from the launch event",
    "the design decisions",
    "migrating without downtime",
    "an interview with the team",
    "pricing changes explained",
    "accessibility improvements",
    "what we got wrong",
    "planning the next release",
    "a beginner's guide",
    "tips for administrators",
    "the numbers behind the growth",
    "how support uses it",
    "a week with the prototype",
    "building it in the open",
    "the quiet redesign",
    "ten things you missed",
    "keeping data private",
    "scaling to a million users",
    "from idea to launch",
)
PAGE_KINDS = {
    "about": ("Our history", "Leadership", "Offices", "Values", "Board", "Annual report"),
    "products": ("Overview", "Pricing", "Release notes", "Specifications", "Roadmap", "Compatibility"),
    "services": ("Consulting", "Training", "Migration", "Managed hosting", "Audits", "Workshops"),
    "support": ("FAQ", "Troubleshooting", "Contact", "Service levels", "Known issues", "Downloads"),
    "careers": ("Engineering", "Design", "Sales", "Operations", "Internships", "Benefits"),
    "research": ("Papers", "Datasets", "Lab notes", "Grants", "Talks", "Collaborations"),
    "partners": ("Resellers", "Integrations", "Programme", "Directory", "Case studies", "Certification"),
    "press": ("Press kit", "Coverage", "Announcements", "Media contacts", "Awards", "Logos"),
}
START = datetime(2022, 1, 3, 9, 0, tzinfo=timezone.utc)
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
EDITOR_IDS = tuple(range(2, len(STAFF) + 1))
"""User ids of the staff who edit pages (the agent, id 1, wrote nothing in the seeded history)."""
MODERATOR_IDS = (2, 3, 4)


def _ts(moment: datetime) -> str:
    """A datetime as Django's SQLite backend writes it: ``str`` of the naive UTC value (no ``.000000``).

    The admin compares stored revision times with submitted ones as strings, so the two must agree.
    """
    return str(moment.astimezone(timezone.utc).replace(tzinfo=None))


def slugify(text: str) -> str:
    """A page slug from a title: lower case, runs of other characters as one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def tree_path(parent: str, position: int) -> str:
    """Treebeard's materialised path of the `position`-th child (from 1) of the page at `parent`."""
    digits, n = "", position
    while n:
        n, r = divmod(n, 36)
        digits = ALPHABET[r] + digits
    return parent + digits.rjust(4, "0")


def seed(db: sqlite3.Connection) -> None:
    """Fills the migrated, empty CMS database `db` with the seeded content (one transaction)."""
    rng = random.Random(SEED)
    with db:
        _users(db)
        types = {m: i for i, m in db.execute("SELECT id, model FROM django_content_type WHERE app_label = 'agora_cms'")}
        page_type = db.execute(
            "SELECT id FROM django_content_type WHERE app_label = 'wagtailcore' AND model = 'page'"
        ).fetchone()[0]
        db.executemany("INSERT INTO agora_cms_blogauthor (id, name, bio) VALUES (?, ?, ?)", _authors())
        db.executemany(
            "INSERT INTO taggit_tag (id, name, slug) VALUES (?, ?, ?)", [(k + 1, t, t) for k, t in enumerate(TAGS)]
        )
        builder = _TreeBuilder(db, rng, types, page_type)
        builder.build()


def _authors() -> list[tuple[int, str, str]]:
    return [(k + 1, name, f"{name} writes about our products.") for k, name in enumerate(AUTHORS)]


def _users(db: sqlite3.Connection) -> None:
    joined = _ts(START - timedelta(days=60))
    db.executemany(
        "INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email, is_staff,"
        " is_active, date_joined, first_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [
            (k + 1, "!", None, int(k == 0), user, last, f"{user}@northwind.example", 1, 1, joined, first)
            for k, (user, first, last) in enumerate(STAFF)
        ],
    )
    db.executemany("INSERT OR IGNORE INTO auth_group (id, name) VALUES (?, ?)", [(1, "Moderators"), (2, "Editors")])
    memberships = [(u, 2) for u in range(1, len(STAFF) + 1)] + [(u, 1) for u in (1, *MODERATOR_IDS)]
    db.executemany("INSERT INTO auth_user_groups (user_id, group_id) VALUES (?, ?)", memberships)


@dataclass
class _Spec:
    """One page to write: its model (``agora_cms`` model name), place in the tree and its own fields."""

    model: str
    path: str
    title: str
    slug: str
    url_path: str
    fields: dict
    numchild: int = 0
    tags: tuple[int, ...] = ()
    live: bool = True
    created: datetime | None = None


class _TreeBuilder:
    """Writes the page tree, one page at a time, with its specific row, revisions, log entries and tags."""

    def __init__(self, db: sqlite3.Connection, rng: random.Random, types: dict[str, int], page_type: int):
        self.db, self.rng, self.types, self.page_type = db, rng, types, page_type
        self.next_id = 2
        self.revision_id = 0
        self.tag_row = 0

    def build(self) -> None:
        """Replaces the migrations' welcome page with the seeded site."""
        self.db.execute("DELETE FROM wagtailcore_page WHERE id > 1")
        self.db.execute("INSERT OR IGNORE INTO wagtailcore_locale (id, language_code) VALUES (1, 'en')")
        self.db.execute(
            "INSERT OR REPLACE INTO wagtailcore_page (id, path, depth, numchild, title, draft_title, slug, live,"
            " has_unpublished_changes, url_path, seo_title, show_in_menus, search_description, expired,"
            " content_type_id, locked, locale_id, translation_key) VALUES (1, '0001', 1, 1, 'Root', 'Root', 'root',"
            " 1, 0, '/', '', 0, '', 0, ?, 0, 1, ?)",
            (self.page_type, uuid.UUID(int=1).hex),
        )
        intro = {"intro": "News, products and people of Northwind."}
        home = self.add(_Spec("homepage", "00010001", "Northwind Journal", "home", "/home/", intro, len(SECTIONS) + 1))
        for k, (title, slug) in enumerate(SECTIONS, start=1):
            self._section(tree_path("00010001", k), title, slug)
        self._blog(tree_path("00010001", len(SECTIONS) + 1))
        self.db.execute("DELETE FROM wagtailcore_site")
        self.db.execute(
            "INSERT INTO wagtailcore_site (id, hostname, port, is_default_site, root_page_id, site_name)"
            " VALUES (1, 'localhost', 80, 1, ?, 'Northwind Journal')",
            (home,),
        )

    def _section(self, path: str, title: str, slug: str) -> None:
        kinds = PAGE_KINDS[slug]
        names = self.rng.sample([f"{t} {kind}" for t in TOPICS for kind in kinds], PAGES_PER_SECTION)
        intro = {"intro": f"Everything about {title.lower()} at Northwind."}
        self.add(_Spec("sectionpage", path, title, slug, f"/home/{slug}/", intro, len(names)))
        for n, name in enumerate(names, start=1):
            contact = f"{self.rng.choice(STAFF[1:])[0]}@northwind.example"
            body = f"<p>{name} is part of our {title.lower()} pages.</p><p>Contact: {contact}</p>"
            fields = {"summary": f"About {name}.", "body": body}
            url = f"/home/{slug}/{slugify(name)}/"
            self.add(_Spec("standardpage", tree_path(path, n), name, slugify(name), url, fields))

    def _blog(self, path: str) -> None:
        titles = self.rng.sample([f"{t}: {a}" for t in TOPICS for a in ANGLES], POSTS)
        intro = {"intro": "Stories from the Northwind teams."}
        self.add(_Spec("blogindexpage", path, "Blog", "blog", "/home/blog/", intro, len(titles)))
        for n, title in enumerate(titles, start=1):
            day = date(2022, 1, 3) + timedelta(days=self.rng.randrange(1400))
            author = self.rng.randrange(1, len(AUTHORS) + 1)
            tags = tuple(sorted(self.rng.sample(range(1, len(TAGS) + 1), self.rng.choice((1, 2, 2, 3, 3, 4)))))
            topic, angle = title.split(": ")
            fields = {
                "date": day.isoformat(),
                "author": author,
                "summary": f"{topic}: {angle}.",
                "body": f"<p>{AUTHORS[author - 1]} on {topic}.</p><p>{angle.capitalize()}.</p>",
            }
            created = datetime(day.year, day.month, day.day, 8, tzinfo=timezone.utc) - timedelta(days=2)
            spec = _Spec("blogpage", tree_path(path, n), title, slugify(title), f"/home/blog/{slugify(title)}/", fields)
            spec.tags, spec.live, spec.created = tags, self.rng.random() > 0.06, created
            self.add(spec)

    def add(self, spec: _Spec) -> int:
        """Writes one page (core row, specific row, tags, revisions, log entries); returns its id."""
        page_id, self.next_id = self.next_id, self.next_id + 1
        created = spec.created or START + timedelta(days=self.rng.randrange(900), minutes=self.rng.randrange(600))
        moments = [created]
        for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3))):
            moments.append(moments[-1] + timedelta(days=self.rng.randrange(1, 40), minutes=self.rng.randrange(600)))
        users = [self.rng.choice(EDITOR_IDS) for _ in moments]
        first_revision = self.revision_id + 1
        latest = first_revision + len(moments) - 1
        live_revision = latest if spec.live else None
        published = (_ts(moments[0]), _ts(moments[-1])) if spec.live else (None, None)
        row = (
            page_id,
            spec.path,
            len(spec.path) // 4,
            spec.numchild,
            spec.title,
            spec.title,
            spec.slug,
            int(spec.live),
            int(not spec.live),
            spec.url_path,
            self.types[spec.model],
            users[0],
            _ts(moments[-1]),
            published[0],
            live_revision,
            published[1],
            uuid.UUID(int=self.rng.getrandbits(128)).hex,
            latest,
        )
        self.db.execute(
            "INSERT INTO wagtailcore_page (id, path, depth, numchild, title, draft_title, slug, live,"
            " has_unpublished_changes, url_path, seo_title, show_in_menus, search_description, expired,"
            " content_type_id, owner_id, locked, latest_revision_created_at, first_published_at, live_revision_id,"
            " last_published_at, locale_id, translation_key, latest_revision_id)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,'',0,'',0,?,?,0,?,?,?,?,1,?,?)",
            row,
        )
        self._specific(spec, page_id)
        for k, when in enumerate(zip(moments, users, strict=True)):
            self._revision(spec, row, when, k, final=k == len(moments) - 1)
        return page_id

    def _specific(self, spec: _Spec, page_id: int) -> None:
        fields = {("author_id" if k == "author" else k): v for k, v in spec.fields.items()}
        columns = ", ".join(["page_ptr_id", *fields])
        self.db.execute(
            f"INSERT INTO agora_cms_{spec.model} ({columns}) VALUES ({','.join('?' * (len(fields) + 1))})",
            (page_id, *fields.values()),
        )
        for tag in spec.tags:
            self.tag_row += 1
            self.db.execute(
                "INSERT INTO agora_cms_blogpagetag (id, content_object_id, tag_id) VALUES (?, ?, ?)",
                (self.tag_row, page_id, tag),
            )

    def _revision(self, spec: _Spec, row: tuple, when: tuple[datetime, int], k: int, final: bool) -> None:
        """Revision `k` of a page (earlier ones may carry an earlier title or summary) and its history entries."""
        (moment, user), page_id, page_type = when, row[0], row[10]
        self.revision_id += 1
        title, fields = spec.title, dict(spec.fields)
        if not final and self.rng.random() < 0.4:
            title = f"{spec.title} (draft)"
        if not final and "summary" in fields:
            fields["summary"] = f"{fields['summary']} Work in progress."
        content = _content(spec, row, title, fields, self.revision_id)
        self.db.execute(
            "INSERT INTO wagtailcore_revision (id, created_at, approved_go_live_at, user_id, content, object_id,"
            " content_type_id, base_content_type_id, object_str) VALUES (?,?,NULL,?,?,?,?,?,?)",
            (self.revision_id, _ts(moment), user, json.dumps(content), str(page_id), page_type, self.page_type, title),
        )
        actions = (["wagtail.create"] if k == 0 else []) + ["wagtail.publish" if spec.live else "wagtail.edit"]
        for action in actions:
            revision = None if action == "wagtail.create" else self.revision_id
            self.db.execute(
                "INSERT INTO wagtailcore_pagelogentry (label, action, timestamp, content_changed, deleted,"
                " content_type_id, page_id, revision_id, user_id, uuid, data) VALUES (?,?,?,1,0,?,?,?,?,?,'{}')",
                (
                    title,
                    action,
                    _ts(moment),
                    page_type,
                    page_id,
                    revision,
                    user,
                    uuid.UUID(int=self.rng.getrandbits(128)).hex,
                ),
            )


def _content(spec: _Spec, row: tuple, title: str, fields: dict, revision: int) -> dict:
    """A revision's JSON as Wagtail serialises a page (``Page.serializable_data``), tags included."""
    page_id = row[0]
    content = {
        "pk": page_id,
        "path": spec.path,
        "depth": len(spec.path) // 4,
        "numchild": spec.numchild,
        "translation_key": str(uuid.UUID(row[16])),
        "locale": 1,
        "latest_revision": revision,
        "live": spec.live,
        "has_unpublished_changes": not spec.live,
        "first_published_at": None,
        "last_published_at": None,
        "live_revision": None,
        "go_live_at": None,
        "expire_at": None,
        "expired": False,
        "locked": False,
        "locked_at": None,
        "locked_by": None,
        "title": title,
        "draft_title": title,
        "slug": spec.slug,
        "content_type": row[10],
        "url_path": spec.url_path,
        "owner": row[11],
        "seo_title": "",
        "show_in_menus": False,
        "search_description": "",
        "latest_revision_created_at": None,
        "alias_of": None,
        "wagtail_admin_comments": [],
        **fields,
    }
    if spec.model == "blogpage":
        content["tagged_items"] = [{"pk": None, "tag": t, "content_object": page_id} for t in spec.tags]
    return content
