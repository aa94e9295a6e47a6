"""The forum's seeded content: 64 members, a tree of categories and forums, 1,500 topics, 8,000+ posts, polls.

The rows are written into the schema that django-machina's own migrations built (bulk inserts with the
standard library's sqlite3), with machina's denormalised counters (posts and topics per forum, posts per
topic and per member, first and last posts) computed as machina's ``update_trackers`` would, and post
bodies pre-rendered the way machina's Markdown renderer renders a plain paragraph.

Everything is drawn from one fixed `random.Random(SEED)`, so every build gives the same rows (same ids,
same dates). Permissions: every signed-in member may read, post, reply, vote and edit their own posts
(global rows for all authenticated users); the agent account (``agent``, not a superuser) is also a
moderator everywhere (global rows for it alone: lock, move, stick, announce, edit and delete posts).
"""

from __future__ import annotations

import html
import random
import re
import sqlite3
from datetime import datetime, timedelta, timezone

SEED = 20211104
TOPICS = 1500
POLLS = 90
START = datetime(2021, 1, 4, 8, 0, tzinfo=timezone.utc)
SPAN_MINUTES = 4 * 365 * 24 * 60
FIRST = (
    "Noor", "Ivan", "Lucia", "Femi", "Hana", "Piotr", "Zara", "Mateo",
    "Ines", "Yusuf", "Elena", "Kofi", "Maya", "Tunde", "Lea", "Ravi",
)  # fmt: skip
LAST = ("berg", "costa", "diallo", "evans", "fischer", "garcia", "haddad", "ito", "jensen", "kim", "lopez", "meyer")
MEMBERS = 63
"""Members besides the agent (usernames like ``noor_berg``)."""
FORUMS = (
    ("Announcements", "News from the team behind the site.", (("Site News", ()), ("Release Notes", ()))),
    (
        "Help and Support",
        "Ask for help with the product.",
        (
            ("Getting Started", ()),
            ("Troubleshooting", ("Installation Issues", "Performance")),
            ("Accounts and Billing", ()),
        ),
    ),
    (
        "Development",
        "Programming talk.",
        (("Python", ("Django", "Data Science")), ("JavaScript", ()), ("Databases", ()), ("DevOps", ())),
    ),
    (
        "Community",
        "Everything else.",
        (("Introductions", ()), ("Off Topic", ()), ("Events and Meetups", ()), ("Feedback", ())),
    ),
)
"""(category, description, ((forum, (sub-forums...)), ...)): categories hold forums, forums hold topics."""
OPENERS = (
    "How do I set up",
    "Problem with",
    "Question about",
    "Tips for",
    "Trouble with",
    "Thoughts on",
    "Help with",
    "Best practice for",
    "Slow responses from",
    "Unexpected error in",
)
OBJECTS = (
    "connection pooling",
    "unit tests",
    "the login page",
    "dark mode",
    "CSV exports",
    "background jobs",
    "email alerts",
    "the search index",
    "file uploads",
    "user roles",
    "the REST API",
    "nightly backups",
    "timezone handling",
    "the mobile app",
    "two-factor login",
    "report builder",
    "webhooks",
    "the plugin system",
    "database migrations",
    "memory usage",
    "log rotation",
    "SSL certificates",
    "image thumbnails",
    "the admin panel",
    "rate limiting",
)
QUALIFIERS = (
    "in production",
    "on Windows",
    "after upgrading",
    "with Docker",
    "on a Raspberry Pi",
    "behind a proxy",
    "for a small team",
    "on macOS",
)
SENTENCES = (
    "I have tried the steps from the documentation without luck.",
    "Any pointers would be appreciated.",
    "Restarting the service fixed it for me.",
    "Which version are you running?",
    "Same here, it started last week.",
    "Could you post the full error message?",
    "This worked on the previous release.",
    "I opened a ticket with support as well.",
    "Clearing the cache helped a bit.",
    "We ended up writing a small script for it.",
    "Thanks, that solved it!",
    "Have a look at the settings page, there is an option for that.",
    "It only happens under heavy load.",
    "I can reproduce it on a fresh install.",
    "The changelog mentions a fix for this.",
)
POLL_QUESTIONS = (
    ("Which editor do you use?", ("VS Code", "Vim", "Emacs", "PyCharm")),
    ("How often do you deploy?", ("Daily", "Weekly", "Monthly")),
    ("Where should the next meetup be?", ("Lisbon", "Oslo", "Nairobi", "Osaka")),
    ("Which feature should come next?", ("Offline mode", "Themes", "Better search")),
    ("What is your main database?", ("PostgreSQL", "SQLite", "MySQL")),
)
TOPIC_TYPE_WEIGHTS = ((0, 95), (1, 4), (2, 1))
"""machina's topic types (post, sticky, announce) and how often each is seeded."""
LOCKED_SHARE = 0.06
MEMBER_PERMISSIONS = (
    "can_see_forum",
    "can_read_forum",
    "can_start_new_topics",
    "can_reply_to_topics",
    "can_edit_own_posts",
    "can_delete_own_posts",
    "can_post_without_approval",
    "can_create_polls",
    "can_vote_in_polls",
    "can_download_file",
)
"""Granted to every signed-in member in every forum."""
MODERATOR_PERMISSIONS = (
    "can_post_announcements",
    "can_post_stickies",
    "can_lock_topics",
    "can_move_topics",
    "can_edit_posts",
    "can_delete_posts",
    "can_approve_posts",
    "can_reply_to_locked_topics",
)
"""Granted to the agent alone, in every forum (with the members' permissions)."""


