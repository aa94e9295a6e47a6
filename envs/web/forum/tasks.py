"""The forum's task templates: questions, changes a member or moderator makes, pages to reach, and more.

Questions ask about topics, members and polls; three templates span the help desk or the wiki.

Every instance is drawn from the seeded database (`seed.py`); answers are computed from it, changes are
checked by querying the episode's own copy after the episode, navigation by the final URL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from agora.envs.web.apptasks import Episode, Instance, Step, Template, normalise, read_then_answer
from agora.envs.web.forum.seed import OBJECTS, QUALIFIERS, SENTENCES

APP = "forum"
AGENT = 1
MAX_INSTANCES = 400
"""Instances kept per template (the first ones in id order): enough for variety, cheap to list."""
TOPICS_PER_PAGE = 20
POSTS_PER_PAGE = 15
"""machina's defaults: topics per forum page, posts per topic page."""
TYPE_NAME = {0: "Default topic", 1: "Sticky", 2: "Announce"}
NEW_SUBJECTS = ("Weekly check-in", "Maintenance window", "Call for speakers", "Feature survey", "Office hours")
REPLIES = ("Thanks for the report", "We are looking into it", "Fixed in the next release", "Please try again now")
Dbs = dict[str, sqlite3.Connection]


def _rows(dbs: Dbs, sql: str, *args: object) -> list[tuple]:
    return dbs[APP].execute(sql, args).fetchall()


def topic_path(forum_slug: str, forum: int, slug: str, topic: int) -> str:
    """The URL machina gives a topic."""
    return f"/forum/{forum_slug}-{forum}/topic/{slug}-{topic}/"


def _topics(dbs: Dbs, where: str = "1", limit: int = MAX_INSTANCES) -> list[dict]:
    """Topics (id, subject, path, forum, poster, type, status, posts, first/last post) in id order."""
    sql = (
        "SELECT t.id, t.subject, t.slug, f.id, f.slug, f.name, u.username, t.type, t.status, t.posts_count,"
        " t.created, t.last_post_on, (SELECT v.username FROM auth_user v JOIN forum_conversation_post p"
        " ON p.poster_id = v.id WHERE p.id = t.last_post_id), t.poster_id FROM forum_conversation_topic t"
        " JOIN forum_forum f ON f.id = t.forum_id JOIN auth_user u ON u.id = t.poster_id"
        f" WHERE {where} ORDER BY t.id LIMIT {limit}"
    )
    keys = ("id", "subject", "slug", "forum", "forum_slug", "forum_name", "poster", "type", "status", "posts")
    keys += ("created", "last_post_on", "last_poster", "poster_id")
    found = [dict(zip(keys, row, strict=True)) for row in _rows(dbs, sql)]
    for t in found:
        t["path"] = topic_path(t["forum_slug"], t["forum"], t["slug"], t["id"])
    return found


def _forums(dbs: Dbs) -> list[dict]:
    """Forums that hold topics, with the counts the index shows (their own and their sub-forums')."""
    rows = _rows(
        dbs,
        "SELECT f.id, f.name, f.slug, (SELECT SUM(g.direct_topics_count) FROM forum_forum g WHERE g.tree_id ="
        " f.tree_id AND g.lft BETWEEN f.lft AND f.rght), (SELECT SUM(g.direct_posts_count) FROM forum_forum g"
        " WHERE g.tree_id = f.tree_id AND g.lft BETWEEN f.lft AND f.rght), f.direct_topics_count, f.level"
        " FROM forum_forum f WHERE f.type = 0 ORDER BY f.id",
    )
    keys = ("id", "name", "slug", "topics", "posts", "direct_topics", "level")
    found = [dict(zip(keys, r, strict=True)) for r in rows]
    for f in found:
        f["path"] = f"/forum/{f['slug']}-{f['id']}/"
    return found


def _members(dbs: Dbs) -> list[tuple[int, str]]:
    return _rows(dbs, "SELECT id, username FROM auth_user WHERE id != ? ORDER BY id", AGENT)


