"""A real wiki, django-wiki 0.13 on Django 5.2 (``web/wiki.<template>-v0``), with seeded articles and history.

The app is the unmodified django-wiki from PyPI, served on 127.0.0.1 by waitress from its own venv
(``.venv-webapps``) with a SQLite database. The seeded state (built once, cached, deterministic): the help
desk's 12 staff accounts, a root article, 4 sections (``/projects/``, ``/offices/``, ``/products/``,
``/handbook/``) and 208 articles below them (100 projects, 10 offices, 90 products, 8 handbook pages), with
1 to 4 revisions each (later revisions change a project's budget and status, a product's price), 395
revisions in all. The agent is logged in as the superuser "Alex Agent" (``agent``). Every episode works on
its own copy of the database.

**Templates** (one id each; the seed picks the instance, e.g. which article): questions (``project-lead``,
``project-budget``, ``project-status``, ``project-office``, ``office-opening``, ``office-manager``,
``office-desks``, ``product-price``, ``product-sku``, ``office-project-count``, ``revision-count``,
``last-editor``, ``previous-budget``, ``section-size``), changes (``set-project-status``,
``set-product-price``, ``rename-article``, ``create-article``) and navigation (``open-article``,
``open-history``). ``info["task_kind"]`` says ``answer``, ``change`` or ``navigate``.

**Observation.** ``Task: ...``, ``Page: <path>``, then the page as an accessibility tree
(``[id] role "name" attributes``), and ``Error: ...`` after a failed action; ``mode="pixel"`` gives
screenshots and coordinate actions instead.

**Actions.** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``goto("/projects/_dir/")`` (this app only), ``answer("...")``, ``noop()``; or JSON tool
calls with the specs in ``info["tools"]``.

**Reward.** The episode ends with ``answer(...)`` (``answer("")`` when a change or navigation task is done):
1 when a question's answer equals the value computed from the seeded state (after normalising case, spaces,
numbers and dates; ``$12,000`` and ``12000`` are the same), when the article's current revision in the
episode's database shows the asked change, or when the final page is the asked one; else 0. At the turn
limit (30 steps) the episode is graded the same way and ends (a question without an answer scores 0).
Malformed actions earn 0. The scripted ``oracle`` agent solves every template.
"""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class WikiEnv(WebAppEnv):
    """One template of the wiki (see the module docs)."""

    app = "wiki"
