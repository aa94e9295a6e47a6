"""The wiki's task templates: facts from articles and their history, edits, new articles, pages to reach.

Instances come from the seeded database (`seed.py`): answers from the current (or an earlier) revision,
changes checked on the episode's own copy (the article's current revision after the episode), navigation
by the final URL.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable

from agora.envs.web.apptasks import Episode, Instance, Step, Template, goto_then_done, read_then_answer
from agora.envs.web.helpdesk.seed import STAFF
from agora.envs.web.wiki.seed import STATUSES

APP = "wiki"
START = "/"
USERNAME = {k + 1: user for k, (user, _, _) in enumerate(STAFF)}
Dbs = dict[str, sqlite3.Connection]


def articles(db: sqlite3.Connection, section: str | None = None) -> list[dict]:
    """Every article below a section (or all sections): id, path, title, section, revisions, current text."""
    rows = db.execute(
        "SELECT a.id, p.slug, s.slug, r.title, r.content, r.user_id, r.revision_number, a.current_revision_id"
        " FROM wiki_article a JOIN wiki_urlpath p ON p.article_id = a.id JOIN wiki_urlpath s ON s.id = p.parent_id"
        " JOIN wiki_articlerevision r ON r.id = a.current_revision_id WHERE p.level = 2 ORDER BY a.id"
    ).fetchall()
    found = []
    for aid, slug, sect, title, content, user, number, _ in rows:
        if section is None or sect == section:
            found.append(
                {
                    "id": aid,
                    "path": f"/{sect}/{slug}/",
                    "title": title,
                    "section": sect,
                    "content": content,
                    "user": user,
                    "revisions": number,
                }
            )
    return found


def fact(content: str, name: str) -> str | None:
    """The value of the line ``<name>: <value>`` in an article's Markdown."""
    found = re.search(rf"^{re.escape(name)}: (.*)$", content, re.M)
    return found.group(1).strip() if found else None


def _page(inst: Instance) -> str:
    return inst.params["path"]


def _history(inst: Instance) -> str:
    return inst.params["path"] + "_history/"


# ---------------------------------------------------------------------- questions
def _fact_question(section: str, name: str, question: str, numeric: bool = False):
    def instances(dbs: Dbs) -> list[Instance]:
        found = []
        for a in articles(dbs[APP], section):
            value = fact(a["content"], name)
            answers = (value, value.lstrip("$").replace(",", "")) if numeric else (value,)
            found.append(Instance(question.format(title=a["title"]), {"path": a["path"]}, answers))
        return found

    return instances


def _revision_count(dbs: Dbs) -> list[Instance]:
    return [
        Instance(
            f'How many revisions does the wiki article "{a["title"]}" have?',
            {"path": a["path"]},
            (str(a["revisions"]),),
        )
        for a in articles(dbs[APP])
    ]


def _last_editor(dbs: Dbs) -> list[Instance]:
    return [
        Instance(
            f'Who made the latest revision of the wiki article "{a["title"]}"? Give the username.',
            {"path": a["path"]},
            (USERNAME[a["user"]],),
        )
        for a in articles(dbs[APP])
    ]


def _previous_budget(dbs: Dbs) -> list[Instance]:
    found = []
    for a in articles(dbs[APP], "projects"):
        if a["revisions"] < 2:
            continue
        (before,) = (
            dbs[APP]
            .execute(
                "SELECT content FROM wiki_articlerevision WHERE article_id = ? AND revision_number = ?",
                (a["id"], a["revisions"] - 1),
            )
            .fetchone()
        )
        value = fact(before, "Budget")
        found.append(
            Instance(
                f'What was the budget of the project "{a["title"]}" before its latest revision?',
                {"path": a["path"]},
                (value, value.lstrip("$").replace(",", "")),
            )
        )
    return found


def _section_size(dbs: Dbs) -> list[Instance]:
    sizes = {}
    for a in articles(dbs[APP]):
        sizes[a["section"]] = sizes.get(a["section"], 0) + 1
    return [
        Instance(f'How many articles are directly under the wiki section "/{s}/"?', {"path": f"/{s}/"}, (str(n),))
        for s, n in sorted(sizes.items())
    ]


def _office_projects(dbs: Dbs) -> list[Instance]:
    counts: dict[str, int] = {}
    for a in articles(dbs[APP], "projects"):
        city = fact(a["content"], "Home office")
        counts[city] = counts.get(city, 0) + 1
    return [
        Instance(
            f"How many projects on the wiki have {city} as their home office?", {"path": "/projects/_dir/"}, (str(n),)
        )
        for city, n in sorted(counts.items())
    ]