def _path_of(inst: Instance) -> str:
    return inst.params["path"]


# ---------------------------------------------------------------------- questions
def _topic_question(text: str, answer: Callable[[dict], object], where: str = "1") -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        return [
            Instance(text.format(**t), {"id": t["id"], "path": t["path"]}, (str(answer(t)),))
            for t in _topics(dbs, where)
        ]

    return instances


def _first_reply_author(dbs: Dbs) -> list[Instance]:
    rows = dict(
        _rows(
            dbs,
            "SELECT p.topic_id, u.username FROM forum_conversation_post p JOIN auth_user u ON u.id = p.poster_id"
            " WHERE p.id = (SELECT q.id FROM forum_conversation_post q WHERE q.topic_id = p.topic_id"
            " ORDER BY q.created, q.id LIMIT 1 OFFSET 1)",
        )
    )
    return [
        Instance(f'Who wrote the first reply to the topic "{t["subject"]}"? Give the username.', t, (rows[t["id"]],))
        for t in _topics(dbs, "t.posts_count > 1")
    ]


def _forum_count(key: str, noun: str) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        return [
            Instance(f'How many {noun} does the forum index show for the forum "{f["name"]}"?', f, (str(f[key]),))
            for f in _forums(dbs)
        ]

    return instances


def _most_replied(dbs: Dbs) -> list[Instance]:
    """The topic with the most replies in a forum among those started in one year (only where it is unique)."""
    found = []
    for f in _forums(dbs):
        for year in range(2021, 2025):
            rows = _rows(
                dbs,
                "SELECT subject, posts_count FROM forum_conversation_topic WHERE forum_id = ?"
                " AND substr(created, 1, 4) = ? ORDER BY posts_count DESC LIMIT 2",
                f["id"],
                str(year),
            )
            if len(rows) == 2 and rows[0][1] > rows[1][1]:
                text = f'Which topic started in {year} in the forum "{f["name"]}" has the most replies?'
                found.append(Instance(text, {"path": f["path"], "year": year}, (rows[0][0],)))
    return found


def _sticky_count(dbs: Dbs) -> list[Instance]:
    counts = dict(_rows(dbs, "SELECT forum_id, COUNT(*) FROM forum_conversation_topic WHERE type = 1 GROUP BY 1"))
    return [
        Instance(f'How many sticky topics are there in the forum "{f["name"]}"?', f, (str(counts.get(f["id"], 0)),))
        for f in _forums(dbs)
        if f["direct_topics"]
    ]


def _member_count(sql: str, text: str) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        counts = dict(_rows(dbs, sql))
        return [
            Instance(text.format(user=name), {"path": f"/member/profile/{uid}/"}, (str(counts.get(uid, 0)),))
            for uid, name in _members(dbs)
        ]

    return instances


def _latest_topic_of(dbs: Dbs) -> dict[int, str]:
    """Each member's most recently started topic's subject."""
    return dict(_rows(dbs, "SELECT poster_id, subject FROM forum_conversation_topic ORDER BY created, id"))


def _last_post_topic(dbs: Dbs) -> list[Instance]:
    rows = dict(
        _rows(
            dbs,
            "SELECT p.poster_id, t.subject FROM forum_conversation_post p JOIN forum_conversation_topic t"
            " ON t.id = p.topic_id ORDER BY p.created, p.id",
        )
    )  # the last row of each member wins: their latest post
    return [
        Instance(
            f"In which topic did {name} write their most recent post? Give the topic's subject.",
            {"path": f"/member/profile/{uid}/"},
            (rows[uid],),
        )
        for uid, name in _members(dbs)
        if uid in rows
    ]


