"""The help desk's task templates: questions about tickets, changes to tickets, and pages to reach.

Every instance is drawn from the seeded database (`seed.py`); answers are computed from it, changes are
checked by querying the episode's own copy after the episode, navigation by the final URL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from agora.envs.web.apptasks import Episode, Instance, Step, Template, goto_then_done, read_then_answer
from agora.envs.web.helpdesk.seed import COMMENTS, QUEUES, STAFF

APP = "helpdesk"
STATUS = {1: "Open", 2: "Reopened", 3: "Resolved", 4: "Closed", 5: "Duplicate"}
PRIORITY = {1: "1. Critical", 2: "2. High", 3: "3. Normal", 4: "4. Low", 5: "5. Very Low"}
FULL_NAME = {k + 1: f"{first} {last}" for k, (_, first, last) in enumerate(STAFF)}
USERNAME = {k + 1: user for k, (user, _, _) in enumerate(STAFF)}
QUEUE_TITLE = {k + 1: title for k, (title, _) in enumerate(QUEUES)}
NEW_TITLES = ("Follow-up needed", "Vendor ticket opened", "Waiting on parts", "Check again on Monday")
MAX_INSTANCES = 400
"""Instances kept per template (the first ones in id order): enough for variety, cheap to list."""
Dbs = dict[str, sqlite3.Connection]


def _rows(dbs: Dbs, sql: str, *args: object) -> list[tuple]:
    return dbs[APP].execute(sql, args).fetchall()


def _tickets(dbs: Dbs, where: str = "1") -> list[tuple]:
    """(id, title, status, priority, assigned_to_id, queue_id, submitter_email) of tickets, in id order."""
    sql = (
        "SELECT id, title, status, priority, assigned_to_id, queue_id, submitter_email FROM helpdesk_ticket"
        f" WHERE {where} ORDER BY id LIMIT {MAX_INSTANCES}"
    )
    return _rows(dbs, sql)


def _page(ticket: int) -> str:
    return f"/helpdesk/tickets/{ticket}/"


def _ticket_of(inst: Instance) -> str:
    return _page(inst.params["id"])


# ---------------------------------------------------------------------- questions
def _status(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'What is the status of the ticket "{t}"?', {"id": i}, (STATUS[s],)) for i, t, s, *_ in _tickets(dbs)
    ]


def _priority(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f"What priority does ticket #{i} have?", {"id": i}, (PRIORITY[p], PRIORITY[p][3:], str(p)))
        for i, _, _, p, *_ in _tickets(dbs)
    ]


def _assignee(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Who is the ticket "{t}" assigned to?', {"id": i}, (FULL_NAME[a], USERNAME[a]))
        for i, t, _, _, a, *_ in _tickets(dbs, "assigned_to_id IS NOT NULL")
    ]


def _submitter(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f"What is the submitter's e-mail address of ticket #{i}?", {"id": i}, (e,))
        for i, *_, e in _tickets(dbs)
    ]


def _queue(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Which queue is the ticket "{t}" in?', {"id": i}, (QUEUE_TITLE[q],))
        for i, t, _, _, _, q, _ in _tickets(dbs)
    ]


def _followups(dbs: Dbs) -> list[Instance]:
    counts = dict(_rows(dbs, "SELECT ticket_id, COUNT(*) FROM helpdesk_followup GROUP BY ticket_id"))
    return [
        Instance(f"How many follow-ups does ticket #{i} have?", {"id": i}, (str(counts.get(i, 0)),))
        for i, *_ in _tickets(dbs)
    ]


def _last_commenter(dbs: Dbs) -> list[Instance]:
    rows = _rows(
        dbs,
        "SELECT f.ticket_id, f.user_id FROM helpdesk_followup f WHERE f.id = (SELECT g.id FROM helpdesk_followup g"
        f" WHERE g.ticket_id = f.ticket_id ORDER BY g.date DESC, g.id DESC LIMIT 1) ORDER BY f.ticket_id"
        f" LIMIT {MAX_INSTANCES}",
    )
    return [
        Instance(
            f"Which staff member wrote the latest follow-up on ticket #{t}? Give the username.",
            {"id": t},
            (USERNAME[u], FULL_NAME[u]),
        )
        for t, u in rows
    ]


def _created(dbs: Dbs) -> list[Instance]:
    rows = _rows(dbs, f"SELECT id, substr(created, 1, 10) FROM helpdesk_ticket ORDER BY id LIMIT {MAX_INSTANCES}")
    return [Instance(f"On what date was ticket #{i} created? (YYYY-MM-DD)", {"id": i}, (d,)) for i, d in rows]


def _number_of(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'What is the number of the ticket titled "{t}"?', {"id": i, "title": t}, (str(i),))
        for i, t, *_ in _tickets(dbs)
    ]


def _queue_status_count(dbs: Dbs) -> list[Instance]:
    counts = dict(
        ((q, s), n) for q, s, n in _rows(dbs, "SELECT queue_id, status, COUNT(*) FROM helpdesk_ticket GROUP BY 1, 2")
    )
    return [
        Instance(
            f"How many tickets in the {QUEUE_TITLE[q]} queue have the status {STATUS[s]}?",
            {"queue": q, "status": s},
            (str(counts.get((q, s), 0)),),
        )
        for q in QUEUE_TITLE
        for s in STATUS
    ]


def _owner_open_count(dbs: Dbs) -> list[Instance]:
    counts = dict(_rows(dbs, "SELECT assigned_to_id, COUNT(*) FROM helpdesk_ticket WHERE status = 1 GROUP BY 1"))
    return [
        Instance(
            f"How many tickets with the status Open are assigned to {FULL_NAME[u]}?",
            {"user": u},
            (str(counts.get(u, 0)),),
        )
        for u in FULL_NAME
        if u != 1
    ]


def _submitter_count(dbs: Dbs) -> list[Instance]:
    rows = _rows(dbs, "SELECT submitter_email, COUNT(*) FROM helpdesk_ticket GROUP BY 1 ORDER BY 1")
    return [Instance(f"How many tickets has {e} submitted?", {"email": e}, (str(n),)) for e, n in rows[:MAX_INSTANCES]]


def _unassigned_count(dbs: Dbs) -> list[Instance]:
    counts = dict(
        _rows(
            dbs, "SELECT queue_id, COUNT(*) FROM helpdesk_ticket WHERE status = 1 AND assigned_to_id IS NULL GROUP BY 1"
        )
    )
    return [
        Instance(
            f"How many tickets in the {title} queue are Open and assigned to nobody?",
            {"queue": q},
            (str(counts.get(q, 0)),),
        )
        for q, title in QUEUE_TITLE.items()
    ]


# ---------------------------------------------------------------------- changes
def _comment_text(i: int) -> str:
    return f"{COMMENTS[i % len(COMMENTS)]} (ref {1000 + i})"


def _status_of(ep: Episode, ticket: int) -> int | None:
    rows = ep.query(APP, "SELECT status FROM helpdesk_ticket WHERE id = ?", ticket)
    return rows[0][0] if rows else None


def _field(ep: Episode, ticket: int, column: str) -> object:
    rows = ep.query(APP, f"SELECT {column} FROM helpdesk_ticket WHERE id = ?", ticket)
    return rows[0][0] if rows else None


def _has_followup(ep: Episode, ticket: int, text: str) -> bool:
    rows = ep.query(APP, "SELECT comment FROM helpdesk_followup WHERE ticket_id = ?", ticket)
    return any((c or "").strip() == text for (c,) in rows)


def _open_tickets(dbs: Dbs) -> list[tuple]:
    return _tickets(dbs, "status = 1")


def _close(dbs: Dbs) -> list[Instance]:
    return [Instance(f'Close the ticket "{t}".', {"id": i}) for i, t, *_ in _open_tickets(dbs)]


def _respond_plan(status: str | None, text: str | None) -> Callable[[Instance], list[Step]]:
    def plan(inst: Instance) -> list[Step]:
        steps = [Step("goto", value=_ticket_of(inst))]
        if text is not None:
            steps.append(Step("type", 'textbox "Comment / Resolution"', inst.params[text]))
        if status is not None:
            steps.append(Step("click", f'radio "{status}"'))
        return steps + [Step("click", 'button "Save"'), Step("answer")]

    return plan


def _resolve(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Resolve ticket #{i} with the comment "{_comment_text(i)}".', {"id": i, "text": _comment_text(i)})
        for i, *_ in _open_tickets(dbs)
    ]


def _comment(dbs: Dbs) -> list[Instance]:
    return [
        Instance(
            f'Add the comment "{_comment_text(i)}" to ticket #{i} without changing its status.',
            {"id": i, "text": _comment_text(i), "status": s},
        )
        for i, _, s, *_ in _tickets(dbs, "status IN (1, 2)")
    ]


def _reopen(dbs: Dbs) -> list[Instance]:
    return [Instance(f'Reopen the closed ticket "{t}".', {"id": i}) for i, t, *_ in _tickets(dbs, "status = 4")]


def _assign(dbs: Dbs) -> list[Instance]:
    found = []
    for i, _, _, _, a, *_ in _tickets(dbs):
        to = 2 + (i + (a or 0)) % (len(STAFF) - 1)
        if to != a:
            found.append(Instance(f"Assign ticket #{i} to {FULL_NAME[to]}.", {"id": i, "user": to}))
    return found


def _take(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Assign the unassigned ticket "{t}" to yourself.', {"id": i, "user": 1})
        for i, t, *_ in _tickets(dbs, "assigned_to_id IS NULL")
    ]


def _assign_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=_ticket_of(inst), app=APP),
        Step("select", 'combobox "owner"', FULL_NAME[inst.params["user"]]),
        Step("click", 'button "Save ticket assignment"'),
        Step("answer"),
    ]


def _set_priority(dbs: Dbs) -> list[Instance]:
    found = []
    for i, _, _, p, *_ in _tickets(dbs):
        to = 1 + (p + i % 4) % 5
        if to != p:
            found.append(Instance(f'Change the priority of ticket #{i} to "{PRIORITY[to]}".', {"id": i, "value": to}))
    return found


def _move(dbs: Dbs) -> list[Instance]:
    found = []
    for i, _, _, _, _, q, _ in _tickets(dbs):
        to = 1 + (q + i % 7) % len(QUEUES)
        if to != q:
            found.append(Instance(f"Move ticket #{i} to the {QUEUE_TITLE[to]} queue.", {"id": i, "value": to}))
    return found


def _rename(dbs: Dbs) -> list[Instance]:
    found = []
    for i, t, *_ in _tickets(dbs):
        new = f"{t.split(' (')[0]}: {NEW_TITLES[i % len(NEW_TITLES)]}"
        found.append(Instance(f'Rename ticket #{i} to "{new}".', {"id": i, "value": new}))
    return found


def _resubmit(dbs: Dbs) -> list[Instance]:
    found = []
    for i, *_, e in _tickets(dbs):
        new = f"desk.contact{i}@{e.split('@')[1]}"
        found.append(Instance(f"Change the submitter e-mail of ticket #{i} to {new}.", {"id": i, "value": new}))
    return found


def _edit_plan(kind: str, label: str) -> Callable[[Instance], list[Step]]:
    def plan(inst: Instance) -> list[Step]:
        value = inst.params["value"]
        shown = {"Priority": PRIORITY, "Queue": QUEUE_TITLE}.get(label, {}).get(value, value)
        return [
            Step("goto", value=f"/helpdesk/tickets/{inst.params['id']}/edit/"),
            Step(kind, f'{"combobox" if kind == "select" else "textbox"} "{label}"', str(shown)),
            Step("click", 'button "Save Changes"'),
            Step("answer"),
        ]

    return plan


def _create(dbs: Dbs) -> list[Instance]:
    issues = ("Projector has no signal", "Keyboard keys stick", "Shared drive is read-only", "Phone has no dial tone")
    found = []
    for k in range(MAX_INSTANCES):
        queue, priority = 1 + k % len(QUEUES), 1 + k % 5
        title = f"{issues[k % len(issues)]} (desk {100 + k})"
        text = f'Open a new ticket in the {QUEUE_TITLE[queue]} queue titled "{title}"'
        text += f' with priority "{PRIORITY[priority]}".'
        found.append(Instance(text, {"title": title, "queue": queue, "priority": priority}))
    return found


def _create_plan(inst: Instance) -> list[Step]:
    p = inst.params
    return [
        Step("goto", value="/helpdesk/tickets/submit/"),
        Step("select", 'combobox "Queue"', QUEUE_TITLE[p["queue"]]),
        Step("type", 'textbox "Summary of the problem"', p["title"]),
        Step("type", 'textbox "Description of your issue"', p["title"] + "."),
        Step("select", 'combobox "Priority"', PRIORITY[p["priority"]]),
        Step("click", 'button "Submit Ticket"'),
        Step("answer"),
    ]


def _created_ok(ep: Episode, inst: Instance) -> bool:
    p = inst.params
    rows = ep.query(APP, "SELECT queue_id, priority FROM helpdesk_ticket WHERE title = ?", p["title"])
    return rows == [(p["queue"], p["priority"])]


# ---------------------------------------------------------------------- navigation
def _open_ticket(dbs: Dbs) -> list[Instance]:
    return [Instance(f'Open the page of the ticket "{t}".', {"id": i}) for i, t, *_ in _tickets(dbs)]


def _open_edit(dbs: Dbs) -> list[Instance]:
    return [Instance(f"Open the form that edits ticket #{i}.", {"id": i}) for i, *_ in _tickets(dbs)]


def _queue_list(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f"Show the list of tickets filtered to the {title} queue only.", {"queue": q})
        for q, title in QUEUE_TITLE.items()
    ]


# ---------------------------------------------------------------------- spanning the wiki
def _assign_to_lead(dbs: Dbs) -> list[Instance]:
    from agora.envs.web.wiki.tasks import articles, fact

    by_name = {name: user for user, name in FULL_NAME.items()}
    projects = articles(dbs["wiki"], "projects")
    found = []
    for i, _, _, _, a, *_ in _tickets(dbs):
        project = projects[i % len(projects)]
        lead = by_name[fact(project["content"], "Project lead")]
        if lead != a:
            text = (
                f'Assign ticket #{i} to the lead of the project "{project["title"]}" (see the company wiki at <wiki>).'
            )
            found.append(Instance(text, {"id": i, "user": lead, "path": project["path"]}))
    return found


def _assign_to_lead_plan(inst: Instance) -> list[Step]:
    return [Step("goto", value=inst.params["path"], app="wiki"), *_assign_plan(inst)]


def _at(path: Callable[[Instance], str]) -> Callable[[Episode, Instance], bool]:
    def check(ep: Episode, inst: Instance) -> bool:
        app, where, _ = ep.location()
        return app == APP and where == path(inst)

    return check


def _queue_listed(ep: Episode, inst: Instance) -> bool:
    app, where, query = ep.location()
    return app == APP and where == "/helpdesk/tickets/" and query.get("queue") == str(inst.params["queue"])


def _edit_path(inst: Instance) -> str:
    return f"/helpdesk/tickets/{inst.params['id']}/edit/"


START = "/helpdesk/dashboard/"
"""Every episode starts on the dashboard: rendered by the server, so the first observation is complete (the
ticket list fills its table by script after the page loads)."""


def _t(name: str, kind: str, instances, plan, check=None, description: str = "") -> Template:
    return Template(name, kind, (APP,), START, instances, plan, check, description)


def _list_path(inst: Instance) -> str:
    return f"/helpdesk/tickets/?queue={inst.params['queue']}"


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _t("ticket-status", "answer", _status, read_then_answer(_ticket_of), description="a ticket's status"),
        _t("ticket-priority", "answer", _priority, read_then_answer(_ticket_of), description="a ticket's priority"),
        _t("ticket-assignee", "answer", _assignee, read_then_answer(_ticket_of), description="who owns a ticket"),
        _t(
            "ticket-submitter",
            "answer",
            _submitter,
            read_then_answer(_ticket_of),
            description="the submitter's e-mail",
        ),
        _t("ticket-queue", "answer", _queue, read_then_answer(_ticket_of), description="a ticket's queue"),
        _t("followup-count", "answer", _followups, read_then_answer(_ticket_of), description="follow-ups on a ticket"),
        _t(
            "last-commenter",
            "answer",
            _last_commenter,
            read_then_answer(_ticket_of),
            description="the author of a ticket's latest follow-up",
        ),
        _t(
            "ticket-created",
            "answer",
            _created,
            read_then_answer(lambda i: "/helpdesk/tickets/"),
            description="the date a ticket was opened",
        ),
        _t(
            "ticket-number",
            "answer",
            _number_of,
            read_then_answer(_ticket_of),
            description="a ticket's number by title",
        ),
        _t(
            "queue-status-count",
            "answer",
            _queue_status_count,
            read_then_answer(lambda i: f"/helpdesk/tickets/?queue={i.params['queue']}&status={i.params['status']}"),
            description="tickets of one status in one queue",
        ),
        _t(
            "owner-open-count",
            "answer",
            _owner_open_count,
            read_then_answer(lambda i: f"/helpdesk/tickets/?assigned_to={i.params['user']}&status=1"),
            description="open tickets of one staff member",
        ),
        _t(
            "submitter-ticket-count",
            "answer",
            _submitter_count,
            read_then_answer(lambda i: f"/helpdesk/tickets/?q={i.params['email']}"),
            description="tickets of one submitter",
        ),
        _t(
            "unassigned-open-count",
            "answer",
            _unassigned_count,
            read_then_answer(lambda i: f"/helpdesk/tickets/?queue={i.params['queue']}&status=1"),
            description="open tickets without an owner in one queue",
        ),
        _t(
            "close-ticket",
            "change",
            _close,
            _respond_plan("Closed", None),
            lambda ep, i: _status_of(ep, i.params["id"]) == 4,
            "the ticket's status is Closed",
        ),
        _t(
            "resolve-ticket",
            "change",
            _resolve,
            _respond_plan("Resolved", "text"),
            lambda ep, i: _status_of(ep, i.params["id"]) == 3 and _has_followup(ep, i.params["id"], i.params["text"]),
            "status Resolved and a follow-up with exactly the comment",
        ),
        _t(
            "comment-ticket",
            "change",
            _comment,
            _respond_plan(None, "text"),
            lambda ep, i: (
                _status_of(ep, i.params["id"]) == i.params["status"]
                and _has_followup(ep, i.params["id"], i.params["text"])
            ),
            "a follow-up with exactly the comment, status unchanged",
        ),
        _t(
            "reopen-ticket",
            "change",
            _reopen,
            _respond_plan("Reopened", None),
            lambda ep, i: _status_of(ep, i.params["id"]) == 2,
            "the ticket's status is Reopened",
        ),
        _t(
            "assign-ticket",
            "change",
            _assign,
            _assign_plan,
            lambda ep, i: _field(ep, i.params["id"], "assigned_to_id") == i.params["user"],
            "the ticket's owner is the named staff member",
        ),
        _t(
            "take-ticket",
            "change",
            _take,
            _assign_plan,
            lambda ep, i: _field(ep, i.params["id"], "assigned_to_id") == 1,
            "the ticket's owner is the agent",
        ),
        _t(
            "set-priority",
            "change",
            _set_priority,
            _edit_plan("select", "Priority"),
            lambda ep, i: _field(ep, i.params["id"], "priority") == i.params["value"],
            "the ticket's priority",
        ),
        _t(
            "move-ticket",
            "change",
            _move,
            _edit_plan("select", "Queue"),
            lambda ep, i: _field(ep, i.params["id"], "queue_id") == i.params["value"],
            "the ticket's queue",
        ),
        _t(
            "rename-ticket",
            "change",
            _rename,
            _edit_plan("type", "Title"),
            lambda ep, i: _field(ep, i.params["id"], "title") == i.params["value"],
            "the ticket's title, exactly",
        ),
        _t(
            "change-submitter",
            "change",
            _resubmit,
            _edit_plan("type", "Submitter E-Mail"),
            lambda ep, i: _field(ep, i.params["id"], "submitter_email") == i.params["value"],
            "the ticket's submitter e-mail, exactly",
        ),
        _t(
            "create-ticket",
            "change",
            _create,
            _create_plan,
            _created_ok,
            "exactly one ticket with the title, in the queue, with the priority",
        ),
        Template(
            "assign-to-project-lead",
            "change",
            (APP, "wiki"),
            START,
            _assign_to_lead,
            _assign_to_lead_plan,
            lambda ep, i: _field(ep, i.params["id"], "assigned_to_id") == i.params["user"],
            "spans the wiki: the ticket's owner is the project lead named on the wiki",
        ),
        _t(
            "open-ticket",
            "navigate",
            _open_ticket,
            goto_then_done(_ticket_of),
            _at(_ticket_of),
            "the final page is the ticket's page",
        ),
        _t(
            "open-ticket-edit",
            "navigate",
            _open_edit,
            goto_then_done(_edit_path),
            _at(_edit_path),
            "the final page is the ticket's edit form",
        ),
        _t(
            "queue-ticket-list",
            "navigate",
            _queue_list,
            goto_then_done(_list_path),
            _queue_listed,
            "the final page is the ticket list with the queue filter",
        ),
    )
}
