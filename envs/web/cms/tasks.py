"""The CMS's task templates: facts from the site and its history, edits in the Wagtail admin, pages to reach.

Every instance is drawn from the seeded database (`seed.py`): answers are computed from it, changes are
checked on the episode's own copy after the episode (the page's live row, its revisions, its tags), and
navigation by the final URL. Change tasks that say "publish" need the published state: the live row holds
the change and no unpublished draft is left over.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from agora.envs.web.apptasks import Episode, Instance, Step, Template, goto_then_done, read_then_answer
from agora.envs.web.cms.seed import AUTHORS, TAGS
from agora.envs.web.helpdesk.seed import STAFF

APP = "cms"
ADMIN = "/admin/"
SITE = "/"
MAX_INSTANCES = 400
"""Instances kept per template (the first ones in id order)."""
FULL_NAME = {k + 1: f"{first} {last}" for k, (_, first, last) in enumerate(STAFF)}
USERNAME = {k + 1: user for k, (user, _, _) in enumerate(STAFF)}
AUTHOR_NAME = {k + 1: name for k, name in enumerate(AUTHORS)}
NEW_WORDS = ("Updated", "Revised", "Refreshed", "New", "Improved")
Dbs = dict[str, sqlite3.Connection]


# ---------------------------------------------------------------------- reading the seeded state
def _rows(dbs: Dbs, sql: str, *args: object) -> list[tuple]:
    return dbs[APP].execute(sql, args).fetchall()


def posts(db: sqlite3.Connection, where: str = "p.live = 1") -> list[dict]:
    """Blog posts (id, title, slug, date, author id, summary, live), in id order."""
    rows = db.execute(
        "SELECT p.id, p.title, p.slug, b.date, b.author_id, b.summary, p.live FROM wagtailcore_page p"
        f" JOIN agora_cms_blogpage b ON b.page_ptr_id = p.id WHERE {where} ORDER BY p.id"
    ).fetchall()
    keys = ("id", "title", "slug", "date", "author", "summary", "live")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _standard(dbs: Dbs) -> list[dict]:
    """Standard pages (id, title, slug, public path, section id and title, body), in id order."""
    rows = _rows(
        dbs,
        "SELECT p.id, p.title, p.slug, p.url_path, s.id, s.title, b.body FROM wagtailcore_page p"
        " JOIN agora_cms_standardpage b ON b.page_ptr_id = p.id"
        " JOIN wagtailcore_page s ON s.path = substr(p.path, 1, length(p.path) - 4) ORDER BY p.id",
    )
    keys = ("id", "title", "slug", "url_path", "section", "section_title", "body")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _sections(dbs: Dbs) -> list[tuple[int, str, str]]:
    """(id, title, slug) of the home page's sections, in id order."""
    return _rows(dbs, "SELECT id, title, slug FROM wagtailcore_page WHERE depth = 3 AND slug != 'blog' ORDER BY id")


def _blog_id(dbs: Dbs) -> int:
    return _rows(dbs, "SELECT id FROM wagtailcore_page WHERE depth = 3 AND slug = 'blog'")[0][0]


def _public(url_path: str) -> str:
    """The public path of a page (its url_path without the home page's ``/home``)."""
    return url_path.removeprefix("/home")


def _post_path(post: dict) -> str:
    return f"/blog/{post['slug']}/"


def _tags_of(dbs: Dbs) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for page, name in _rows(
        dbs, "SELECT t.content_object_id, g.name FROM agora_cms_blogpagetag t JOIN taggit_tag g ON g.id = t.tag_id"
    ):
        found.setdefault(page, []).append(name)
    return found


def _history(dbs: Dbs) -> dict[int, list[tuple[int, str, str]]]:
    """Each page's revisions as (user id, created at, title), oldest first."""
    found: dict[int, list[tuple[int, str, str]]] = {}
    for page, user, created, title in _rows(
        dbs, "SELECT object_id, user_id, created_at, object_str FROM wagtailcore_revision ORDER BY created_at, id"
    ):
        found.setdefault(int(page), []).append((user, created, title))
    return found


def _person(user: int) -> tuple[str, str]:
    return FULL_NAME[user], USERNAME[user]


# ---------------------------------------------------------------------- plans


def _param(name: str) -> Callable[[Instance], str]:
    return lambda inst: inst.params[name]


def _edit(inst: Instance) -> str:
    return f"/admin/pages/{inst.params['id']}/edit/"


PUBLISH = [Step("click", 'button "More actions"'), Step("click", 'button "Publish'), Step("answer")]
"""The editor's footer: the dropdown next to "Save draft" holds "Publish" ("Publish this version" on a
revision being reverted to)."""


def _edit_plan(*fields: tuple[str, str, str], promote: bool = False) -> Callable[[Instance], list[Step]]:
    """Open the page's editor, fill each (op, element pattern, parameter name), then publish."""

    def plan(inst: Instance) -> list[Step]:
        steps = [Step("goto", value=_edit(inst), app=APP)]
        if promote:
            steps.append(Step("click", 'tab "Promote'))
        steps += [Step(op, pattern, str(inst.params[name])) for op, pattern, name in fields]
        return steps + PUBLISH

    return plan


