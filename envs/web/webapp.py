"""`WebAppEnv`: a task template of a real web app (``web/<app>.<template>-v0``) in the shared browser.

Each reset draws an instance of the template from the seeded state, gives the episode its own copies of
the apps' databases (`appserver.AppServer.new_episode`), sets the episode cookie and opens the template's
start page. The episode ends with ``answer("...")``: an answer task compares the answer exactly (after
`apptasks.normalise`), a change task queries the episode's databases, a navigation task reads the final
URL; reward 1 or 0. `WebAppOracle` solves every template by the env's own actions.
"""

from __future__ import annotations

import json
import re
import sqlite3
from functools import cache
from typing import Any, ClassVar
from urllib.parse import unquote, urljoin, urlsplit

from agora.agent import Agent
from agora.envs.web.appserver import AppServer, app_server, new_token, seeded_db
from agora.envs.web.apptasks import Episode, Instance, Step, Template, answer_matches
from agora.envs.web.base import BrowserEnv
from agora.envs.web.browser import Tab, get_pool

EPISODE_COOKIE = "agora_episode"
START_TIMEOUT_MS = 30_000
"""How long a reset waits for the start page, and a step for its page (instead of Playwright's 5 s): the app
servers serve every episode of the process, so with many episodes at once pages queue there (a real app
renders a page in 10 to 110 ms of CPU), and a slow page is not the agent's fault."""


def template_table(app: str) -> dict[str, Template]:
    """The templates of `app` (its ``tasks.TEMPLATES``)."""
    import importlib

    return importlib.import_module(f"agora.envs.web.{app}.tasks").TEMPLATES


@cache
def instances_of(app: str, name: str) -> tuple[Instance, ...]:
    """Every instance of a template, drawn from the seeded databases (read-only), once per process."""
    template = template_table(app)[name]
    dbs = {a: sqlite3.connect(f"file:{seeded_db(a)}?mode=ro", uri=True) for a in template.apps}
    try:
        found = tuple(template.instances(dbs))
    finally:
        for db in dbs.values():
            db.close()
    if not found:
        raise ValueError(f"template {app}.{name} has no instance in the seeded state")
    return found