def _polls(dbs: Dbs) -> list[dict]:
    """Polls with their topic, question, options and votes per option."""
    polls = []
    for pid, topic, question in _rows(dbs, "SELECT id, topic_id, question FROM forum_polls_topicpoll ORDER BY id"):
        options = _rows(
            dbs,
            "SELECT o.id, o.text, (SELECT COUNT(*) FROM forum_polls_topicpollvote v WHERE v.poll_option_id = o.id)"
            " FROM forum_polls_topicpolloption o WHERE o.poll_id = ? ORDER BY o.id",
            pid,
        )
        polls.append({"id": pid, "topic": topic, "question": question, "options": options})
    return polls


def _poll_question(kind: str) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        topics = {t["id"]: t for t in _topics(dbs, "t.id IN (SELECT topic_id FROM forum_polls_topicpoll)")}
        found = []
        for poll in _polls(dbs):
            t = topics[poll["topic"]]
            if kind == "winner":
                best = max(poll["options"], key=lambda o: o[2])
                text = f'Which option has the most votes in the poll of the topic "{t["subject"]}"?'
                found.append(Instance(text, {"path": t["path"]}, (best[1],)))
            else:
                total = sum(o[2] for o in poll["options"])
                text = f'How many votes has the poll in the topic "{t["subject"]}" received in total?'
                found.append(Instance(text, {"path": t["path"]}, (str(total),)))
        return found

    return instances


def _results_path(inst: Instance) -> str:
    return inst.params["path"] + "?view_results=true"


# ---------------------------------------------------------------------- changes
def _posts_of(ep: Episode, topic: int) -> list[tuple]:
    return ep.query(APP, "SELECT poster_id, subject, content FROM forum_conversation_post WHERE topic_id = ?", topic)


def _replied(ep: Episode, inst: Instance) -> bool:
    wanted = normalise(inst.params["text"])
    return any(p == AGENT and normalise(c) == wanted for p, _, c in _posts_of(ep, inst.params["id"]))


def _reply(dbs: Dbs) -> list[Instance]:
    found = []
    for t in _topics(dbs, "t.status = 0"):
        text = f"{REPLIES[t['id'] % len(REPLIES)]} (ref {2000 + t['id']})."
        found.append(Instance(f'Reply to the topic "{t["subject"]}" with the message "{text}"', {**t, "text": text}))
    return found


def _reply_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"] + "post/create/", app=APP),
        Step("type", r'textbox value=""$', inst.params["text"]),
        Step("click", 'button "Submit"'),
        Step("answer"),
    ]


def _new_topic(kind: int) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        found = []
        for k, f in enumerate(f for f in _forums(dbs) for _ in range(6)):
            subject = f"{NEW_SUBJECTS[k % len(NEW_SUBJECTS)]} {300 + k}"
            text = f"{SENTENCES[k % len(SENTENCES)]} (topic {300 + k})"
            what = {0: "a new topic", 1: "a new sticky topic", 2: "a new announcement"}[kind]
            task = f'Start {what} in the forum "{f["name"]}" with the subject "{subject}" and the message "{text}"'
            found.append(Instance(task, {"forum": f["id"], "path": f["path"], "subject": subject, "text": text}))
        return found

    return instances


def _new_topic_plan(kind: int) -> Callable[[Instance], list[Step]]:
    def plan(inst: Instance) -> list[Step]:
        steps = [
            Step("goto", value=inst.params["path"] + "topic/create/", app=APP),
            Step("type", 'textbox "Subject"', inst.params["subject"]),
            Step("type", r'textbox value=""$', inst.params["text"]),
        ]
        if kind:
            steps.append(Step("select", 'combobox "Post topic as', TYPE_NAME[kind]))
        return steps + [Step("click", 'button "Submit"'), Step("answer")]

    return plan


def _topic_created(kind: int) -> Callable[[Episode, Instance], bool]:
    def check(ep: Episode, inst: Instance) -> bool:
        p = inst.params
        rows = ep.query(
            APP,
            "SELECT t.forum_id, t.type, t.poster_id, p.content FROM forum_conversation_topic t"
            " JOIN forum_conversation_post p ON p.id = t.first_post_id WHERE t.subject = ?",
            p["subject"],
        )
        return (
            len(rows) == 1
            and rows[0][:3] == (p["forum"], kind, AGENT)
            and normalise(rows[0][3]) == normalise(p["text"])
        )

    return check