# ---------------------------------------------------------------------- questions
def _post_question(question: str, answer: Callable[[dict, dict[int, list[str]]], tuple[str, ...]]):
    """A question on a published post, read on its public page; `answer(post, tags of each post)`."""

    def instances(dbs: Dbs) -> list[Instance]:
        tags = _tags_of(dbs)
        return [
            Instance(question.format(title=p["title"]), {"path": _post_path(p)}, answer(p, tags))
            for p in posts(dbs[APP])[:MAX_INSTANCES]
        ]

    return instances


def _tag_count(dbs: Dbs) -> list[Instance]:
    counts = dict(
        _rows(
            dbs,
            "SELECT g.name, COUNT(*) FROM agora_cms_blogpagetag t JOIN taggit_tag g ON g.id = t.tag_id"
            " JOIN wagtailcore_page p ON p.id = t.content_object_id WHERE p.live = 1 GROUP BY g.name",
        )
    )
    return [
        Instance(f'How many published blog posts are tagged "{t}"?', {"tag": t}, (str(counts.get(t, 0)),)) for t in TAGS
    ]


def _author_count(dbs: Dbs) -> list[Instance]:
    counts: dict[int, int] = {}
    for p in posts(dbs[APP]):
        counts[p["author"]] = counts.get(p["author"], 0) + 1
    return [
        Instance(f"How many published blog posts has {name} written?", {"author": name}, (str(counts.get(a, 0)),))
        for a, name in AUTHOR_NAME.items()
    ]


def _author_latest(dbs: Dbs) -> list[Instance]:
    found = []
    for a, name in AUTHOR_NAME.items():
        mine = sorted((p for p in posts(dbs[APP]) if p["author"] == a), key=lambda p: (p["date"], p["id"]))
        if mine:
            found.append(
                Instance(
                    f"What is the title of the newest published blog post by {name}?",
                    {"author": name},
                    (mine[-1]["title"],),
                )
            )
    return found


def _month_count(dbs: Dbs) -> list[Instance]:
    rows = _rows(
        dbs,
        "SELECT substr(b.date, 1, 7), COUNT(*) FROM agora_cms_blogpage b JOIN wagtailcore_page p"
        " ON p.id = b.page_ptr_id WHERE p.live = 1 GROUP BY 1 ORDER BY 1",
    )
    return [
        Instance(f"How many published blog posts have a post date in {month}?", {"month": month}, (str(n),))
        for month, n in rows
    ]


def _history_question(question: str, answer: Callable[[list, dict], tuple[str, ...] | None]):
    """A question on a standard page's history (its revisions, oldest first), read in the admin."""

    def instances(dbs: Dbs) -> list[Instance]:
        history, found = _history(dbs), []
        for page in _standard(dbs):
            answers = answer(history[page["id"]], page)
            if answers:
                found.append(Instance(question.format(title=page["title"]), {"id": page["id"]}, answers))
        return found[:MAX_INSTANCES]

    return instances


def _previous_title(revisions: list, page: dict) -> tuple[str, ...] | None:
    return (revisions[-2][2],) if len(revisions) > 1 and revisions[-2][2] != page["title"] else None


def _section_size(dbs: Dbs) -> list[Instance]:
    counts = dict(
        _rows(
            dbs,
            "SELECT s.id, COUNT(*) FROM wagtailcore_page s JOIN wagtailcore_page c"
            " ON c.path LIKE s.path || '____' AND c.live = 1 WHERE s.depth = 3 GROUP BY s.id",
        )
    )
    found = []
    for sid, title, slug in _sections(dbs):
        for n in range(2):  # asked two ways: the public listing, or the admin explorer
            where = "on the public site" if n == 0 else "in the CMS"
            found.append(
                Instance(
                    f'How many published pages are directly under the section "{title}" {where}?',
                    {"path": f"/{slug}/" if n == 0 else f"/admin/pages/{sid}/"},
                    (str(counts.get(sid, 0)),),
                )
            )
    return found


def _contact(dbs: Dbs) -> list[Instance]:
    found = []
    for page in _standard(dbs)[:MAX_INSTANCES]:
        contact = page["body"].split("Contact: ")[1].split("<")[0]
        found.append(
            Instance(
                f'What is the contact e-mail address on the page "{page["title"]}"?',
                {"path": _public(page["url_path"])},
                (contact,),
            )
        )
    return found


def _last_published(dbs: Dbs) -> list[Instance]:
    rows = _rows(
        dbs,
        "SELECT p.id, p.title, p.url_path, substr(p.last_published_at, 1, 10) FROM wagtailcore_page p"
        f" JOIN agora_cms_standardpage b ON b.page_ptr_id = p.id ORDER BY p.id LIMIT {MAX_INSTANCES}",
    )
    return [
        Instance(f'On what date was the page "{t}" last published? (YYYY-MM-DD)', {"path": _public(u)}, (d,))
        for _, t, u, d in rows
    ]


