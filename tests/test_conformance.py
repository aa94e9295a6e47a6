"""Every registered env passes the conformance checkers: check_game for games, check_env for all.

Families whose envs need infrastructure carry its marker, so a machine without it skips them with
the reason (CI has both).
"""

from __future__ import annotations

import os

import pytest
from pettingzoo import AECEnv

import agora

# family -> pytest marker for the infrastructure its envs need
FAMILY_MARKS: dict[str, pytest.MarkDecorator] = {
    "web": pytest.mark.browser,
    "gui": pytest.mark.browser,
    "desktop": pytest.mark.docker,
}
DESKTOP_SAMPLE = {
    "desktop/xterm.count-lines-v0",
    "desktop/gnumeric.set-cell-v0",
    "desktop/mousepad.show-line-numbers-v0",
    "desktop/galculator.scientific-settings-v0",
    "desktop/pcmanfm.show-hidden-v0",
}
"""The desktop ids that get the whole `check_env`, one per app: all 100+ share one env class, parser and sandbox
path, and each check starts about 15 desktops. Every other id gets `_check_desktop` (one desktop: its task and its
grader on the untouched state); ``AGORA_CONFORMANCE_ALL=1`` gives every id the whole check."""
WEBAPP_FULL_CHECK = {
    "web/helpdesk.ticket-status-v0",
    "web/helpdesk.close-ticket-v0",
    "web/helpdesk.open-ticket-v0",
    "web/wiki.set-project-status-v0",
    "web/cms.rename-page-v0",
    "web/store.set-stock-v0",
    "web/forum.lock-topic-v0",
}
"""Real-web-app ids that get the whole `check_env` (one per task kind of the first app, one of each other app;
each takes about 15 resets of a real app). Every other id of those apps shares their env class and action
path and gets `_check_webapp`: a reset, a malformed action and a graded answer() (`AGORA_CONFORMANCE_ALL=1`:
the whole check for all)."""


def _params() -> list:
    params = []
    for env_id in agora.list_envs():
        marks = [FAMILY_MARKS[f] for f in [agora.spec(env_id).family] if f in FAMILY_MARKS]
        params.append(pytest.param(env_id, id=env_id, marks=marks))
    return params


def _is_game(env_id: str) -> bool:
    creator = agora.spec(env_id).load()
    return isinstance(creator, type) and issubclass(creator, AECEnv)


def _is_light_webapp(env_id: str) -> bool:
    from agora.envs.web import WEB_APPS

    app = env_id.removeprefix("web/").split(".")[0]
    run_all = os.environ.get("AGORA_CONFORMANCE_ALL", "") not in ("", "0")
    return env_id.startswith("web/") and app in WEB_APPS and env_id not in WEBAPP_FULL_CHECK and not run_all


def _check_webapp(env_id: str) -> None:
    """The part of `check_env` that differs between templates of one app: its task, its kind, its grader."""
    env = agora.make(env_id)
    try:
        obs, info = env.reset(seed=0)
        assert env.observation_space.contains(obs) and info["instructions"] and info["task"] in obs
        assert info["task_kind"] in ("answer", "change", "navigate")
        obs, reward, terminated, truncated, info = env.step("[[[")
        assert info["error"] and reward == 0.0 and not terminated and env.observation_space.contains(obs)
        obs, reward, terminated, truncated, info = env.step('answer("")')
        assert terminated and reward == 0.0 and "error" not in info  # the seeded state solves no task
    finally:
        env.close()


def _is_light_desktop(env_id: str) -> bool:
    run_all = os.environ.get("AGORA_CONFORMANCE_ALL", "") not in ("", "0")
    return env_id.startswith("desktop/") and env_id not in DESKTOP_SAMPLE and not run_all


def _check_desktop(env_id: str) -> None:
    """What differs between desktop templates of one app: the task's files and instruction, and its grader, which
    must give 0 for the untouched desktop (a reset, a malformed action, ``answer("")``)."""
    env = agora.make(env_id)
    try:
        obs, info = env.reset(seed=0)
        assert env.observation_space.contains(obs) and info["instructions"] and info["task"] in obs["text"]
        obs, reward, terminated, truncated, info = env.step("click(5000, 5)")
        assert info["error"] and reward == 0.0 and not terminated and env.observation_space.contains(obs)
        obs, reward, terminated, truncated, info = env.step('answer("")')
        assert terminated and reward == 0.0 and "error" not in info and "infra_error" not in info
    finally:
        env.close()


@pytest.mark.parametrize("env_id", _params())
def test_registered_env_conforms(env_id: str) -> None:
    if _is_light_webapp(env_id):
        _check_webapp(env_id)
        return
    if _is_light_desktop(env_id):
        _check_desktop(env_id)
        return
    if _is_game(env_id):
        game = agora.make(env_id)
        agora.check_game(game)
        env = agora.make(env_id, opponent="random")
    else:
        env = agora.make(env_id)
    try:
        agora.check_env(env)
    finally:
        env.close()