def _own_posts(dbs: Dbs) -> list[dict]:
    """The agent's posts that are the only post of theirs in the topic (so the topic names the post)."""
    rows = _rows(
        dbs,
        "SELECT p.id, p.topic_id, p.subject, p.content FROM forum_conversation_post p WHERE p.poster_id = ?"
        " AND (SELECT COUNT(*) FROM forum_conversation_post q WHERE q.topic_id = p.topic_id AND q.poster_id = ?) = 1"
        " ORDER BY p.id",
        AGENT,
        AGENT,
    )
    topics = {t["id"]: t for t in _topics(dbs, "1", limit=10**6)}
    return [
        {**topics[tid], "post": pid, "post_subject": subject, "topic_subject": topics[tid]["subject"]}
        for pid, tid, subject, content in rows
    ]


def _edit_own(dbs: Dbs) -> list[Instance]:
    found = []
    for p in _own_posts(dbs):
        extra = f"Update: {REPLIES[p['post'] % len(REPLIES)].lower()} (edit {p['post']})."
        task = f'Edit your post in the topic "{p["topic_subject"]}" so that its message also contains "{extra}"'
        found.append(Instance(task, {**p, "text": extra}))
    return found


def _edit_plan(field: str) -> Callable[[Instance], list[Step]]:
    def plan(inst: Instance) -> list[Step]:
        p = inst.params
        target = r'textbox value=""$' if field == "content" else 'textbox "Subject"'
        return [
            Step("goto", value=f"{p['path']}{p['post']}/post/update/"),
            Step("type", target, p["text"] + (" " if field == "content" else "")),
            Step("click", 'button "Submit"'),
            Step("answer"),
        ]

    return plan


def _post_field(ep: Episode, post: int, column: str) -> object:
    rows = ep.query(APP, f"SELECT {column} FROM forum_conversation_post WHERE id = ?", post)
    return rows[0][0] if rows else None


def _retitle_own(dbs: Dbs) -> list[Instance]:
    found = []
    for p in _own_posts(dbs):
        new = f"{NEW_SUBJECTS[p['post'] % len(NEW_SUBJECTS)]}: {p['topic_subject']}"
        task = f'Change the subject of your post in the topic "{p["topic_subject"]}" to "{new}"'
        found.append(Instance(task, {**p, "text": new}))
    return found


def _delete_own(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Delete your reply in the topic "{p["topic_subject"]}"', p)
        for p in _own_posts(dbs)
        if p["post_subject"] != p["topic_subject"]
    ]


def _confirm_plan(suffix: Callable[[Instance], str]) -> Callable[[Instance], list[Step]]:
    """Open a confirmation page (lock, move, subscribe, delete ...) and confirm it."""
    return lambda inst: [
        Step("goto", value=suffix(inst)),
        Step("click", r"(submit|button) \"Yes, I'm sure\""),
        Step("answer"),
    ]


def _vote(dbs: Dbs) -> list[Instance]:
    """Polls of unlocked topics (machina closes a locked topic's poll)."""
    where = "t.status = 0 AND t.id IN (SELECT topic_id FROM forum_polls_topicpoll)"
    topics = {t["id"]: t for t in _topics(dbs, where)}
    found = []
    for poll in _polls(dbs):
        t = topics.get(poll["topic"])
        if t is None:
            continue
        option = poll["options"][poll["id"] % len(poll["options"])]
        text = f'Vote for "{option[1]}" in the poll of the topic "{t["subject"]}"'
        found.append(Instance(text, {"path": t["path"], "option": option[0], "label": option[1]}))
    return found


def _vote_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"]),
        Step("click", f'radio "{re.escape(inst.params["label"])}"'),
        Step("click", 'button "Submit"'),
        Step("answer"),
    ]