# ---------------------------------------------------------------------- changes: checks
def _page_row(ep: Episode, page: int) -> dict | None:
    rows = ep.query(
        APP,
        "SELECT title, slug, live, has_unpublished_changes, url_path, draft_title, path FROM wagtailcore_page"
        " WHERE id = ?",
        page,
    )
    keys = ("title", "slug", "live", "has_unpublished_changes", "url_path", "draft_title", "path")
    return dict(zip(keys, rows[0], strict=True)) if rows else None


def _published(ep: Episode, page: int) -> dict | None:
    """The page's live row when it is published with no draft left over, else None."""
    row = _page_row(ep, page)
    return row if row and row["live"] == 1 and row["has_unpublished_changes"] == 0 else None


def _post_field(ep: Episode, page: int, column: str) -> object:
    rows = ep.query(APP, f"SELECT {column} FROM agora_cms_blogpage WHERE page_ptr_id = ?", page)
    return rows[0][0] if rows else None


def _published_with(column: str, table: str = "agora_cms_blogpage") -> Callable[[Episode, Instance], bool]:
    """Published, and the live row's `column` equals the instance's ``value``."""

    def check(ep: Episode, inst: Instance) -> bool:
        page = inst.params["id"]
        if _published(ep, page) is None:
            return False
        if table == "wagtailcore_page":
            row = _page_row(ep, page)
            return row is not None and row[column] == inst.params["value"]
        rows = ep.query(APP, f"SELECT {column} FROM {table} WHERE page_ptr_id = ?", page)
        return bool(rows) and (rows[0][0] or "").strip() == inst.params["value"]

    return check


def _tags_now(ep: Episode, page: int) -> set[str]:
    rows = ep.query(
        APP,
        "SELECT g.name FROM agora_cms_blogpagetag t JOIN taggit_tag g ON g.id = t.tag_id WHERE t.content_object_id = ?",
        page,
    )
    return {name.lower() for (name,) in rows}


# ---------------------------------------------------------------------- changes: instances
def _rename(dbs: Dbs) -> list[Instance]:
    found = []
    for page in _standard(dbs)[:MAX_INSTANCES]:
        new = f"{page['title']} ({NEW_WORDS[page['id'] % len(NEW_WORDS)]})"
        found.append(
            Instance(f'Rename the page "{page["title"]}" to "{new}" and publish it.', {"id": page["id"], "value": new})
        )
    return found


def _draft_title(dbs: Dbs) -> list[Instance]:
    found = []
    for page in _standard(dbs)[:MAX_INSTANCES]:
        new = f"{page['title']}: draft {page['id']}"
        text = f'Change the title of the page "{page["title"]}" to "{new}" as a draft: save it without publishing.'
        found.append(Instance(text, {"id": page["id"], "value": new, "title": page["title"]}))
    return found


def _draft_saved(ep: Episode, inst: Instance) -> bool:
    row = _page_row(ep, inst.params["id"])
    return (
        row is not None
        and row["title"] == inst.params["title"]
        and row["draft_title"] == inst.params["value"]
        and (row["has_unpublished_changes"] == 1)
    )


def _summary(dbs: Dbs) -> list[Instance]:
    found = []
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        new = f"{NEW_WORDS[p['id'] % len(NEW_WORDS)]} summary of post {p['id']}."
        found.append(
            Instance(
                f'Set the summary of the blog post "{p["title"]}" to "{new}" and publish it.',
                {"id": p["id"], "value": new},
            )
        )
    return found


def _unpublish(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Unpublish the blog post "{p["title"]}" (keep it as a draft in the CMS).', {"id": p["id"]})
        for p in posts(dbs[APP])[:MAX_INSTANCES]
    ]


def _unpublished(ep: Episode, inst: Instance) -> bool:
    row = _page_row(ep, inst.params["id"])
    return row is not None and row["live"] == 0


def _unpublish_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/admin/pages/{inst.params['id']}/unpublish/"),
        Step("click", 'button "Yes, unpublish it"'),
        Step("answer"),
    ]


def _publish_draft(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'The blog post "{p["title"]}" is still a draft: publish it.', {"id": p["id"]})
        for p in posts(dbs[APP], "p.live = 0")
    ]


def _publish_plan(inst: Instance) -> list[Step]:
    return [Step("goto", value=_edit(inst)), *PUBLISH]


def _delete(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Delete the page "{page["title"]}" from the site.', {"id": page["id"]})
        for page in _standard(dbs)[:MAX_INSTANCES]
    ]


def _deleted(ep: Episode, inst: Instance) -> bool:
    return _page_row(ep, inst.params["id"]) is None


def _delete_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/admin/pages/{inst.params['id']}/delete/"),
        Step("click", 'button "Yes, delete it"'),
        Step("answer"),
    ]