def _ts(moment: datetime) -> str:
    """A datetime as Django's SQLite backend stores it."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def slugify(text: str) -> str:
    """Django's ``slugify`` for ASCII text (what machina stores in ``slug``)."""
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


def rendered(text: str) -> str:
    """A plain paragraph as machina's Markdown renderer stores it."""
    return f"<p>{html.escape(text, quote=False)}</p>"


def usernames() -> list[str]:
    """Every account's username, by id (``agent`` is id 1)."""
    rng = random.Random(SEED - 1)
    names = rng.sample([f"{f.lower()}_{last}" for f in FIRST for last in LAST], MEMBERS)
    return ["agent", *names]


def forum_rows() -> list[tuple[int, str, int | None, int, int, int, int, int]]:
    """(id, name, parent id, type, lft, rght, tree id, level) of every forum, in id order (depth first)."""
    rows: list[list] = []

    def add(name: str, parent: int | None, kind: int, tree: int, level: int, counter: list[int], children) -> None:
        fid = len(rows) + 1
        row = [fid, name, parent, kind, counter[0], 0, tree, level]
        rows.append(row)
        counter[0] += 1
        for child in children:
            child_name, grandchildren = (child, ()) if isinstance(child, str) else child
            add(child_name, fid, 0, tree, level + 1, counter, grandchildren)
        row[5] = counter[0]
        counter[0] += 1

    for tree, (category, _, forums) in enumerate(FORUMS, start=1):
        add(category, None, 1, tree, 0, [1], forums)
    return [tuple(r) for r in rows]


def seed(db: sqlite3.Connection) -> None:
    """Fills the migrated, empty forum database `db` with the seeded content (one transaction)."""
    rng = random.Random(SEED)
    with db:
        users = _users(db)
        forums = _forums(db)
        _permissions(db)
        _topics(db, rng, users, forums)
        db.execute("UPDATE django_site SET domain = '127.0.0.1', name = 'Agora Community Forum' WHERE id = 1")