def _voted(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(APP, "SELECT poll_option_id FROM forum_polls_topicpollvote WHERE voter_id = ?", AGENT)
    return rows == [(inst.params["option"],)]


def _topic_field(ep: Episode, topic: int, column: str) -> object:
    rows = ep.query(APP, f"SELECT {column} FROM forum_conversation_topic WHERE id = ?", topic)
    return rows[0][0] if rows else None


def _topic_change(verb: str, where: str) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        return [Instance(verb.format(**t), t) for t in _topics(dbs, where)]

    return instances


def _moderate(action: str) -> Callable[[Instance], str]:
    return lambda inst: f"/moderation/topic/{inst.params['slug']}-{inst.params['id']}/{action}/"


def _move(dbs: Dbs) -> list[Instance]:
    forums = _forums(dbs)
    found = []
    for t in _topics(dbs):
        target = forums[(t["id"] * 7) % len(forums)]
        if target["id"] != t["forum"]:
            text = f'Move the topic "{t["subject"]}" to the forum "{target["name"]}"'
            label = f"{'--' * target['level']} {target['name']}"  # the move form indents forums by depth
            found.append(Instance(text, {**t, "to": target["id"], "to_name": target["name"], "to_label": label}))
    return found


def _move_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=_moderate("move")(inst)),
        Step("select", 'combobox "Select a destination forum"', inst.params["to_label"]),
        Step("click", r"submit \"Yes, I'm sure\""),
        Step("answer"),
    ]


def _subscribed(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(APP, "SELECT topic_id FROM forum_conversation_topic_subscribers WHERE user_id = ?", AGENT)
    return (inst.params["id"],) in rows


# ---------------------------------------------------------------------- navigation
def _forum_page(dbs: Dbs) -> list[Instance]:
    found = []
    for f in _forums(dbs):
        pages = -(-f["direct_topics"] // TOPICS_PER_PAGE)
        for page in range(2, pages + 1):
            text = f'Open page {page} of the list of topics of the forum "{f["name"]}".'
            found.append(Instance(text, {"path": f["path"], "page": page}))
    return found


def _paged_at(ep: Episode, inst: Instance) -> bool:
    app, where, query = ep.location()
    return app == APP and where == inst.params["path"] and query.get("page") == str(inst.params["page"])


def _paged_plan(inst: Instance) -> list[Step]:
    return [Step("goto", value=f"{inst.params['path']}?page={inst.params['page']}"), Step("answer")]


def _last_topic_page(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Open the last page of the topic "{t["subject"]}".', {**t, "page": -(-t["posts"] // POSTS_PER_PAGE)})
        for t in _topics(dbs, f"t.posts_count > {POSTS_PER_PAGE}")
    ]


SEARCH_WORDS = ("webhooks", "backups", "dark mode", "thumbnails", "rate limiting", "proxy", "docker", "macos")


def _search(dbs: Dbs) -> list[Instance]:
    phrases = [*SEARCH_WORDS, *OBJECTS, *QUALIFIERS]
    return [Instance(f'Search the forum for the phrase "{p}".', {"q": p}) for p in phrases]


def _searched(ep: Episode, inst: Instance) -> bool:
    app, where, query = ep.location()
    return app == APP and where == "/search/" and normalise(query.get("q", "")) == normalise(inst.params["q"])


def _search_plan(inst: Instance) -> list[Step]:
    return [
        Step("type", 'textbox "Search"', inst.params["q"]),
        Step("click", 'button "Search"'),
        Step("answer"),
    ]


def _profile(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f"Open the forum profile of {name}.", {"path": f"/member/profile/{uid}/"})
        for uid, name in _members(dbs)
    ]


def _user_posts(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f"Open the list of all posts written by {name}.", {"path": f"/member/profile/{uid}/posts/"})
        for uid, name in _members(dbs)
    ]


def _at(ep: Episode, inst: Instance) -> bool:
    app, where, _ = ep.location()
    return app == APP and where == inst.params["path"]


def _goto(inst: Instance) -> list[Step]:
    return [Step("goto", value=inst.params["path"]), Step("answer")]