def _move(dbs: Dbs) -> list[Instance]:
    sections = _sections(dbs)
    found = []
    for page in _standard(dbs)[:MAX_INSTANCES]:
        target = sections[(page["id"] * 7 + 3) % len(sections)]
        if target[0] == page["section"]:
            continue
        text = (
            f'Move the page "{page["title"]}" from the section "{page["section_title"]}" to the section "{target[1]}".'
        )
        found.append(
            Instance(text, {"id": page["id"], "to": target[0], "url_path": f"/home/{target[2]}/{page['slug']}/"})
        )
    return found


def _moved(ep: Episode, inst: Instance) -> bool:
    row = _page_row(ep, inst.params["id"])
    return row is not None and row["url_path"] == inst.params["url_path"]


def _move_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/admin/pages/{inst.params['id']}/move/{inst.params['to']}/confirm/"),
        Step("click", 'button "Yes, move this page"'),
        Step("answer"),
    ]


def _add_tag(dbs: Dbs) -> list[Instance]:
    tags, found = _tags_of(dbs), []
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        rotated = TAGS[p["id"] % len(TAGS) :] + TAGS[: p["id"] % len(TAGS)]
        new = next(t for t in rotated if t not in tags.get(p["id"], []))
        found.append(
            Instance(
                f'Add the tag "{new}" to the blog post "{p["title"]}" (keep its other tags) and publish it.',
                {"id": p["id"], "value": new, "tags": ", ".join(tags.get(p["id"], []) + [new])},
            )
        )
    return found


def _tagged(ep: Episode, inst: Instance) -> bool:
    wanted = {t.strip() for t in inst.params["tags"].split(",")}
    return _published(ep, inst.params["id"]) is not None and _tags_now(ep, inst.params["id"]) == wanted


def _slug(dbs: Dbs) -> list[Instance]:
    found = []
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        new = f"{p['slug'][:40].rstrip('-')}-{p['id']}"
        found.append(
            Instance(
                f'Change the URL slug of the blog post "{p["title"]}" to "{new}" and publish it.',
                {"id": p["id"], "value": new},
            )
        )
    return found


def _author_change(dbs: Dbs) -> list[Instance]:
    found = []
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        to = 1 + (p["author"] + p["id"] % 5) % len(AUTHORS)
        if to != p["author"]:
            text = f'Make {AUTHOR_NAME[to]} the author of the blog post "{p["title"]}" and publish it.'
            found.append(Instance(text, {"id": p["id"], "value": to, "name": AUTHOR_NAME[to]}))
    return found


def _author_is(ep: Episode, inst: Instance) -> bool:
    return (
        _published(ep, inst.params["id"]) is not None
        and _post_field(ep, inst.params["id"], "author_id") == inst.params["value"]
    )


def _date_change(dbs: Dbs) -> list[Instance]:
    found = []
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        new = f"{2026 - p['id'] % 3}-{1 + p['id'] % 12:02d}-{1 + p['id'] % 28:02d}"
        found.append(
            Instance(
                f'Change the post date of the blog post "{p["title"]}" to {new} and publish it.',
                {"id": p["id"], "value": new},
            )
        )
    return found


def _revert(dbs: Dbs) -> list[Instance]:
    history, found = _history(dbs), []
    revisions = _rows(dbs, "SELECT id, object_id, object_str FROM wagtailcore_revision ORDER BY id")
    first: dict[int, tuple[int, str]] = {}
    for rid, page, title in revisions:
        first.setdefault(int(page), (rid, title))
    for page in _standard(dbs):
        rid, title = first[page["id"]]
        if title != page["title"] and len(history[page["id"]]) > 1:
            user, created, _ = history[page["id"]][0]
            text = (
                f'Revert the page "{page["title"]}" to its first revision (by {FULL_NAME[user]}, {created[:10]})'
                " and publish it."
            )
            found.append(Instance(text, {"id": page["id"], "revision": rid, "value": title}))
    return found[:MAX_INSTANCES]


def _revert_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=f"/admin/pages/{inst.params['id']}/revisions/{inst.params['revision']}/revert/"),
        *PUBLISH,
    ]


def _create_post(dbs: Dbs) -> list[Instance]:
    blog, found = _blog_id(dbs), []
    for k in range(MAX_INSTANCES):
        author = 1 + k % len(AUTHORS)
        title = f"Team notes {100 + k}: {TAGS[k % len(TAGS)]} update"
        day = f"2026-{1 + k % 12:02d}-{1 + k % 27:02d}"
        summary = f"What the team learned in week {1 + k % 52}."
        text = (
            f'Publish a new blog post titled "{title}" with the post date {day}, the author {AUTHOR_NAME[author]}'
            f' and the summary "{summary}".'
        )
        found.append(
            Instance(
                text,
                {
                    "blog": blog,
                    "title": title,
                    "date": day,
                    "author": AUTHOR_NAME[author],
                    "author_id": author,
                    "summary": summary,
                },
            )
        )
    return found