def _users(db: sqlite3.Connection) -> list[int]:
    joined = _ts(START - timedelta(days=60))
    names = usernames()
    rows = [
        (k + 1, "!", None, 0, name, name.split("_")[-1].title(), f"{name}@forum.example", 0, 1, joined,
         name.split("_")[0].title())
        for k, name in enumerate(names)
    ]  # fmt: skip
    db.executemany(
        "INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email, is_staff,"
        " is_active, date_joined, first_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    return [r[0] for r in rows]


def _forums(db: sqlite3.Connection) -> list[int]:
    created = _ts(START - timedelta(days=30))
    descriptions = {name: text for name, text, _ in FORUMS}
    rows = []
    for fid, name, parent, kind, lft, rght, tree, level in forum_rows():
        text = descriptions.get(name, f"Discussions about {name.lower()}.")
        rows.append(
            (fid, created, created, name, slugify(name), text, rendered(text), kind, lft, rght, tree, level, parent)
        )
    db.executemany(
        "INSERT INTO forum_forum (id, created, updated, name, slug, description, _description_rendered, type,"
        " lft, rght, tree_id, level, parent_id, image, link, link_redirects, link_redirects_count, last_post_on,"
        " display_sub_forum_list, direct_posts_count, direct_topics_count, last_post_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?, NULL, NULL, 0, 0, NULL, 1, 0, 0, NULL)",
        rows,
    )
    return [r[0] for r in rows if r[7] == 0]


def _permissions(db: sqlite3.Connection) -> None:
    ids = dict(db.execute("SELECT codename, id FROM forum_permission_forumpermission"))
    rows = [(ids[c], None, 1) for c in MEMBER_PERMISSIONS]
    rows += [(ids[c], 1, 0) for c in MEMBER_PERMISSIONS + MODERATOR_PERMISSIONS]
    db.executemany(
        "INSERT INTO forum_permission_userforumpermission (permission_id, user_id, authenticated_user, has_perm,"
        " anonymous_user, forum_id) VALUES (?, ?, ?, 1, 0, NULL)",
        rows,
    )


def _replies(rng: random.Random) -> int:
    return min(int(rng.expovariate(1 / 5.4)), 40)


def _topics(db: sqlite3.Connection, rng: random.Random, users: list[int], forums: list[int]) -> None:
    subjects = rng.sample([f"{o} {b} {q}" for o in OPENERS for b in OBJECTS for q in QUALIFIERS], TOPICS)
    weights = [1 + 40 // (k + 1) for k in range(len(users))]  # a few prolific members, a long tail
    weights[0] = 3  # the agent posts now and then
    forum_weights = [rng.randrange(2, 9) for _ in forums]
    types, type_weights = zip(*TOPIC_TYPE_WEIGHTS, strict=True)
    topics, posts = [], []
    for tid, subject in enumerate(subjects, start=1):
        forum = rng.choices(forums, forum_weights)[0]
        created = START + timedelta(minutes=rng.randrange(SPAN_MINUTES))
        poster = rng.choices(users, weights)[0]
        moment, thread = created, []
        for n in range(1 + _replies(rng)):
            author = poster if n == 0 else rng.choices(users, weights)[0]
            words = rng.sample(SENTENCES, rng.randrange(1, 4))
            body = " ".join(([f"{subject}?"] if n == 0 else []) + words)
            title = subject if n == 0 else f"Re: {subject}"
            thread.append((len(posts) + len(thread) + 1, tid, author, title, body, _ts(moment)))
            moment += timedelta(minutes=rng.randrange(5, 3 * 24 * 60))
        kind = rng.choices(types, type_weights)[0]
        status = int(rng.random() < LOCKED_SHARE)
        views = len(thread) * rng.randrange(8, 60)
        first, last = thread[0], thread[-1]
        topics.append(
            (tid, first[5], last[5], subject, slugify(subject), kind, status, len(thread), views, last[5], forum,
             poster, first[0], last[0])
        )  # fmt: skip
        posts += thread
    db.executemany(
        "INSERT INTO forum_conversation_topic (id, created, updated, subject, slug, type, status, posts_count,"
        " views_count, last_post_on, forum_id, poster_id, first_post_id, last_post_id, approved)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        topics,
    )
    db.executemany(
        "INSERT INTO forum_conversation_post (id, topic_id, poster_id, subject, content, _content_rendered, created,"
        " updated, username, approved, update_reason, updates_count, updated_by_id, anonymous_key, enable_signature)"
        " VALUES (?,?,?,?,?,?,?,?, NULL, 1, NULL, 0, NULL, NULL, 1)",
        [(p, t, a, s, b, rendered(b), c, c) for p, t, a, s, b, c in posts],
    )
    _counters(db)
    _polls(db, rng, users, [t[0] for t in topics])


def _counters(db: sqlite3.Connection) -> None:
    """The denormalised counters machina keeps: per forum (direct topics, posts, last post) and per member."""
    db.execute(
        "UPDATE forum_forum SET direct_topics_count = (SELECT COUNT(*) FROM forum_conversation_topic t"
        " WHERE t.forum_id = forum_forum.id), direct_posts_count = (SELECT COALESCE(SUM(posts_count), 0)"
        " FROM forum_conversation_topic t WHERE t.forum_id = forum_forum.id), last_post_on = (SELECT"
        " MAX(last_post_on) FROM forum_conversation_topic t WHERE t.forum_id = forum_forum.id), last_post_id ="
        " (SELECT last_post_id FROM forum_conversation_topic t WHERE t.forum_id = forum_forum.id"
        " ORDER BY last_post_on DESC LIMIT 1)"
    )
    db.execute(
        "INSERT INTO forum_member_forumprofile (user_id, posts_count, signature, _signature_rendered, avatar)"
        " SELECT u.id, (SELECT COUNT(*) FROM forum_conversation_post p WHERE p.poster_id = u.id), NULL, NULL, NULL"
        " FROM auth_user u ORDER BY u.id"
    )


def _polls(db: sqlite3.Connection, rng: random.Random, users: list[int], topics: list[int]) -> None:
    """Polls on some topics: 3 or 4 options, one vote per voting member (never the agent), a clear winner."""
    created = dict(db.execute("SELECT id, created FROM forum_conversation_topic"))
    polls, options, votes = [], [], []
    for pid, topic in enumerate(sorted(rng.sample(topics, POLLS)), start=1):
        question, texts = POLL_QUESTIONS[pid % len(POLL_QUESTIONS)]
        polls.append((pid, created[topic], created[topic], question, topic))
        first = len(options) + 1
        options += [(first + k, text, pid) for k, text in enumerate(texts)]
        voters = rng.sample(users[1:], rng.randrange(4, 30))
        picks = [rng.randrange(len(texts)) for _ in voters]
        while _tied(picks, len(texts)):
            picks = [rng.randrange(len(texts)) for _ in voters]
        for voter, pick in zip(voters, picks, strict=True):
            votes.append((first + pick, voter, created[topic]))
    db.executemany(
        "INSERT INTO forum_polls_topicpoll (id, created, updated, question, topic_id, duration, max_options,"
        " user_changes, hide_results) VALUES (?,?,?,?,?, NULL, 1, 0, 0)",
        polls,
    )
    db.executemany("INSERT INTO forum_polls_topicpolloption (id, text, poll_id) VALUES (?,?,?)", options)
    db.executemany(
        "INSERT INTO forum_polls_topicpollvote (poll_option_id, voter_id, timestamp, anonymous_key)"
        " VALUES (?,?,?, NULL)",
        votes,
    )


def _tied(picks: list[int], n_options: int) -> bool:
    counts = [picks.count(k) for k in range(n_options)]
    return counts.count(max(counts)) > 1