class WebAppEnv(BrowserEnv):
    """One template of a real web app; subclasses name the app (`app`)."""

    app: ClassVar[str] = ""
    default_viewport = (1024, 768)
    scripted_agents: ClassVar[dict[str, str]] = {"oracle": "agora.envs.web.webapp:WebAppOracle"}

    def __init__(
        self,
        template: str = "",
        mode: str = "text",
        viewport: tuple[int, int] | None = None,
        render_mode: str | None = None,
        turn_limit: int = 30,
        prepare_ahead: bool = True,
    ):
        table = template_table(self.app)
        if template not in table:
            raise ValueError(f"unknown {self.app} template {template!r}; choose one of {', '.join(table)}")
        super().__init__(mode=mode, viewport=viewport, render_mode=render_mode)
        self.template: Template = table[template]
        self.instance: Instance | None = None
        self.instance_index = -1
        self.token: str | None = None
        self.turn_limit = int(turn_limit)
        """Steps after which the episode is graded and ends even without answer() (change and navigation tasks
        are graded on the state the episode left; a question without an answer scores 0)."""
        self.prepare_ahead = bool(prepare_ahead)
        """From the env's second episode on, load the next episode's start page (on its own fresh database
        copies, in a second browser context) once the agent's first action arrives, so the next reset only
        swaps it in (see `Tab.prepare`). An env used for one episode, or reset and closed, loads nothing extra."""
        self._episodes = 0
        self._turns = 0
        self._servers: dict[str, AppServer] = {}
        self._next: tuple[str, dict[str, AppServer]] | None = None
        """The token and servers of the prepared next episode (its database copies exist)."""

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        """Starts an episode on a fresh copy of the seeded state (see the module docs)."""
        self._turns = 0
        return super().reset(seed=seed, options=options)

    def step(self, action: str) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Plays one action; at the turn limit the episode is graded and ends."""
        if self.prepare_ahead and self._episodes > 1 and self._next is None and not self._needs_reset:
            try:
                get_pool().run(self._aprepare())
            except Exception:  # preparing is an optimisation: the next reset then loads its page itself
                self._end_prepared()
        obs, reward, terminated, truncated, info = super().step(action)
        self._turns += 1
        if not (terminated or truncated) and self._turns >= self.turn_limit:
            if self.template.kind != "answer":
                reward = self._answer("")[0]
            terminated, self._needs_reset = True, True
            info = {**info, "graded_at_turn_limit": True}
        return obs, reward, terminated, truncated, info

    # ------------------------------------------------------------------ episode
    async def _astart(self, tab: Tab, seed: int) -> str:
        self._end_episode()
        self._servers = {a: app_server(a) for a in self.template.apps}
        instances = instances_of(self.app, self.template.name)
        self.instance_index = seed % len(instances)
        self.instance = instances[self.instance_index]
        self.token = self._take_prepared() or self._new_copies(self._servers)
        self._episodes += 1
        start = self.origin() + self.template.start
        page = await tab.new_episode(start, cookies=_cookies(self.token), timeout_ms=START_TIMEOUT_MS)
        page.set_default_timeout(START_TIMEOUT_MS)
        text = self.instance.text
        for app in self.template.apps:  # a template that spans apps names the other app's address as <app>
            text = text.replace(f"<{app}>", self.origin(app) + "/")
        return text

    async def _aprepare(self) -> None:
        """Gives the next episode its copies and token and starts loading its start page in the background."""
        if self._tab is None or not self._tab.alive():
            return
        token = self._new_copies(self._servers)
        self._next = token, dict(self._servers)
        start = self.origin() + self.template.start
        await self._tab.prepare(start, _cookies(token), timeout_ms=START_TIMEOUT_MS)

    @staticmethod
    def _new_copies(servers: dict[str, AppServer]) -> str:
        """A new episode token with its own copy of each app's seeded database."""
        token = new_token()
        for server in servers.values():
            server.new_episode(token)
        return token

    def _take_prepared(self) -> str | None:
        """The prepared episode's token when its copies are on the servers this episode uses, else None."""
        prepared, self._next = self._next, None
        if prepared is None:
            return None
        token, servers = prepared
        if servers == self._servers and all(s.episode_db(token).is_file() for s in servers.values()):
            return token
        for server in servers.values():  # a server was restarted meanwhile: its copies are gone with it
            server.end_episode(token)
        return None

    def origin(self, app: str | None = None) -> str:
        """The origin of `app`'s server (default: the template's first app)."""
        return self._servers[app or self.template.apps[0]].origin

    def episode(self) -> Episode:
        """The episode as its grader sees it: database copies and the page's URL."""
        dbs = {a: s.episode_db(self.token) for a, s in self._servers.items()}
        url = self._tab.page.url if self._tab is not None and self._tab.page is not None else ""
        return Episode(dbs, url, {a: s.origin for a, s in self._servers.items()})

    def _end_episode(self) -> None:
        if self.token is not None:
            for server in self._servers.values():
                server.end_episode(self.token)
            self.token = None

    def _end_prepared(self) -> None:
        if self._next is not None:
            token, servers = self._next
            for server in servers.values():
                server.end_episode(token)
            self._next = None

    # ------------------------------------------------------------------ scoring
    def _outcome(self, state: Any) -> tuple[float, bool]:
        return 0.0, False  # graded when the agent ends the episode with answer()

    def _answer(self, text: str) -> tuple[float, bool] | str:
        if self.template.kind == "answer":
            return float(answer_matches(text, self.instance.answers)), True
        try:
            passed = self.template.check(self.episode(), self.instance)
        except sqlite3.Error:  # a copy the app left unreadable: the change did not happen as asked
            passed = False
        return float(bool(passed)), True

    # ------------------------------------------------------------------ navigation
    def allowed_url(self, url: str) -> str | None:
        """Paths resolve on the app the page is on (else the template's first app); other sites are refused."""
        if "\\" in url or any(ord(c) < 0x20 for c in url):
            return None
        origins = [s.origin for s in self._servers.values()]
        current = self._tab.page.url if self._tab is not None and self._tab.page is not None else ""
        base = next((o for o in origins if current.startswith(o + "/")), self.origin())
        target = urljoin(base + "/", url) if url.startswith("/") else urljoin(current or base + "/", url)
        parts = urlsplit(target)
        segments = unquote(parts.path).split("/")
        if parts.scheme != "http" or "." in segments or ".." in segments:
            return None
        return target if any(target.startswith(o + "/") for o in origins) else None

    def _page_label(self, page: Any) -> str | None:
        url = page.url
        for app, server in self._servers.items():
            if url.startswith(server.origin + "/"):
                rest = url[len(server.origin) :]
                return f"Page: {rest}" if app == self.template.apps[0] else f"Page: {app} {rest}"
        return f"Page: {url}"

    def _info(self, error: str | None = None) -> dict[str, Any]:
        info = super()._info(error)
        info["task_kind"] = self.template.kind
        origins = {a: s.origin for a, s in self._servers.items()}
        info["app_task"] = {"app": self.app, "template": self.template.name, "instance": self.instance_index}
        info["app_task"]["origins"] = origins
        return info

    def close(self) -> None:
        """Deletes the episode's database copies (and the prepared one's) and releases the browser contexts."""
        super().close()
        self._end_episode()
        self._end_prepared()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.app}.{self.template.name} mode={self.mode}>"