def _create_post_plan(inst: Instance) -> list[Step]:
    p = inst.params
    return [
        Step("goto", value=f"/admin/pages/add/agora_cms/blogpage/{p['blog']}/"),
        Step("type", 'textbox "Title\\*"', p["title"]),
        Step("type", 'textbox "Post date\\*"', p["date"]),
        Step("select", 'combobox "Author"', p["author"]),
        Step("type", 'textbox "Summary"', p["summary"]),
        *PUBLISH,
    ]


def _post_created(ep: Episode, inst: Instance) -> bool:
    p = inst.params
    rows = ep.query(
        APP,
        "SELECT p.live, p.has_unpublished_changes, b.date, b.author_id, b.summary, p.path FROM wagtailcore_page p"
        " JOIN agora_cms_blogpage b ON b.page_ptr_id = p.id WHERE p.title = ?",
        p["title"],
    )
    blog = ep.query(APP, "SELECT path FROM wagtailcore_page WHERE id = ?", p["blog"])
    return (
        len(rows) == 1
        and rows[0][:5] == (1, 0, p["date"], p["author_id"], p["summary"])
        and bool(blog)
        and rows[0][5][:-4] == blog[0][0]
    )


def _create_page(dbs: Dbs) -> list[Instance]:
    sections, found = _sections(dbs), []
    for k in range(MAX_INSTANCES):
        sid, section, _ = sections[k % len(sections)]
        title = f"{section} notice {200 + k}"
        summary = f"Notice {200 + k} for the {section.lower()} section."
        text = f'Publish a new standard page titled "{title}" in the section "{section}" with the summary "{summary}".'
        found.append(Instance(text, {"section": sid, "title": title, "summary": summary}))
    return found


def _create_page_plan(inst: Instance) -> list[Step]:
    p = inst.params
    return [
        Step("goto", value=f"/admin/pages/add/agora_cms/standardpage/{p['section']}/"),
        Step("type", 'textbox "Title\\*"', p["title"]),
        Step("type", 'textbox "Summary"', p["summary"]),
        *PUBLISH,
    ]


def _page_created(ep: Episode, inst: Instance) -> bool:
    p = inst.params
    rows = ep.query(
        APP,
        "SELECT p.live, p.has_unpublished_changes, b.summary, p.path FROM wagtailcore_page p"
        " JOIN agora_cms_standardpage b ON b.page_ptr_id = p.id WHERE p.title = ?",
        p["title"],
    )
    section = ep.query(APP, "SELECT path FROM wagtailcore_page WHERE id = ?", p["section"])
    return len(rows) == 1 and rows[0][:3] == (1, 0, p["summary"]) and bool(section) and rows[0][3][:-4] == section[0][0]


def _create_author(dbs: Dbs) -> list[Instance]:
    first = ("Ada", "Bram", "Cleo", "Dev", "Esme", "Farid", "Greta", "Hugo", "Iris", "Jonas")
    last = ("Quinn", "Rossi", "Sato", "Torres", "Umar", "Vance", "Wolfe", "Young", "Zeller", "Abara")
    found = []
    for k in range(min(MAX_INSTANCES, len(first) * len(last))):
        name = f"{first[k % len(first)]} {last[k // len(first)]}"
        bio = f"{name.split()[0]} writes about {TAGS[k % len(TAGS)]}."
        found.append(
            Instance(f'Add a new blog author named "{name}" with the bio "{bio}".', {"name": name, "bio": bio})
        )
    return found


def _author_created(ep: Episode, inst: Instance) -> bool:
    rows = ep.query(APP, "SELECT bio FROM agora_cms_blogauthor WHERE name = ?", inst.params["name"])
    return len(rows) == 1 and rows[0][0].strip() == inst.params["bio"]


def _create_author_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value="/admin/snippets/agora_cms/blogauthor/add/"),
        Step("type", 'textbox "Name\\*"', inst.params["name"]),
        Step("type", 'textbox "Bio"', inst.params["bio"]),
        Step("click", 'button "Save"'),
        Step("answer"),
    ]


# ---------------------------------------------------------------------- spanning the wiki and the help desk
def _lead_author(dbs: Dbs) -> list[Instance]:
    from agora.envs.web.wiki.tasks import articles, fact

    projects, found = articles(dbs["wiki"], "projects"), []
    by_name = {name: a for a, name in AUTHOR_NAME.items()}
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        project = projects[p["id"] % len(projects)]
        lead = by_name[fact(project["content"], "Project lead")]
        if lead != p["author"]:
            text = (
                f'Make the lead of the project "{project["title"]}" (see the company wiki at <wiki>) the author of the'
                f' blog post "{p["title"]}", and publish it.'
            )
            found.append(
                Instance(text, {"id": p["id"], "value": lead, "name": AUTHOR_NAME[lead], "path": project["path"]})
            )
    return found


def _lead_author_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"], app="wiki"),
        *_edit_plan(("select", 'combobox "Author"', "name"))(inst),
    ]