# ---------------------------------------------------------------------- changes
def current(ep: Episode, path: str) -> tuple[str, str] | None:
    """(title, content) of the current revision of the article at `path` in the episode's database."""
    section, slug = path.strip("/").split("/")
    rows = ep.query(
        APP,
        "SELECT r.title, r.content FROM wiki_urlpath p JOIN wiki_urlpath s ON s.id = p.parent_id"
        " JOIN wiki_article a ON a.id = p.article_id JOIN wiki_articlerevision r ON r.id = a.current_revision_id"
        " WHERE p.slug = ? AND s.slug = ? AND s.level = 1",
        slug,
        section,
    )
    return rows[0] if len(rows) == 1 else None


def _set_status(dbs: Dbs) -> list[Instance]:
    found = []
    for a in articles(dbs[APP], "projects"):
        old = fact(a["content"], "Status")
        new = STATUSES[(STATUSES.index(old) + 1 + a["id"] % 3) % len(STATUSES)]
        content = a["content"].replace(f"Status: {old}", f"Status: {new}")
        found.append(
            Instance(
                f'In the wiki, change the status of the project "{a["title"]}" to "{new}" (keep the other facts).',
                {"path": a["path"], "value": new, "content": content, "before": a["content"]},
            )
        )
    return found


def _set_price(dbs: Dbs) -> list[Instance]:
    found = []
    for a in articles(dbs[APP], "products"):
        old = fact(a["content"], "Price")
        new = f"${int(old.lstrip('$')) + 5 + a['id'] % 20}"
        found.append(
            Instance(
                f'In the wiki, change the price of the product "{a["title"]}" to {new} (keep the SKU).',
                {
                    "path": a["path"],
                    "value": new,
                    "content": a["content"].replace(f"Price: {old}", f"Price: {new}"),
                    "before": a["content"],
                    "fact": "Price",
                },
            )
        )
    return found


def _fact_set(ep: Episode, inst: Instance) -> bool:
    """The article's current revision has the new value on the fact's line and keeps every other fact line."""
    now = current(ep, inst.params["path"])
    if now is None:
        return False
    name = inst.params.get("fact", "Status")
    others = [line for line in inst.params["before"].splitlines() if line and not line.startswith(f"{name}:")]
    return fact(now[1], name) == inst.params["value"] and all(line in now[1].splitlines() for line in others)


def _edit_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"] + "_edit/"),
        Step("type", 'textbox "Contents"', inst.params["content"]),
        Step("click", 'button "Save changes"'),
        Step("answer"),
    ]


def _retitle(dbs: Dbs) -> list[Instance]:
    return [
        Instance(
            f'Rename the wiki article "{a["title"]}" to "{a["title"]} (archived)".',
            {"path": a["path"], "value": f"{a['title']} (archived)", "content": a["content"]},
        )
        for a in articles(dbs[APP])
    ]


def _retitle_plan(inst: Instance) -> list[Step]:
    return [
        Step("goto", value=inst.params["path"] + "_edit/"),
        Step("type", 'textbox "Title"', inst.params["value"]),
        Step("click", 'button "Save changes"'),
        Step("answer"),
    ]


def _create(dbs: Dbs) -> list[Instance]:
    found = []
    for k in range(200):
        section = ("projects", "products", "handbook")[k % 3]
        title = f"Notes {k + 1}"
        slug = f"notes-{k + 1}"
        found.append(
            Instance(
                f'Create a wiki article titled "{title}" at /{section}/{slug}/ whose text is "Draft {k + 1}".',
                {
                    "path": f"/{section}/{slug}/",
                    "section": section,
                    "slug": slug,
                    "title": title,
                    "text": f"Draft {k + 1}",
                },
            )
        )
    return found


def _created(ep: Episode, inst: Instance) -> bool:
    now = current(ep, inst.params["path"])
    return now is not None and now[0] == inst.params["title"] and now[1].strip() == inst.params["text"]


def _create_plan(inst: Instance) -> list[Step]:
    p = inst.params
    return [
        Step("goto", value=f"/{p['section']}/_create/"),
        Step("type", 'textbox "Title"', p["title"]),
        Step("type", 'textbox "Slug"', p["slug"]),
        Step("type", 'textbox "Contents"', p["text"]),
        Step("click", 'button "Create article"'),
        Step("answer"),
    ]