def _cookies(token: str) -> list[dict[str, Any]]:
    """The episode cookie that makes the app servers serve `token`'s database copies."""
    return [{"name": EPISODE_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/"}]


class WebAppOracle(Agent):
    """Solves any web-app template through the env's text actions, following the template's `plan`.

    It reads its task from ``info["app_task"]`` (app, template, instance index), plans once per episode,
    and turns each `Step` into an action on the current observation (finding element ids by pattern).
    """

    name = "oracle"
    patience = 3
    """Observations a step waits for its element before the oracle moves on."""

    def __init__(self, seed: int | None = None):
        self._task: dict[str, Any] | None = None
        self._steps: list[Step] = []
        self._waited = 0

    def act(self, observation: Any, info: dict[str, Any]) -> str:
        """The next action of the plan for the page in `observation`."""
        task = info.get("app_task")
        if task != self._task:
            self._task = task
            template = template_table(task["app"])[task["template"]]
            self._steps = list(template.plan(instances_of(task["app"], task["template"])[task["instance"]]))
            self._waited = 0
        text = observation["text"] if isinstance(observation, dict) else str(observation)
        if not self._steps:
            return 'answer("")'
        step = self._steps[0]
        action = _action(step, text, task.get("origins", {}))
        if action is None and self._waited < self.patience:
            self._waited += 1
            return "noop()"
        self._steps.pop(0)
        self._waited = 0
        return action or "noop()"


def _action(step: Step, text: str, origins: dict[str, str]) -> str | None:
    """The action line for one oracle step, or None when its element is not on the page."""
    if step.op == "goto":
        return f"goto({json.dumps(origins[step.app] + step.value if step.app else step.value)})"
    if step.op == "answer":
        return f"answer({json.dumps(step.value)})"
    found = re.search(rf"^\s*\[(\d+)\] {step.pattern}", text, re.M)
    if found is None:
        return None
    element = found.group(1)
    if step.op == "click":
        return f"click({element})"
    if step.op == "type":
        return f"type({element}, {json.dumps(step.value)})"
    if step.op == "select":
        return f"select({element}, {json.dumps(step.value)})"
    raise ValueError(f"unknown oracle step {step.op!r}")