def _wiki_status(dbs: Dbs) -> list[Instance]:
    from agora.envs.web.wiki.tasks import articles, fact

    projects, found = articles(dbs["wiki"], "projects"), []
    for p in posts(dbs[APP])[:MAX_INSTANCES]:
        project = projects[(p["id"] * 3) % len(projects)]
        value = f"Project status: {fact(project['content'], 'Status')}"
        text = (
            f'Set the summary of the blog post "{p["title"]}" to "Project status: <status>", where <status> is the'
            f' current status of the project "{project["title"]}" on the company wiki at <wiki>, and publish it.'
        )
        found.append(Instance(text, {"id": p["id"], "value": value, "path": project["path"]}))
    return found


def _wiki_status_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"], app="wiki"),
        *_edit_plan(("type", 'textbox "Summary"', "value"))(inst),
    ]


def _ticket_comment(dbs: Dbs) -> list[Instance]:
    tickets = dbs["helpdesk"].execute(
        f"SELECT id FROM helpdesk_ticket WHERE status = 1 ORDER BY id LIMIT {MAX_INSTANCES}"
    )
    blog, found = posts(dbs[APP]), []
    for (ticket,) in tickets.fetchall():
        post = blog[(ticket * 5) % len(blog)]
        text = (
            f'On the help desk at <helpdesk>, add the comment "Published on YYYY-MM-DD" to ticket #{ticket}, where'
            f' YYYY-MM-DD is the post date of the blog post "{post["title"]}" on this site.'
        )
        found.append(
            Instance(text, {"ticket": ticket, "value": f"Published on {post['date']}", "path": _post_path(post)})
        )
    return found


def _ticket_comment_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"]),
        Step("goto", value=f"/helpdesk/tickets/{inst.params['ticket']}/", app="helpdesk"),
        Step("type", 'textbox "Comment / Resolution"', inst.params["value"]),
        Step("click", 'button "Save"'),
        Step("answer"),
    ]


def _ticket_commented(ep: Episode, inst: Instance) -> bool:
    rows = ep.query("helpdesk", "SELECT comment FROM helpdesk_followup WHERE ticket_id = ?", inst.params["ticket"])
    return any((c or "").strip() == inst.params["value"] for (c,) in rows)


# ---------------------------------------------------------------------- navigation
def _at(path: Callable[[Instance], str], query: tuple[str, ...] = ()) -> Callable[[Episode, Instance], bool]:
    """The final page is this app's `path`, with the instance's values of the `query` parameters."""

    def check(ep: Episode, inst: Instance) -> bool:
        app, where, params = ep.location()
        wanted = {k: inst.params[k].lower() for k in query}
        return (
            app == APP
            and where == path(inst)
            and all(params.get(k, "").strip().lower() == v for k, v in wanted.items())
        )

    return check


def _page_instances(text: str, source: Callable[[Dbs], list[dict]] = _standard) -> Callable[[Dbs], list[Instance]]:
    def instances(dbs: Dbs) -> list[Instance]:
        return [
            Instance(
                text.format(title=page["title"]),
                {"id": page["id"], "path": _public(page["url_path"]) if "url_path" in page else _post_path(page)},
            )
            for page in source(dbs)[:MAX_INSTANCES]
        ]

    return instances


def _explore(dbs: Dbs) -> list[Instance]:
    found = [
        Instance(f'Open the CMS\'s page explorer listing the pages of the section "{title}".', {"id": sid})
        for sid, title, _ in _sections(dbs)
    ]
    blog = _blog_id(dbs)
    found += [
        Instance(f"Open the CMS's page explorer listing the blog posts, page {n}.", {"id": blog, "p": str(n)})
        for n in range(2, 10)  # the explorer lists 50 pages a page: the blog's 450 posts fill 9
    ]
    return found


def _explored(ep: Episode, inst: Instance) -> bool:
    app, where, params = ep.location()
    return (
        app == APP
        and where == f"/admin/pages/{inst.params['id']}/"
        and params.get("p", "1") == inst.params.get("p", "1")
    )


def _explore_path(inst: Instance) -> str:
    return f"/admin/pages/{inst.params['id']}/" + (f"?p={inst.params['p']}" if "p" in inst.params else "")


def _tag_listing(dbs: Dbs) -> list[Instance]:
    return [Instance(f'Show the blog\'s list of posts tagged "{t}".', {"tag": t}) for t in TAGS]


def _author_listing(dbs: Dbs) -> list[Instance]:
    return [Instance(f"Show the blog's list of posts by {name}.", {"author": name}) for name in AUTHORS]


def _search(dbs: Dbs) -> list[Instance]:
    topics = sorted({p["title"].split(":")[0] for p in posts(dbs[APP])})
    return [Instance(f'Search the public site for "{t}".', {"q": t}) for t in topics]


def _listing_path(key: str) -> Callable[[Instance], str]:
    from urllib.parse import quote

    return lambda inst: f"/blog/?{key}={quote(inst.params[key])}"


# ---------------------------------------------------------------------- the table
def _t(name: str, kind: str, start: str, instances, plan, check=None, description: str = "") -> Template:
    return Template(name, kind, (APP,), start, instances, plan, check, description)