# ---------------------------------------------------------------------- navigation
def _open(dbs: Dbs) -> list[Instance]:
    return [Instance(f'Open the wiki article "{a["title"]}".', {"path": a["path"]}) for a in articles(dbs[APP])]


def _open_history(dbs: Dbs) -> list[Instance]:
    return [
        Instance(f'Open the revision history of the wiki article "{a["title"]}".', {"path": a["path"]})
        for a in articles(dbs[APP])
    ]


def _at(path: Callable[[Instance], str]) -> Callable[[Episode, Instance], bool]:
    def check(ep: Episode, inst: Instance) -> bool:
        app, where, _ = ep.location()
        return app == APP and where == path(inst)

    return check


def _t(name: str, kind: str, instances, plan, check=None, description: str = "") -> Template:
    return Template(name, kind, (APP,), START, instances, plan, check, description)


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _t(
            "project-lead",
            "answer",
            _fact_question("projects", "Project lead", 'Who leads the project "{title}"? Give the full name.'),
            read_then_answer(_page),
            description="a fact of a project article",
        ),
        _t(
            "project-budget",
            "answer",
            _fact_question("projects", "Budget", 'What is the budget of the project "{title}" in dollars?', True),
            read_then_answer(_page),
            description="a number in a project article",
        ),
        _t(
            "project-status",
            "answer",
            _fact_question("projects", "Status", 'What is the status of the project "{title}"?'),
            read_then_answer(_page),
            description="a fact of a project article",
        ),
        _t(
            "project-office",
            "answer",
            _fact_question("projects", "Home office", 'Which office is the home of the project "{title}"?'),
            read_then_answer(_page),
            description="a fact of a project article",
        ),
        _t(
            "office-opening",
            "answer",
            _fact_question("offices", "Opening time", 'At what time does the "{title}" open? (HH:MM)'),
            read_then_answer(_page),
            description="a fact of an office article",
        ),
        _t(
            "office-manager",
            "answer",
            _fact_question("offices", "Office manager", 'Who manages the "{title}"? Give the full name.'),
            read_then_answer(_page),
            description="a fact of an office article",
        ),
        _t(
            "product-price",
            "answer",
            _fact_question("products", "Price", 'What does the product "{title}" cost in dollars?', True),
            read_then_answer(_page),
            description="a number in a product article",
        ),
        _t(
            "office-desks",
            "answer",
            _fact_question("offices", "Desks", 'How many desks does the "{title}" have?', True),
            read_then_answer(_page),
            description="a number in an office article",
        ),
        _t(
            "product-sku",
            "answer",
            _fact_question("products", "SKU", 'What is the SKU of the product "{title}"?'),
            read_then_answer(_page),
            description="a code in a product article",
        ),
        _t(
            "office-project-count",
            "answer",
            _office_projects,
            read_then_answer(lambda i: i.params["path"]),
            description="projects whose article names one home office",
        ),
        _t(
            "revision-count",
            "answer",
            _revision_count,
            read_then_answer(_history),
            description="revisions in an article's history",
        ),
        _t(
            "last-editor",
            "answer",
            _last_editor,
            read_then_answer(_history),
            description="the author of the current revision",
        ),
        _t(
            "previous-budget",
            "answer",
            _previous_budget,
            read_then_answer(_history),
            description="a fact of the revision before the current one",
        ),
        _t(
            "section-size",
            "answer",
            _section_size,
            read_then_answer(lambda i: i.params["path"] + "_dir/"),
            description="the articles listed under a section",
        ),
        _t(
            "set-project-status",
            "change",
            _set_status,
            _edit_plan,
            _fact_set,
            "the current revision's Status line, other facts kept",
        ),
        _t(
            "set-product-price",
            "change",
            _set_price,
            _edit_plan,
            _fact_set,
            "the current revision's Price line, the SKU kept",
        ),
        _t(
            "rename-article",
            "change",
            _retitle,
            _retitle_plan,
            lambda ep, i: (current(ep, i.params["path"]) or ("",))[0] == i.params["value"],
            "the current revision's title, exactly",
        ),
        _t(
            "create-article",
            "change",
            _create,
            _create_plan,
            _created,
            "an article at the path with exactly the title and text",
        ),
        _t("open-article", "navigate", _open, goto_then_done(_page), _at(_page), "the final page is the article"),
        _t(
            "open-history",
            "navigate",
            _open_history,
            goto_then_done(_history),
            _at(_history),
            "the final page is the article's history",
        ),
    )
}