# ---------------------------------------------------------------------- spanning the help desk and the wiki
def _announce_ticket(dbs: Dbs) -> list[Instance]:
    """Read a help-desk ticket's title, announce it in the forum's Site News."""
    news = next(f for f in _forums(dbs) if f["name"] == "Site News")
    rows = dbs["helpdesk"].execute("SELECT id, title FROM helpdesk_ticket WHERE status = 1 ORDER BY id LIMIT 200")
    found = []
    for tid, title in rows.fetchall():
        text = (
            f"Help-desk ticket #{tid} (in the help desk at <helpdesk>) reports an outage. Post an announcement in the"
            ' forum "Site News" whose subject is exactly the ticket\'s title and whose message is "We are on it."'
        )
        found.append(
            Instance(
                text,
                {"ticket": tid, "subject": title, "forum": news["id"], "path": news["path"], "text": "We are on it."},
            )
        )
    return found


def _announce_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/helpdesk/tickets/{inst.params['ticket']}/", app="helpdesk"),
        *_new_topic_plan(2)(inst),
    ]


def _reply_with_lead(dbs: Dbs) -> list[Instance]:
    """Read a project's lead on the wiki, give it as a reply in a forum topic."""
    from agora.envs.web.wiki.tasks import articles, fact

    projects = articles(dbs["wiki"], "projects")
    found = []
    for t in _topics(dbs, "t.status = 0"):
        project = projects[t["id"] % len(projects)]
        lead = fact(project["content"], "Project lead")
        text = (
            f'Reply to the forum topic "{t["subject"]}" with just the name of the lead of the project'
            f' "{project["title"]}" (see the company wiki at <wiki>).'
        )
        found.append(Instance(text, {**t, "text": lead, "wiki_path": project["path"]}))
    return found


def _reply_with_lead_plan(inst: Instance) -> list[Step]:
    return [Step("goto", value=inst.params["wiki_path"], app="wiki"), *_reply_plan(inst)]


def _ticket_from_topic(dbs: Dbs) -> list[Instance]:
    """Read a member's latest topic in the forum, open a help-desk ticket titled with its subject."""
    latest = _latest_topic_of(dbs)
    found = []
    for uid, name in _members(dbs):
        if uid in latest:
            text = (
                f"Open a ticket in the Software queue of the help desk at <helpdesk> whose title is exactly the"
                f" subject of the topic that {name} started most recently in this forum (priority 3. Normal)."
            )
            found.append(Instance(text, {"title": latest[uid], "path": f"/member/profile/{uid}/"}))
    return found


def _ticket_plan(inst: Instance) -> list[Step]:
    title = inst.params["title"]
    return [
        Step("goto", value=inst.params["path"]),
        Step("goto", value="/helpdesk/tickets/submit/", app="helpdesk"),
        Step("select", 'combobox "Queue"', "Software"),
        Step("type", 'textbox "Summary of the problem"', title),
        Step("type", 'textbox "Description of your issue"', title + "."),
        Step("select", 'combobox "Priority"', "3. Normal"),
        Step("click", 'button "Submit Ticket"'),
        Step("answer"),
    ]


