"""A real forum, django-machina 1.3 on Django 5.2 (``web/forum.<template>-v0``), with seeded topics and polls.

The app is the unmodified django-machina from PyPI, served on 127.0.0.1 by waitress from its own venv
(``.venv-webapps``) with a SQLite database; search runs on haystack with a backend that queries that
database (offline, nothing to index). The seeded state (built once, cached, deterministic): 64 accounts,
4 categories holding 17 forums (3 of them sub-forums), 1,500 topics (46 sticky, 15 announcements, about
6 % locked) with 8,620 posts dated 2021 to 2025, view counts, and 90 polls with 1,432 votes. The agent is
logged in as the member ``agent``, who has written some posts and is a moderator of every forum. Every
episode works on its own copy of the database, so concurrent episodes never see each other's changes.

**Templates** (one id each; the seed picks the instance, e.g. which topic): questions (``topic-author``,
``topic-forum``, ``topic-reply-count``, ``topic-started``, ``last-poster``, ``last-post-date``,
``first-reply-author``, ``forum-topic-count``, ``forum-post-count``, ``most-replied-topic``,
``sticky-count``, ``member-post-count``, ``member-topic-count``, ``member-last-post-topic``,
``poll-winner``, ``poll-total-votes``), changes (``reply-topic``, ``create-topic``, ``create-sticky-topic``,
``create-announcement``, ``edit-own-post``, ``retitle-own-post``, ``delete-own-post``, ``vote-in-poll``,
``subscribe-topic``, ``lock-topic``, ``unlock-topic``, ``stick-topic``, ``announce-topic``,
``unstick-topic``, ``move-topic``; and ``announce-ticket`` and ``ticket-from-topic``, which span the help
desk of ``web/helpdesk.*``, and ``reply-with-project-lead``, which reads the wiki of ``web/wiki.*``) and
navigation (``open-topic``, ``open-profile``, ``member-posts``, ``forum-page``, ``topic-last-page``,
``search-phrase``). ``info["task_kind"]`` says ``answer``, ``change`` or ``navigate``.

**Observation.** ``Task: ...``, ``Page: <path>``, then the page as an accessibility tree
(``[id] role "name" attributes``), and ``Error: ...`` after a failed action; ``mode="pixel"`` gives
screenshots and coordinate actions instead. A post's message is typed into the editor's text box (the
unnamed ``textbox`` of the reply, topic and edit forms).

**Actions.** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``goto("/forum/...")`` (the template's apps only), ``answer("...")``, ``noop()``; or
JSON tool calls with the specs in ``info["tools"]``.

**Reward.** The episode ends with ``answer(...)`` (give ``answer("")`` when a change or navigation task is
done): 1 when a question's answer equals the value computed from the seeded state (after normalising case,
spaces, numbers and dates), when the episode's database shows the asked change, or when the final page is
the asked one; else 0. At the turn limit (30 steps) the episode is graded the same way and ends (a question
without an answer scores 0). Malformed actions earn 0. The scripted ``oracle`` agent solves every template.
"""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class ForumEnv(WebAppEnv):
    """One template of the forum (see the module docs)."""

    app = "forum"