def _path(inst: Instance) -> str:
    return inst.params["path"]


ANSWER_TEMPLATES = (
    _t(
        "post-author",
        "answer",
        SITE,
        _post_question('Who wrote the blog post "{title}"?', lambda p, d: (AUTHOR_NAME[p["author"]],)),
        read_then_answer(_path),
        description="a post's author",
    ),
    _t(
        "post-date",
        "answer",
        SITE,
        _post_question('What is the post date of the blog post "{title}"? (YYYY-MM-DD)', lambda p, d: (p["date"],)),
        read_then_answer(_path),
        description="a post's date",
    ),
    _t(
        "post-tag-count",
        "answer",
        SITE,
        _post_question(
            'How many tags does the blog post "{title}" have?', lambda p, t: (str(len(t.get(p["id"], []))),)
        ),
        read_then_answer(_path),
        description="tags on a post",
    ),
    _t(
        "post-slug",
        "answer",
        SITE,
        _post_question('What is the URL slug of the blog post "{title}"?', lambda p, d: (p["slug"],)),
        read_then_answer(_path),
        description="a post's slug",
    ),
    _t(
        "tag-post-count",
        "answer",
        SITE,
        _tag_count,
        read_then_answer(lambda i: _listing_path("tag")(i)),
        description="published posts with a tag",
    ),
    _t(
        "author-post-count",
        "answer",
        SITE,
        _author_count,
        read_then_answer(lambda i: _listing_path("author")(i)),
        description="published posts of an author",
    ),
    _t(
        "author-latest-post",
        "answer",
        SITE,
        _author_latest,
        read_then_answer(lambda i: _listing_path("author")(i)),
        description="an author's newest post",
    ),
    _t(
        "month-post-count",
        "answer",
        SITE,
        _month_count,
        read_then_answer(lambda i: "/blog/"),
        description="posts dated in a month",
    ),
    _t(
        "section-page-count",
        "answer",
        SITE,
        _section_size,
        read_then_answer(_path),
        description="published pages of a section",
    ),
    _t("page-contact", "answer", SITE, _contact, read_then_answer(_path), description="the contact on a page"),
    _t(
        "page-last-published",
        "answer",
        SITE,
        _last_published,
        read_then_answer(_path),
        description="when a page was last published",
    ),
    _t(
        "latest-editor",
        "answer",
        ADMIN,
        _history_question(
            'Who made the latest revision of the page "{title}"? Give the username.',
            lambda r, p: _person(r[-1][0])[::-1],
        ),
        read_then_answer(lambda i: f"/admin/pages/{i.params['id']}/history/"),
        description="the author of a page's latest revision",
    ),
    _t(
        "page-creator",
        "answer",
        ADMIN,
        _history_question('Who created the page "{title}"? Give the username.', lambda r, p: _person(r[0][0])[::-1]),
        read_then_answer(lambda i: f"/admin/pages/{i.params['id']}/history/"),
        description="the author of a page's first revision",
    ),
    _t(
        "revision-count",
        "answer",
        ADMIN,
        _history_question('How many times has the page "{title}" been published?', lambda r, p: (str(len(r)),)),
        read_then_answer(lambda i: f"/admin/pages/{i.params['id']}/history/"),
        description="publish entries in a page's history",
    ),
    _t(
        "previous-title",
        "answer",
        ADMIN,
        _history_question('What was the title of the page "{title}" before its latest revision?', _previous_title),
        read_then_answer(lambda i: f"/admin/pages/{i.params['id']}/history/"),
        description="a page's title in its previous revision",
    ),
)