def _ticket_opened(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(
        "helpdesk",
        "SELECT q.slug FROM helpdesk_ticket t JOIN helpdesk_queue q ON q.id = t.queue_id WHERE t.title = ?",
        inst.params["title"],
    )
    return rows == [("software",)]


# ---------------------------------------------------------------------- the table
START = "/"
"""Every episode starts on the forum index."""


def _t(name: str, kind: str, instances, plan, check=None, description: str = "") -> Template:
    return Template(name, kind, (APP,), START, instances, plan, check, description)


def _topic_has(column: str, value: object) -> Callable[[Episode, Instance], bool]:
    return lambda ep, i: _topic_field(ep, i.params["id"], column) == value


_ANSWERS = (
    ("topic-author", 'Who started the topic "{subject}"? Give the username.', lambda t: t["poster"], "1"),
    ("topic-forum", 'In which forum is the topic "{subject}"?', lambda t: t["forum_name"], "1"),
    ("topic-reply-count", 'How many replies does the topic "{subject}" have?', lambda t: t["posts"] - 1, "1"),
    ("topic-started", 'On what date was the topic "{subject}" started? (YYYY-MM-DD)', lambda t: t["created"][:10], "1"),
    (
        "last-poster",
        'Who wrote the latest post in the topic "{subject}"? Give the username.',
        lambda t: t["last_poster"],
        "1",
    ),
    (
        "last-post-date",
        'On what date was the latest post in the topic "{subject}" written? (YYYY-MM-DD)',
        lambda t: t["last_post_on"][:10],
        "1",
    ),
)

TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        *(
            _t(name, "answer", _topic_question(text, answer, where), read_then_answer(_path_of), description=text)
            for name, text, answer, where in _ANSWERS
        ),
        _t(
            "first-reply-author",
            "answer",
            _first_reply_author,
            read_then_answer(_path_of),
            description="who replied first",
        ),
        _t(
            "forum-topic-count",
            "answer",
            _forum_count("topics", "topics"),
            read_then_answer(lambda i: "/"),
            description="a forum's topics on the index (sub-forums included)",
        ),
        _t(
            "forum-post-count",
            "answer",
            _forum_count("posts", "posts"),
            read_then_answer(lambda i: "/"),
            description="a forum's posts on the index (sub-forums included)",
        ),
        _t(
            "most-replied-topic",
            "answer",
            _most_replied,
            read_then_answer(_path_of),
            description="the topic of one year with the most replies in a forum",
        ),
        _t("sticky-count", "answer", _sticky_count, read_then_answer(_path_of), description="sticky topics in a forum"),
        _t(
            "member-post-count",
            "answer",
            _member_count(
                "SELECT user_id, posts_count FROM forum_member_forumprofile", "How many posts has {user} written?"
            ),
            read_then_answer(_path_of),
            description="a member's posts",
        ),
        _t(
            "member-topic-count",
            "answer",
            _member_count(
                "SELECT poster_id, COUNT(*) FROM forum_conversation_topic GROUP BY 1",
                "How many topics has {user} started?",
            ),
            read_then_answer(_path_of),
            description="a member's topics",
        ),
        _t(
            "member-last-post-topic",
            "answer",
            _last_post_topic,
            read_then_answer(_path_of),
            description="the topic of a member's latest post",
        ),
        _t(
            "poll-winner",
            "answer",
            _poll_question("winner"),
            read_then_answer(_results_path),
            description="the leading option of a poll",
        ),
        _t(
            "poll-total-votes",
            "answer",
            _poll_question("total"),
            read_then_answer(_results_path),
            description="the votes a poll received",
        ),
        _t(
            "reply-topic",
            "change",
            _reply,
            _reply_plan,
            _replied,
            "a post of the agent in the topic with exactly the message",
        ),
        _t(
            "create-topic",
            "change",
            _new_topic(0),
            _new_topic_plan(0),
            _topic_created(0),
            "one topic with the subject, in the forum, by the agent, normal, with the message",
        ),
        _t(
            "create-sticky-topic",
            "change",
            _new_topic(1),
            _new_topic_plan(1),
            _topic_created(1),
            "as create-topic, and sticky",
        ),
        _t(
            "create-announcement",
            "change",
            _new_topic(2),
            _new_topic_plan(2),
            _topic_created(2),
            "as create-topic, and an announcement",
        ),
        _t(
            "edit-own-post",
            "change",
            _edit_own,
            _edit_plan("content"),
            lambda ep, i: i.params["text"] in (_post_field(ep, i.params["post"], "content") or ""),
            "the agent's post contains the sentence",
        ),
        _t(
            "retitle-own-post",
            "change",
            _retitle_own,
            _edit_plan("subject"),
            lambda ep, i: _post_field(ep, i.params["post"], "subject") == i.params["text"],
            "the agent's post has exactly the subject",
        ),
        _t(
            "delete-own-post",
            "change",
            _delete_own,
            _confirm_plan(lambda i: f"{i.params['path']}{i.params['post']}/post/delete/"),
            lambda ep, i: _post_field(ep, i.params["post"], "id") is None,
            "the agent's reply is gone",
        ),
        _t("vote-in-poll", "change", _vote, _vote_plan, _voted, "the agent's one vote is for the option"),
        _t(
            "subscribe-topic",
            "change",
            _topic_change('Subscribe to the topic "{subject}"', "t.id % 3 = 0"),
            _confirm_plan(lambda i: f"/member/topic/{i.params['id']}/subscribe/"),
            _subscribed,
            "the agent is subscribed to the topic",
        ),
        _t(
            "lock-topic",
            "change",
            _topic_change('Lock the topic "{subject}"', "t.status = 0"),
            _confirm_plan(_moderate("lock")),
            _topic_has("status", 1),
            "the topic is locked",
        ),
        _t(
            "unlock-topic",
            "change",
            _topic_change('Unlock the topic "{subject}"', "t.status = 1"),
            _confirm_plan(_moderate("unlock")),
            _topic_has("status", 0),
            "the topic is unlocked",
        ),
        _t(
            "stick-topic",
            "change",
            _topic_change('Make the topic "{subject}" a sticky topic', "t.type = 0"),
            _confirm_plan(_moderate("change/sticky")),
            _topic_has("type", 1),
            "the topic is sticky",
        ),
        _t(
            "announce-topic",
            "change",
            _topic_change('Turn the topic "{subject}" into an announcement', "t.type = 0"),
            _confirm_plan(_moderate("change/announce")),
            _topic_has("type", 2),
            "the topic is an announcement",
        ),
        _t(
            "unstick-topic",
            "change",
            _topic_change('Turn the sticky topic "{subject}" back into a normal topic', "t.type = 1"),
            _confirm_plan(_moderate("change/topic")),
            _topic_has("type", 0),
            "the topic is a normal topic",
        ),
        _t(
            "move-topic",
            "change",
            _move,
            _move_plan,
            lambda ep, i: _topic_field(ep, i.params["id"], "forum_id") == i.params["to"],
            "the topic is in the named forum",
        ),
        Template(
            "announce-ticket",
            "change",
            (APP, "helpdesk"),
            START,
            _announce_ticket,
            _announce_plan,
            _topic_created(2),
            "spans the help desk: an announcement in Site News titled as the ticket",
        ),
        Template(
            "reply-with-project-lead",
            "change",
            (APP, "wiki"),
            START,
            _reply_with_lead,
            _reply_with_lead_plan,
            _replied,
            "spans the wiki: a reply that names the project's lead",
        ),
        Template(
            "ticket-from-topic",
            "change",
            (APP, "helpdesk"),
            START,
            _ticket_from_topic,
            _ticket_plan,
            _ticket_opened,
            "spans the help desk: one ticket in Software titled as the member's latest topic",
        ),
        _t(
            "open-topic",
            "navigate",
            _topic_change('Open the topic "{subject}".', "1"),
            _goto,
            _at,
            "the final page is the topic",
        ),
        _t("open-profile", "navigate", _profile, _goto, _at, "the final page is the member's profile"),
        _t("member-posts", "navigate", _user_posts, _goto, _at, "the final page lists the member's posts"),
        _t(
            "forum-page",
            "navigate",
            _forum_page,
            _paged_plan,
            _paged_at,
            "the final page is page N of the forum's topic list",
        ),
        _t(
            "topic-last-page",
            "navigate",
            _last_topic_page,
            _paged_plan,
            _paged_at,
            "the final page is the topic's last page",
        ),
        _t(
            "search-phrase", "navigate", _search, _search_plan, _searched, "the final page is the search for the phrase"
        ),
    )
}
"""Every template, in the order ``app_templates.json`` lists them."""
