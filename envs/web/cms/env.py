"""A real CMS, Wagtail 8.0 on Django 5.2 (``web/cms.<template>-v0``), with a seeded site, blog and history.

The app is the unmodified Wagtail from PyPI, served on 127.0.0.1 by waitress from its own venv
(``.venv-webapps``) with a SQLite database; like every Wagtail site it defines its page types, here in the
small Django app ``envs/web/cms/agora_cms`` (home, section, standard page, blog index, blog post with
author, date, tags, summary and body; blog authors). The seeded state (built once, cached, deterministic):
12 staff accounts (the help desk's people) in the Editors and Moderators groups, 17 blog authors, 24 tags,
653 pages (8 sections of 24 standard pages, a blog of 450 posts of which 31 are drafts), 1,392 revisions
and 2,044 history entries. The agent is "Alex Agent" (username ``agent``), an editor with every right in the
Wagtail admin at ``/admin/``; the public site is at ``/`` (the blog at ``/blog/``, filters ``?tag=`` and
``?author=``, site search at ``/search/``). Every episode works on its own copy of the database.

**Templates** (one id each; the seed picks the instance, e.g. which post): questions (``post-author``,
``post-date``, ``post-tag-count``, ``post-slug``, ``tag-post-count``, ``author-post-count``,
``author-latest-post``, ``month-post-count``, ``section-page-count``, ``page-contact``,
``page-last-published``, ``latest-editor``, ``page-creator``, ``revision-count``, ``previous-title``),
changes in the admin (``rename-page``, ``save-draft-title``, ``edit-post-summary``, ``unpublish-page``,
``publish-draft``, ``delete-page``, ``move-page``, ``add-tag``, ``change-slug``, ``change-post-author``,
``change-post-date``, ``revert-to-first-revision``, ``create-post``, ``create-page``, ``create-author``,
and three that span apps: ``author-from-wiki-lead`` and ``summary-from-wiki-status`` read the wiki of
``web/wiki.*``, ``ticket-comment-post-date`` writes on the help desk of ``web/helpdesk.*``) and navigation
(``open-page-editor``, ``open-post-editor``, ``open-page-history``, ``explore-section``,
``open-public-page``, ``open-public-post``, ``tag-listing``, ``author-listing``, ``site-search``).
``info["task_kind"]`` says ``answer``, ``change`` or ``navigate``. See docs/web-apps/cms.md for how each
is graded.

**Observation.** ``Task: ...``, ``Page: <path>``, then the page as an accessibility tree
(``[id] role "name" attributes``), and ``Error: ...`` after a failed action; ``mode="pixel"`` gives
screenshots and coordinate actions instead.

**Actions.** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``goto("/admin/pages/")`` (this app, or the other app a cross-app task names),
``answer("...")``, ``noop()``; or JSON tool calls with the specs in ``info["tools"]``.

**Reward.** The episode ends with ``answer(...)`` (give ``answer("")`` when a change or navigation task is
done): 1 when a question's answer equals the value computed from the seeded state (after normalising case,
spaces, numbers and dates), when the episode's database shows the asked change (a "publish" task needs the
change live, with no unpublished draft left), or when the final page is the asked one; else 0. At the turn
limit (30 steps) the episode is graded the same way and ends (a question without an answer scores 0).
Malformed actions earn 0. The scripted ``oracle`` agent solves every template.
"""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class CmsEnv(WebAppEnv):
    """One template of the CMS (see the module docs)."""

    app = "cms"