CHANGE_TEMPLATES = (
    _t(
        "rename-page",
        "change",
        ADMIN,
        _rename,
        _edit_plan(("type", 'textbox "Title\\*"', "value")),
        _published_with("title", "wagtailcore_page"),
        "the page is published under the new title",
    ),
    _t(
        "save-draft-title",
        "change",
        ADMIN,
        _draft_title,
        lambda i: [
            Step("goto", value=_edit(i)),
            Step("type", 'textbox "Title\\*"', i.params["value"]),
            Step("click", 'button "Save draft"'),
            Step("answer"),
        ],
        _draft_saved,
        "a draft with the new title; the live title unchanged",
    ),
    _t(
        "edit-post-summary",
        "change",
        ADMIN,
        _summary,
        _edit_plan(("type", 'textbox "Summary"', "value")),
        _published_with("summary"),
        "the post is published with the summary",
    ),
    _t("unpublish-page", "change", ADMIN, _unpublish, _unpublish_plan, _unpublished, "the post is no longer live"),
    _t(
        "publish-draft",
        "change",
        ADMIN,
        _publish_draft,
        _publish_plan,
        lambda ep, i: _published(ep, i.params["id"]) is not None,
        "the draft post is live",
    ),
    _t("delete-page", "change", ADMIN, _delete, _delete_plan, _deleted, "the page is gone"),
    _t("move-page", "change", ADMIN, _move, _move_plan, _moved, "the page is under the other section"),
    _t(
        "add-tag",
        "change",
        ADMIN,
        _add_tag,
        _edit_plan(("type", 'textbox "Tags"', "tags")),
        _tagged,
        "published with the old tags and the new one",
    ),
    _t(
        "change-slug",
        "change",
        ADMIN,
        _slug,
        _edit_plan(("type", 'textbox "Slug\\*"', "value"), promote=True),
        _published_with("slug", "wagtailcore_page"),
        "published under the new slug",
    ),
    _t(
        "change-post-author",
        "change",
        ADMIN,
        _author_change,
        _edit_plan(("select", 'combobox "Author"', "name")),
        _author_is,
        "published with the new author",
    ),
    _t(
        "change-post-date",
        "change",
        ADMIN,
        _date_change,
        _edit_plan(("type", 'textbox "Post date\\*"', "value")),
        _published_with("date"),
        "published with the new date",
    ),
    _t(
        "revert-to-first-revision",
        "change",
        ADMIN,
        _revert,
        _revert_plan,
        _published_with("title", "wagtailcore_page"),
        "published with the first revision's title",
    ),
    _t(
        "create-post",
        "change",
        ADMIN,
        _create_post,
        _create_post_plan,
        _post_created,
        "one live post with the title, date, author and summary under the blog",
    ),
    _t(
        "create-page",
        "change",
        ADMIN,
        _create_page,
        _create_page_plan,
        _page_created,
        "one live standard page with the title and summary under the section",
    ),
    _t(
        "create-author",
        "change",
        ADMIN,
        _create_author,
        _create_author_plan,
        _author_created,
        "one author with the name and bio",
    ),
    Template(
        "author-from-wiki-lead",
        "change",
        (APP, "wiki"),
        ADMIN,
        _lead_author,
        _lead_author_plan,
        _author_is,
        "spans the wiki: the post's author is the project lead named on the wiki",
    ),
    Template(
        "summary-from-wiki-status",
        "change",
        (APP, "wiki"),
        ADMIN,
        _wiki_status,
        _wiki_status_plan,
        _published_with("summary"),
        "spans the wiki: the post's summary names the project's status on the wiki",
    ),
    Template(
        "ticket-comment-post-date",
        "change",
        (APP, "helpdesk"),
        SITE,
        _ticket_comment,
        _ticket_comment_plan,
        _ticket_commented,
        "spans the help desk: the ticket has a follow-up with the post's date",
    ),
)


NAVIGATE_TEMPLATES = (
    _t(
        "open-page-editor",
        "navigate",
        ADMIN,
        _page_instances('Open the CMS editor of the page "{title}".'),
        goto_then_done(_edit),
        _at(_edit),
        "the final page is the page's editor",
    ),
    _t(
        "open-post-editor",
        "navigate",
        ADMIN,
        _page_instances('Open the CMS editor of the blog post "{title}".', lambda d: posts(d[APP])),
        goto_then_done(_edit),
        _at(_edit),
        "the final page is the post's editor",
    ),
    _t(
        "open-page-history",
        "navigate",
        ADMIN,
        _page_instances('Open the history of the page "{title}" in the CMS.'),
        goto_then_done(lambda i: f"/admin/pages/{i.params['id']}/history/"),
        _at(lambda i: f"/admin/pages/{i.params['id']}/history/"),
        "the final page is the page's history",
    ),
    _t(
        "explore-section",
        "navigate",
        ADMIN,
        _explore,
        goto_then_done(_explore_path),
        _explored,
        "the final page is the explorer of the section (and listing page)",
    ),
    _t(
        "open-public-page",
        "navigate",
        SITE,
        _page_instances('Open the public page "{title}".'),
        goto_then_done(_path),
        _at(_path),
        "the final page is the page's public URL",
    ),
    _t(
        "open-public-post",
        "navigate",
        SITE,
        _page_instances('Open the public page of the blog post "{title}".', lambda d: posts(d[APP])),
        goto_then_done(_path),
        _at(_path),
        "the final page is the post's public URL",
    ),
    _t(
        "tag-listing",
        "navigate",
        SITE,
        _tag_listing,
        goto_then_done(_listing_path("tag")),
        _at(lambda i: "/blog/", ("tag",)),
        "the final page is the blog filtered by the tag",
    ),
    _t(
        "author-listing",
        "navigate",
        SITE,
        _author_listing,
        goto_then_done(_listing_path("author")),
        _at(lambda i: "/blog/", ("author",)),
        "the final page is the blog filtered by the author",
    ),
    _t(
        "site-search",
        "navigate",
        SITE,
        _search,
        goto_then_done(lambda i: f"/search/?q={i.params['q'].replace(' ', '+')}"),
        _at(lambda i: "/search/", ("q",)),
        "the final page is the site search for the words",
    ),
)


TEMPLATES: dict[str, Template] = {t.name: t for t in (*ANSWER_TEMPLATES, *CHANGE_TEMPLATES, *NAVIGATE_TEMPLATES)}
