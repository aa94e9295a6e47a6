"""A real help desk, django-helpdesk 2.6 on Django 5.2 (``web/helpdesk.<template>-v0``), with seeded tickets.

The app is the unmodified django-helpdesk from PyPI, served on 127.0.0.1 by waitress from its own venv
(``.venv-webapps``) with a SQLite database. The seeded state (built once, cached, deterministic): 12 staff
accounts, 8 queues, 2,400 tickets (title, queue, status, priority, owner, submitter e-mail, dates) and
3,850 follow-ups. The agent is logged in as the staff member "Alex Agent" (username ``agent``).
Every episode works on its own copy of the database, so concurrent episodes never see each other's changes.

**Templates** (one id each; the seed picks the instance, e.g. which ticket): questions (``ticket-status``,
``ticket-priority``, ``ticket-assignee``, ``ticket-submitter``, ``ticket-queue``, ``followup-count``,
``last-commenter``, ``ticket-created``, ``ticket-number``, ``queue-status-count``, ``owner-open-count``,
``submitter-ticket-count``, ``unassigned-open-count``),
changes (``close-ticket``, ``resolve-ticket``, ``comment-ticket``, ``reopen-ticket``, ``assign-ticket``,
``take-ticket``, ``set-priority``, ``move-ticket``, ``rename-ticket``, ``change-submitter``,
``create-ticket``, and ``assign-to-project-lead``, which reads the wiki of ``web/wiki.*`` and acts here)
and navigation (``open-ticket``, ``open-ticket-edit``, ``queue-ticket-list``). ``info["task_kind"]`` says
``answer``, ``change`` or ``navigate``.

**Observation.** ``Task: ...``, ``Page: <path>``, then the page as an accessibility tree
(``[id] role "name" attributes``), and ``Error: ...`` after a failed action; ``mode="pixel"`` gives
screenshots and coordinate actions instead.

**Actions.** ``click(id)``, ``type(id, "text")``, ``select(id, "option")``, ``press("Enter")``,
``scroll("down")``, ``goto("/helpdesk/tickets/")`` (this app only), ``answer("...")``, ``noop()``; or
JSON tool calls with the specs in ``info["tools"]``.

**Reward.** The episode ends with ``answer(...)`` (give ``answer("")`` when a change or navigation task is
done): 1 when a question's answer equals the value computed from the seeded state (after normalising case,
spaces, numbers and dates), when the episode's database shows the asked change, or when the final page is
the asked one; else 0. At the turn limit (30 steps) the episode is graded the same way and ends (a question without an
answer scores 0). Malformed actions earn 0. The scripted ``oracle`` agent solves every template.
"""

from __future__ import annotations

from agora.envs.web.webapp import WebAppEnv


class HelpdeskEnv(WebAppEnv):
    """One template of the help desk (see the module docs)."""

    app = "helpdesk"
