"""The help desk's seeded content: staff, queues, 2,400 tickets and their follow-ups.

The rows are written into the schema that django-helpdesk's own migrations built (bulk inserts with the
standard library's sqlite3).

Everything is drawn from one fixed `random.Random(SEED)`, so every build gives the same rows (same ids,
same dates). The agent account (``agent``, a superuser) is the persona every task speaks to.
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

SEED = 20240315
TICKETS = 2400
STAFF = (
    ("agent", "Alex", "Agent"),
    ("mhughes", "Maya", "Hughes"),
    ("tokafor", "Tunde", "Okafor"),
    ("lmoreau", "Lea", "Moreau"),
    ("rsingh", "Ravi", "Singh"),
    ("jkowalski", "Jan", "Kowalski"),
    ("afernandes", "Ana", "Fernandes"),
    ("knakamura", "Kenji", "Nakamura"),
    ("sbrennan", "Siobhan", "Brennan"),
    ("dmensah", "Daniel", "Mensah"),
    ("phalvorsen", "Pia", "Halvorsen"),
    ("oruiz", "Omar", "Ruiz"),
)
"""(username, first name, last name) of the help desk's staff; the first is the agent's own account."""
QUEUES = (
    ("Billing", "billing"),
    ("Network", "network"),
    ("Hardware", "hardware"),
    ("Accounts", "accounts"),
    ("Printing", "printing"),
    ("Email", "email"),
    ("Software", "software"),
    ("Facilities", "facilities"),
)
ISSUES = (
    "Invoice total looks wrong",
    "Refund not received",
    "Card declined at checkout",
    "VPN drops every hour",
    "Wi-Fi is very slow",
    "Cannot reach the intranet",
    "Laptop battery drains fast",
    "Monitor flickers",
    "Docking station not detected",
    "Password reset link expired",
    "Account locked after login attempts",
    "Need access to the finance share",
    "Printer jams on every job",
    "Toner is empty",
    "Scanner sends blank pages",
    "Mailbox is full",
    "Emails stuck in the outbox",
    "Calendar invites not arriving",
    "Spreadsheet app crashes on start",
    "License for the design tool expired",
    "Update fails with an error",
    "Heating is off in the office",
    "Meeting room screen broken",
    "Badge does not open the door",
)
TEAMS = ("sales", "legal", "design", "support", "research", "finance", "marketing", "logistics", "HR", "operations")
CITIES = ("Lisbon", "Oslo", "Quito", "Nairobi", "Hanoi", "Perth", "Tunis", "Leeds", "Graz", "Osaka")
ISSUE_QUEUE = {i: QUEUES[k // 3][1] for k, i in enumerate(ISSUES)}
"""Each issue belongs to one queue (three issues per queue, in order)."""
FIRST = ("Noor", "Ivan", "Lucia", "Femi", "Hana", "Piotr", "Zara", "Mateo", "Ines", "Yusuf", "Elena", "Kofi")
LAST = ("Berg", "Costa", "Diallo", "Evans", "Fischer", "Garcia", "Haddad", "Ito", "Jensen", "Kim", "Lopez", "Meyer")
COMMENTS = (
    "Thanks, we are looking into it.",
    "Could you send a screenshot of the error?",
    "I restarted the service; please try again.",
    "Escalated to the vendor.",
    "Replaced the part this morning.",
    "The user confirmed it works now.",
    "Waiting for the user's reply.",
    "Scheduled a visit for tomorrow.",
)
START = datetime(2023, 1, 2, 8, 0, tzinfo=timezone.utc)
STATUS_WEIGHTS = ((1, 40), (2, 8), (3, 22), (4, 25), (5, 5))


def _ts(moment: datetime) -> str:
    """A datetime as Django's SQLite backend stores it."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def seed(db: sqlite3.Connection) -> None:
    """Fills the migrated, empty help-desk database `db` with the seeded content (one transaction)."""
    rng = random.Random(SEED)
    with db:
        _users(db)
        _queues(db)
        _tickets(db, rng)


def _users(db: sqlite3.Connection) -> None:
    joined = _ts(START - timedelta(days=30))
    rows = [
        (k + 1, "!", None, int(k == 0), user, last, f"{user}@desk.example", 1, 1, joined, first)
        for k, (user, first, last) in enumerate(STAFF)
    ]
    db.executemany(
        "INSERT INTO auth_user (id, password, last_login, is_superuser, username, last_name, email, is_staff,"
        " is_active, date_joined, first_name) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        rows,
    )
    db.executemany(
        "INSERT INTO helpdesk_usersettings (user_id, settings_pickled, email_on_ticket_assign,"
        " email_on_ticket_change, login_view_ticketlist, tickets_per_page, use_email_as_submitter,"
        " ticket_respond_layout) VALUES (?, NULL, 0, 0, 1, 25, 1, 'bottom')",
        [(k + 1,) for k in range(len(STAFF))],
    )
    db.execute("UPDATE django_site SET domain = '127.0.0.1', name = 'Help desk' WHERE id = 1")


def _queues(db: sqlite3.Connection) -> None:
    db.executemany(
        "INSERT INTO helpdesk_queue (id, title, slug, email_address, locale, allow_public_submission,"
        " allow_email_submission, escalate_days, email_box_ssl, enable_notifications_on_email_events)"
        " VALUES (?, ?, ?, ?, 'en', 1, 0, NULL, 0, 0)",
        [(k + 1, title, slug, f"{slug}@desk.example") for k, (title, slug) in enumerate(QUEUES)],
    )


def _tickets(db: sqlite3.Connection, rng: random.Random) -> None:
    combos = [(i, t, c) for i in ISSUES for t in TEAMS for c in CITIES]
    picked = rng.sample(combos, TICKETS)
    queue_id = {slug: k + 1 for k, (_, slug) in enumerate(QUEUES)}
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    tickets, followups = [], []
    for n, (issue, team, city) in enumerate(picked, start=1):
        created = START + timedelta(minutes=rng.randrange(619_200))
        status = rng.choices(statuses, weights)[0]
        assignee = rng.choice([None, None] + list(range(2, len(STAFF) + 1)))
        submitter = f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}@{team.lower()}.example"
        modified = created
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 4))):
            modified = modified + timedelta(minutes=rng.randrange(30, 4000))
            author = rng.randrange(2, len(STAFF) + 1)
            followups.append((n, _ts(modified), "Comment", rng.choice(COMMENTS), 1, None, author))
        title = f"{issue} ({team}, {city})"
        description = f"{issue}. Reported by the {team} team in {city}."
        secret = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        tickets.append(
            (
                n,
                title,
                _ts(created),
                submitter,
                status,
                0,
                description,
                "",
                rng.choice((1, 2, 3, 3, 3, 4, 5)),
                None,
                assignee,
                queue_id[ISSUE_QUEUE[issue]],
                secret,
                _ts(modified),
            )
        )
    db.executemany(
        "INSERT INTO helpdesk_ticket (id, title, created, submitter_email, status, on_hold, description,"
        " resolution, priority, due_date, assigned_to_id, queue_id, secret_key, modified)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        tickets,
    )
    db.executemany(
        "INSERT INTO helpdesk_followup (ticket_id, date, title, comment, public, new_status, user_id)"
        " VALUES (?,?,?,?,?,?,?)",
        followups,
    )
